"""Thousands of submissions through a proxy that drops answers, resets, delays and cuts the link.

Four terminal processes (their own outboxes, as a small fleet) deliver through the fault proxy to
the hall process. Answers are thrown away after the hall committed, requests and connections are
reset, answers are held back (some beyond the client's read timeout), and the link goes down for
a second every five seconds. At the end the checker compares every acknowledgement with the
hall's database and the terminals' outboxes: every submission is ``ok``, at the hall exactly once
with the same status and decision on both sides.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.proof import checker
from tests.proof.fault_proxy import FaultProxy, Faults
from tests.proof.harness import TERMINAL_PROC, HallProcess, integrity_check

SUBMISSIONS = int(os.environ.get("PROOF_SUBMISSIONS", "2000"))
TERMINALS = 4
FAULTS = Faults(
    drop_response=0.04,
    reset_request=0.02,
    reset_accept=0.05,
    delay=0.05,
    max_delay=0.2,
    stall=0.002,
    stall_seconds=2.5,
)
READ_TIMEOUT = 2.0
"""Shorter than ``stall_seconds``: a stalled answer times out on the terminal."""
CUT_EVERY = 5.0
CUT_FOR = 1.0

pytestmark = [pytest.mark.proof, pytest.mark.timeout(300)]


def _terminal(workdir: Path, number: int, hall_url: str, count: int, applicant: Path) -> list[str]:
    workdir.mkdir(parents=True)
    return [
        sys.executable, str(TERMINAL_PROC), "run",
        "--store", str(workdir / "outbox.sqlite3"),
        "--key", str(workdir / "field.key"),
        "--hall", hall_url,
        "--log", str(workdir / "terminal.log"),
        "--kiosk", f"PROXY{number}",
        "--count", str(count),
        "--pause-ms", "0",
        "--applicant", str(applicant),
        "--seed", str(number),
        "--read-timeout", str(READ_TIMEOUT),
        "--drain", "--drain-timeout", "240",
    ]  # fmt: skip


def test_faulty_network_loses_doubles_and_disagrees_on_nothing(
    tmp_path: Path, fast_hall: HallProcess, applicant_json: str, proof_seed: int
) -> None:
    applicant = tmp_path / "applicant.json"
    applicant.write_text(applicant_json, encoding="utf-8")
    per_terminal = SUBMISSIONS // TERMINALS
    workdirs = [tmp_path / f"terminal{n}" for n in range(TERMINALS)]
    with FaultProxy(("127.0.0.1", fast_hall.port), FAULTS, seed=proof_seed) as proxy:
        commands = [
            _terminal(w, n, proxy.base_url, per_terminal, applicant) for n, w in enumerate(workdirs)
        ]
        for n, w in enumerate(workdirs):
            fast_hall.enrol(w, f"PROXY{n}")  # directly, not through the faulty proxy
        procs = [subprocess.Popen(command) for command in commands]
        try:
            for proc in procs:
                while True:
                    try:
                        proc.wait(CUT_EVERY)
                        break
                    except subprocess.TimeoutExpired:
                        proxy.cut(CUT_FOR)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        counts = dict(proxy.counts)
    assert [proc.returncode for proc in procs] == [0] * TERMINALS
    attempts: list[checker.Attempt] = []
    terminal: dict[str, checker.TerminalRecord] = {}
    for workdir in workdirs:
        assert integrity_check(workdir / "outbox.sqlite3") == "ok"
        log = (workdir / "terminal.log").read_text(encoding="utf-8")
        assert "\nDRAINED\n" in log
        attempts += checker.read_acks(log)
        terminal.update(checker.read_terminal(str(workdir / "outbox.sqlite3")))
    report = checker.check(attempts, checker.read_hall(str(fast_hall.database)), terminal)
    assert report.valid, report.summary()
    assert len(report.ok) == per_terminal * TERMINALS, report.summary()
    # Every kind of fault really happened, the one idempotency exists for most of all.
    for fault in ("drop_response", "reset_request", "reset_accept", "delay", "cut"):
        assert counts.get(fault, 0) > 0, counts
    assert counts["drop_response"] >= SUBMISSIONS // 100, counts
    approved = [r for r in terminal.values() if r.status == "approved"]
    assert approved, "no instant decision crossed the faulty link"
