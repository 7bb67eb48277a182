"""The outbox: case numbers, sealed payloads, state transitions, resume, purge, a full disk."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest

from hall.schema import CASE_NUMBER_PATTERN, payload_hash
from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, DecryptionError, StoreError, StoreFullError
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from tests.unit.offline_cache import factories

DAY = dt.date(2025, 3, 14)
T0 = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC)
PERSONAL = [
    factories.NAME.encode(),
    factories.ID_NUMBER.encode(),
    factories.ADDRESS.encode(),
    # The JSON dump may escape non-ASCII; look for that spelling too.
    factories.NAME.encode("unicode_escape"),
]


class Clock:
    """A settable clock for the outbox's timestamps."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def timed(store: Store, cipher: FieldCipher, clock: Clock) -> Outbox:
    return Outbox(store, cipher, clock=clock)


def raw_bytes(db_path: Path) -> bytes:
    """Everything SQLite has on disk for the database: the file, its WAL and shared memory."""
    parts = [
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def queue(outbox: Outbox, **kwargs: object) -> str:
    case = outbox.next_case_number("DEMO01", DAY)
    outbox.enqueue(factories.submission(case, **kwargs))  # type: ignore[arg-type]
    return case


# --- Case numbers ---------------------------------------------------------------------------


def test_case_numbers_follow_the_pattern_and_count_per_day(outbox: Outbox) -> None:
    first = outbox.next_case_number("DEMO01", DAY)
    second = outbox.next_case_number("DEMO01", DAY)
    assert (first, second) == ("DEMO01-20250314-00001", "DEMO01-20250314-00002")
    assert re.fullmatch(CASE_NUMBER_PATTERN, first)
    assert outbox.next_case_number("DEMO01", DAY + dt.timedelta(days=1)).endswith("-00001")
    assert outbox.next_case_number("KX02", DAY) == "KX02-20250314-00001"


def test_case_number_sequence_survives_reopen(db_path: Path, cipher: FieldCipher) -> None:
    with Store(db_path) as store:
        outbox = Outbox(store, cipher)
        outbox.next_case_number("DEMO01", DAY)
        outbox.next_case_number("DEMO01", DAY)
    # No enqueue happened: the numbers were still taken for good.
    with Store(db_path) as store:
        assert Outbox(store, cipher).next_case_number("DEMO01", DAY) == "DEMO01-20250314-00003"


def test_bad_kiosk_code_is_refused(outbox: Outbox) -> None:
    with pytest.raises(CacheError):
        outbox.next_case_number("demo-01", DAY)


# --- Enqueue and encryption at rest ---------------------------------------------------------


def test_enqueue_records_clear_columns_and_seals_the_payload(timed: Outbox) -> None:
    case = timed.next_case_number("DEMO01", DAY)
    sub = factories.submission(case, materials=[factories.photo()])
    entry = timed.enqueue(sub)
    assert entry.case_number == case
    assert entry.item_id == "elder-card"
    assert entry.state == "pending"
    assert entry.attempts == 0
    assert entry.next_attempt_at == entry.created_at == T0
    assert entry.payload_hash == payload_hash(sub)
    assert uuid.UUID(entry.idempotency_key).version == 4
    assert timed.get(case) == entry
    assert timed.submission(case) == sub
    text = repr(entry)
    assert factories.NAME not in text
    assert factories.ID_NUMBER not in text


def test_same_case_cannot_be_queued_twice(outbox: Outbox) -> None:
    case = queue(outbox)
    with pytest.raises(StoreError, match="already in the outbox"):
        outbox.enqueue(factories.submission(case))
    assert outbox.counts()["pending"] == 1


def test_database_file_holds_no_personal_data(outbox: Outbox, store: Store, db_path: Path) -> None:
    case = queue(outbox)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    outbox.mark_delivered(entry.id, factories.approved(case))
    result = outbox.result(case)
    assert result is not None
    assert result.certificate is not None
    assert result.certificate.holder_name == factories.NAME  # readable through the key only
    raw = raw_bytes(db_path)
    assert case.encode() in raw  # the clear columns really are in these bytes
    for secret in PERSONAL:
        assert secret not in raw
    store.close()  # checkpoints the WAL into the main file
    raw = db_path.read_bytes()
    assert case.encode() in raw
    for secret in PERSONAL:
        assert secret not in raw


def test_wrong_key_cannot_read_rows(store: Store, outbox: Outbox) -> None:
    case = queue(outbox)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    outbox.mark_delivered(entry.id, factories.approved(case))
    stranger = Outbox(store, FieldCipher(FieldCipher.generate_key()))
    with pytest.raises(DecryptionError):
        stranger.submission(case)
    with pytest.raises(DecryptionError):
        stranger.result(case)
    # The clear columns stay usable without the key.
    assert stranger.get(case).state == "decided"  # type: ignore[union-attr]


def test_payload_is_bound_to_its_row(store: Store, outbox: Outbox) -> None:
    a, b = queue(outbox), queue(outbox)
    with store.transaction() as conn:
        pa = conn.execute("SELECT payload FROM outbox WHERE case_number = ?", (a,)).fetchone()[0]
        conn.execute("UPDATE outbox SET payload = ? WHERE case_number = ?", (pa, b))
    assert outbox.submission(a) is not None
    with pytest.raises(DecryptionError):
        outbox.submission(b)


def test_key_rotation_keeps_old_rows_readable(store: Store, tmp_path: Path) -> None:
    old_key, new_key = tmp_path / "k1", tmp_path / "k2"
    before = Outbox(store, FieldCipher.from_key_file(old_key))
    old_case = queue(before)
    rotated_cipher = FieldCipher.from_key_file(new_key, old_key_files=[old_key])
    after = Outbox(store, rotated_cipher)
    new_case = queue(after)
    assert after.submission(old_case) is not None
    assert after.submission(new_case) is not None
    with store.read() as conn:
        kids = dict(conn.execute("SELECT case_number, payload FROM outbox"))
    assert FieldCipher.key_id_of(kids[new_case]) == rotated_cipher.kid
    assert FieldCipher.key_id_of(kids[old_case]) != rotated_cipher.kid


# --- States -----------------------------------------------------------------------------------


def test_claim_marks_sending_in_order_and_respects_due_time(timed: Outbox, clock: Clock) -> None:
    cases = [queue(timed) for _ in range(3)]
    claimed = timed.claim_due(T0, limit=2)
    assert [e.case_number for e in claimed] == cases[:2]
    assert all(e.state == "sending" and e.attempts == 1 for e in claimed)
    assert timed.counts() == {"pending": 1, "sending": 2, "delivered": 0, "decided": 0, "failed": 0}
    retry_at = T0 + dt.timedelta(seconds=30)
    retried = timed.mark_retry(claimed[0].id, "HallUnavailableError: HTTP 503", retry_at)
    assert (retried.state, retried.next_attempt_at, retried.last_error) == (
        "pending",
        retry_at,
        "HallUnavailableError: HTTP 503",
    )
    # Only the third is due now; the retried one waits for its time.
    assert [e.case_number for e in timed.claim_due(T0, limit=5)] == [cases[2]]
    assert timed.next_due_at() == retry_at
    [again] = timed.claim_due(retry_at, limit=5)
    assert (again.case_number, again.attempts) == (cases[0], 2)
    assert again.idempotency_key == claimed[0].idempotency_key


def test_delivered_and_failed_are_final(timed: Outbox) -> None:
    a, b = queue(timed), queue(timed)
    ea, eb = timed.claim_due(T0, limit=2)
    done = timed.mark_delivered(ea.id, factories.approved(a))
    assert (done.state, done.status, done.outcome, done.reason_code) == (
        "decided",
        "approved",
        "approved",
        "elder_age_60",
    )
    result = timed.result(a)
    assert result is not None
    assert result.certificate is not None
    assert result.certificate.holder_name == factories.NAME
    failed = timed.mark_failed(eb.id, "hall rejected the request: HTTP 422 unknown_item")
    assert failed.state == "failed"
    assert "422" in (failed.last_error or "")
    assert timed.result(b) is None
    assert timed.counts() == {"pending": 0, "sending": 0, "delivered": 0, "decided": 1, "failed": 1}
    assert timed.claim_due(T0 + dt.timedelta(days=1), limit=5) == []
    with pytest.raises(StoreError, match="is decided"):
        timed.mark_retry(ea.id, "x", T0)
    with pytest.raises(StoreError, match="is failed"):
        timed.mark_delivered(eb.id, factories.approved(b))
    with pytest.raises(StoreError, match="does not exist"):
        timed.mark_failed(999, "x")


def test_pending_row_cannot_be_marked_delivered(timed: Outbox) -> None:
    case = queue(timed)
    entry = timed.get(case)
    assert entry is not None
    with pytest.raises(StoreError, match="is pending"):
        timed.mark_delivered(entry.id, factories.approved(case))
    assert timed.get(case) == entry


def test_resume_in_flight_after_a_crash(db_path: Path, cipher: FieldCipher) -> None:
    with Store(db_path) as store:
        outbox = Outbox(store, cipher)
        case = queue(outbox)
        [claimed] = outbox.claim_due(dt.datetime.now(dt.UTC))
        # The terminal dies here, mid-send.
    with Store(db_path) as store:
        outbox = Outbox(store, cipher)
        assert outbox.get(case).state == "sending"  # type: ignore[union-attr]
        assert outbox.resume_in_flight() == 1
        assert outbox.resume_in_flight() == 0
        [again] = outbox.claim_due(dt.datetime.now(dt.UTC))
        assert again.case_number == case
        assert again.idempotency_key == claimed.idempotency_key
        assert again.attempts == 2


def test_oldest_pending_age(timed: Outbox, clock: Clock) -> None:
    assert timed.oldest_pending_age(T0) is None
    case = queue(timed)
    clock.advance(60)
    queue(timed)
    assert timed.oldest_pending_age(T0 + dt.timedelta(seconds=90)) == 90.0
    [entry] = timed.claim_due(clock.now, limit=1)
    assert entry.case_number == case
    assert timed.oldest_pending_age(T0 + dt.timedelta(seconds=90)) == 90.0  # sending still counts
    timed.mark_delivered(entry.id, factories.approved(case))
    assert timed.oldest_pending_age(T0 + dt.timedelta(seconds=90)) == 30.0


def test_naive_times_are_refused(timed: Outbox) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        timed.claim_due(dt.datetime(2025, 1, 1))


# --- Retention --------------------------------------------------------------------------------


def test_purge_drops_personal_data_but_keeps_the_decision(
    timed: Outbox, clock: Clock, store: Store, db_path: Path
) -> None:
    old, recent, waiting = queue(timed), queue(timed), queue(timed)
    e_old, e_recent = timed.claim_due(T0, limit=2)
    timed.mark_delivered(e_old.id, factories.approved(old))
    clock.advance(10 * 86400)
    timed.mark_delivered(e_recent.id, factories.approved(recent))
    with store.read() as conn:
        sealed = conn.execute(
            "SELECT payload FROM outbox WHERE case_number = ?", (old,)
        ).fetchone()[0]

    assert timed.purge_delivered(older_than=T0 + dt.timedelta(days=7)) == 1
    assert timed.purge_delivered(older_than=T0 + dt.timedelta(days=7)) == 0

    entry = timed.get(old)
    assert entry is not None
    assert (entry.state, entry.status, entry.outcome) == ("decided", "approved", "approved")
    assert entry.purged_at == clock.now
    assert timed.submission(old) is None
    kept = timed.result(old)
    assert kept is not None
    assert kept.certificate is None
    assert kept.decision is not None
    assert kept.decision.outcome == "approved"
    # The recent delivery and the waiting submission keep everything.
    assert timed.submission(recent) is not None
    assert timed.result(recent).certificate is not None  # type: ignore[union-attr]
    assert timed.submission(waiting) is not None
    # With secure_delete the old ciphertext is gone from the file, not just unlinked.
    store.close()
    assert sealed[-64:] not in db_path.read_bytes()


# --- A full disk ------------------------------------------------------------------------------


def test_full_disk_fails_visibly_and_harms_nothing_queued(store: Store, outbox: Outbox) -> None:
    kept = [queue(outbox, materials=[factories.photo(4096, seed=i)]) for i in range(3)]
    with store.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    big = outbox.next_case_number("DEMO01", DAY)
    with pytest.raises(StoreFullError):
        outbox.enqueue(factories.submission(big, materials=[factories.photo(256 * 1024)]))
    assert outbox.get(big) is None
    assert outbox.counts()["pending"] == 3
    for case in kept:
        assert outbox.submission(case) is not None
    with store.read() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("PRAGMA max_page_count = 1073741823")
    # Once space is back, the same submission goes in.
    outbox.enqueue(factories.submission(big, materials=[factories.photo(256 * 1024)]))
    assert outbox.counts()["pending"] == 4
