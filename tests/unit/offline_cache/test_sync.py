"""The sync worker: backoff with full jitter, delivery, retries, refusals, a prompt stop."""

from __future__ import annotations

import datetime as dt
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from hall.schema import SubmissionPublic
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker, backoff_delay
from tests.unit.offline_cache import factories
from tests.unit.offline_cache.scripted_hall import Recorded, ScriptedHall, error

DAY = dt.date(2025, 3, 14)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    event = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        event.wait(0.01)
    return predicate()


# --- Backoff ----------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", [1, 2, 3, 5, 8, 9, 12, 40])
def test_backoff_stays_within_the_capped_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(300.0, 1.0 * 2 ** (attempt - 1))
    samples = [backoff_delay(attempt, 1.0, 300.0, rng) for _ in range(2000)]
    assert all(0.0 <= s <= ceiling for s in samples)
    # Full jitter: the whole range is used, not just the top of it.
    assert min(samples) < 0.05 * ceiling
    assert max(samples) > 0.95 * ceiling


def test_backoff_never_overflows() -> None:
    rng = random.Random(1)
    assert 0.0 <= backoff_delay(10_000, 1.0, 300.0, rng) <= 300.0
    assert 0.0 <= backoff_delay(0, 1.0, 300.0, rng) <= 1.0


# --- The worker against a scripted hall -------------------------------------------------------


class Script:
    """Answer each POST from a list of statuses per case, then 201 with an approval."""

    def __init__(self) -> None:
        self.plan: dict[str, list[tuple[int, bytes]]] = {}

    def __call__(self, request: Recorded) -> tuple[int, bytes]:
        case = request.json()["case_number"]
        steps = self.plan.get(case)
        if steps:
            return steps.pop(0)
        return 201, factories.approved(case).model_dump_json().encode()


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def hall(script: Script) -> Iterator[ScriptedHall]:
    server = ScriptedHall(script)
    yield server
    server.stop()


class Recorder:
    """Collect the worker's callbacks and let tests wait for them."""

    def __init__(self) -> None:
        self.results: list[tuple[str, SubmissionPublic]] = []
        self.failures: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def on_result(self, case: str, result: SubmissionPublic) -> None:
        self.threads.add(threading.current_thread().name)
        self.results.append((case, result))

    def on_failed(self, case: str, error: str) -> None:
        self.failures.append((case, error))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_worker(
    outbox: Outbox, url: str, recorder: Recorder, **kwargs: object
) -> tuple[SyncWorker, HallClient]:
    options: dict[str, object] = {"base_delay": 0.01, "max_delay": 0.05, "idle_interval": 30.0}
    options.update(kwargs)
    client = HallClient(url, connect_timeout=1.0, read_timeout=float(options.pop("read", 5.0)))  # type: ignore[arg-type]
    worker = SyncWorker(
        outbox,
        client,
        on_result=recorder.on_result,
        on_failed=recorder.on_failed,
        **options,  # type: ignore[arg-type]
    )
    return worker, client


@pytest.fixture
def run_worker(
    outbox: Outbox, hall: ScriptedHall, recorder: Recorder
) -> Iterator[Callable[..., SyncWorker]]:
    started: list[tuple[SyncWorker, HallClient]] = []

    def run(**kwargs: object) -> SyncWorker:
        worker, client = make_worker(outbox, hall.base_url, recorder, **kwargs)
        worker.start()
        started.append((worker, client))
        return worker

    yield run
    for worker, client in started:
        assert worker.stop(timeout=2.0)
        client.close()


def queue(outbox: Outbox) -> str:
    case = outbox.next_case_number("DEMO01", DAY)
    outbox.enqueue(factories.submission(case))
    return case


def test_wake_delivers_at_once_and_reports_from_the_worker_thread(
    outbox: Outbox, run_worker: Callable[..., SyncWorker], recorder: Recorder, hall: ScriptedHall
) -> None:
    worker = run_worker()  # idle_interval is 30 s: only wake() can make this prompt
    assert worker.last_sync is None
    cases = [queue(outbox) for _ in range(3)]
    worker.wake()
    assert wait_until(lambda: len(recorder.results) == 3)
    assert [c for c, _ in recorder.results] == cases
    assert recorder.threads == {"outbox-sync"}
    assert outbox.counts()["decided"] == 3
    assert [r.json()["case_number"] for r in hall.posted()] == cases
    assert outbox.result(cases[0]) == recorder.results[0][1]
    assert worker.last_sync is not None


def test_unavailable_hall_backs_off_then_delivers_with_the_same_key(
    outbox: Outbox,
    run_worker: Callable[..., SyncWorker],
    recorder: Recorder,
    hall: ScriptedHall,
    script: Script,
) -> None:
    case = queue(outbox)
    script.plan[case] = [error(503, "down"), error(429, "slow"), error(409, "in_progress")]
    run_worker()
    assert wait_until(lambda: len(recorder.results) == 1)
    entry = outbox.get(case)
    assert entry is not None
    assert (entry.state, entry.attempts, entry.last_error) == ("decided", 4, None)
    keys = {r.headers["Idempotency-Key"] for r in hall.posted()}
    assert keys == {entry.idempotency_key}


def test_refused_entry_fails_and_the_queue_goes_on(
    outbox: Outbox, run_worker: Callable[..., SyncWorker], recorder: Recorder, script: Script
) -> None:
    bad, good = queue(outbox), queue(outbox)
    script.plan[bad] = [error(422, "unknown_item")]
    run_worker()
    assert wait_until(lambda: len(recorder.results) == 1 and len(recorder.failures) == 1)
    assert recorder.failures == [(bad, "hall rejected the request: HTTP 422 unknown_item")]
    assert recorder.results[0][0] == good
    failed = outbox.get(bad)
    assert failed is not None
    assert failed.state == "failed"
    assert failed.last_error is not None
    assert "unknown_item" in failed.last_error


def test_in_flight_entries_are_resumed_at_start(
    outbox: Outbox, run_worker: Callable[..., SyncWorker], recorder: Recorder
) -> None:
    case = queue(outbox)
    [claimed] = outbox.claim_due(dt.datetime.now(dt.UTC))  # a previous run died mid-send
    run_worker()
    assert wait_until(lambda: len(recorder.results) == 1)
    entry = outbox.get(case)
    assert entry is not None
    assert (entry.state, entry.idempotency_key) == ("decided", claimed.idempotency_key)


def test_a_failing_callback_does_not_stop_delivery(
    outbox: Outbox, hall: ScriptedHall, recorder: Recorder
) -> None:
    def explode(case: str, result: SubmissionPublic) -> None:
        recorder.results.append((case, result))
        raise RuntimeError("ui went away")

    client = HallClient(hall.base_url)
    worker = SyncWorker(outbox, client, on_result=explode, base_delay=0.01)
    worker.start()
    try:
        queue(outbox)
        queue(outbox)
        worker.wake()
        assert wait_until(lambda: len(recorder.results) == 2)
        assert worker.running
    finally:
        assert worker.stop()
        client.close()


def test_unreadable_payload_goes_to_staff(
    store: Store, outbox: Outbox, hall: ScriptedHall, recorder: Recorder
) -> None:
    case = queue(outbox)
    # The terminal's key file was replaced: the row can no longer be opened.
    stranger = Outbox(store, FieldCipher(FieldCipher.generate_key()))
    worker, client = make_worker(stranger, hall.base_url, recorder)
    worker.start()
    try:
        assert wait_until(lambda: len(recorder.failures) == 1)
    finally:
        assert worker.stop()
        client.close()
    assert recorder.failures[0][0] == case
    assert recorder.failures[0][1].startswith("payload unreadable")
    assert outbox.get(case).state == "failed"  # type: ignore[union-attr]
    assert hall.posted() == []


def test_stop_is_prompt_when_idle(outbox: Outbox, hall: ScriptedHall, recorder: Recorder) -> None:
    worker, client = make_worker(outbox, hall.base_url, recorder, idle_interval=600.0)
    worker.start()
    assert wait_until(lambda: worker.running)
    started = time.monotonic()
    assert worker.stop(timeout=2.0)
    assert time.monotonic() - started < 2.0
    assert not worker.running
    assert worker.stop()  # a second stop is harmless
    client.close()


def test_stop_cuts_a_hanging_request_short(outbox: Outbox, recorder: Recorder) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(5.0)
        host, port = listener.getsockname()
        case = queue(outbox)
        # The read timeout is far longer than stop()'s budget: only the abort can end the wait.
        worker, client = make_worker(outbox, f"http://{host}:{port}", recorder, read=60.0)
        worker.start()
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5.0)
            assert conn.recv(4096).startswith(b"POST ")
            assert outbox.get(case).state == "sending"  # type: ignore[union-attr]
            assert worker.stop(timeout=2.0)
        client.close()
    entry = outbox.get(case)
    assert entry is not None
    assert entry.state == "pending"
    assert entry.last_error is not None
    assert "aborted" in entry.last_error


def test_a_batch_stops_at_the_first_unreachable_answer_and_hands_back_the_rest(
    outbox: Outbox, recorder: Recorder, hall: ScriptedHall, script: Script
) -> None:
    first, second, *rest = [queue(outbox) for _ in range(5)]
    # The first row goes through, the second meets a hall that is down; the other three
    # were claimed in the same batch but must not be charged an attempt they never made.
    script.plan[second] = [error(503, "down")] * 50
    worker, client = make_worker(outbox, hall.base_url, recorder, base_delay=30.0, max_delay=60.0)
    try:
        worker._drain()
    finally:
        client.close()
    states = {case: outbox.get(case) for case in (first, second, *rest)}
    assert states[first] is not None and states[first].state == "decided"
    assert states[second] is not None
    assert (states[second].state, states[second].attempts) == ("pending", 1)
    for case in rest:
        entry = states[case]
        assert entry is not None
        assert (entry.state, entry.attempts) == ("pending", 0), case
    assert [r.json()["case_number"] for r in hall.posted()] == [first, second]


def test_release_touches_only_rows_still_claimed(outbox: Outbox) -> None:
    a, b = queue(outbox), queue(outbox)
    claimed = outbox.claim_due(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), limit=2)
    assert [e.case_number for e in claimed] == [a, b]
    outbox.mark_delivered(claimed[0].id, factories.approved(a))
    assert outbox.release([e.id for e in claimed]) == 1
    entry_a, entry_b = outbox.get(a), outbox.get(b)
    assert entry_a is not None and entry_a.state == "decided"
    assert entry_b is not None and (entry_b.state, entry_b.attempts) == ("pending", 0)
