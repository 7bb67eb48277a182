"""Submit: review what will be sent, queue it in the outbox, wait briefly for the decision."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QObject, QTimer

from hall.schema import SubmissionPublic
from kiosk.services import documents
from kiosk.services.session import Session, SessionError, Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from offline_cache.errors import StoreFullError

log = logging.getLogger(__name__)


class SubmitFlow(QObject):
    """The review screen and the decision wait; offers ``review``, hands over to ``result``."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the review screen."""
        super().__init__(nav)
        self.nav = nav
        self._submitting = False
        self._results: dict[str, SubmissionPublic] = {}
        self._decision_timer = QTimer(self)
        self._decision_timer.setSingleShot(True)
        self._decision_timer.timeout.connect(self._on_decision_timer_timeout)
        w = nav.window
        w.review.back_requested.connect(self._on_review_back_requested)
        w.review.submit_requested.connect(self._on_review_submit_requested)
        nav.language_changed.connect(self._on_nav_language_changed)
        nav.hold_idle_while(lambda: self._submitting)
        nav.provide("review", self._show_review)
        nav.on_wipe(self._wipe)

    def stop(self) -> None:
        """Stop the decision wait; called on shutdown."""
        self._decision_timer.stop()

    def _wipe(self) -> None:
        self._decision_timer.stop()
        self._results.clear()
        self.nav.window.review.set_rows([])
        self.nav.window.review.reset()

    def _on_nav_language_changed(self, _language: str) -> None:
        if self.nav.session.step is Step.REVIEW:
            self._fill_review()

    # --- review ---------------------------------------------------------------------------------

    def _show_review(self) -> None:
        review = self.nav.window.review
        review.wait_seconds = int(self.nav.services.settings.terminal.decision_wait_s) + 2
        review.reset()
        self._fill_review()
        self.nav.window.show_screen(review)

    def _fill_review(self) -> None:
        session = self.nav.session
        assert session.item is not None
        lang = self.nav.language
        rows = [("review_item", loc(session.item.name, lang))]
        applicant = session.applicant()
        if applicant is not None:
            rows.append(("review_applicant", documents.mask_name(applicant["name"])))
            rows.append(("review_id", session.masked_id_number))
        elif session.photo_identity:
            rows.append(("review_applicant", tr("review_unread", lang)))
        if session.card is None and session.photo_identity:
            rows.append(("review_identity", tr("review_identity_photo", lang)))
        prefilled: list[tuple[str, str]] = []
        for spec in session.item.materials:
            name = loc(spec.name, lang)
            promise = session.commitments.get(spec.id)
            if promise is not None:
                day = promise.deadline
                date = f"{day:%d %B}" if lang == "en" else f"{day.month}月{day.day}日"
                rows.append(
                    ("review_materials", f"{name} · {tr('review_promised', lang, date=date)}")
                )
                continue
            done = "review_card_ok" if spec.source == "id_card" else "review_material_ok"
            if spec.source == "id_card" and session.card is None and session.photo_identity:
                done = "review_photo_ok"
            material = session.materials.get(spec.id)
            if material is not None and material.fields:
                done = "review_material_checked"
                prefilled += self._prefill_rows(material.fields)
            rows.append(("review_materials", f"{name} ✓ {tr(done, lang)}"))
        self.nav.window.review.set_rows(rows + prefilled)

    def _prefill_rows(self, fields: Mapping[str, object]) -> list[tuple[str, str]]:
        """The application's fields read from a document, as the review screen shows them."""
        rows: list[tuple[str, str]] = []
        for name, key in (("lessor", "review_lessor"), ("lessee", "review_lessee")):
            value = fields.get(name)
            if isinstance(value, str):
                # A person's name is masked like the applicant's; a firm's name is not personal.
                rows.append((key, documents.mask_name(value) if len(value) <= 4 else value))
        if isinstance(fields.get("address"), str):
            rows.append(("review_premises", str(fields["address"])))
        start, end = fields.get("start_date"), fields.get("end_date")
        if isinstance(start, str) and isinstance(end, str):
            term = tr("review_term_value", self.nav.language, start=start, end=end)
            rows.append(("review_lease_term", term))
        return rows

    def _on_review_back_requested(self) -> None:
        if self._submitting:
            return
        item = self.nav.session.item
        self.nav.session.go(Step.GUIDE)
        if item is not None:
            self.nav.go("guide", item)

    # --- submit and the decision ----------------------------------------------------------------

    def _on_review_submit_requested(self) -> None:
        nav = self.nav
        if nav.session.step is not Step.REVIEW or self._submitting:
            return
        session, journey = nav.session, nav.services.journey
        try:
            draft = journey.draft(session)
        except SessionError:
            log.exception("submit pressed on an incomplete session")
            nav.window.review.show_error(tr("submit_failed", nav.language))
            return
        self._submitting = True
        nav.window.review.show_submitting()
        nav.workers.outbox.run(
            lambda: journey.submit(draft),
            partial(self._on_submitted, session),
            partial(self._on_submit_failed, session),
        )

    def _on_submitted(self, session: Session, case_number: str) -> None:
        self._submitting = False
        early = self._results.pop(case_number, None)
        self._results.clear()
        log.info("case %s queued", case_number)
        if session is not self.nav.session:
            # Only a shutdown ends a session mid-submit (idle, back and home wait for it); the
            # case is safely queued and the hall's decision follows by its own channels.
            log.warning("case %s queued after its session ended", case_number)
            return
        session.case_number = case_number
        session.go(Step.SUBMIT)
        if early is not None:
            self.nav.go("result", early)
        else:
            wait = self.nav.services.settings.terminal.decision_wait_s
            self._decision_timer.start(int(wait * 1000))

    def _on_submit_failed(self, session: Session, error: BaseException) -> None:
        self._submitting = False
        self._results.clear()
        log.error("submission could not be queued: %s", type(error).__name__)
        if session is self.nav.session:
            full = isinstance(error, StoreFullError)
            key = "submit_store_full" if full else "submit_failed"
            self.nav.window.review.show_error(tr(key, self.nav.language))

    def on_result(self, case_number: str, result: SubmissionPublic) -> None:
        """The hall answered for a case (called on the GUI thread through a queued signal).

        Only the answer the current session waits for is kept: a backlog draining after an
        outage must not gather other citizens' certificates in memory.
        """
        session = self.nav.session
        if session.step is Step.SUBMIT and session.case_number == case_number:
            self._decision_timer.stop()
            self.nav.go("result", result)
        elif self._submitting:
            # The answer can overtake the outbox's own callback; hold it for that moment only.
            self._results[case_number] = result

    def _on_decision_timer_timeout(self) -> None:
        if self.nav.session.step is Step.SUBMIT:
            self.nav.go("result", None)
