"""The hall under a fleet: concurrent heartbeats as upserts, and ``serve --workers 2``."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from assets import load_catalog
from bench.fleet import process_tree, start_hall
from hall.certificates import SigningKey
from hall.db import Database, TerminalHeartbeat
from hall.identity import IdentityService
from hall.schema import HEARTBEATS_PATH, IDEMPOTENCY_HEADER, HeartbeatCreate
from hall.service import HallService
from offline_cache.identity import TerminalIdentity, enrol
from tests.fixtures.hall import demo_applicant, make_submission, new_idempotency_key
from tests.fixtures.pgcluster import PostgresCluster


def _beat(kiosk_id: str, depth: int) -> HeartbeatCreate:
    return HeartbeatCreate(
        kiosk_id=kiosk_id, sent_at=dt.datetime.now(dt.UTC), app_version="1", outbox_depth=depth
    )


def _rows(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            row.kiosk_id: int(row.body["outbox_depth"])
            for row in session.scalars(select(TerminalHeartbeat))
        }


def test_concurrent_first_heartbeats_of_a_new_terminal_all_succeed(
    hall_database_url: str, tmp_path: Path
) -> None:
    # Read-then-insert gave 17 of 80 of these a 500 on PostgreSQL; an upsert gives none.
    db = Database(hall_database_url)
    db.migrate()
    service = HallService(
        db,
        load_catalog(),
        SigningKey.load_or_create(tmp_path / "key.pem"),
        timezone=ZoneInfo("Asia/Shanghai"),
    )
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(
                pool.map(lambda n: service.record_heartbeat(_beat("NEW1", n)), range(80))
            )
        assert len(answers) == 80
        assert set(_rows(db)) == {"NEW1"}
        # One batch holding the same terminal twice keeps its last beat.
        service.record_heartbeats([_beat("NEW2", 1), _beat("NEW3", 5), _beat("NEW2", 7)])
        assert _rows(db)["NEW2"] == 7 and _rows(db)["NEW3"] == 5
    finally:
        db.dispose()


@pytest.fixture
def two_workers(pg_cluster: PostgresCluster, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """``kiosk-hall serve --workers 2 --seed-demo`` over one PostgreSQL database."""
    database_url = pg_cluster.create_database(f"fleet_{os.getpid()}_{time.monotonic_ns()}")
    hall = start_hall(database_url, tmp_path, workers=2)
    try:
        yield f"http://127.0.0.1:{hall.port}", database_url, hall.process.pid
    finally:
        hall.stop()


def _enrolled(base: str, database_url: str, kiosk_id: str, directory: Path) -> TerminalIdentity:
    """A terminal enrolled the real way: a code made at the hall, the enrol call over HTTP."""
    db = Database(database_url)
    try:
        code = IdentityService(db).create_code(kiosk_id)
    finally:
        db.dispose()
    return enrol(base, code, directory)


def test_two_workers_share_one_database(two_workers: tuple[str, str, int], tmp_path: Path) -> None:
    base, database_url, supervisor = two_workers
    terminal = _enrolled(base, database_url, "kiosk-001", tmp_path / "kiosk-001")
    beating = [_enrolled(base, database_url, f"W{n:03d}", tmp_path / f"W{n:03d}") for n in range(6)]
    # uvicorn's supervisor and its two worker processes (each with its own pool and batcher).
    assert len(process_tree(supervisor)) >= 3
    key = new_idempotency_key()
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    body = submission.model_dump_json()

    def submit(_: int) -> tuple[int, str]:
        # A fresh connection each time, so the two workers both take some of them.
        raw = body.encode()
        signed = terminal.sign("POST", "/api/v1/submissions", raw, time.time())
        answer = httpx.post(
            base + "/api/v1/submissions",
            content=raw,
            headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: key, **signed},
            timeout=30,
        )
        return answer.status_code, answer.json().get("case_number", answer.json().get("code"))

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(submit, range(24)))
    codes = [code for code, _ in answers]
    assert codes.count(201) == 1, answers
    assert set(codes) <= {200, 201, 409}, answers  # 409: in progress in the other request
    db = Database(database_url)
    try:
        assert db.count_submissions(idempotency_key=key) == 1

        def beat(n: int) -> int:
            # Ten beats from each of six terminals, each signed by its own key.
            sender = beating[n % len(beating)]
            raw = _beat(sender.kiosk_id, n).model_dump_json().encode()
            signed = sender.sign("POST", HEARTBEATS_PATH, raw, time.time())
            answer = httpx.post(base + HEARTBEATS_PATH, content=raw, headers=signed, timeout=30)
            return answer.status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            assert set(pool.map(beat, range(60))) == {200}
        with db.read() as session:
            stored = session.scalar(select(func.count()).select_from(TerminalHeartbeat))
        assert stored == len(beating)
    finally:
        db.dispose()
