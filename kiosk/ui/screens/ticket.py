"""The hand-off ticket (无声叫号): offer a ticket for a window, then show the number printed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, label


class TicketScreen(Screen):
    """Offers a ticket; once issued shows its number, the window and the wait."""

    ticket_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen in its offering state."""
        super().__init__(parent)
        self.title = label("", "title")
        self.offer = label("", "subtitle")
        self.number = label("", "bigNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.window_label = label("", "subtitle")
        self.window_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = label("", "body")
        self.busy = BusyPanel()
        self.message = label("", "error")
        self.message.hide()
        for widget in (
            self.title,
            self.offer,
            self.number,
            self.window_label,
            self.note,
            self.busy,
            self.message,
        ):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.print_button = bar.add(button(primary=True), right=True)
        self.print_button.clicked.connect(self.ticket_requested)
        self.body.addWidget(bar)
        self.issued: tuple[str, str, str, int | None, bool] | None = None
        self._message: tuple[str, bool] | None = None
        self.reset()

    def reset(self) -> None:
        """Back to the offer."""
        self.issued = None
        self._message = None
        self.busy.hide()
        self.message.hide()
        self.print_button.setEnabled(True)
        self.print_button.show()
        self.retranslate()

    def show_issuing(self) -> None:
        """The number is being taken and printed."""
        self.print_button.setEnabled(False)
        self.message.hide()
        self.busy.show_busy(tr("ticket_issuing", self.language))

    def show_ticket(
        self, number: str, window_zh: str, window_en: str, ahead: int | None, offline: bool
    ) -> None:
        """Show the number issued."""
        self.issued = (number, window_zh, window_en, ahead, offline)
        self.busy.hide()
        self.print_button.hide()
        self.retranslate()

    def show_message(self, key: str, *, ok: bool = False) -> None:
        """Say how the printing or the issuing went."""
        self._message = (key, ok)
        self.busy.hide()
        self.message.setObjectName("notice" if ok else "error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(tr(key, self.language))
        self.message.show()
        if self.issued is None:
            self.print_button.setEnabled(True)

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        self.title.setText(tr("ticket_title", lang))
        self.back_button.setText(tr("back", lang))
        self.print_button.setText(tr("ticket_print", lang))
        if self._message is not None and self.message.isVisible():
            self.message.setText(tr(self._message[0], lang))
        if self.issued is None:
            self.offer.setText(tr("ticket_offer", lang))
            self.number.setText("")
            self.window_label.setText("")
            self.note.setText("")
            return
        number, window_zh, window_en, ahead, offline = self.issued
        self.offer.setText("")
        self.number.setText(tr("ticket_number", lang, number=number))
        window = window_en if lang == "en" else window_zh
        self.window_label.setText(tr("ticket_window", lang, window=window))
        if offline:
            self.note.setText(tr("ticket_offline", lang))
        elif ahead is not None:
            self.note.setText(tr("ticket_ahead", lang, n=ahead))
        else:
            self.note.setText("")
