"""Hand-off: a ticket for the window that continues the case (无声叫号).

Reached from "call staff" on any screen but mid-submission or mid-print, from a refusal's
result, and by name (``nav.go("handoff", reason)``) from a flow whose item is handed off. The
ticket is numbered by the hall (or locally, offline) and printed on the receipt printer with
the case so far and a QR code the window scans; "back" returns to where the citizen was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Signal

from kiosk.services.handoff import IssuedTicket, ticket_document, ticket_for
from kiosk.services.print_jobs import encode_receipt
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens import loc
from kiosk.ui.widgets import Screen

log = logging.getLogger(__name__)

_BUSY_STEPS = (Step.SUBMIT, Step.PRINT)
"""Steps "call staff" does not leave: a submission or a print is under way (the banner shows)."""


class HandoffFlow(QObject):
    """The ticket screen; offers ``handoff``."""

    ticket_issued = Signal(str, bool)
    """The number and whether it was made offline, once it is on the screen."""
    ticket_printed = Signal(str)
    """``printed`` or ``failed``."""

    def __init__(self, nav: Navigator) -> None:
        """Connect "call staff", the refusal's ticket button and the ticket screen."""
        super().__init__(nav)
        self.nav = nav
        self._reason = "call_staff"
        self._back_to: Screen | None = None
        self._generation = 0
        self._busy = False
        w = nav.window
        w.header.staff_called.connect(self._on_header_staff_called)
        w.result.ticket_requested.connect(self._on_result_ticket_requested)
        w.ticket.ticket_requested.connect(self._on_ticket_ticket_requested)
        w.ticket.back_requested.connect(self._on_ticket_back_requested)
        nav.provide("handoff", self._offer)
        nav.hold_idle_while(lambda: self._busy)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        self._generation += 1
        self._busy = False
        self._back_to = None
        self.nav.window.ticket.reset()

    def _offer(self, reason: str) -> None:
        nav, w = self.nav, self.nav.window
        nav.begin_activity()
        if w.current_screen() is not w.ticket:
            self._back_to = w.current_screen()
            self._reason = reason
            w.ticket.reset()
        w.show_screen(w.ticket)

    def _on_header_staff_called(self) -> None:
        nav = self.nav
        if nav.maintenance_active or nav.session.step in _BUSY_STEPS:
            return
        self._offer("call_staff")

    def _on_result_ticket_requested(self) -> None:
        if self.nav.session.step in (Step.RESULT, Step.PRINT, Step.RATE):
            self._offer("refused")

    def _on_ticket_back_requested(self) -> None:
        nav, back = self.nav, self._back_to
        if back is None or back is nav.window.attract or self._session_empty():
            nav.wipe()
            return
        nav.window.show_screen(back)

    def _session_empty(self) -> bool:
        session = self.nav.session
        return session.card is None and session.item is None and not session.photo_identity

    def _on_ticket_ticket_requested(self) -> None:
        nav = self.nav
        ticketing = nav.services.ticketing
        if ticketing is None or self._busy:
            return
        nav.touch()
        settings = nav.services.settings
        ticket = ticket_for(
            nav.session, self._reason, settings.terminal.id, dt.datetime.now(dt.UTC)
        )
        item = nav.session.item
        item_name = loc(item.name, "zh") if item is not None else ""
        location = settings.terminal.location_zh
        nav.window.ticket.show_issuing()
        self._busy = True
        generation = self._generation
        nav.workers.hall.run(
            lambda: ticketing.issue(ticket),
            partial(self._on_issued, generation, item_name, location),
            partial(self._on_issue_failed, generation),
        )

    def _on_issued(
        self, generation: int, item_name: str, location: str, issued: IssuedTicket
    ) -> None:
        if generation != self._generation:
            return
        screen = self.nav.window.ticket
        screen.show_ticket(
            issued.number, issued.window.zh, issued.window.en, issued.waiting_ahead, issued.offline
        )
        self.ticket_issued.emit(issued.number, issued.offline)
        receipt = ticket_document(issued, item_name=item_name, location=location)
        printer = self.nav.services.receipt_printer
        queued = self.nav.services.print_jobs
        job: Callable[[], object]
        if queued is not None:
            job = queued.job("receipt", issued.ticket.ticket_id, encode_receipt(receipt))
        else:
            job = partial(printer.print_receipt, receipt)
        self.nav.workers.receipt.run(
            job,
            partial(self._on_printed, generation),
            partial(self._on_print_failed, generation),
        )

    def _on_issue_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._busy = False
        log.error("ticket could not be issued: %s", type(error).__name__)
        self.nav.window.ticket.show_message("ticket_failed")

    def _on_printed(self, generation: int, _: object) -> None:
        if generation != self._generation:
            return
        self._busy = False
        self.nav.window.ticket.show_message("ticket_printed", ok=True)
        self.ticket_printed.emit("printed")

    def _on_print_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._busy = False
        log.error("ticket printing failed: %s", type(error).__name__)
        self.nav.window.ticket.show_message("ticket_print_failed")
        self.ticket_printed.emit("failed")
