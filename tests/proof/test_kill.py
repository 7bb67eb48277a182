"""SIGKILL the terminal hundreds of times during enqueue and during sync.

Nothing the terminal acknowledged is lost, nothing reaches the hall twice or uninvited, and the
store passes ``PRAGMA integrity_check`` after every kill. The hall is the real one, as a process.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.proof.harness import HallProcess
from tests.proof.kill_loop import run_kill_loop

KILLS = int(os.environ.get("PROOF_KILLS", "200"))

pytestmark = pytest.mark.proof


def test_kill_9_during_enqueue_and_sync_loses_and_doubles_nothing(
    tmp_path: Path, proof_hall: HallProcess, applicant_json: str, proof_seed: int
) -> None:
    result = run_kill_loop(
        tmp_path / "terminal",
        proof_hall.base_url,
        proof_hall.database,
        kills=KILLS,
        seed=proof_seed,
        max_delay=0.5,
        applicant_json=applicant_json,
    )
    assert result.crashed == []
    assert result.killed_by_sigkill == KILLS
    assert result.integrity_failures == []
    assert result.drained
    report = result.report
    assert report.valid, report.summary()
    # The loop must have exercised both sides: submissions acknowledged and delivered across
    # kills, and kills landing between the commit and the acknowledgement or before the commit.
    assert len(report.ok) > KILLS, report.summary()
    assert report.unsent or report.recovered, report.summary()
    # Kills during sync: rows claimed for sending by a terminal that died, resumed and sent
    # again by the next one (the hall never failed here, so nothing else retries a row).
    conn = sqlite3.connect(f"file:{tmp_path / 'terminal' / 'outbox.sqlite3'}?mode=ro", uri=True)
    try:
        (resent,) = conn.execute("SELECT COUNT(*) FROM outbox WHERE attempts > 1").fetchone()
    finally:
        conn.close()
    assert resent > 0
