"""The terminal's clock is a day off: nothing is duplicated, nothing is rejected.

The skew is injected into the terminal process (``--clock-offset-s``: the outbox's and the sync
worker's clock, hence the case-number day and the submission's ``created_at``), with a few kills
on the way so that resuming in-flight rows also runs under the wrong clock. A second case: the
clock was a day ahead while work was queued and is then corrected, as NTP does when the link
returns; the queued work must still go out at once, not a day later.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from hall.keys import open_with_key_file
from hall.schema import SubmissionCreate
from hall.service import payload_context
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox, utc_now
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.proof import checker
from tests.proof.harness import HallProcess
from tests.proof.kill_loop import run_kill_loop

pytestmark = pytest.mark.proof

DAY = 86_400.0


def _hall_created_at(database: Path) -> list[dt.datetime]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = list(conn.execute("SELECT case_number, payload FROM submissions"))
    finally:
        conn.close()
    # Sealed at rest: opened with the hall's data key file beside its database.
    key_file = database.parent / "data-keys.json"
    payloads = [open_with_key_file(key_file, json.loads(p), payload_context(c)) for c, p in rows]
    return [dt.datetime.fromisoformat(p["created_at"]) for p in payloads]


@pytest.mark.parametrize("offset", [DAY, -DAY], ids=["a-day-ahead", "a-day-behind"])
def test_a_terminal_clock_off_by_a_day_duplicates_and_loses_nothing(
    tmp_path: Path, fast_hall: HallProcess, applicant_json: str, proof_seed: int, offset: float
) -> None:
    result = run_kill_loop(
        tmp_path / "terminal",
        fast_hall.base_url,
        fast_hall.database,
        kills=10,
        seed=proof_seed,
        max_delay=0.5,
        applicant_json=applicant_json,
        clock_offset_s=offset,
    )
    assert result.ok, (result.crashed, result.integrity_failures, result.report.summary())
    terminal = checker.read_terminal(str(tmp_path / "terminal" / "outbox.sqlite3"))
    assert all(row.state != "failed" for row in terminal.values())
    assert len(result.report.ok) >= 5
    # The skew really reached the wire: the hall received submissions dated a day off.
    now = utc_now()
    for created in _hall_created_at(fast_hall.database):
        assert abs((created - now).total_seconds() - offset) < 600


def test_queued_work_goes_out_at_once_when_a_fast_clock_is_corrected(
    tmp_path: Path, fast_hall: HallProcess
) -> None:
    offset = dt.timedelta(seconds=DAY)
    skewed: Callable[[], dt.datetime] = lambda: utc_now() + offset  # noqa: E731
    store = Store(tmp_path / "outbox.sqlite3")
    cipher = FieldCipher.from_key_file(tmp_path / "field.key")
    acks: list[checker.Attempt] = []
    try:
        # Queued while the clock ran a day ahead and the hall was out of reach.
        ahead = Outbox(store, cipher, clock=skewed)
        for _ in range(3):
            nonce = uuid.uuid4().hex
            now = skewed()
            entry = ahead.enqueue(
                SubmissionCreate(
                    case_number=ahead.next_case_number("CLOCK1", now.date()),
                    kiosk_id="CLOCK1",
                    item_id="sole-proprietor-registration",
                    created_at=now,
                    form={"nonce": nonce},
                )
            )
            acks.append(checker.Attempt(nonce, True, entry.case_number, entry.idempotency_key))
        # The clock is corrected; the terminal restarts with the true time and the hall is back.
        outbox = Outbox(store, cipher)
        identity = fast_hall.enrol(tmp_path, "CLOCK1")
        client = HallClient(
            fast_hall.base_url, connect_timeout=1.0, read_timeout=5.0, identity=identity
        )
        worker = SyncWorker(outbox, client, base_delay=0.05, max_delay=0.5, idle_interval=0.2)
        worker.start()
        tick = threading.Event()
        try:
            # Wait until nothing is left to send or in flight: stopping the worker while the
            # last row is still "sending" would leave it undelivered for a reason of the test's.
            for _ in range(300):
                counts = outbox.counts()
                if counts["pending"] + counts["sending"] == 0:
                    break
                tick.wait(0.05)
        finally:
            assert worker.stop(5.0)
            client.close()
        report = checker.check(
            acks,
            checker.read_hall(str(fast_hall.database)),
            checker.read_terminal(str(tmp_path / "outbox.sqlite3")),
        )
    finally:
        store.close()
    assert report.valid, (report.summary(), _due_times(tmp_path / "outbox.sqlite3"))
    assert len(report.ok) == 3


def _due_times(store: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT state, next_attempt_at FROM outbox").fetchall()
    finally:
        conn.close()
