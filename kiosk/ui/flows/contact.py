"""Contact: an optional phone number for a case not decided at once, for the hall to text.

Offered on the result screen of an accepted case. The number goes to the hall as a
``case_contact`` event: sealed in the terminal's event queue until delivered, sealed again at
the hall, which texts through its gateway once the case is decided. The screen keeps nothing.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, Signal

from devices.receipt.layout import Receipt
from hall.collect_schema import CaseContactPayload, mask_phone
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator

log = logging.getLogger(__name__)


class ContactFlow(QObject):
    """The phone screen, reached from an accepted result."""

    contact_kept = Signal(str)
    """``queued`` or ``failed``."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the result's phone button and the phone screen."""
        super().__init__(nav)
        self.nav = nav
        self._generation = 0
        w = nav.window
        w.result.phone_requested.connect(self._on_result_phone_requested)
        w.phone.phone_confirmed.connect(self._on_phone_phone_confirmed)
        w.phone.back_requested.connect(self._on_phone_back_requested)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        self._generation += 1
        self.nav.window.phone.reset()

    def _on_result_phone_requested(self) -> None:
        nav = self.nav
        if nav.session.step not in (Step.RESULT, Step.PRINT) or nav.session.case_number is None:
            return
        nav.touch()
        nav.window.phone.reset()
        nav.window.show_screen(nav.window.phone)

    def _on_phone_back_requested(self) -> None:
        self.nav.window.phone.reset()
        self.nav.window.show_screen(self.nav.window.result)

    def _on_phone_phone_confirmed(self, phone: str) -> None:
        nav = self.nav
        queue, case = nav.services.events, nav.session.case_number
        if queue is None or case is None:
            nav.window.phone.show_message("phone_failed")
            return
        nav.touch()
        body = CaseContactPayload(case_number=case, phone=phone).model_dump(mode="json")
        nav.window.phone.set_keys_enabled(False)
        generation = self._generation
        # ``post`` seals and fsyncs: on the outbox's worker, never on the GUI thread.
        nav.workers.outbox.run(
            lambda: queue.post("case_contact", body),
            partial(self._on_posted, generation, mask_phone(phone)),
            partial(self._on_post_failed, generation),
        )

    def _on_posted(self, generation: int, masked: str, _event_id: str) -> None:
        if generation != self._generation:
            return
        self.nav.window.phone.kept()
        self.nav.window.result.phone_kept()
        self.contact_kept.emit("queued")
        case = self.nav.session.case_number
        if case is None:
            return
        # A slip for the citizen's pocket: the case and the number, masked, that will be texted.
        slip = Receipt(
            title="办结短信通知登记",
            rows=[("办件编号", case), ("通知手机", masked)],
            footer=[
                "办结后将发送短信到上述号码。",
                "也可凭回执二维码或身份证在任一自助机查询进度。",
                self.nav.services.settings.terminal.location_zh,
            ],
        )
        printer = self.nav.services.receipt_printer
        self.nav.workers.receipt.run(
            partial(printer.print_receipt, slip), None, self._on_slip_failed
        )

    def _on_slip_failed(self, error: BaseException) -> None:
        # The number is kept all the same; the screen said so already.
        log.warning("contact slip not printed: %s", type(error).__name__)

    def _on_post_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        log.error("contact number not queued: %s", type(error).__name__)
        self.nav.window.phone.set_keys_enabled(True)
        self.nav.window.phone.show_message("phone_failed")
        self.contact_kept.emit("failed")
