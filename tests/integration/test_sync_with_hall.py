"""The outbox and the sync worker against the real hall over loopback HTTP.

Online delivery, an outage of the hall (stop, then start on the same port), a lost answer
resent after a crash, a permanent refusal, and the client's timeouts against a silent socket.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hall.schema import SubmissionPublic, verify_certificate_qr
from offline_cache.crypto import FieldCipher
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.fixtures.hall import HallUnderTest
from tests.unit.offline_cache import factories


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        tick.wait(0.02)
    return predicate()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "terminal" / "outbox.sqlite3")
    yield s
    s.close()


@pytest.fixture
def outbox(store: Store, tmp_path: Path) -> Outbox:
    return Outbox(store, FieldCipher.from_key_file(tmp_path / "terminal" / "field.key"))


@pytest.fixture
def client(hall_server: HallUnderTest) -> Iterator[HallClient]:
    c = HallClient(hall_server.base_url, connect_timeout=1.0, read_timeout=5.0)
    yield c
    c.close()


class Callbacks:
    """The worker's results and failures, as the kiosk would receive them."""

    def __init__(self) -> None:
        self.results: dict[str, SubmissionPublic] = {}
        self.failures: dict[str, str] = {}

    def on_result(self, case: str, result: SubmissionPublic) -> None:
        self.results[case] = result

    def on_failed(self, case: str, error: str) -> None:
        self.failures[case] = error


@pytest.fixture
def callbacks() -> Callbacks:
    return Callbacks()


@pytest.fixture
def worker(outbox: Outbox, client: HallClient, callbacks: Callbacks) -> Iterator[SyncWorker]:
    w = SyncWorker(
        outbox,
        client,
        on_result=callbacks.on_result,
        on_failed=callbacks.on_failed,
        base_delay=0.05,
        max_delay=0.2,
        idle_interval=1.0,
    )
    yield w
    assert w.stop(timeout=2.0)


def queue(outbox: Outbox, item_id: str = "elder-card") -> str:
    case = outbox.next_case_number("DEMO01", dt.date.today())
    outbox.enqueue(factories.submission(case, item_id=item_id))
    return case


def test_online_delivery_stores_the_decision(
    outbox: Outbox,
    client: HallClient,
    worker: SyncWorker,
    callbacks: Callbacks,
    hall_server: HallUnderTest,
) -> None:
    worker.start()
    case = queue(outbox)
    worker.wake()
    assert wait_until(lambda: case in callbacks.results)
    result = outbox.result(case)
    assert result == callbacks.results[case] == client.get_submission(case)
    assert result is not None
    assert result.status == "approved"
    assert result.decision is not None
    assert result.decision.outcome == "approved"
    assert result.certificate is not None
    assert result.certificate.holder_name == factories.NAME
    check = verify_certificate_qr(result.certificate.qr_payload, client.keys(), dt.date.today())
    assert check.status == "genuine"
    assert client.progress(case).case_number == case
    assert hall_server.count_submissions(case_number=case) == 1
    assert worker.last_sync is not None
    assert outbox.counts() == {"pending": 0, "sending": 0, "delivered": 0, "decided": 1, "failed": 0}


def test_outage_keeps_entries_pending_then_delivers_exactly_once(
    outbox: Outbox, worker: SyncWorker, callbacks: Callbacks, hall_server: HallUnderTest
) -> None:
    hall_server.stop()
    worker.start()
    cases = [queue(outbox), queue(outbox)]
    worker.wake()

    def retried() -> bool:
        entries = [outbox.get(c) for c in cases]
        return all(e is not None and e.attempts >= 2 and e.last_error for e in entries)

    assert wait_until(retried)
    assert outbox.counts()["delivered"] == outbox.counts()["decided"] == 0
    assert not callbacks.results

    hall_server.start()  # same port again
    worker.wake()
    assert wait_until(lambda: set(callbacks.results) == set(cases))
    for case in cases:
        entry = outbox.get(case)
        assert entry is not None
        assert entry.state == "decided"
        assert entry.outcome == "approved"
        assert hall_server.count_submissions(case_number=case) == 1
        assert hall_server.count_submissions(idempotency_key=entry.idempotency_key) == 1
        stored = outbox.result(case)
        assert stored is not None
        assert stored.decision is not None


def test_answer_lost_mid_send_is_resent_without_a_duplicate(
    outbox: Outbox,
    client: HallClient,
    worker: SyncWorker,
    callbacks: Callbacks,
    hall_server: HallUnderTest,
) -> None:
    case = queue(outbox)
    [entry] = outbox.claim_due(dt.datetime.now(dt.UTC))
    submission = outbox.submission(case)
    assert submission is not None
    first = client.submit(submission, entry.idempotency_key)
    # The terminal died before recording the answer: the row is still "sending".
    assert outbox.get(case).state == "sending"  # type: ignore[union-attr]
    worker.start()
    assert wait_until(lambda: case in callbacks.results)
    assert callbacks.results[case] == first
    assert hall_server.count_submissions(case_number=case) == 1


def test_permanent_refusal_fails_and_the_queue_continues(
    outbox: Outbox, worker: SyncWorker, callbacks: Callbacks, hall_server: HallUnderTest
) -> None:
    bad = queue(outbox, item_id="no-such-item")
    good = queue(outbox)
    worker.start()
    assert wait_until(lambda: bad in callbacks.failures and good in callbacks.results)
    assert "422 unknown_item" in callbacks.failures[bad]
    failed = outbox.get(bad)
    assert failed is not None
    assert failed.state == "failed"
    assert outbox.submission(bad) is not None  # kept for staff
    assert hall_server.count_submissions(case_number=bad) == 0
    assert outbox.counts() == {"pending": 0, "sending": 0, "delivered": 0, "decided": 1, "failed": 1}


def test_rejections_from_the_real_hall_carry_its_codes(client: HallClient) -> None:
    with pytest.raises(HallRejectedError) as caught:
        client.get_submission("DEMO01-20000101-00001")
    assert (caught.value.status, caught.value.code) == (404, "case_not_found")
    assert client.health() is True
    assert client.catalog().item("elder-card").instant


@pytest.fixture
def silent_listener() -> Iterator[tuple[str, int]]:
    """A loopback socket that takes connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()


@pytest.mark.parametrize("read_timeout", [0.3, 0.6])
def test_client_timeouts_are_bounded_by_read_timeout(
    silent_listener: tuple[str, int], read_timeout: float
) -> None:
    host, port = silent_listener
    with HallClient(
        f"http://{host}:{port}", connect_timeout=1.0, read_timeout=read_timeout
    ) as client:
        calls: list[Callable[[], object]] = [
            lambda: client.submit(factories.submission("DEMO01-20250314-00001"), "k"),
            client.catalog,
            lambda: client.progress("DEMO01-20250314-00001"),
        ]
        for call in calls:
            started = time.monotonic()
            with pytest.raises(HallUnavailableError, match="timed out"):
                call()
            elapsed = time.monotonic() - started
            assert read_timeout * 0.9 <= elapsed < read_timeout + 1.0
        started = time.monotonic()
        assert client.health() is False
        assert time.monotonic() - started < read_timeout + 1.0
