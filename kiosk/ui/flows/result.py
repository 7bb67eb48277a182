"""Result: show the decision, print the receipt and certificate, retry a failed print, rate."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from hall.schema import SubmissionPublic
from kiosk.services import documents
from kiosk.services.print_jobs import encode_certificate, encode_receipt
from kiosk.services.printout import printout
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr

log = logging.getLogger(__name__)

CARD_LIFTED_END_MS = 8000
"""The card lifted at the result or rating screen: the citizen is leaving; the session ends
this long after (within 10 s), with no rating recorded."""
RATE_STEPS = (Step.RESULT, Step.PRINT, Step.RATE)


class ResultFlow(QObject):
    """The result and rate screens and the print jobs; offers ``result``."""

    result_shown = Signal(str)
    printing_finished = Signal(str)
    """``done`` or ``failed``, once the receipt (and certificate) jobs have ended."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the result and rate screens."""
        super().__init__(nav)
        self.nav = nav
        self._generation = 0
        self._pending: dict[str, Callable[[], object]] = {}
        self._failed: dict[str, Callable[[], object]] = {}
        w = nav.window
        w.result.done_requested.connect(self._on_result_done_requested)
        w.result.reprint_requested.connect(self._on_result_reprint_requested)
        w.rate.rated.connect(self._on_rate_rated)
        w.rate.skipped.connect(self._on_rate_skipped)
        nav.services.card_watcher.card_removed.connect(self._on_card_watcher_card_removed)
        self._leaving = QTimer(self)
        self._leaving.setSingleShot(True)
        self._leaving.setInterval(CARD_LIFTED_END_MS)
        self._leaving.timeout.connect(self._on_leaving_timeout)
        self._journey = "apply"
        nav.provide("result", self._show_result)
        nav.provide("rate", self._offer_rating)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        # Print jobs hold the receipt and certificate (names): drop them, and ignore the
        # callbacks of jobs still running for the session that just ended.
        self._generation += 1
        self._pending = {}
        self._failed = {}
        self._leaving.stop()
        self._journey = "apply"
        self.nav.window.result.set_result("accepted", "", offline=False, promised_days=0)
        self.nav.window.rate.reset()

    def _show_result(self, result: SubmissionPublic | None) -> None:
        nav = self.nav
        session = nav.session
        assert session.item is not None and session.case_number is not None
        session.result = result
        session.go(Step.RESULT)
        status = result.status if result is not None else "accepted"
        reason = ""
        if result is not None and result.decision is not None and result.decision.reason:
            reason = loc(result.decision.reason, nav.language)
        nav.window.result.set_result(
            status,
            session.case_number,
            reason=reason,
            offline=result is None,
            promised_days=documents.decision_within_days(session.item),
        )
        nav.window.show_screen(nav.window.result)
        self.result_shown.emit(status)
        self._print(result)

    # --- printing -------------------------------------------------------------------------------

    def _print(self, result: SubmissionPublic | None) -> None:
        nav = self.nav
        session = nav.session
        out = printout(
            session,
            result,
            location=nav.services.settings.terminal.location_zh,
            printed_at=dt.datetime.now(dt.UTC),
            location_en=nav.services.settings.terminal.location_en,
            public_url=nav.services.public_url,
            helpline=nav.services.settings.terminal.staff_phone,
        )
        session.go(Step.PRINT)
        receipt, certificate = out.receipt, out.certificate
        printer, a4 = nav.services.receipt_printer, nav.services.document_printer
        jobs: dict[str, Callable[[], object]] = {"receipt": lambda: printer.print_receipt(receipt)}
        if certificate is not None:
            doc = certificate
            jobs["certificate"] = lambda: a4.print_certificate(doc)
        for number, member in enumerate(out.member_certificates, 1):
            jobs[f"certificate-{number}"] = partial(a4.print_certificate, member)
        queued = nav.services.print_jobs
        if queued is not None:
            # Through the durable queue: a job the printer could not take now prints when it is
            # back, and "print again" reuses the same job (never a second copy).
            case = session.case_number
            assert case is not None
            jobs = {"receipt": queued.job("receipt", case, encode_receipt(receipt))}
            if certificate is not None:
                jobs["certificate"] = queued.job(
                    "certificate", case, encode_certificate(certificate)
                )
            for number, member in enumerate(out.member_certificates, 1):
                jobs[f"certificate-{number}"] = queued.job(
                    "certificate", case, encode_certificate(member)
                )
        self._start_jobs(jobs)

    def _start_jobs(self, jobs: dict[str, Callable[[], object]]) -> None:
        """Send each job to its printer's worker; the ones that fail are kept for a retry."""
        generation = self._generation
        self._pending = dict(jobs)
        self._failed = {}
        self.nav.window.result.set_printing("busy")
        workers = self.nav.workers
        for name, job in jobs.items():
            runner = workers.receipt if name == "receipt" else workers.a4
            runner.run(
                job,
                partial(self._on_job_succeeded, generation, name),
                partial(self._on_job_ended, generation, name, job=job),
            )

    def _on_job_succeeded(self, generation: int, name: str, _: object) -> None:
        self._on_job_ended(generation, name, None, job=None)

    def _on_job_ended(
        self,
        generation: int,
        name: str,
        error: BaseException | None,
        *,
        job: Callable[[], object] | None,
    ) -> None:
        if generation != self._generation:
            return  # the session this job printed for has been wiped since
        self._pending.pop(name, None)
        if error is not None and job is not None:
            log.error("printing the %s failed: %s: %s", name, type(error).__name__, error)
            self._failed[name] = job
        if not self._pending:
            self._finish_printing()

    def _finish_printing(self) -> None:
        if self._failed:
            self.nav.window.result.set_printing("failed", tr("print_failed", self.nav.language))
            self.printing_finished.emit("failed")
        else:
            self.nav.window.result.set_printing("done")
            self.printing_finished.emit("done")
        if self.nav.window.current_screen() is self.nav.window.result:
            self.nav.speak_prompt()  # "printed, please take it" (or what to do if it failed)

    def _on_result_reprint_requested(self) -> None:
        if self.nav.session.step is Step.PRINT and self._failed and not self._pending:
            self._start_jobs(self._failed)

    # --- done, and the rating -------------------------------------------------------------------

    def _on_result_done_requested(self) -> None:
        if self.nav.session.step in (Step.RESULT, Step.PRINT):
            self._offer_rating("apply")

    def _offer_rating(self, journey: str) -> None:
        """Every journey ends here, approved, refused or handed off: the five levels."""
        nav = self.nav
        self._journey = journey
        if nav.session.step in (Step.RESULT, Step.PRINT):
            nav.session.go(Step.RATE)
        nav.window.rate.reset()
        nav.window.show_screen(nav.window.rate)

    def _on_rate_rated(self, level: int, reasons: list[str]) -> None:
        nav = self.nav
        session = nav.session
        payload = rating_payload(
            level,
            reasons,
            item_id=session.item.id if session.item is not None else None,
            case_number=session.case_number,
            journey=self._journey,
            visit_seconds=nav.visit_seconds(),
        )
        session.rating = level
        events = nav.services.events
        if events is None:
            log.warning("rating %s not sent: this terminal has no event channel", level)
        else:
            # The event is stored (fsync) on the outbox's worker, never on the GUI thread.
            nav.workers.outbox.run(lambda: events.post("rating", payload), None, _rating_not_stored)
        log.info("session rated %s (%s)", level, self._journey)
        nav.wipe()

    def _on_rate_skipped(self) -> None:
        log.info("rating declined (%s)", self._journey)
        self.nav.wipe()

    def _on_card_watcher_card_removed(self) -> None:
        if self.nav.session.step in RATE_STEPS:
            self._leaving.start()

    def _on_leaving_timeout(self) -> None:
        if self.nav.session.step in RATE_STEPS and not self._pending:
            log.info("card lifted at %s: session ended unrated", self.nav.session.step.value)
            self.nav.wipe()
        elif self.nav.session.step in RATE_STEPS:
            self._leaving.start()  # the receipt is still printing: end once it is out


def _rating_not_stored(error: BaseException) -> None:
    log.error("a rating could not be stored: %s", type(error).__name__)


def rating_payload(
    level: int,
    reasons: list[str],
    *,
    item_id: str | None,
    case_number: str | None,
    journey: str,
    visit_seconds: float | None,
) -> dict[str, object]:
    """The "rating" event exactly as the hall's handler takes it; never an ID number."""
    if level not in range(1, 6):
        raise ValueError(f"a rating is 1..5, not {level}")
    return {
        "level": level,
        "reasons": list(reasons) if level <= 2 else [],
        "item_id": item_id,
        "case_number": case_number,
        "journey": journey,
        "visit_seconds": None if visit_seconds is None else round(visit_seconds, 1),
    }
