"""The terminal's event queue: durable, sealed at rest, gone from the disk once delivered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, StoreFullError
from offline_cache.events import EventQueue
from offline_cache.store import Store
from tests.fixtures.disk import fill_disk

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "outbox.db")
    yield s
    s.close()


@pytest.fixture
def queue(store: Store, tmp_path: Path) -> EventQueue:
    cipher = FieldCipher.from_key_file(tmp_path / "field.key")
    return EventQueue(store, cipher, clock=lambda: NOW)


def test_a_posted_event_is_due_at_once_and_opens_to_its_payload(queue: EventQueue) -> None:
    woken: list[bool] = []
    queue.set_wake(lambda: woken.append(True))
    event_id = queue.post("rating", {"level": 4, "reasons": [], "item_id": "elder-card"})
    due = queue.due(NOW, 10)
    assert [e.event_id for e in due] == [event_id]
    assert due[0].kind == "rating"
    assert due[0].payload == {"level": 4, "reasons": [], "item_id": "elder-card"}
    assert due[0].at == NOW
    assert woken == [True]


def test_the_payload_is_sealed_at_rest(queue: EventQueue, tmp_path: Path) -> None:
    queue.post("regulator_report", {"text": "后厨卫生很差 the kitchen is filthy"})
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))
    assert "后厨卫生".encode() not in raw
    assert b"filthy" not in raw


def test_delivered_events_leave_nothing_behind(queue: EventQueue, store: Store) -> None:
    queue.post("rating", {"level": 5})
    queue.mark_delivered([e.row_id for e in queue.due(NOW, 10)])
    assert queue.due(NOW, 10) == []
    assert queue.counts() == {}
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0


def test_a_refused_event_is_kept_failed_without_its_payload(
    queue: EventQueue, store: Store
) -> None:
    queue.post("rating", {"level": 9})
    queue.mark_failed([e.row_id for e in queue.due(NOW, 10)], "invalid_payload")
    assert queue.counts() == {"failed": 1}
    assert queue.due(NOW, 10) == []
    with store.read() as conn:
        assert conn.execute("SELECT payload, last_error FROM events").fetchall() == [
            (None, "invalid_payload")
        ]
    assert queue.purge_failed(NOW + dt.timedelta(seconds=1)) == 1
    assert queue.counts() == {}


def test_a_retried_event_waits_for_its_time(queue: EventQueue) -> None:
    queue.post("rating", {"level": 3})
    later = NOW + dt.timedelta(seconds=30)
    queue.mark_retry([e.row_id for e in queue.due(NOW, 10)], "hall busy", later)
    assert queue.due(NOW, 10) == []
    assert queue.next_due_at() == later
    (again,) = queue.due(later, 10)
    assert again.attempts == 1


def test_events_come_out_oldest_first_in_bounded_batches(queue: EventQueue) -> None:
    ids = [queue.post("rating", {"level": n % 5 + 1}) for n in range(7)]
    assert [e.event_id for e in queue.due(NOW, 3)] == ids[:3]


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("Rating", {"level": 1}),
        ("rating; drop", {"level": 1}),
        ("rating", {"level": float("nan")}),
        ("rating", {"when": dt.date(2026, 1, 1)}),
        ("rating", {"text": "x" * 20_000}),
    ],
)
def test_a_malformed_event_is_refused_before_anything_is_written(
    queue: EventQueue, kind: str, payload: dict[str, object]
) -> None:
    with pytest.raises(CacheError):
        queue.post(kind, payload)
    assert queue.counts() == {}


def test_a_full_disk_refuses_the_event_and_keeps_the_queue(small_fs: Path) -> None:
    store = Store(small_fs / "outbox.db")
    try:
        queue = EventQueue(store, FieldCipher(FieldCipher.generate_key()), clock=lambda: NOW)
        kept = queue.post("rating", {"level": 2})
        filler = fill_disk(small_fs)
        refused = 0
        for _ in range(200):
            try:
                queue.post("rating", {"level": 2, "reasons": ["slow"] * 50})
            except StoreFullError:
                refused += 1
                break
        assert refused == 1, "the full disk never refused an event"
        filler.unlink()
        assert kept in [e.event_id for e in queue.due(NOW, 500)]
    finally:
        store.close()
