"""The hall stops and starts again on the same port and database while the terminal works.

The terminal process keeps queueing through two restarts of the hall process (SIGTERM, a pause,
start); it carries on by itself, and at the end every submission is at the hall exactly once and
settled on the terminal with the hall's answer.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.proof import checker
from tests.proof.harness import TERMINAL_PROC, HallProcess, integrity_check

pytestmark = pytest.mark.proof

SUBMISSIONS = 150
OUTAGE_SECONDS = 1.5


def test_terminal_carries_on_through_hall_restarts(
    tmp_path: Path, proof_hall: HallProcess, applicant_json: str
) -> None:
    applicant = tmp_path / "applicant.json"
    applicant.write_text(applicant_json, encoding="utf-8")
    work = tmp_path / "terminal"
    work.mkdir()
    log = work / "terminal.log"
    log.touch()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(TERMINAL_PROC),
            "run",
            "--store",
            str(work / "outbox.sqlite3"),
            "--key",
            str(work / "field.key"),
            "--hall",
            proof_hall.base_url,
            "--log",
            str(log),
            "--count",
            str(SUBMISSIONS),
            "--pause-ms",
            "20",
            "--applicant",
            str(applicant),
            "--drain",
            "--drain-timeout",
            "60",
        ]
    )
    pause = threading.Event()
    try:
        restarts = 0
        for wanted_acks in (SUBMISSIONS // 4, SUBMISSIONS // 2):
            # Restart once the terminal has queued this many, so both outages fall mid-run.
            while log.read_text(encoding="utf-8").count("\nACK ") < wanted_acks:
                assert proc.poll() is None, "the terminal ended early"
                pause.wait(0.05)
            port = proof_hall.port
            proof_hall.stop()
            assert not proof_hall.healthy()
            pause.wait(OUTAGE_SECONDS)
            proof_hall.start()
            assert proof_hall.port == port
            restarts += 1
        assert proc.wait(120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert restarts == 2
    text = log.read_text(encoding="utf-8")
    assert "\nDRAINED\n" in text
    assert integrity_check(work / "outbox.sqlite3") == "ok"
    terminal = checker.read_terminal(str(work / "outbox.sqlite3"))
    report = checker.check(
        checker.read_acks(text), checker.read_hall(str(proof_hall.database)), terminal
    )
    assert report.valid, report.summary()
    assert len(report.ok) == SUBMISSIONS
    # Some deliveries really met the outage and were retried.
    assert any(
        "unreachable" in (row.last_error or "") or row.attempts > 1
        for row in _rows_with_errors(work / "outbox.sqlite3")
    )


class _Row:
    def __init__(self, attempts: int, last_error: str | None) -> None:
        self.attempts = attempts
        self.last_error = last_error


def _rows_with_errors(store: Path) -> list[_Row]:
    import sqlite3

    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT attempts, last_error FROM outbox").fetchall()
    finally:
        conn.close()
    return [_Row(int(a), e) for a, e in rows]
