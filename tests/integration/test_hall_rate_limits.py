"""Per-terminal rate limits: 429 with ``Retry-After``, held across ``serve --workers 2``, honoured
by the terminal's ``HallClient`` and ``SyncWorker``."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.fleet import process_tree, start_hall
from hall.db import Database
from hall.identity import IdentityService
from hall.limits import TerminalRequestWindow
from hall.schema import HEARTBEATS_PATH, HeartbeatCreate
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallBusyError, HallClient, parse_retry_after
from offline_cache.identity import TerminalIdentity, enrol
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.fixtures.hall import HallUnderTest, demo_applicant, hall_settings, make_submission
from tests.fixtures.pgcluster import PostgresCluster


def _beat(kiosk_id: str) -> HeartbeatCreate:
    return HeartbeatCreate(
        kiosk_id=kiosk_id, sent_at=dt.datetime.now(dt.UTC), app_version="1", outbox_depth=0
    )


def _used(database_url: str, kiosk_id: str) -> int:
    db = Database(database_url)
    try:
        with db.read() as session:
            row = session.get(TerminalRequestWindow, kiosk_id)
            return 0 if row is None else row.used
    finally:
        db.dispose()


@pytest.fixture
def limited_hall(tmp_path: Path, hall_database_url: str) -> Iterator[HallUnderTest]:
    """A hall allowing each terminal 3 signed requests an hour."""
    settings = hall_settings(
        tmp_path,
        database_url=hall_database_url,
        rate_limit_requests=3,
        rate_limit_window_s=3600,
    )
    hall = HallUnderTest(settings)
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


def test_over_the_limit_429_with_retry_after_and_the_client_sends_nothing_until_then(
    limited_hall: HallUnderTest, tmp_path: Path
) -> None:
    identity = limited_hall.enrol(tmp_path / "t1", "kiosk-001")
    neighbour = limited_hall.enrol(tmp_path / "t2", "kiosk-002")
    url = limited_hall.settings.database_url
    with HallClient(limited_hall.base_url, identity=identity) as client:
        for _ in range(3):
            client.heartbeat(_beat("kiosk-001"))
        with pytest.raises(HallBusyError) as busy:
            client.heartbeat(_beat("kiosk-001"))
        assert 0 < busy.value.retry_after <= 3600
        assert _used(url, "kiosk-001") == 4
        # Honoured: nothing more reaches the hall while the wait runs (its count stays).
        with pytest.raises(HallBusyError) as again:
            client.progress("K001-20261122-00001")
        assert 0 < again.value.retry_after <= busy.value.retry_after
        assert _used(url, "kiosk-001") == 4
    # On the wire: 429, the stable code, and Retry-After in whole seconds.
    raw = _beat("kiosk-001").model_dump_json().encode()
    signed = identity.sign("POST", HEARTBEATS_PATH, raw, time.time())
    answer = httpx.post(limited_hall.base_url + HEARTBEATS_PATH, content=raw, headers=signed)
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited"
    assert 1 <= int(answer.headers["Retry-After"]) <= 3600
    # Another terminal has its own budget.
    with HallClient(limited_hall.base_url, identity=neighbour) as other:
        assert other.heartbeat(_beat("kiosk-002")).kiosk_id == "kiosk-002"


def test_the_sync_worker_waits_at_least_retry_after_before_sending_again(
    limited_hall: HallUnderTest, tmp_path: Path
) -> None:
    identity = limited_hall.enrol(tmp_path / "t1", "kiosk-001")
    with HallClient(limited_hall.base_url, identity=identity) as spender:
        for _ in range(3):  # the hour's budget is spent
            spender.heartbeat(_beat("kiosk-001"))
    store = Store(tmp_path / "cache" / "outbox.sqlite3")
    outbox = Outbox(store, FieldCipher.from_key_file(tmp_path / "keys" / "field.key"))
    entry = outbox.enqueue(make_submission("elder-card", demo_applicant("王秀英")))
    client = HallClient(limited_hall.base_url, identity=identity)
    # Its own backoff alone would retry within 50 ms.
    worker = SyncWorker(outbox, client, base_delay=0.01, max_delay=0.05, idle_interval=30.0)
    hour_ends = dt.datetime.fromtimestamp((int(time.time()) // 3600 + 1) * 3600, dt.UTC)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            seen = outbox.get(entry.case_number)
            # The attempt is counted when the row is claimed, before the hall answers: wait for
            # its outcome, or stopping the worker would cut the request short (``aborted``).
            if seen is not None and seen.attempts >= 1 and seen.last_error is not None:
                break
            time.sleep(0.05)
        assert worker.stop()
    finally:
        client.close()
    retried = outbox.get(entry.case_number)
    store.close()
    assert retried is not None and retried.attempts == 1 and retried.state == entry.state
    # Its last error says what the hall said (once, the test itself aborted the request).
    assert retried.next_attempt_at >= hour_ends - dt.timedelta(seconds=2), retried.last_error
    assert _used(limited_hall.settings.database_url, "kiosk-001") == 4  # sent once, not again


def test_retry_after_parses_seconds_and_dates_and_caps_them() -> None:
    now = 1_764_666_000.0  # 2025-12-02 09:00:00 UTC
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Tue, 02 Dec 2025 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 02 Dec 2025 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("99999999", now) == 3600.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.fixture
def two_limited_workers(
    pg_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, int]]:
    """``kiosk-hall serve --workers 2`` over one PostgreSQL database, 5 requests an hour each."""
    monkeypatch.setenv("HALL_RATE_LIMIT_REQUESTS", "5")
    monkeypatch.setenv("HALL_RATE_LIMIT_WINDOW_S", "3600")
    database_url = pg_cluster.create_database(f"limits_{os.getpid()}_{time.monotonic_ns()}")
    hall = start_hall(database_url, tmp_path, workers=2)
    try:
        yield f"http://127.0.0.1:{hall.port}", database_url, hall.process.pid
    finally:
        hall.stop()


def _socket_owners(pids: list[int]) -> dict[int, int]:
    """Socket inode -> the pid holding it, for these processes."""
    owners = {}
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                owners[int(target[8:-1])] = pid
    return owners


def _server_side_inode(server_port: int, client_port: int) -> int | None:
    """The inode of the hall's end of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port == client_port:
            return int(fields[9])
    return None


def test_the_limit_holds_across_two_workers(
    two_limited_workers: tuple[str, str, int], tmp_path: Path
) -> None:
    base, database_url, supervisor = two_limited_workers
    port = int(base.rsplit(":", 1)[1])
    db = Database(database_url)
    try:
        code = IdentityService(db).create_code("kiosk-001")
    finally:
        db.dispose()
    identity: TerminalIdentity = enrol(base, code, tmp_path / "terminal")

    def beat(client: httpx.Client) -> tuple[int, str | None, int | None]:
        raw = _beat("kiosk-001").model_dump_json().encode()
        signed = identity.sign("POST", HEARTBEATS_PATH, raw, time.time())
        answer = client.post(HEARTBEATS_PATH, content=raw, headers=signed)
        # Which worker answered: the process holding the hall's end of this connection.
        stream = answer.extensions["network_stream"]
        client_port = stream.get_extra_info("client_addr")[1]
        return answer.status_code, answer.headers.get("Retry-After"), client_port

    # Rounds of 24 fresh connections until both workers have answered some: which process
    # accepts a connection is the kernel's choice, and a busy machine once gave one all 24.
    answers: list[tuple[int, str | None, int | None]] = []
    served_by: set[int | None] = set()
    for _ in range(5):
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(24)]
        try:
            with ThreadPoolExecutor(max_workers=12) as pool:
                batch = list(pool.map(beat, clients))
            workers = [pid for pid in process_tree(supervisor) if pid != supervisor]
            owners = _socket_owners(workers)
            served_by |= {
                owners.get(_server_side_inode(port, client_port) or -1)
                for _, _, client_port in batch
            }
        finally:
            for client in clients:
                client.close()
        answers += batch
        if len(served_by - {None}) == 2:
            break
    statuses = [status for status, _, _ in answers]
    assert statuses.count(200) == 5, statuses  # one budget for the terminal, not one per worker
    assert statuses.count(429) == len(answers) - 5, statuses
    assert all(
        retry is not None and int(retry) >= 1 for status, retry, _ in answers if status == 429
    )
    assert len(served_by - {None}) == 2, served_by  # both workers answered some of them
    assert _used(database_url, "kiosk-001") == len(answers)
