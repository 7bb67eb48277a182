"""Terminal events through the real hall: signed, taken once, refused one by one, never lost."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hall import events
from hall.events import EventRejected, Received, TerminalEvent
from hall.schema import EVENTS_PATH, EventBatchCreate, EventCreate
from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError
from offline_cache.events import EventQueue
from offline_cache.hall_client import HallClient
from offline_cache.identity import SignedAuth, load_identity
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.fixtures.hall import HallUnderTest


class NotePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=200)
    stars: int = Field(ge=1, le=5)


TAKEN: list[tuple[str, str, str]] = []
"""(terminal, event id, text) of every note a handler ran for."""


@pytest.fixture(autouse=True)
def note_kind() -> Iterator[None]:
    """A kind of this test's own, registered in the in-process hall for the test only."""

    @events.handles("test_note", NotePayload)
    def take_note(session: Session, terminal_id: str, event: Received[NotePayload]) -> None:
        if event.payload.text == "refuse me":
            raise EventRejected("not_wanted")
        TAKEN.append((terminal_id, event.event_id, event.payload.text))

    TAKEN.clear()
    yield
    events.unregister("test_note")


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        tick.wait(0.02)
    return predicate()


@pytest.fixture
def hall(hall_server_each_db: HallUnderTest) -> HallUnderTest:
    return hall_server_each_db


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "terminal" / "outbox.db")
    yield s
    s.close()


@pytest.fixture
def cipher(tmp_path: Path) -> FieldCipher:
    return FieldCipher.from_key_file(tmp_path / "terminal" / "field.key")


@pytest.fixture
def queue(store: Store, cipher: FieldCipher) -> EventQueue:
    return EventQueue(store, cipher)


@pytest.fixture
def client(hall: HallUnderTest, tmp_path: Path) -> Iterator[HallClient]:
    identity = hall.enrol(tmp_path / "terminal", "EVT01")
    c = HallClient(hall.base_url, connect_timeout=1.0, read_timeout=5.0, identity=identity)
    yield c
    c.close()


@pytest.fixture
def worker(
    store: Store, cipher: FieldCipher, queue: EventQueue, client: HallClient
) -> Iterator[SyncWorker]:
    w = SyncWorker(
        Outbox(store, cipher),
        client,
        base_delay=0.05,
        max_delay=0.2,
        idle_interval=0.5,
        events=queue,
    )
    queue.set_wake(w.wake)
    yield w
    assert w.stop(timeout=2.0)


def recorded(hall: HallUnderTest) -> list[tuple[str, str, str]]:
    db = hall.database()
    try:
        with db.read() as session:
            rows = session.execute(
                select(TerminalEvent.kiosk_id, TerminalEvent.event_id, TerminalEvent.kind)
            ).all()
    finally:
        db.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def test_the_worker_delivers_events_and_keeps_nothing(
    hall: HallUnderTest, queue: EventQueue, worker: SyncWorker
) -> None:
    worker.start()
    first = queue.post("test_note", {"text": "很好 very good", "stars": 5})
    second = queue.post("test_note", {"text": "等了很久", "stars": 2})
    assert wait_until(lambda: len(TAKEN) == 2)
    assert [("EVT01", first, "很好 very good"), ("EVT01", second, "等了很久")] == TAKEN
    assert wait_until(lambda: queue.counts() == {})
    assert sorted(recorded(hall)) == sorted(
        [("EVT01", first, "test_note"), ("EVT01", second, "test_note")]
    )


def test_a_redelivered_event_is_taken_once(hall: HallUnderTest, client: HallClient) -> None:
    event = EventCreate(
        event_id="a" * 32,
        kind="test_note",
        at=dt.datetime.now(dt.UTC),
        payload={"text": "once", "stars": 3},
    )
    first = client.post_events(EventBatchCreate(events=[event]))
    again = client.post_events(EventBatchCreate(events=[event]))
    assert [r.status for r in first.results] == ["accepted"]
    assert [r.status for r in again.results] == ["duplicate"]
    assert [t[2] for t in TAKEN] == ["once"]


def test_bad_events_are_refused_one_by_one_and_the_rest_delivered(
    hall: HallUnderTest, queue: EventQueue, worker: SyncWorker
) -> None:
    unknown = queue.post("no_such_kind", {"text": "?"})
    invalid = queue.post("test_note", {"text": "x", "stars": 9})
    refused = queue.post("test_note", {"text": "refuse me", "stars": 1})
    good = queue.post("test_note", {"text": "fine", "stars": 4})
    worker.start()
    assert wait_until(lambda: queue.counts() == {"failed": 3})
    assert [("EVT01", good, "fine")] == TAKEN
    ids = {r[1] for r in recorded(hall)}
    assert good in ids
    assert not {unknown, invalid, refused} & ids


def test_events_wait_out_a_hall_outage(
    hall: HallUnderTest, queue: EventQueue, worker: SyncWorker
) -> None:
    hall.stop()
    worker.start()
    event_id = queue.post("test_note", {"text": "while the hall was down", "stars": 3})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)

    def tried() -> bool:
        return any(e.event_id == event_id and e.attempts >= 2 for e in queue.due(later, 5))

    assert wait_until(tried)
    assert TAKEN == []
    hall.start()
    assert wait_until(lambda: queue.counts() == {}, timeout=15.0)
    assert [t[1] for t in TAKEN] == [event_id]


def test_an_unsigned_batch_is_refused(hall: HallUnderTest) -> None:
    body = EventBatchCreate(
        events=[
            EventCreate(
                event_id="b" * 32,
                kind="test_note",
                at=dt.datetime.now(dt.UTC),
                payload={"text": "forged", "stars": 5},
            )
        ]
    )
    answer = requests.post(
        hall.base_url + EVENTS_PATH,
        data=body.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert TAKEN == []


def test_text_a_database_cannot_store_is_refused_for_good(
    hall: HallUnderTest, tmp_path: Path, queue: EventQueue, worker: SyncWorker
) -> None:
    # The terminal refuses such a payload at post; a hall must not trust that: a signed batch
    # with a NUL in it is refused whole (422) and nothing of it is stored.
    with pytest.raises(CacheError):
        queue.post("test_note", {"text": "nul\u0000byte", "stars": 3})
    with pytest.raises(CacheError):
        queue.post("test_note", {"text": "lone \ud800 surrogate", "stars": 3})
    identity = load_identity(tmp_path / "terminal")
    raw = (
        '{"events": [{"event_id": "%s", "kind": "test_note", "at": "2026-12-02T09:00:00+00:00",'
        ' "payload": {"text": "nul\\u0000byte", "stars": 3}}]}' % ("c" * 32)
    )
    answer = requests.post(
        hall.base_url + EVENTS_PATH,
        data=raw.encode(),
        headers={"Content-Type": "application/json"},
        auth=SignedAuth(identity, time.time),
        timeout=5,
    )
    assert answer.status_code == 422
    assert TAKEN == []
    assert recorded(hall) == []
