"""Typing a case number on a number pad, for a citizen with neither the receipt's code nor a card.

Case numbers are ``<TERMINAL>-<YYYYMMDD>-<NNNNN>``: the pad takes the 13 digits, the terminal's
code comes first (this terminal's unless the receipt names another; the receipt's QR code or the
card serve those).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, label

DIGITS = 13
"""Eight of the date and five of the sequence."""

_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete")


def format_case(prefix: str, digits: str) -> str:
    """``DEMO01-20261202-00001`` from the prefix and the digits typed so far."""
    text = f"{prefix}-{digits[:8]}"
    if len(digits) > 8:
        text += f"-{digits[8:]}"
    return text


class CaseNumberScreen(Screen):
    """The pad; emits the whole case number once its 13 digits are typed and confirmed."""

    case_entered = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the pad."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.display = label("", "bigNumber")
        self.message = label("", "error")
        self.message.hide()
        row = QHBoxLayout()
        row.setSpacing(48)
        texts = QVBoxLayout()
        for widget in (self.title, self.prompt, self.display, self.message):
            texts.addWidget(widget)
        texts.addStretch(1)
        row.addLayout(texts, 1)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(_KEYS):
            push = button(key if key.isdigit() else "")
            push.setMinimumHeight(64)
            push.clicked.connect(lambda _=False, k=key: self._on_key(k))
            grid.addWidget(push, i // 3, i % 3)
            self.keys[key] = push
        row.addLayout(grid, 1)
        self.body.addLayout(row)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.confirm_button = bar.add(button(primary=True), right=True)
        self.confirm_button.clicked.connect(self._on_confirm)
        self.body.addWidget(bar)
        self.prefix = ""
        self.digits = ""
        self.reset()

    def reset(self, prefix: str | None = None) -> None:
        """Start again (with this terminal's code as the prefix)."""
        if prefix is not None:
            self.prefix = prefix
        self.digits = ""
        self.message.hide()
        self.retranslate()

    def _on_key(self, key: str) -> None:
        if key == "clear":
            self.digits = ""
        elif key == "delete":
            self.digits = self.digits[:-1]
        elif len(self.digits) < DIGITS:
            self.digits += key
        self.message.hide()
        self.retranslate()

    def _on_confirm(self) -> None:
        if len(self.digits) != DIGITS:
            self.message.setText(tr("case_pad_incomplete", self.language))
            self.message.show()
            return
        self.case_entered.emit(format_case(self.prefix, self.digits))

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        self.title.setText(tr("case_pad_title", lang))
        self.prompt.setText(tr("case_pad_prompt", lang))
        self.keys["clear"].setText(tr("phone_clear", lang))
        self.keys["delete"].setText(tr("phone_delete", lang))
        self.back_button.setText(tr("back", lang))
        self.confirm_button.setText(tr("case_pad_confirm", lang))
        self.display.setText(format_case(self.prefix, self.digits))
        if self.message.isVisible():
            self.message.setText(tr("case_pad_incomplete", lang))
