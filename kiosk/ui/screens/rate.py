"""Rating the service (好差评, 国办发〔2019〕51号): five levels, reasons for the lower two.

Nothing is preselected: the five levels look alike and none has the focus. The two lowest ask
what went wrong (any number of reasons, or none). In elder mode no screen offers more than four
choices: first 满意 or 不满意, then how much. Leaving without pressing anything records nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QPushButton, QSizePolicy, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import NARROW_WIDTH, ActionBar, Screen, button, label

LEVELS = (5, 4, 3, 2, 1)
"""5 = 非常满意 … 1 = 非常不满意, in the order they are offered."""
REASON_LEVELS = (1, 2)
"""The levels that ask for reasons."""
REASONS = ("slow", "hard", "device", "outcome")
"""The reason codes the hall receives (short, stable; the words are in ``strings``)."""
_REASON_KEYS = {
    "slow": "rate_reason_slow",
    "hard": "rate_reason_hard",
    "device": "rate_reason_device",
    "outcome": "rate_reason_result",
}


class RateScreen(Screen):
    """The five levels (or, in elder mode, two steps of at most four), then reasons."""

    rated = Signal(int, list)
    """The level (1..5) and the reason codes ticked."""
    skipped = Signal()
    """The citizen pressed "no rating": nothing is recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen on the level choice."""
        super().__init__(parent)
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.title)
        self.body.addWidget(self.subtitle)
        self.body.addStretch(1)
        # The five levels side by side on a landscape screen, one under another on a portrait one
        # (and for the shorter lists).
        self.choices = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.choices.setSpacing(24)
        self.body.addLayout(self.choices)
        self.level_buttons: dict[int, QPushButton] = {}
        for level in LEVELS:
            push = self._choice("rateLevel")
            push.clicked.connect(lambda _=False, n=level: self._on_level(n))
            self.level_buttons[level] = push
        self.buttons = list(self.level_buttons.values())
        """The five level buttons, 非常满意 first."""
        self.coarse_good = self._choice("rateLevel")
        self.coarse_good.clicked.connect(lambda: self._go("fine_good"))
        self.coarse_bad = self._choice("rateLevel")
        self.coarse_bad.clicked.connect(lambda: self._go("fine_bad"))
        self.reason_buttons: dict[str, QPushButton] = {}
        for code in REASONS:
            push = self._choice("rateReason")
            push.setCheckable(True)
            self.reason_buttons[code] = push
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self._on_back)
        self.skip_button = bar.add(button())
        self.skip_button.clicked.connect(self.skipped)
        self.send_button = bar.add(button(primary=True), right=True)
        self.send_button.clicked.connect(self._on_send)
        self.body.addWidget(bar)
        self.stage = "levels"
        self.level: int | None = None
        self.reset()

    def _choice(self, name: str) -> QPushButton:
        push = button(name=name)
        push.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        push.setMinimumWidth(150)  # in a row of five, the row may still narrow to a portrait width
        self.choices.addWidget(push)
        return push

    # --- state ----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the first question, nothing chosen, no reason ticked."""
        self.level = None
        for push in self.reason_buttons.values():
            push.setChecked(False)
        self._go("coarse" if self.elder else "levels")

    def elder_changed(self) -> None:
        """Elder mode splits the five levels into two steps (or joins them back)."""
        if self.stage in ("levels", "coarse"):
            self._go("coarse" if self.elder else "levels")

    def _go(self, stage: str) -> None:
        self.stage = stage
        shown: set[QPushButton] = set()
        if stage == "levels":
            shown |= set(self.level_buttons.values())
        elif stage == "coarse":
            shown |= {self.coarse_good, self.coarse_bad}
        elif stage == "fine_good":
            shown |= {self.level_buttons[n] for n in (5, 4, 3)}
        elif stage == "fine_bad":
            shown |= {self.level_buttons[n] for n in (2, 1)}
        else:
            shown |= set(self.reason_buttons.values())
        everything = [*self.level_buttons.values(), self.coarse_good, self.coarse_bad]
        everything += self.reason_buttons.values()
        # Hide the old stage's buttons, lay the row or column for the window's width (a hidden
        # screen has none of its own yet), then show the new ones. In any other order the
        # layout passes through both stages at once (a column of five or more), the window
        # grows past the panel to hold it, and a top-level window does not shrink back: the
        # action bar of every later screen would sit below the bottom of the screen.
        for push in everything:
            if push not in shown:
                push.setVisible(False)
        self._orient(self.window().width())
        for push in shown:
            push.setVisible(True)
        first = stage in ("levels", "coarse")
        self.back_button.setVisible(not first)
        self.skip_button.setVisible(first)
        self.send_button.setVisible(stage == "reasons")
        self.retranslate()

    def _orient(self, width: int) -> None:
        wide = self.stage == "levels" and width >= NARROW_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.choices.direction() != direction:
            self.choices.setDirection(direction)

    def setVisible(self, visible: bool) -> None:
        """Lay the levels for the window's width before showing.

        A show event is too late: the window would already have grown to a column of five.
        """
        if visible:
            self._orient(self.window().width())
        super().setVisible(visible)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Levels in a row when there is room for them."""
        super().resizeEvent(event)
        self._orient(event.size().width())

    def _on_level(self, level: int) -> None:
        if level in REASON_LEVELS:
            self.level = level
            self._go("reasons")
        else:
            self.rated.emit(level, [])

    def _on_back(self) -> None:
        if self.stage == "reasons":
            self.level = None
            for push in self.reason_buttons.values():
                push.setChecked(False)
            self._go("fine_bad" if self.elder else "levels")
        else:
            self._go("coarse" if self.elder else "levels")

    def _on_send(self) -> None:
        if self.level is None:
            return
        reasons = [code for code, push in self.reason_buttons.items() if push.isChecked()]
        self.rated.emit(self.level, reasons)

    def ticked(self) -> list[str]:
        """The reason codes ticked now."""
        return [code for code, push in self.reason_buttons.items() if push.isChecked()]

    # --- words ----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set the texts for the current stage."""
        lang = self.language
        titles = {
            "levels": "rate_title",
            "coarse": "rate_title",
            "fine_good": "rate_fine_title",
            "fine_bad": "rate_fine_bad_title",
            "reasons": "rate_level_" + str(self.level or 2),
        }
        self.title.setText(tr(titles[self.stage], lang))
        self.subtitle.setText(
            tr("rate_reasons_title" if self.stage == "reasons" else "rate_prompt", lang)
        )
        for level, push in self.level_buttons.items():
            push.setText(tr(f"rate_level_{level}", lang))
        self.coarse_good.setText(tr("rate_coarse_good", lang))
        self.coarse_bad.setText(tr("rate_coarse_bad", lang))
        for code, push in self.reason_buttons.items():
            push.setText(tr(_REASON_KEYS[code], lang))
        self.back_button.setText(tr("back", lang))
        self.skip_button.setText(tr("rate_skip", lang))
        self.send_button.setText(tr("rate_send", lang))

    def spoken_prompt(self) -> str:
        """The question, then the choices in the order they are shown."""
        parts = [self.title.text(), self.subtitle.text()]
        parts += [p.text() for p in self.findChildren(QPushButton) if p.isVisibleTo(self)]
        return "\n".join(parts)
