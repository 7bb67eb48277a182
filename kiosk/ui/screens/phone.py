"""An optional phone number for a case not decided at once, typed on an on-screen number pad.

The number is shown masked as it grows (138****5678): a passer-by reads no more than a receipt
shows. Nothing is kept on this screen after it is confirmed or the session ends.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hall.collect_schema import PHONE_PATTERN, mask_phone
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, label

_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete")


class PhoneScreen(Screen):
    """The number pad; emits the number once it is a valid mobile number and confirmed."""

    phone_confirmed = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the pad."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.display = label("", "bigNumber")
        self.message = label("", "error")
        self.message.hide()
        # Texts beside the pad, not above it: the pad's four rows and the texts fit a landscape
        # screen's height in elder mode too.
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
        self._digits = ""
        self._message: tuple[str, dict[str, object], bool] | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the number typed."""
        self._digits = ""
        self._message = None
        self.message.hide()
        self.confirm_button.show()
        self.set_keys_enabled(True)
        self.retranslate()

    @property
    def masked(self) -> str:
        """What the display shows."""
        return mask_phone(self._digits) if len(self._digits) == 11 else self._partial()

    def _partial(self) -> str:
        digits = self._digits
        return digits[:3] + "*" * max(len(digits) - 3, 0)

    def _on_key(self, key: str) -> None:
        if key == "clear":
            self._digits = ""
        elif key == "delete":
            self._digits = self._digits[:-1]
        elif len(self._digits) < 11:
            self._digits += key
        self.message.hide()
        self.retranslate()

    def _on_confirm(self) -> None:
        if not re.fullmatch(PHONE_PATTERN, self._digits):
            self.show_message("phone_invalid")
            return
        self.phone_confirmed.emit(self._digits)

    def set_keys_enabled(self, enabled: bool) -> None:
        """Lock the pad while the number is being kept (and after)."""
        for push in self.keys.values():
            push.setEnabled(enabled)
        self.confirm_button.setEnabled(enabled)

    def show_message(self, key: str, *, ok: bool = False, **values: object) -> None:
        """Say what happened to the number."""
        self._message = (key, values, ok)
        self.message.setObjectName("notice" if ok else "error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(tr(key, self.language, **values))
        self.message.show()

    def kept(self) -> None:
        """The number is queued for the hall: forget it here, show what was kept, masked."""
        masked = mask_phone(self._digits)
        self._digits = ""
        self.set_keys_enabled(False)
        self.confirm_button.hide()
        self.show_message("phone_kept", ok=True, phone=masked)
        self.display.setText(masked)

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        self.title.setText(tr("phone_title", lang))
        self.prompt.setText(tr("phone_prompt", lang))
        self.keys["clear"].setText(tr("phone_clear", lang))
        self.keys["delete"].setText(tr("phone_delete", lang))
        self.back_button.setText(tr("back", lang))
        self.confirm_button.setText(tr("phone_confirm", lang))
        if self._digits or self.confirm_button.isVisible():
            self.display.setText(self.masked or "—")
        if self._message is not None and self.message.isVisible():
            key, values, _ = self._message
            self.message.setText(tr(key, lang, **values))
