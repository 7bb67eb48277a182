"""The terminal's window: a header on every screen, the stack of screens, the idle overlay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.capture import CaptureScreen
from kiosk.ui.screens.case_number import CaseNumberScreen
from kiosk.ui.screens.choose import ChooseScreen
from kiosk.ui.screens.collect import CollectScreen
from kiosk.ui.screens.commitment import CommitmentScreen
from kiosk.ui.screens.enterprise import EnterpriseScreen
from kiosk.ui.screens.face import FaceScreen
from kiosk.ui.screens.guide import GuideScreen
from kiosk.ui.screens.identify import IdentifyScreen
from kiosk.ui.screens.phone import PhoneScreen
from kiosk.ui.screens.progress import ProgressScreen
from kiosk.ui.screens.rate import RateScreen
from kiosk.ui.screens.result import ResultScreen
from kiosk.ui.screens.review import ReviewScreen
from kiosk.ui.screens.ticket import TicketScreen
from kiosk.ui.screens.verify import VerifyScreen
from kiosk.ui.strings import language_name, next_language, tr
from kiosk.ui.theme import ELDER_SCALE, stylesheet
from kiosk.ui.widgets import NARROW_WIDTH, Screen, button, card, label


class HeaderWidget(QWidget):
    """Title, place and time, the language switch and "call staff": on every screen."""

    language_toggled = Signal()
    staff_called = Signal()
    elder_toggled = Signal()
    """The 长辈版 button: larger type, fewer choices, more time, spoken prompts (or back)."""
    repeat_requested = Signal()
    mute_toggled = Signal()

    def __init__(self, location: tuple[str, str], parent: QWidget | None = None) -> None:
        """Build the bar for a terminal at ``location`` (zh, en)."""
        super().__init__(parent)
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Names and clock, the voice buttons, the other buttons: one row on a landscape screen,
        # three on a portrait one (elder mode's type would not fit 1,080 px on one).
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.rows = layout
        layout.setContentsMargins(40, 16, 40, 16)
        layout.setSpacing(24)
        top = QHBoxLayout()
        top.setSpacing(24)
        # Title and place wrap (and the place may shrink) so that the bar fits a 1080 px wide
        # portrait screen in English and in elder mode; the clock and the buttons never shrink.
        self.title = label("", "headerTitle")
        self.place = label("", "body")
        self.clock = label("", "body", wrap=False)
        # Title beside the place on a landscape screen, above it on a portrait one.
        self.names = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.names.setSpacing(24)
        self.names.addWidget(self.title)
        self.names.addWidget(self.place, 1)
        top.addLayout(self.names, 1)
        top.addWidget(self.clock)
        layout.addLayout(top, 1)
        self.voice_row = QHBoxLayout()
        self.voice_row.setSpacing(24)
        self.voice_row.addStretch(1)
        self.repeat_button = button(name="headerButton")
        self.repeat_button.clicked.connect(self.repeat_requested)
        self.mute_button = button(name="headerButton")
        self.mute_button.clicked.connect(self.mute_toggled)
        self.voice_row.addWidget(self.repeat_button)
        self.voice_row.addWidget(self.mute_button)
        layout.addLayout(self.voice_row)
        self.buttons_row = QHBoxLayout()
        self.buttons_row.setSpacing(24)
        self.buttons_row.addStretch(1)
        self.language_button = button(name="headerButton")
        self.language_button.clicked.connect(self.language_toggled)
        self.elder_button = button(name="headerButton")
        self.elder_button.clicked.connect(self.elder_toggled)
        self.staff_button = button(name="headerButton")
        self.staff_button.clicked.connect(self.staff_called)
        self.buttons_row.addWidget(self.language_button)
        self.buttons_row.addWidget(self.elder_button)
        self.buttons_row.addWidget(self.staff_button)
        layout.addLayout(self.buttons_row)
        self.elder = False
        self.muted = False
        self._location = location
        self.language = "zh"
        self.languages: tuple[str, ...] = ("zh", "en")
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(15_000)
        self._tick()
        self.set_voice_controls(False, muted=False)

    def _tick(self) -> None:
        self.clock.setText(dt.datetime.now().strftime("%H:%M"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Stack the title above the place when the bar is narrow (portrait screens)."""
        super().resizeEvent(event)
        self.fit_width(event.size().width())

    def fit_width(self, width: int) -> None:
        """One row on a wide bar, three on a narrow one (also before the window first shows)."""
        narrow = width < NARROW_WIDTH
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.names.direction() != direction:
            self.names.setDirection(direction)
            self.names.setSpacing(4 if narrow else 24)
            self.rows.setDirection(direction)
            self.rows.setSpacing(12 if narrow else 24)

    def set_voice_controls(self, visible: bool, *, muted: bool) -> None:
        """Show the repeat and mute buttons while prompts are spoken; the mute button's state."""
        self.muted = muted
        self.repeat_button.setVisible(visible)
        self.mute_button.setVisible(visible)
        self.set_language(self.language)

    def set_elder(self, on: bool) -> None:
        """The 长辈版 button says what pressing it does next."""
        self.elder = on
        # Elder mode's type leaves no room for the place beside five buttons: the title stays.
        self.place.setVisible(not on)
        self.set_language(self.language)

    def set_languages(self, languages: Sequence[str]) -> None:
        """The languages the language button cycles through (it names the next one)."""
        self.languages = tuple(languages)
        self.set_language(self.language)

    def set_language(self, language: str) -> None:
        """Switch the bar's words."""
        self.language = language
        self.title.setText(tr("app_title", language))
        self.place.setText(self._location[1] if language == "en" else self._location[0])
        self.language_button.setText(
            language_name(next_language(language, self.languages), self.languages)
        )
        self.staff_button.setText(tr("call_staff", language))
        self.elder_button.setText(tr("elder_off" if self.elder else "elder_on", language))
        self.repeat_button.setText(tr("voice_repeat", language))
        self.mute_button.setText(tr("voice_unmute" if self.muted else "voice_mute", language))


class IdleOverlayWidget(QWidget):
    """Covers the screen with the countdown and one big "I'm still here"."""

    stay_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        """Build the overlay hidden."""
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        frame, layout = card()
        frame.setObjectName("dialog")
        frame.setMinimumWidth(900)
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count = label("", "bigNumber")
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count.setStyleSheet("font-size: 120px;")
        self.body = label("", "subtitle")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stay = button(primary=True)
        self.stay.clicked.connect(self.stay_requested)
        for widget in (self.title, self.count, self.body, self.stay):
            layout.addWidget(widget)
        outer.addWidget(frame)
        self.language = "zh"
        self.hide()

    def show_countdown(self, seconds: int, language: str) -> None:
        """Show or update the countdown."""
        self.language = language
        self.title.setText(tr("idle_title", language))
        self.count.setText(str(seconds))
        self.body.setText(tr("idle_body", language, n=seconds))
        self.stay.setText(tr("idle_stay", language))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class ScreenStack(QStackedWidget):
    """The screens, one shown at a time, sized by the one shown.

    A ``QStackedWidget`` asks for the largest minimum of all its pages, hidden ones included: the
    attract screen left in elder mode's large type, or the review screen holding a long pre-filled
    form, then made the window taller than a 1080 px screen while another screen was shown, and
    the buttons at the bottom fell off it. Each screen has to fit when it is shown; the tests
    check each one on its own.
    """

    def __init__(self) -> None:
        """An empty stack; the window adds the screens."""
        super().__init__()
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self) -> QSize:
        """The shown screen's size hint."""
        shown = self.currentWidget()
        return shown.sizeHint() if shown is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        """The shown screen's minimum."""
        shown = self.currentWidget()
        return shown.minimumSizeHint() if shown is not None else super().minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        """Whether the shown screen's height depends on its width (wrapped text)."""
        shown = self.currentWidget()
        return shown.hasHeightForWidth() if shown is not None else super().hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        """The shown screen's height at ``width``."""
        shown = self.currentWidget()
        return shown.heightForWidth(width) if shown is not None else super().heightForWidth(width)


_M = Qt.KeyboardModifier
_K = Qt.Key
ESCAPE_KEYS: tuple[tuple[Qt.KeyboardModifier, Qt.Key], ...] = (
    (_M.AltModifier, _K.Key_F4),
    (_M.AltModifier, _K.Key_Tab),
    (_M.AltModifier, _K.Key_Space),
    (_M.AltModifier, _K.Key_F2),
    (_M.AltModifier, _K.Key_Escape),
    (_M.ControlModifier, _K.Key_Q),
    (_M.ControlModifier, _K.Key_W),
    (_M.ControlModifier, _K.Key_Escape),
    (_M.ShiftModifier, _K.Key_F10),
    (_M.NoModifier, _K.Key_Escape),
    (_M.NoModifier, _K.Key_F11),
    (_M.NoModifier, _K.Key_Menu),
    (_M.NoModifier, _K.Key_Super_L),
    (_M.NoModifier, _K.Key_Super_R),
    (_M.NoModifier, _K.Key_Meta),
)
"""Keys that leave or unsettle a full-screen app somewhere (window managers, desktops, Qt's own
platform plugins): in kiosk mode they never reach a widget or a shortcut. The keyboard-wedge
scanner types digits, letters and Enter, none of these."""

_SWALLOWED = frozenset((m.value, k.value) for m, k in ESCAPE_KEYS)
_META_KEYS = frozenset(k.value for k in (_K.Key_Super_L, _K.Key_Super_R, _K.Key_Meta))
_MODS = _M.AltModifier | _M.ControlModifier | _M.ShiftModifier | _M.MetaModifier


class LockdownFilter(QObject):
    """An application-wide event filter that eats the escape keys and context menus."""

    def __init__(self, parent: QObject | None = None) -> None:
        """Count what it swallowed (for the tests and the log)."""
        super().__init__(parent)
        self.swallowed = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Swallow an escape key (press, release, shortcut override) or a context menu."""
        kind = event.type()
        if kind == QEvent.Type.ContextMenu:
            self.swallowed += 1
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            mods = (event.modifiers() & _MODS).value
            key = int(event.key())  # PySide hands an int here, not a Qt.Key
            meta = key in _META_KEYS or bool(event.modifiers() & _M.MetaModifier)
            if meta or (mods, key) in _SWALLOWED:
                # An accepted ShortcutOverride tells Qt's shortcut map that the key is taken,
                # so no shortcut fires; the key press itself then stops here.
                event.accept()
                self.swallowed += 1
                return True
        return False


class KioskWindow(QMainWindow):
    """The full-screen window: header, stacked screens, overlay."""

    elder_mode_changed = Signal(bool)

    def __init__(self, location: tuple[str, str]) -> None:
        """Build every screen once; the controller switches between them."""
        super().__init__()
        self.setWindowTitle("政务服务自助终端")
        central = QWidget()
        central.setObjectName("root")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = HeaderWidget(location)
        layout.addWidget(self.header)
        self.banner = label("", "error")
        self.banner.hide()
        layout.addWidget(self.banner)
        self.stack = ScreenStack()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.attract = AttractScreen()
        self.choose = ChooseScreen()
        self.identify = IdentifyScreen()
        self.guide = GuideScreen()
        self.capture = CaptureScreen()
        self.review = ReviewScreen()
        self.commitment = CommitmentScreen()
        self.result = ResultScreen()
        self.rate = RateScreen()
        self.progress = ProgressScreen()
        self.verify = VerifyScreen()
        self.collect = CollectScreen()
        self.ticket = TicketScreen()
        self.enterprise = EnterpriseScreen()
        self.phone = PhoneScreen()
        self.case_number = CaseNumberScreen()
        self.face = FaceScreen()
        self.screens: list[Screen] = [
            self.attract,
            self.choose,
            self.identify,
            self.guide,
            self.capture,
            self.review,
            self.commitment,
            self.result,
            self.rate,
            self.progress,
            self.verify,
            self.collect,
            self.ticket,
            self.enterprise,
            self.phone,
            self.case_number,
            self.face,
        ]
        for screen in self.screens:
            self.stack.addWidget(screen)
        self.overlay = IdleOverlayWidget(central)
        self.elder_mode = False
        self.locked = False
        self.setStyleSheet(stylesheet())
        self.set_language("zh")

    def lock_down(self) -> None:
        """Kiosk mode: frameless, on top, no close from the window system, no escape keys.

        Frameless and stay-on-top leave a window manager nothing to draw a menu on; the session
        we ship runs no window manager at all (deploy/session/kiosk-session), and a close request
        that still arrives (Alt+F4 under a WM, ``xdotool windowclose``) is refused.
        """
        self.locked = True
        # Bypassing the window manager (override-redirect under X) is what takes Alt+F4 and
        # Alt+Space away from one: it grabs those keys itself, before any of ours see them,
        # and acts on the window it manages; this window it does not manage.
        self.setWindowFlags(
            self.windowFlags()
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.X11BypassWindowManagerHint
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.lockdown = LockdownFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.lockdown)

    def release_lockdown(self) -> None:
        """Take the application-wide key filter away again (the app is shutting down)."""
        app = QApplication.instance()
        lockdown = getattr(self, "lockdown", None)
        if app is not None and lockdown is not None:
            app.removeEventFilter(lockdown)
        self.closing_allowed = True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Refuse a close from the window system in kiosk mode (no black screen)."""
        if self.locked and not self.closing_allowed:
            event.ignore()
            return
        super().closeEvent(event)

    closing_allowed = False
    """Set by the runtime when the app itself shuts down."""

    def set_elder_mode(self, on: bool) -> None:
        """Larger type and targets for older citizens (适老化), or back to the standard size."""
        if on == self.elder_mode:
            return
        self.elder_mode = on
        self.setStyleSheet(stylesheet(ELDER_SCALE if on else 1.0))
        self.header.set_elder(on)
        for screen in self.screens:
            screen.set_elder(on)
        self.elder_mode_changed.emit(on)

    def set_language(self, language: str) -> None:
        """Switch every screen's words."""
        self.header.set_language(language)
        for screen in self.screens:
            screen.set_language(language)

    def show_screen(self, screen: Screen) -> None:
        """Bring ``screen`` to the front."""
        self.stack.setCurrentWidget(screen)

    def current_screen(self) -> Screen:
        """The screen in front."""
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def setVisible(self, visible: bool) -> None:
        """Lay the header out for the window's width before the first layout.

        Laid out wide on a portrait panel, it would first make the window wider than the panel.
        """
        if visible:
            self.header.fit_width(self.width())
        super().setVisible(visible)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the overlay covering the window."""
        super().resizeEvent(event)
        parent = self.overlay.parentWidget()
        if self.overlay.isVisible() and parent is not None:
            self.overlay.setGeometry(parent.rect())
