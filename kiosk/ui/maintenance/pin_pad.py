"""The PIN pad over the terminal's window: digits shown as dots, checked on a worker."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.maintenance.words import word
from kiosk.ui.widgets import button, card, label

MAX_DIGITS = 12


class PinPadDialog(QWidget):
    """Covers the window with a numeric pad; ``submitted(pin)`` when OK is pressed.

    The PIN lives only in this widget until submitted and is cleared by ``reset``; the screen
    shows one dot per digit and never which digit was wrong.
    """

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget) -> None:
        """Build the pad hidden."""
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        frame, layout = card()
        frame.setObjectName("dialog")
        frame.setFixedWidth(640)
        self.title = label(word("pin_title"), "subtitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots = label("", "bigNumber", wrap=False)
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(72)
        self.message = label("", "error")
        self.message.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.dots)
        layout.addWidget(self.message)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            push = self._key(digit)
            grid.addWidget(push, index // 3, index % 3)
        self.clear_button = button(word("clear"))
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        self.ok_button = button(word("ok"), primary=True)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        grid.addWidget(self.ok_button, 3, 2)
        layout.addLayout(grid)
        self.cancel_button = button(word("cancel"))
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        layout.addWidget(self.cancel_button)
        outer.addWidget(frame)
        self._pin = ""
        self.hide()

    def _key(self, digit: str) -> QPushButton:
        push = button(digit, name="pinKey")
        push.clicked.connect(lambda: self._on_digit(digit))
        self.digit_buttons[digit] = push
        return push

    @property
    def entered(self) -> int:
        """How many digits are entered (the digits themselves are not exposed)."""
        return len(self._pin)

    def _on_digit(self, digit: str) -> None:
        if len(self._pin) < MAX_DIGITS:
            self._pin += digit
        self.dots.setText("●" * len(self._pin))

    def _on_clear_button_clicked(self) -> None:
        self._pin = ""
        self.dots.setText("")

    def _on_ok_button_clicked(self) -> None:
        if not self._pin:
            return
        pin, self._pin = self._pin, ""
        self.dots.setText("")
        self.set_busy(True)
        self.submitted.emit(pin)

    def _on_cancel_button_clicked(self) -> None:
        self.cancelled.emit()

    def set_busy(self, busy: bool) -> None:
        """Lock the keys while a PIN is being checked."""
        for push in (*self.digit_buttons.values(), self.clear_button, self.ok_button):
            push.setEnabled(not busy)
        if busy:
            self.show_message(word("pin_checking"))

    def set_keys_enabled(self, enabled: bool) -> None:
        """Show or hide the keys (hidden while locked or with no PIN configured)."""
        for push in (*self.digit_buttons.values(), self.clear_button, self.ok_button):
            push.setVisible(enabled)
            push.setEnabled(enabled)
        self.dots.setVisible(enabled)

    def show_message(self, text: str) -> None:
        """Say something under the dots."""
        self.message.setText(text)
        self.message.show()

    def open(self) -> None:
        """Show the pad over the whole window, empty."""
        self.reset()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def reset(self) -> None:
        """Forget the digits and the message; hide."""
        self._pin = ""
        self.dots.setText("")
        self.message.hide()
        self.message.setText("")
        self.set_keys_enabled(True)
        self.hide()
