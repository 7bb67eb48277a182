"""The hall stops and starts again on the same port and database while the terminal works.

The terminal process keeps queueing through two restarts of the hall process (SIGTERM, a pause,
start); it carries on by itself, and at the end every submission is at the hall exactly once and
settled on the terminal with the hall's answer.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.proof import checker
from tests.proof.harness import TERMINAL_PROC, HallProcess, integrity_check

pytestmark = pytest.mark.proof

SUBMISSIONS = 100
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
    proof_hall.enrol(work, "PROOF01")
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
    # Some deliveries really met an outage and were tried again.
    conn = sqlite3.connect(f"file:{work / 'outbox.sqlite3'}?mode=ro", uri=True)
    try:
        (retried,) = conn.execute("SELECT COUNT(*) FROM outbox WHERE attempts > 1").fetchone()
    finally:
        conn.close()
    assert retried > 0
