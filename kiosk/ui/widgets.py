"""Small building blocks shared by the screens."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.strings import tr

NARROW_WIDTH = 1400
"""Below this width (a portrait screen) layouts stack what sits side by side in landscape."""


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget a layout holds (before refilling it)."""
    while layout.count():
        child = layout.takeAt(0)
        widget = child.widget() if child is not None else None
        if widget is not None:
            # Unparent at once: a widget awaiting deferred deletion is still the parent's child,
            # and its text (a masked name, say) must not outlive the wipe that cleared it.
            # Hide first: a widget unparented while shown becomes a top-level window of its own
            # until the deferred delete, and a grab of the next screen showed the last session's
            # buttons behind the new ones.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()


def label(text: str = "", name: str = "body", *, wrap: bool = True) -> QLabel:
    """A label styled by object name (``title``, ``subtitle``, ``body``, ``error``…)."""
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return widget


class WrappingButton(QPushButton):
    """A big button whose text wraps onto several lines instead of widening the screen.

    A ``QPushButton`` draws each line of its text whole, so a long item name in English or in
    elder mode would make the screen wider than a 1080 px portrait panel. The text sits in a
    word-wrapping label inside the button (mouse events pass through to the button).
    """

    def __init__(self, name: str) -> None:
        """An empty button styled as ``name``; its label is styled as ``<name>Label``."""
        super().__init__()
        self.setObjectName(name)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}Label")
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 20, 36, 20)
        layout.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:
        """Set the (wrapping) text."""
        self.label.setText(text)
        self.updateGeometry()

    def text(self) -> str:
        """The button's text."""
        return self.label.text()

    def sizeHint(self) -> QSize:
        """As wide as the text wants on one line, as high as the label and the style need."""
        layout = self.layout()
        hint = layout.sizeHint() if layout is not None else super().sizeHint()
        return hint.expandedTo(self.minimumSizeHint())

    def minimumSizeHint(self) -> QSize:
        """Narrow enough to wrap: the longest word, not the whole line."""
        layout = self.layout()
        minimum = layout.minimumSize() if layout is not None else super().minimumSizeHint()
        return minimum.expandedTo(QSize(0, self.minimumHeight()))

    def hasHeightForWidth(self) -> bool:
        """The height follows the width, as the label's does."""
        return True

    def heightForWidth(self, width: int) -> int:
        """The label's height at that width, plus the margins; at least the style's minimum."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(width) if layout is not None else 0
        return max(needed, self.minimumHeight())


def button(text: str = "", *, primary: bool = False, name: str | None = None) -> QPushButton:
    """A touch-sized button; ``primary`` for the one main action on a screen."""
    widget = QPushButton(text)
    widget.setObjectName(name or ("primary" if primary else "secondary"))
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget


class _FingerScroll(QObject):
    """Drags a scroll area's content with the finger (or mouse) that presses on it."""

    def __init__(self, area: QScrollArea, orientation: Qt.Orientation) -> None:
        super().__init__(area)
        self._horizontal = orientation is Qt.Orientation.Horizontal
        self._bar = area.horizontalScrollBar() if self._horizontal else area.verticalScrollBar()
        self._pressed: tuple[float, int] | None = None
        """Where the finger went down (window x or y) and the scroll position then."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow a press, its moves and its release; never swallow them."""
        kind = event.type()
        if isinstance(event, QMouseEvent):
            point = event.scenePosition()
            at = point.x() if self._horizontal else point.y()
            if kind == QEvent.Type.MouseButtonPress:
                self._pressed = (at, self._bar.value())
            elif kind == QEvent.Type.MouseMove and self._pressed is not None:
                start, value = self._pressed
                self._bar.setValue(round(value - (at - start)))
            elif kind == QEvent.Type.MouseButtonRelease:
                self._pressed = None
        return False


def touch_scrolling(
    area: QScrollArea, orientation: Qt.Orientation = Qt.Orientation.Vertical
) -> QScrollArea:
    """Let a finger drag ``area``'s content (up and down, or sideways), as on a phone.

    A touch screen's taps reach Qt as mouse events; presses on the labels inside pass up to the
    viewport, which follows them. (Qt's ``QScroller`` does this with inertia, but under the
    offscreen platform it warned of gestures without a target and its objects crashed the test
    process at exit.)
    """
    area.viewport().installEventFilter(_FingerScroll(area, orientation))
    return area


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel and its layout."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(36, 28, 36, 28)
    layout.setSpacing(16)
    return frame, layout


class ActionBar(QWidget):
    """The bottom row of a screen: secondary actions on the left, the primary on the right.

    On a narrow (portrait) screen whose buttons' words do not all fit one row, the left ones
    move above the primary, one a row (a portrait screen has the height): squeezed to their
    minimum width, a long label ("Reprint certificate (2 left)") was cut off at both ends.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty bar; add buttons with ``add``."""
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(24)
        self._upper = QVBoxLayout()
        self._upper.setSpacing(24)
        self._layout = QHBoxLayout()
        self._layout.setSpacing(24)
        self._layout.addStretch(1)
        rows.addLayout(self._upper)
        rows.addLayout(self._layout)
        self._left: list[QPushButton] = []
        self._right: list[QPushButton] = []
        self._stacked = False

    def add(self, widget: QPushButton, *, right: bool = False) -> QPushButton:
        """Add a button on the left, or after the spacer on the right."""
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # Three of them (back, retake, use this photo) fit a portrait screen's 1080 px.
        widget.setMinimumWidth(280)
        if right:
            self._layout.addWidget(widget)
            self._right.append(widget)
        else:
            if self._stacked:
                self._upper.insertWidget(len(self._left), widget, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                self._layout.insertWidget(len(self._left), widget)
            self._left.append(widget)
        return widget

    def _fits_one_row(self, width: int) -> bool:
        shown = [w for w in (*self._left, *self._right) if not w.isHidden()]
        need = sum(max(w.sizeHint().width(), w.minimumWidth()) for w in shown)
        need += 24 * max(len(shown) - 1, 0)
        return need <= width

    def _arrange(self, width: int) -> None:
        # Narrow is the panel's width (portrait), not the bar's: a landscape screen's bar in a
        # side column stays one row, and its screen was laid out for that.
        narrow = self.window().width() < NARROW_WIDTH
        stacked = narrow and not self._fits_one_row(width)
        if stacked == self._stacked:
            return
        self._stacked = stacked
        for index, widget in enumerate(self._left):
            if stacked:
                self._layout.removeWidget(widget)
                self._upper.insertWidget(index, widget, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                self._upper.removeWidget(widget)
                self._layout.insertWidget(index, widget)
        # One row more or less: lay out the bar and each widget up to the window now, rather
        # than one posted layout request per level (the screen was drawn with the old bar).
        self.updateGeometry()
        level: QWidget | None = self
        while level is not None:
            layout = level.layout()
            if layout is not None:
                layout.activate()
            level = level.parentWidget()
        own = self.layout()
        if own is not None:
            own.invalidate()  # and the bar's rows in the height it was given
            own.activate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Put the left buttons on a row of their own when the words do not fit one row."""
        super().resizeEvent(event)
        self._arrange(event.size().width())

    def event(self, event: QEvent) -> bool:
        """Arrange again when a button's words or visibility change (the layout asks anew)."""
        if event.type() == QEvent.Type.LayoutRequest:
            self._arrange(self.width())
        return super().event(event)


class BusyPanel(QWidget):
    """A message with an indeterminate progress bar and a plain estimate of the wait."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Hidden until ``show_busy``."""
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.message = label("", "subtitle")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        self.hide()

    def show_busy(self, message: str) -> None:
        """Show ``message`` with a moving bar."""
        self.message.setText(message)
        self.show()


class Screen(QWidget):
    """A full-window screen of the stack; subclasses fill it and implement ``retranslate``."""

    language = "zh"
    elder = False
    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Lay out the screen's margins."""
        super().__init__(parent)
        self.setObjectName("root")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(72, 48, 72, 48)
        self.body.setSpacing(28)

    def set_language(self, language: str) -> None:
        """Switch the screen's words."""
        self.language = language
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text of the screen in ``self.language``."""
        raise NotImplementedError

    def set_elder(self, on: bool) -> None:
        """Elder mode on or off; screens that change more than sizes override ``elder_changed``."""
        if on != self.elder:
            self.elder = on
            # The type grows by half: the margins and gaps give some of it back.
            self.body.setContentsMargins(*((48, 28, 48, 28) if on else (72, 48, 72, 48)))
            self.body.setSpacing(18 if on else 28)
            self.elder_changed()

    def elder_changed(self) -> None:
        """React to ``self.elder`` (the stylesheet has already been switched)."""

    def spoken_prompt(self) -> str:
        """What is spoken when the screen is shown: its title, what it says, and the next step.

        By default the visible title, subtitle and error texts, then the visible primary
        button's action; screens with more to say override it.
        """
        parts = []
        for name in ("title", "subtitle", "error", "notice"):
            for child in self.findChildren(QLabel, name):
                if child.isVisibleTo(self) and child.text():
                    parts.append(child.text())
        for push in self.findChildren(QPushButton, "primary"):
            if push.isVisibleTo(self) and push.isEnabled() and push.text():
                parts.append(tr("voice_next", self.language, action=push.text()))
                break
        return "\n".join(parts)

    def visible_text(self) -> str:
        """All the text this screen currently shows (tests check nothing personal lingers)."""
        parts: list[str] = []
        for child in self.findChildren(QLabel):
            parts.append(child.text())
        for push in self.findChildren(QPushButton):
            parts.append(push.text())
        return "\n".join(parts)
