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
from offline_cache.identity import SignedAuth, load_identity
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.fixtures.disk import fill_disk
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
def hall_server(hall_server_each_db: HallUnderTest) -> HallUnderTest:
    """Delivery exactly once is proved against the hall on SQLite and on PostgreSQL."""
    return hall_server_each_db


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "terminal" / "outbox.sqlite3")
    yield s
    s.close()


@pytest.fixture
def outbox(store: Store, tmp_path: Path) -> Outbox:
    return Outbox(store, FieldCipher.from_key_file(tmp_path / "terminal" / "field.key"))


@pytest.fixture
def client(hall_server: HallUnderTest, tmp_path: Path) -> Iterator[HallClient]:
    # Enrolled the real way, as the factories' terminal; the key pair beside the field key.
    identity = hall_server.enrol(tmp_path / "terminal", "DEMO01")
    c = HallClient(hall_server.base_url, connect_timeout=1.0, read_timeout=5.0, identity=identity)
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
    assert outbox.counts() == {
        "pending": 0,
        "sending": 0,
        "delivered": 0,
        "decided": 1,
        "failed": 0,
    }


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
    assert outbox.counts() == {
        "pending": 0,
        "sending": 0,
        "delivered": 0,
        "decided": 1,
        "failed": 1,
    }


def test_a_damaged_material_fails_with_the_halls_code_for_staff(
    outbox: Outbox, worker: SyncWorker, callbacks: Callbacks, hall_server: HallUnderTest
) -> None:
    photo = factories.photo()
    damaged = photo.model_copy(update={"sha256": "0" * 64})
    case = outbox.next_case_number("DEMO01", dt.date.today())
    outbox.enqueue(factories.submission(case, materials=[damaged]))
    worker.start()
    assert wait_until(lambda: case in callbacks.failures)
    assert "422 material_digest_mismatch" in callbacks.failures[case]
    failed = outbox.get(case)
    assert failed is not None
    assert failed.state == "failed"
    assert failed.last_error is not None
    assert "material_digest_mismatch" in failed.last_error
    assert hall_server.count_submissions(case_number=case) == 0


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


# --- Housekeeping: decisions fetched later, purge, checkpoint, catalog, heartbeats ---------------


def decide_in_the_hall(hall_server: HallUnderTest, case: str) -> None:
    """A clerk at the hall approves a case that was only accepted (what the back office does)."""
    from sqlalchemy import select

    from hall.db import Decision, Submission

    db = hall_server.database()
    try:
        with db.write() as session:
            row = session.scalar(select(Submission).where(Submission.case_number == case))
            assert row is not None and row.status == "accepted"
            row.status = "approved"
            session.add(
                Decision(
                    submission_id=row.id, outcome="approved", decided_at=dt.datetime.now(dt.UTC)
                )
            )
    finally:
        db.dispose()


def housekeeping_worker(
    outbox: Outbox, client: HallClient, callbacks: Callbacks, **kwargs: object
) -> SyncWorker:
    from offline_cache.sync import Housekeeping

    options: dict[str, object] = {
        "decision_poll_s": 0.1,
        "checkpoint_every_s": None,
        "catalog_every_s": None,
        "heartbeat_every_s": None,
    }
    options.update(kwargs.pop("housekeeping", {}))  # type: ignore[arg-type]
    return SyncWorker(
        outbox,
        client,
        on_result=callbacks.on_result,
        on_failed=callbacks.on_failed,
        base_delay=0.05,
        max_delay=0.2,
        idle_interval=0.5,
        housekeeping=Housekeeping(**options),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_decision_made_later_is_fetched_by_polling(
    outbox: Outbox, client: HallClient, callbacks: Callbacks, hall_server: HallUnderTest
) -> None:
    worker = housekeeping_worker(outbox, client, callbacks)
    worker.start()
    try:
        case = queue(outbox, item_id="sole-proprietor-registration")
        worker.wake()
        assert wait_until(lambda: outbox.get(case).state == "delivered")  # type: ignore[union-attr]
        assert callbacks.results[case].status == "accepted"
        decide_in_the_hall(hall_server, case)
        assert wait_until(lambda: outbox.get(case).state == "decided")  # type: ignore[union-attr]
        entry = outbox.get(case)
        assert entry is not None and (entry.status, entry.outcome) == ("approved", "approved")
        assert callbacks.results[case].status == "approved"
        assert hall_server.count_submissions(case_number=case) == 1
    finally:
        assert worker.stop()


def test_the_worker_purges_after_retention_and_keeps_the_wal_small(
    outbox: Outbox, store: Store, client: HallClient, callbacks: Callbacks
) -> None:
    worker = housekeeping_worker(
        outbox,
        client,
        callbacks,
        housekeeping={
            "retention": dt.timedelta(0),
            "purge_every_s": 0.1,
            "checkpoint_every_s": 0.1,
        },
    )
    worker.start()
    try:
        case = queue(outbox)
        worker.wake()
        assert wait_until(lambda: case in callbacks.results)
        assert wait_until(lambda: outbox.get(case).purged_at is not None)  # type: ignore[union-attr]
        assert outbox.submission(case) is None
        assert wait_until(lambda: store.last_checkpoint is not None and store.wal_size() == 0)
        assert wait_until(lambda: store.get_meta("last_sync") is not None)
    finally:
        assert worker.stop()


def test_catalog_etag_makes_an_unchanged_catalog_free_and_a_bad_one_is_refused(
    store: Store, client: HallClient
) -> None:
    from hall.schema import CatalogPublic
    from offline_cache.catalog import CatalogRejectedError, CatalogStore

    shipped = CatalogPublic(version="shipped", items=client.catalog().items[:1])
    catalogs = CatalogStore(store, shipped)
    assert catalogs.version == "shipped" and catalogs.etag is None
    assert catalogs.refresh(client) is True
    hall_version = catalogs.version
    assert hall_version != "shipped"
    assert catalogs.etag == f'"{hall_version}"'
    assert client.catalog_if_changed(catalogs.etag) == (None, catalogs.etag)
    assert catalogs.refresh(client) is False
    # A restart offline works from the saved copy.
    assert CatalogStore(store, shipped)().version == hall_version

    def refuse(_: CatalogPublic) -> None:
        raise CatalogRejectedError("no")

    # The saved ETag is stale, so the hall sends its catalog in full, and it fails validation.
    store.put_meta("catalog_etag", b'"stale"')
    strict = CatalogStore(store, shipped, validate=refuse)
    with pytest.raises(CatalogRejectedError):
        strict.refresh(client)
    assert strict.version == hall_version
    assert CatalogStore(store, shipped)().version == hall_version


def test_heartbeats_reach_the_dashboard_within_8_kb(
    outbox: Outbox,
    client: HallClient,
    callbacks: Callbacks,
    hall_server: HallUnderTest,
    tmp_path: Path,
) -> None:
    from hall.schema import HEARTBEAT_MAX_BYTES, HeartbeatCreate, TerminalsPublic
    from offline_cache.heartbeat import encoded_size

    def beat() -> HeartbeatCreate:
        return HeartbeatCreate(
            kiosk_id="DEMO01",
            sent_at=dt.datetime.now(dt.UTC),
            app_version="1.0",
            catalog_version="2025.1",
            outbox_depth=sum(outbox.counts()[s] for s in ("pending", "sending")),
            devices={f"device-{i}": "paper_out " * 40 for i in range(60)},
            detail="状态详情 " * 3000,
        )

    oversized = beat()
    assert encoded_size(oversized) > HEARTBEAT_MAX_BYTES
    with pytest.raises(HallRejectedError) as caught:
        client.heartbeat(oversized)
    assert (caught.value.status, caught.value.code) == (413, "heartbeat_too_large")

    worker = housekeeping_worker(
        outbox, client, callbacks, heartbeat=beat, housekeeping={"heartbeat_every_s": 0.2}
    )
    worker.start()
    try:
        import requests

        def seen() -> TerminalsPublic:
            answer = requests.get(
                hall_server.base_url + "/api/v1/terminals",
                timeout=5,
                auth=SignedAuth(load_identity(tmp_path / "terminal")),
            )
            return TerminalsPublic.model_validate_json(answer.content)

        assert wait_until(lambda: len(seen().terminals) == 1)
        [terminal] = seen().terminals
        assert terminal.kiosk_id == "DEMO01"
        assert terminal.heartbeat.catalog_version == "2025.1"
        assert encoded_size(terminal.heartbeat) <= HEARTBEAT_MAX_BYTES
        assert worker.last_heartbeat_error is None
        assert client.clock_offset is not None and abs(client.clock_offset) < 2.0
    finally:
        assert worker.stop()


def test_the_terminals_own_report_reaches_the_dashboard(
    outbox: Outbox,
    store: Store,
    client: HallClient,
    callbacks: Callbacks,
    hall_server: HallUnderTest,
    tmp_path: Path,
) -> None:
    import requests

    from hall.schema import HEARTBEAT_MAX_BYTES, TerminalsPublic
    from kiosk.services.heartbeat import TerminalReport
    from offline_cache.heartbeat import encoded_size
    from offline_cache.print_queue import PrintQueue

    prints = PrintQueue(store, FieldCipher(FieldCipher.generate_key()))
    stuck = prints.enqueue("receipt", "DEMO01-20250314-00001", b"r")
    claimed = prints.claim(dt.datetime.now(dt.UTC), job_id=stuck.id)
    assert claimed is not None
    prints.mark_retry(claimed.id, "ReceiptPaperOutError: out of paper", dt.datetime.now(dt.UTC))
    lost = queue(outbox)  # queued, never shown: the terminal "died" before the receipt
    report = TerminalReport(
        kiosk_id="DEMO01",
        app_version="0.1.0",
        outbox=outbox,
        print_queue=prints,
        catalog_version=lambda: "2025.1",
        last_sync=lambda: None,
        clock_offset=lambda: client.clock_offset,
    )
    hall_server.stop()  # the first report is built offline: the outbox is still full
    offline = report()
    assert (offline.outbox_depth, offline.print_queue_depth) == (1, 1)
    assert offline.devices["receipt_printer"].startswith("not printing: ReceiptPaperOutError")
    assert lost in offline.detail and offline.wal_bytes is not None
    assert encoded_size(offline) <= HEARTBEAT_MAX_BYTES
    # A citizen submitting right now is not "never shown": only rows from before the start are.
    waiting = queue(outbox)
    assert waiting not in report().detail and lost in report().detail
    hall_server.start()

    worker = housekeeping_worker(
        outbox, client, callbacks, heartbeat=report, housekeeping={"heartbeat_every_s": 0.2}
    )
    worker.start()
    try:
        worker.wake()

        def dashboard() -> TerminalsPublic:
            answer = requests.get(
                hall_server.base_url + "/api/v1/terminals",
                timeout=5,
                auth=SignedAuth(load_identity(tmp_path / "terminal")),
            )
            return TerminalsPublic.model_validate_json(answer.content)

        assert wait_until(lambda: any(t.heartbeat.outbox_depth == 0 for t in dashboard().terminals))
        [terminal] = dashboard().terminals
        assert terminal.heartbeat.print_queue_depth == 1
        assert terminal.heartbeat.clock_offset_s is not None
        assert abs(terminal.heartbeat.clock_offset_s) < 2.0
    finally:
        assert worker.stop()


def test_a_full_disk_still_delivers_every_queued_case(
    small_fs: Path,
    tmp_path: Path,
    client: HallClient,
    callbacks: Callbacks,
    hall_server: HallUnderTest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Cases queued while the link was down; then another program fills the data disk. Claiming
    # a row is a write, so before, nothing went out and a traceback was logged every round.
    store = Store(small_fs / "outbox.db")
    outbox = Outbox(store, FieldCipher.from_key_file(tmp_path / "field.key"))
    cases = [queue(outbox) for _ in range(16)]
    filler = fill_disk(small_fs)
    worker = SyncWorker(
        outbox,
        client,
        on_result=callbacks.on_result,
        on_failed=callbacks.on_failed,
        base_delay=0.05,
        max_delay=0.2,
        idle_interval=0.3,
    )
    try:
        worker.start()
        assert wait_until(lambda: set(cases) <= set(callbacks.results), timeout=20.0)
        assert all(hall_server.count_submissions(case_number=case) == 1 for case in cases)
        assert outbox.full_since is not None
        # Nothing could be written down yet, and nothing is sent twice meanwhile.
        assert outbox.counts()["pending"] == len(cases)
        time.sleep(1.0)
        assert all(hall_server.count_submissions(case_number=case) == 1 for case in cases)
        assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"

        filler.unlink()
        worker.wake()
        assert wait_until(lambda: outbox.counts().get("decided", 0) == len(cases), timeout=20.0)
        for case in cases:
            assert outbox.result(case) == callbacks.results[case]
        assert callbacks.failures == {}
    finally:
        assert worker.stop(timeout=2.0)
        store.close()
