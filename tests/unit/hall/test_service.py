"""The submission service on SQLite and PostgreSQL: claims, leases, takeovers, serials, stages."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assets import load_catalog
from hall.certificates import SigningKey
from hall.db import Database, Submission, utc_now
from hall.errors import (
    ApplicantRequiredError,
    CaseNotFoundError,
    CaseNumberConflictError,
    IdempotencyKeyReusedError,
    InProgressError,
    UnknownItemError,
)
from hall.schema import CommitmentCreate, LocalizedText, SubmissionCreate, SubmissionPublic
from hall.seed import seed_demo_data
from hall.service import Claim, HallService, payload_context, process_sealer
from tests.fixtures.hall import demo_applicant, make_submission

SHANGHAI = ZoneInfo("Asia/Shanghai")


class SteppingClock:
    """A clock the test moves; every reading advances it by one millisecond."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(milliseconds=1)
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> SteppingClock:
    # 23:59 in Shanghai on 21 November, so a day change is near at hand.
    return SteppingClock(dt.datetime(2026, 11, 21, 15, 59, tzinfo=dt.UTC))


@pytest.fixture
def db(hall_database_url: str) -> Iterator[Database]:
    database = Database(hall_database_url)
    database.migrate()
    seed_demo_data(database, process_sealer())
    yield database
    database.dispose()


@pytest.fixture
def service(db: Database, clock: SteppingClock) -> HallService:
    return HallService(db, load_catalog(), SigningKey.generate(), timezone=SHANGHAI, clock=clock)


def test_claim_then_in_progress_then_replay(service: HallService, db: Database) -> None:
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    claim = service.claim(submission, "key-1")
    assert isinstance(claim, Claim)
    with pytest.raises(InProgressError):
        service.submit(submission, "key-1")
    first = service.process(claim)
    assert first.status == "approved"
    replay, created = service.submit(submission, "key-1")
    assert not created
    assert replay == first
    assert db.count_submissions(idempotency_key="key-1") == 1


SHORT_LEASE = dt.timedelta(seconds=1)


def short_lease_service(db: Database, clock: Callable[[], dt.datetime]) -> HallService:
    return HallService(
        db, load_catalog(), SigningKey.generate(), timezone=SHANGHAI, clock=clock, lease=SHORT_LEASE
    )


def test_abandoned_claim_is_taken_over_after_the_lease(db: Database) -> None:
    service = short_lease_service(db, utc_now)
    submission = make_submission("si-insured-certificate", demo_applicant("李建国"))
    assert isinstance(service.claim(submission, "key-2"), Claim)
    with pytest.raises(InProgressError):
        service.submit(submission, "key-2")
    time.sleep(SHORT_LEASE.total_seconds() + 0.1)  # the first request died without finishing
    answer, created = service.submit(submission, "key-2")
    assert created
    assert answer.status == "approved"
    assert answer.certificate is not None
    assert db.count_submissions(case_number=submission.case_number) == 1


@pytest.mark.parametrize(
    "skew", [dt.timedelta(days=-1), dt.timedelta(days=1)], ids=["behind", "ahead"]
)
def test_leases_follow_the_database_clock_not_the_halls(db: Database, skew: dt.timedelta) -> None:
    # The hall claimed a case and was killed (kill -9); it comes back with its clock a day off.
    before = short_lease_service(db, utc_now)
    # Built first: loading the catalog can take longer than the lease on a busy machine.
    restarted = short_lease_service(db, lambda: utc_now() + skew)
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    assert isinstance(before.claim(submission, "key-skew"), Claim)
    with pytest.raises(InProgressError):  # not taken over early (a day ahead)...
        restarted.submit(submission, "key-skew")
    time.sleep(SHORT_LEASE.total_seconds() + 0.1)
    answer, created = restarted.submit(submission, "key-skew")  # ...nor held for a day (behind)
    assert created
    assert answer.status == "approved"


def test_certificate_serials_count_per_day_in_the_hall_time_zone(
    service: HallService, clock: SteppingClock
) -> None:
    ids = []
    for name in ("王秀英", "赵德明"):
        answer, _ = service.submit(
            make_submission("elder-card", demo_applicant(name)), f"serial-{name}"
        )
        assert answer.certificate is not None
        ids.append(answer.certificate.certificate_id)
    clock.advance(120)  # past midnight in Shanghai
    late, _ = service.submit(
        make_submission("si-insured-certificate", demo_applicant("王秀英")), "serial-late"
    )
    assert late.certificate is not None
    assert ids == ["YD2026112100001", "YD2026112100002"]
    assert late.certificate.certificate_id == "SB2026112200001"


def test_reused_key_with_other_payload_is_refused(service: HallService) -> None:
    service.submit(make_submission("elder-card", demo_applicant("王秀英")), "key-3")
    with pytest.raises(IdempotencyKeyReusedError):
        service.submit(make_submission("elder-card", demo_applicant("赵德明")), "key-3")


def test_case_number_under_another_key_conflicts(service: HallService) -> None:
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    service.submit(submission, "key-4")
    with pytest.raises(CaseNumberConflictError):
        service.submit(submission, "key-5")


def test_unknown_and_unsubmittable_items_and_missing_applicant(service: HallService) -> None:
    with pytest.raises(UnknownItemError):
        service.submit(make_submission("no-such-item", demo_applicant("王秀英")), "key-6")
    with pytest.raises(UnknownItemError):
        service.submit(make_submission("case-progress", None), "key-7")
    with pytest.raises(ApplicantRequiredError):
        service.submit(make_submission("elder-card", None), "key-8")


def test_standard_item_review_clock_keeps_running(
    service: HallService, clock: SteppingClock
) -> None:
    submission = make_submission("sole-proprietor-registration", demo_applicant("李建国"))
    answer, _ = service.submit(submission, "key-9")
    assert answer.status == "accepted"
    assert answer.decision is None
    clock.advance(3600)
    progress = service.progress(submission.case_number)
    stages = {stage.code: stage for stage in progress.stages}
    assert [stage.code for stage in progress.stages] == ["received", "review", "decision", "done"]
    assert stages["received"].finished_at is not None
    assert stages["review"].finished_at is None
    assert stages["review"].seconds is not None
    assert stages["review"].seconds >= 3600
    assert stages["decision"].started_at is None
    assert stages["decision"].seconds is None
    assert progress.promised_days == 1


def test_unknown_case_is_not_found(service: HallService) -> None:
    with pytest.raises(CaseNotFoundError):
        service.get_submission("K001-20261122-99999")
    with pytest.raises(CaseNotFoundError):
        service.progress("K001-20261122-99999")


def test_refused_case_has_no_certificate_stage(service: HallService) -> None:
    submission = make_submission("si-insured-certificate", demo_applicant("陈美玲"))
    answer, _ = service.submit(submission, "key-10")
    assert isinstance(answer, SubmissionPublic)
    assert answer.certificate is None
    codes = [stage.code for stage in service.progress(submission.case_number).stages]
    assert codes == ["received", "review", "decision", "done"]


def test_an_instant_item_identified_by_photos_is_refused(service: HallService) -> None:
    """Photos of a card need a clerk; an instant decision rests on the chip's data alone."""
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    with pytest.raises(ApplicantRequiredError):
        service.submit(submission.model_copy(update={"identity": "photo"}), "key-photo-1")


def test_a_photo_identity_and_a_promise_are_stored_with_the_case(
    service: HallService, db: Database
) -> None:
    sent = make_submission("sole-proprietor-registration", demo_applicant("王秀英"))
    promise = CommitmentCreate(
        material_id="lease-contract",
        deadline=dt.date(2026, 11, 27),
        text=LocalizedText(zh="本人承诺……", en="I promise…"),
    )
    sent = sent.model_copy(
        update={"identity": "photo", "commitment": True, "commitments": [promise]}
    )
    public, created = service.submit(sent, "key-photo-2")
    assert created and public.status == "accepted"
    with db.read() as session:
        row = session.scalar(select(Submission).where(Submission.case_number == sent.case_number))
        assert row is not None
        assert "identity" not in row.payload  # sealed at rest
        stored = service.sealer.open(row.payload, payload_context(sent.case_number))
        assert stored["identity"] == "photo"
        assert stored["commitments"][0]["deadline"] == "2026-11-27"


def test_concurrent_first_submissions_make_one_case_and_distinct_serials(
    service: HallService, db: Database
) -> None:
    # Eight requests at once: four with one key and case, four different cases needing serials.
    same = make_submission("elder-card", demo_applicant("王秀英"))
    others = [make_submission("elder-card", demo_applicant("赵德明")) for _ in range(4)]
    jobs = [(same, "same-key")] * 4 + [(other, f"other-{n}") for n, other in enumerate(others)]
    barrier = threading.Barrier(len(jobs))

    def send(job: tuple[SubmissionCreate, str]) -> SubmissionPublic | str:
        barrier.wait()
        try:
            return service.submit(*job)[0]
        except InProgressError:
            return "in_progress"

    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(send, jobs))
    assert db.count_submissions(idempotency_key="same-key") == 1
    certificates = [
        a.certificate.certificate_id
        for a in answers[4:]
        if isinstance(a, SubmissionPublic) and a.certificate is not None
    ]
    assert len(certificates) == 4
    assert len(set(certificates)) == 4
