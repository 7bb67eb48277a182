"""Lookup: the codes a citizen holds up to the terminal.

A receipt's code shows its case's progress (and offers a certificate reprint), a certificate's
code is checked offline, a business licence's code shows the enterprise's public record (from
the hall) with a one-touch report for the regulator (the ``regulator_report`` event). Codes are
taken on the attract, progress, verify and enterprise screens only; the classification is
``kiosk.services.scans`` (and ``hall.collect_schema.enterprise_from_qr`` for licences).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from devices.errors import DeviceError
from devices.idcard.card import IdCard
from hall.collect_schema import (
    EnterprisePublic,
    HolderCasesPublic,
    RegulatorReportPayload,
    enterprise_from_qr,
)
from hall.schema import CaseProgressPublic, CertificateCheck, certificate_rows
from kiosk.services import documents
from kiosk.services.scans import ScanKind, classify
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens.verify import CertificateView
from kiosk.ui.strings import tr
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.print_queue import ReprintLimitError

log = logging.getLogger(__name__)

SCAN_HINT_AFTER_MS = 15_000
"""With no readable code after this long, tell the citizen how to hold the receipt."""

ATTRACT_NOTICE_MS = 12_000
"""How long the attract screen says a scanned code is not ours before it clears."""


class LookupFlow(QObject):
    """The progress and verify screens and the code scanner; offers ``progress``."""

    certificate_checked = Signal(str)
    """The status of a scanned certificate, once its check is on the screen."""
    reprint_finished = Signal(str)
    """``printed``, ``used_up`` or ``failed``: a certificate reprint from the progress screen."""
    enterprise_shown = Signal(str)
    """``shown``, ``not_found`` or ``unreachable``: a scanned licence's record."""
    report_finished = Signal(str)
    """``queued`` or ``failed``: a report on the enterprise on the screen."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the code scanner and the progress and verify screens."""
        super().__init__(nav)
        self.nav = nav
        self._query = 0
        self._reprint_case: str | None = None
        self._enterprise_uscc: str | None = None
        self._verify_from_progress = False
        self._asked = False  # whether this visit asked anything (then it ends with the rating)
        self._scan_hint_timer = QTimer(self)
        self._scan_hint_timer.setSingleShot(True)
        self._scan_hint_timer.setInterval(SCAN_HINT_AFTER_MS)
        self._scan_hint_timer.timeout.connect(self._on_scan_hint_timer_timeout)
        self._attract_notice_timer = QTimer(self)
        self._attract_notice_timer.setSingleShot(True)
        self._attract_notice_timer.setInterval(ATTRACT_NOTICE_MS)
        self._attract_notice_timer.timeout.connect(self._on_attract_notice_timer_timeout)
        w = nav.window
        scanner = nav.services.code_scanner
        scanner.code_scanned.connect(self._on_code_scanner_code_scanned)
        scanner.scan_failed.connect(self._on_code_scanner_scan_failed)
        w.stack.currentChanged.connect(self._on_stack_current_changed)
        w.attract.progress_requested.connect(self._open_progress)
        w.progress.back_requested.connect(self._on_progress_back_requested)
        w.progress.reprint_requested.connect(self._on_progress_reprint_requested)
        w.progress.case_chosen.connect(self._on_progress_case_chosen)
        w.progress.typing_requested.connect(self._on_progress_typing_requested)
        w.case_number.case_entered.connect(self._on_case_number_case_entered)
        w.case_number.back_requested.connect(self._on_case_number_back_requested)
        nav.services.card_watcher.card_placed.connect(self._on_card_watcher_card_placed)
        w.verify.back_requested.connect(self._on_verify_back_requested)
        w.enterprise.back_requested.connect(self._on_enterprise_back_requested)
        w.enterprise.report_requested.connect(self._on_enterprise_report_requested)
        nav.attract_shown.connect(self._on_nav_attract_shown)
        nav.provide("progress", self._open_progress)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        self._asked = False
        self._scan_hint_timer.stop()
        self._attract_notice_timer.stop()
        self._query += 1
        self._set_scanning(False)
        self.nav.window.progress.reset()
        self.nav.window.verify.reset()
        self.nav.window.enterprise.reset()

    def _set_scanning(self, on: bool, *, reset: bool = False) -> None:
        """Turn the code scanner on or off; ``reset`` forgets the codes it has just reported."""
        # Asks the source, not a copy of its state: maintenance mode's scan test switches it too.
        scanner = self.nav.services.code_scanner
        if on != scanner.enabled or (on and reset):
            scanner.enable(on, forget=reset)

    def _on_nav_attract_shown(self) -> None:
        # The attract screen takes codes too: a receipt shows its case, a certificate is checked.
        # A code taken just before (still in the hand of a citizen leaving) is not taken again.
        self._set_scanning(True)

    def _on_stack_current_changed(self, _: int) -> None:
        w = self.nav.window
        if w.current_screen() not in (w.attract, w.progress, w.verify, w.enterprise):
            self._set_scanning(False)  # e.g. a card was read: the journey takes no codes

    # --- progress -------------------------------------------------------------------------------

    def _open_progress(self, *, reset_scanner: bool = True) -> None:
        nav = self.nav
        nav.begin_activity()
        if nav.session.step is Step.ATTRACT:
            self._asked = False
            nav.session.step = Step.CHOOSE
        if nav.session.step is not Step.PROGRESS:  # back from a certificate's check it is
            nav.session.go(Step.PROGRESS)
        self._query += 1
        nav.window.progress.reset()
        nav.window.show_screen(nav.window.progress)
        # From the button: look afresh, so a code shown before the press counts now.
        self._set_scanning(True, reset=reset_scanner)
        self._scan_hint_timer.start()

    def _on_progress_back_requested(self) -> None:
        self._query += 1
        self._set_scanning(False)
        self._scan_hint_timer.stop()
        if self.nav.session.card is None:
            if not self._asked:
                # Opened and left without asking anything: nothing to rate, straight back.
                self.nav.wipe()
                return
            # A journey of its own ends: the 好差评 rating, as after every journey (it wipes).
            self.nav.go("rate", "progress")
        else:
            self.nav.session.go(Step.CHOOSE)
            self.nav.go("choose")

    def _current(self, query: int) -> bool:
        """Whether an answer for ``query`` is still wanted (its citizen has not left)."""
        return query == self._query and self.nav.session.step is Step.PROGRESS

    def _on_code_scanner_code_scanned(self, payload: str) -> None:
        nav = self.nav
        w = nav.window
        at = w.current_screen()
        if nav.session.step not in (Step.ATTRACT, Step.PROGRESS) or at not in (
            w.attract,
            w.progress,
            w.verify,
            w.enterprise,
        ):
            return  # a screen that takes no code (a wedge scan is swallowed all the same)
        uscc = enterprise_from_qr(payload)
        if uscc is not None:
            self._show_enterprise(uscc)
            return
        if at is w.enterprise:
            return  # a receipt or certificate waits for "back" here
        scan = classify(payload, nav.services.public_keys(), dt.date.today())
        if scan.kind is ScanKind.UNKNOWN and at is w.attract:
            # A payment code on a phone, a poster: say so, but do not leave the attract screen.
            w.attract.show_error(tr("attract_unknown_code", nav.language))
            self._attract_notice_timer.start()
            return
        nav.touch()
        self._scan_hint_timer.stop()
        if scan.kind is ScanKind.CERTIFICATE and scan.check is not None:
            self._show_certificate_check(scan.check, from_progress=at is w.progress)
            return
        if at is not w.progress:
            self._open_progress(reset_scanner=False)
        screen = w.progress
        if scan.kind is ScanKind.CASE:
            self._ask_case(scan.text)
        else:
            screen.show_message("progress_unknown_code")

    def _ask_case(self, case_number: str) -> None:
        """Ask the hall (then this terminal's outbox) for a case's progress, on the worker."""
        nav = self.nav
        self._asked = True
        nav.window.progress.show_looking(case_number)
        lookup, local_case = nav.services.progress_lookup, nav.services.local_case

        def ask_hall_then_local() -> CaseProgressPublic | dt.datetime | None:
            # Both run on the worker: the local fallback reads SQLite, never on the GUI.
            try:
                return lookup(case_number)
            except HallUnavailableError:
                return local_case(case_number)

        self._query += 1
        query = self._query
        nav.workers.hall.run(
            ask_hall_then_local,
            partial(self._on_progress_answer, query),
            partial(self._on_progress_failed, query),
        )

    def _on_progress_typing_requested(self) -> None:
        nav = self.nav
        if nav.session.step is not Step.PROGRESS:
            return
        nav.touch()
        self._query += 1
        self._scan_hint_timer.stop()
        nav.window.case_number.reset(prefix=nav.services.settings.terminal.id)
        nav.window.show_screen(nav.window.case_number)

    def _on_case_number_case_entered(self, case_number: str) -> None:
        nav = self.nav
        if nav.session.step is not Step.PROGRESS:
            return
        nav.touch()
        nav.window.case_number.reset()
        nav.window.progress.reset()
        nav.window.show_screen(nav.window.progress)
        self._ask_case(case_number)

    def _on_case_number_back_requested(self) -> None:
        self.nav.window.case_number.reset()
        self._open_progress()

    def _on_card_watcher_card_placed(self, card: IdCard) -> None:
        """A card laid on the reader at the progress screen: the holder's cases (signed)."""
        nav, w = self.nav, self.nav.window
        if nav.maintenance_active or nav.session.step is not Step.PROGRESS:
            return  # elsewhere the identify flow takes the card
        id_number = card.id_number
        card.wipe()  # only the number travels, in the signed request's body
        if w.current_screen() is not w.progress:
            return
        nav.touch()
        self._scan_hint_timer.stop()
        client = nav.services.collect
        screen = w.progress
        if client is None:
            screen.show_message("progress_unreachable")
            return
        self._asked = True
        screen.show_looking("")
        screen.busy.show_busy(tr("progress_by_card_looking", nav.language))
        self._query += 1
        query = self._query
        nav.workers.hall.run(
            lambda: client.holder_cases(id_number),
            partial(self._on_holder_cases, query),
            partial(self._on_progress_failed, query),
        )

    def _on_holder_cases(self, query: int, answer: HolderCasesPublic) -> None:
        if not self._current(query):
            return
        screen = self.nav.window.progress
        if not answer.cases:
            screen.show_message("progress_by_card_none")
        elif len(answer.cases) == 1:
            self._on_progress_answer(query, answer.cases[0])
        else:
            screen.show_cases(answer.cases)

    def _on_progress_case_chosen(self, progress: CaseProgressPublic) -> None:
        if self.nav.session.step is Step.PROGRESS:
            self.nav.touch()
            self._on_progress_answer(self._query, progress)

    def _on_code_scanner_scan_failed(self, error: DeviceError) -> None:
        # The technician sees it in the log and in `kiosk doctor`; the citizen keeps the card
        # reader and the on-screen ways in, so nothing is shown on the screen for it.
        log.warning("code scanner: %s", error)

    def _on_attract_notice_timer_timeout(self) -> None:
        if self.nav.window.current_screen() is self.nav.window.attract:
            self.nav.window.attract.error.hide()

    def _on_scan_hint_timer_timeout(self) -> None:
        screen = self.nav.window.progress
        if self.nav.session.step is Step.PROGRESS and screen.progress is None:
            screen.show_message("progress_no_code")

    def _on_progress_answer(
        self, query: int, answer: CaseProgressPublic | dt.datetime | None
    ) -> None:
        if not self._current(query):
            return  # an answer for a query its citizen has left (or replaced by a newer scan)
        screen = self.nav.window.progress
        if isinstance(answer, CaseProgressPublic):
            screen.show_progress(answer)
            reprints = self.nav.services.reprints
            if answer.status == "approved" and reprints is not None:
                case = answer.case_number
                self.nav.workers.hall.run(
                    lambda: reprints.offer(case),
                    partial(self._on_reprint_offer, query, case),
                    partial(self._on_reprint_offer_failed, query),
                )
        elif isinstance(answer, dt.datetime):
            when = answer.astimezone().strftime("%Y-%m-%d %H:%M")
            screen.show_message("progress_offline", time=when)
        else:
            screen.show_message("progress_unreachable")

    def _on_progress_failed(self, query: int, error: BaseException) -> None:
        if not self._current(query):
            return
        if isinstance(error, HallRejectedError):
            self.nav.window.progress.show_message("progress_not_found")
        else:
            log.error("progress query failed: %s", type(error).__name__)
            self.nav.window.progress.show_message("progress_unreachable")

    # --- a certificate's check ------------------------------------------------------------------

    def _show_certificate_check(self, check: CertificateCheck, *, from_progress: bool) -> None:
        """Show the verdict on a scanned certificate on its own screen."""
        nav = self.nav
        if nav.session.step is Step.ATTRACT:
            nav.begin_activity()  # the idle clock brings the attract screen back
            nav.session.go(Step.PROGRESS)
        self._asked = True
        if nav.window.current_screen() is not nav.window.verify:
            self._verify_from_progress = from_progress
        self._query += 1  # an answer to an earlier receipt scan is no longer wanted
        claims = check.claims
        view = CertificateView(status=check.status)
        if claims is not None and check.status in ("genuine", "expired", "outdated"):
            try:
                name = nav.services.catalog().item(claims.item).name
                item_zh, item_en = name.zh, name.en
            except KeyError:
                item_zh = item_en = claims.item
            view = CertificateView(
                status=check.status,
                certificate_id=claims.cid,
                holder=documents.mask_name(claims.name),
                id_masked=claims.idm,
                item_zh=item_zh,
                item_en=item_en,
                issued=claims.iat.isoformat(),
                valid_until=claims.exp.isoformat() if claims.exp else "",
                title=claims.ttl or "",
                issuer=claims.iss or "",
                rows=tuple(certificate_rows(claims)),
            )
        nav.window.verify.show_check(view)
        nav.window.show_screen(nav.window.verify)
        self.certificate_checked.emit(check.status)

    def _on_verify_back_requested(self) -> None:
        self.nav.window.verify.reset()
        if self._verify_from_progress:
            # The certificate may still be in the citizen's hand: do not check it again at once.
            self._open_progress(reset_scanner=False)
        else:
            # The certificate check was the journey: rated as every journey is (then wiped).
            self.nav.go("rate", "verify")

    # --- an enterprise's public record, and a report for the regulator --------------------------

    def _show_enterprise(self, uscc: str) -> None:
        nav, w = self.nav, self.nav.window
        if nav.session.step is Step.ATTRACT:
            nav.begin_activity()
            nav.session.go(Step.PROGRESS)
        self._asked = True
        nav.touch()
        self._scan_hint_timer.stop()
        self._query += 1
        query = self._query
        self._enterprise_uscc = uscc
        screen = w.enterprise
        screen.reset()
        screen.set_reporting(True)
        screen.show_looking()
        w.show_screen(screen)
        client = nav.services.collect
        if client is None:
            screen.show_message("enterprise_unreachable")
            return
        nav.workers.hall.run(
            lambda: client.enterprise(uscc),
            partial(self._on_enterprise_answer, query),
            partial(self._on_enterprise_failed, query),
        )

    def _on_enterprise_answer(self, query: int, record: EnterprisePublic) -> None:
        if query != self._query:
            return
        self.nav.window.enterprise.show_record(record)
        self.enterprise_shown.emit("shown")

    def _on_enterprise_failed(self, query: int, error: BaseException) -> None:
        if query != self._query:
            return
        not_found = isinstance(error, HallRejectedError)
        self.nav.window.enterprise.show_message(
            "enterprise_not_found" if not_found else "enterprise_unreachable"
        )
        self.enterprise_shown.emit("not_found" if not_found else "unreachable")

    def _on_enterprise_report_requested(self, category: str) -> None:
        nav = self.nav
        screen = nav.window.enterprise
        queue = nav.services.events
        if screen.record is None or queue is None:
            return
        nav.touch()
        screen.set_reporting(False)
        payload = RegulatorReportPayload.model_validate(
            {"uscc": screen.record.uscc, "category": category}
        )
        body = payload.model_dump(mode="json")
        query = self._query
        # ``post`` fsyncs: on the outbox's worker, never on the GUI thread.
        nav.workers.outbox.run(
            lambda: queue.post("regulator_report", body),
            partial(self._on_report_queued, query),
            partial(self._on_report_failed, query),
        )

    def _on_report_queued(self, query: int, _event_id: str) -> None:
        if query != self._query:
            return
        self.nav.window.enterprise.show_message("report_queued", ok=True)
        self.report_finished.emit("queued")

    def _on_report_failed(self, query: int, error: BaseException) -> None:
        if query != self._query:
            return
        log.error("report could not be queued: %s", type(error).__name__)
        self.nav.window.enterprise.set_reporting(True)
        self.nav.window.enterprise.show_message("report_failed")
        self.report_finished.emit("failed")

    def _on_enterprise_back_requested(self) -> None:
        self._query += 1
        self.nav.window.enterprise.reset()
        if self.nav.session.card is None:
            self.nav.wipe()
        else:
            self.nav.session.go(Step.CHOOSE)
            self.nav.go("choose")

    # --- reprinting an approved case's certificate ----------------------------------------------

    def _on_reprint_offer(self, query: int, case: str, left: int | None) -> None:
        if not self._current(query):
            return
        self._reprint_case = case
        if left == 0:
            self.nav.window.progress.show_message("progress_reprint_used_up")
        elif left is not None:
            self.nav.window.progress.offer_reprint(left)

    def _on_reprint_offer_failed(self, query: int, error: BaseException) -> None:
        # The progress is on the screen already; only the reprint offer is missing.
        log.warning("reprint offer failed: %s", type(error).__name__)

    def _on_progress_reprint_requested(self) -> None:
        reprints, case = self.nav.services.reprints, self._reprint_case
        if self.nav.session.step is not Step.PROGRESS or reprints is None or case is None:
            return
        self.nav.touch()
        screen = self.nav.window.progress
        screen.reprint_button.setEnabled(False)
        screen.busy.show_busy(tr("progress_reprinting", self.nav.language))
        query = self._query
        self.nav.workers.a4.run(
            lambda: reprints.reprint(case),
            partial(self._on_reprint_done, query),
            partial(self._on_reprint_failed, query),
        )

    def _on_reprint_done(self, query: int, _job: object) -> None:
        if not self._current(query):
            return
        screen = self.nav.window.progress
        screen.offer_reprint(screen.reprint_left - 1)
        screen.show_message("progress_reprinted", ok=True)
        self.reprint_finished.emit("printed")

    def _on_reprint_failed(self, query: int, error: BaseException) -> None:
        if not self._current(query):
            return
        screen = self.nav.window.progress
        if isinstance(error, ReprintLimitError):
            screen.offer_reprint(0)
            screen.show_message("progress_reprint_used_up")
            self.reprint_finished.emit("used_up")
        else:
            log.error("certificate reprint failed: %s", type(error).__name__)
            screen.reprint_button.setEnabled(True)
            screen.show_message("progress_reprint_failed")
            self.reprint_finished.emit("failed")
