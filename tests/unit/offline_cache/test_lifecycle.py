"""The outbox after delivery: decided, photos stripped, shown/unshown, staff retry, key rotation."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from hall.schema import SubmissionPublic
from offline_cache.crypto import FieldCipher
from offline_cache.errors import DecryptionError, StoreError
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from tests.unit.offline_cache import factories

DAY = dt.date(2025, 3, 14)


def queue(outbox: Outbox, **kwargs: object) -> str:
    case = outbox.next_case_number("DEMO01", DAY)
    outbox.enqueue(factories.submission(case, **kwargs))  # type: ignore[arg-type]
    return case


def accepted(case: str) -> SubmissionPublic:
    """The hall took the case but decides later (no decision in the answer)."""
    return SubmissionPublic(
        case_number=case,
        item_id="elder-card",
        status="accepted",
        received_at=dt.datetime.now(dt.UTC),
    )


def raw_payload(store: Store, case: str) -> bytes:
    with store.read() as conn:
        return bytes(
            conn.execute("SELECT payload FROM outbox WHERE case_number = ?", (case,)).fetchone()[0]
        )


def test_photos_leave_the_sealed_payload_at_delivery(store: Store, outbox: Outbox) -> None:
    photo = factories.photo(size=4096, seed=3)
    case = queue(outbox, materials=[photo])
    before = outbox.submission(case)
    assert before is not None and before.materials[0].data_b64 == photo.data_b64
    sealed_before = raw_payload(store, case)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    done = outbox.mark_delivered(entry.id, factories.approved(case))
    assert done.photos_stripped_at is not None
    after = outbox.submission(case)
    assert after is not None
    # The record of what was sent stays (id, type, hash); the image bytes are gone.
    assert [(m.material_id, m.sha256, m.data_b64) for m in after.materials] == [
        (photo.material_id, photo.sha256, "")
    ]
    assert after.applicant == before.applicant
    assert len(raw_payload(store, case)) < len(sealed_before) - 4096
    assert base64.b64decode(photo.data_b64)[:64] not in raw_payload(store, case)


def test_accepted_then_decided_later(outbox: Outbox) -> None:
    case = queue(outbox)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    delivered = outbox.mark_delivered(entry.id, accepted(case))
    assert (delivered.state, delivered.status, delivered.decided_at) == (
        "delivered",
        "accepted",
        None,
    )
    due = outbox.awaiting_decision(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert [e.case_number for e in due] == [case]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    outbox.schedule_poll(entry.id, later)
    assert outbox.awaiting_decision(dt.datetime.now(dt.UTC)) == []
    still = outbox.mark_decided(entry.id, accepted(case))
    assert still.state == "delivered"
    decided = outbox.mark_decided(entry.id, factories.approved(case))
    assert (decided.state, decided.outcome) == ("decided", "approved")
    assert decided.decided_at is not None
    stored = outbox.result(case)
    assert stored is not None and stored.status == "approved" and stored.certificate is not None
    with pytest.raises(StoreError, match="is decided"):
        outbox.mark_decided(entry.id, factories.approved(case))
    assert outbox.counts()["decided"] == 1


def test_unshown_rows_are_listed_until_shown(outbox: Outbox) -> None:
    shown, lost = queue(outbox), queue(outbox)
    assert outbox.mark_shown(shown) is True
    assert outbox.mark_shown("DEMO01-20250314-99999") is False
    assert [e.case_number for e in outbox.unshown()] == [lost]
    assert outbox.get(shown).shown_at is not None  # type: ignore[union-attr]
    # A row is only "lost" if it was queued before this start-up.
    cutoff = outbox.get(lost).created_at  # type: ignore[union-attr]
    assert outbox.unshown(before=cutoff) == []
    # An unshown row is delivered like any other: the hall must still get it exactly once.
    claimed = outbox.claim_due(dt.datetime.now(dt.UTC), limit=5)
    assert {e.case_number for e in claimed} == {shown, lost}


def test_staff_retry_puts_a_failed_row_back(outbox: Outbox) -> None:
    case = queue(outbox)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    outbox.mark_failed(entry.id, "hall rejected the request: HTTP 422 unknown_item")
    again = outbox.retry(entry.id)
    assert (again.state, again.idempotency_key) == ("pending", entry.idempotency_key)
    [claimed] = outbox.claim_due(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert claimed.case_number == case
    with pytest.raises(StoreError, match="is sending"):
        outbox.retry(entry.id)


def test_key_rotation_keeps_every_queued_record(store: Store, tmp_path: Path) -> None:
    old_key, new_key = tmp_path / "old.key", tmp_path / "new.key"
    before = Outbox(store, FieldCipher.from_key_file(old_key))
    pending = queue(before, materials=[factories.photo()])
    delivered = queue(before)
    [entry] = [
        e for e in before.claim_due(dt.datetime.now(dt.UTC), 5) if e.case_number == delivered
    ]
    before.mark_delivered(entry.id, factories.approved(delivered))
    old_kid = FieldCipher.from_key_file(old_key).kid
    original = before.submission(pending)
    assert original is not None and original.materials[0].data_b64

    rotated = Outbox(store, FieldCipher.from_key_file(new_key, old_key_files=[old_key]))
    assert rotated.key_ids_in_use() == {old_kid: 3}
    assert rotated.reseal(batch=1) == 2
    assert rotated.reseal() == 0
    new_kid = FieldCipher.from_key_file(new_key).kid
    assert rotated.key_ids_in_use() == {new_kid: 3}

    only_new = Outbox(store, FieldCipher.from_key_file(new_key))
    assert only_new.submission(pending) == original
    assert only_new.result(delivered) is not None
    with pytest.raises(DecryptionError):
        Outbox(store, FieldCipher.from_key_file(old_key)).submission(pending)


def test_a_clock_set_back_does_not_hold_a_retry_for_a_day(outbox: Outbox) -> None:
    case = queue(outbox)
    now = dt.datetime.now(dt.UTC)
    [entry] = outbox.claim_due(now)
    # Scheduled 4 minutes ahead; then the clock is set back a whole day.
    outbox.mark_retry(entry.id, "hall busy", now + dt.timedelta(minutes=4))
    yesterday = now - dt.timedelta(days=1)
    horizon = dt.timedelta(minutes=5)
    assert outbox.claim_due(yesterday) == []  # without a horizon: stuck until tomorrow
    [again] = outbox.claim_due(yesterday, horizon=horizon)
    assert again.case_number == case
    # A retry inside the horizon still waits for its time.
    outbox.mark_retry(again.id, "hall busy", yesterday + dt.timedelta(minutes=4))
    assert outbox.claim_due(yesterday, horizon=horizon) == []


def test_a_clock_set_back_does_not_hold_a_print_job(store: Store, cipher: FieldCipher) -> None:
    from offline_cache.print_queue import PrintQueue

    prints = PrintQueue(store, cipher)
    job = prints.enqueue("receipt", "DEMO01-20250314-00001", b"r")
    now = dt.datetime.now(dt.UTC)
    claimed = prints.claim(now, job_id=job.id)
    assert claimed is not None
    prints.mark_retry(claimed.id, "out of paper", now + dt.timedelta(minutes=4))
    yesterday = now - dt.timedelta(days=1)
    assert prints.claim(yesterday) is None
    assert prints.claim(yesterday, horizon=dt.timedelta(minutes=5)) is not None
