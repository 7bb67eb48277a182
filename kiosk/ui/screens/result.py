"""The outcome: approved, refused with the reason, or accepted with a receipt; printing status."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from kiosk.ui.strings import days_unit, tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, card, label


class ResultScreen(Screen):
    """What happened to the case and what to take away."""

    done_requested = Signal()
    reprint_requested = Signal()
    ticket_requested = Signal()
    """A refused citizen asked for a ticket to a window (无声叫号)."""
    phone_requested = Signal()
    """The citizen of an accepted case wants to leave a phone number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.body.addStretch(1)
        self.outcome = label("", "outcomeInfo")
        self.outcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case = label("", "bigNumber")
        self.case.setAlignment(Qt.AlignmentFlag.AlignCenter)
        frame, layout = card()
        self.detail = label("", "subtitle")
        layout.addWidget(self.detail)
        self.busy = BusyPanel()
        self.print_status = label("", "body")
        self.print_error = label("", "error")
        self.print_error.hide()
        for widget in (self.outcome, self.case, frame, self.busy, self.print_status):
            self.body.addWidget(widget)
        self.body.addWidget(self.print_error)
        self.body.addStretch(2)
        bar = ActionBar()
        self.reprint_button = bar.add(button())
        self.reprint_button.clicked.connect(self.reprint_requested)
        self.reprint_button.hide()
        self.ticket_button = bar.add(button())
        self.ticket_button.clicked.connect(self.ticket_requested)
        self.ticket_button.hide()
        self.phone_button = bar.add(button())
        self.phone_button.clicked.connect(self.phone_requested)
        self.phone_button.hide()
        self.done_button = bar.add(button(primary=True), right=True)
        self.done_button.clicked.connect(self.done_requested)
        self.body.addWidget(bar)
        self.status = "accepted"
        self.case_number = ""
        self.reason = ""
        self.offline = False
        self.promised_days = 0
        self.print_state = ""

    def set_result(
        self, status: str, case_number: str, *, reason: str = "", offline: bool, promised_days: int
    ) -> None:
        """Show an outcome: ``approved``, ``refused`` (with ``reason``) or ``accepted``."""
        self.status = status
        self.case_number = case_number
        self.reason = reason
        self.offline = offline
        self.promised_days = promised_days
        self.print_state = ""
        self.print_error.hide()
        self.reprint_button.hide()
        self.ticket_button.setVisible(status == "refused")
        self.phone_button.setVisible(status == "accepted" and bool(case_number))
        self.busy.hide()
        self.retranslate()

    def set_printing(self, state: str, message: str = "") -> None:
        """``busy``, ``done`` or ``failed`` (with the citizen-facing ``message``)."""
        self.print_state = state
        self.reprint_button.setVisible(state == "failed")
        # "Done" waits for the printers: a job that fails must still be offered again here.
        self.done_button.setEnabled(state != "busy")
        if state == "busy":
            self.print_error.hide()
            self.busy.show_busy(tr("printing", self.language))
        elif state == "done":
            self.busy.hide()
            self.print_status.setText(tr("printed", self.language))
        else:
            self.busy.hide()
            self.print_error.setText(message or tr("print_failed", self.language))
            self.print_error.show()

    def spoken_prompt(self) -> str:
        """The outcome, what it means, the printing, and what to press."""
        parts = [self.outcome.text(), self.case.text(), self.detail.text()]
        if self.print_error.isVisibleTo(self):
            parts.append(self.print_error.text())
        elif self.busy.isVisibleTo(self):
            parts.append(self.busy.message.text())
        else:
            parts.append(self.print_status.text())
        if self.done_button.isEnabled():
            parts.append(tr("voice_next", self.language, action=self.done_button.text()))
        return "\n".join(part for part in parts if part)

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        names = {"approved": "outcomeOk", "refused": "outcomeBad", "accepted": "outcomeInfo"}
        self.outcome.setObjectName(names[self.status])
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)
        self.outcome.setText(tr(f"result_{self.status}", lang))
        self.case.setText(
            tr("result_case", lang, case=self.case_number) if self.case_number else ""
        )
        if self.status == "refused":
            detail = self.reason
        elif self.status == "approved":
            detail = tr("result_approved_sub", lang)
        elif self.offline:
            detail = tr("result_offline_sub", lang)
        else:
            detail = tr(
                "result_accepted_sub",
                lang,
                days=self.promised_days,
                unit=days_unit(self.promised_days),
            )
        self.detail.setText(detail)
        self.done_button.setText(tr("done", lang))
        self.reprint_button.setText(tr("reprint", lang))
        self.ticket_button.setText(tr("ticket_offer_button", lang))
        self.phone_button.setText(tr("phone_offer_button", lang))
        if self.print_state == "done":
            self.print_status.setText(tr("printed", lang))
        elif self.print_state == "":
            self.print_status.setText("")

    def phone_kept(self) -> None:
        """A number was left: the offer is not made twice."""
        self.phone_button.hide()
