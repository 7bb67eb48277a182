"""The kill loop: SIGKILL the terminal at random moments, restart it, and check the history.

Shared by ``tests/proof/test_kill.py`` (a few hundred kills) and ``bench/queue_kill.py``
(thousands). Each round forks a terminal (``terminal_proc.py run``) on the same store, lets it
queue and sync for a seeded random time, kills it with SIGKILL and runs ``PRAGMA
integrity_check`` on the store. A last terminal queues a few more and drains the outbox; then
the checker compares every TRY/ACK line with the hall's database and the terminal's outbox.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import time
from pathlib import Path

from tests.proof import checker
from tests.proof.harness import Zygote, enrol_terminal, integrity_check


@dataclasses.dataclass
class KillLoopResult:
    """What a kill loop did and what the checker found."""

    kills: int
    killed_by_sigkill: int
    """Rounds in which the terminal was still running when killed (the rest had crashed)."""
    crashed: list[str]
    """Rounds in which the terminal ended by itself before the kill (a crash): round + status."""
    integrity_failures: list[str]
    drained: bool
    report: checker.Report
    seconds: float
    drain_seconds: float

    @property
    def ok(self) -> bool:
        """Whether every check held."""
        return (
            self.report.valid
            and not self.crashed
            and not self.integrity_failures
            and self.drained
            and self.killed_by_sigkill == self.kills
        )


def run_kill_loop(
    workdir: Path,
    hall_url: str,
    hall_database: Path,
    *,
    kills: int,
    seed: int,
    max_delay: float = 0.25,
    applicant_json: str | None = None,
    clock_offset_s: float = 0.0,
    drain_timeout: float = 60.0,
    pause_ms: float = 15.0,
) -> KillLoopResult:
    """Kill ``kills`` terminals at seeded random moments in ``[0, max_delay]`` s after the fork."""
    workdir.mkdir(parents=True, exist_ok=True)
    enrol_terminal(workdir, hall_url, hall_database, "PROOF01")
    store = workdir / "outbox.sqlite3"
    log = workdir / "terminal.log"
    base = [
        "--store", str(store),
        "--key", str(workdir / "field.key"),
        "--hall", hall_url,
        "--log", str(log),
        "--clock-offset-s", str(clock_offset_s),
        "--pause-ms", str(pause_ms),
    ]  # fmt: skip
    if applicant_json is not None:
        applicant = workdir / "applicant.json"
        applicant.write_text(applicant_json, encoding="utf-8")
        base += ["--applicant", str(applicant)]
    rng = random.Random(seed)
    crashed: list[str] = []
    integrity_failures: list[str] = []
    sigkilled = 0
    started = time.monotonic()
    with Zygote() as zygote:
        for number in range(kills):
            pid = zygote.spawn([*base, "--seed", str(seed * 100_000 + number)])
            time.sleep(rng.uniform(0.0, max_delay))
            status = zygote.kill(pid)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                sigkilled += 1
            else:
                crashed.append(f"round {number}: wait status {status}")
            verdict = integrity_check(store)
            if verdict != "ok":
                integrity_failures.append(f"round {number}: {verdict}")
        drain_started = time.monotonic()
        pid = zygote.spawn(
            [*base, "--seed", str(seed), "--count", "5", "--drain",
             "--drain-timeout", str(drain_timeout)]
        )  # fmt: skip
        status = zygote.wait(pid, drain_timeout + 30)
        drain_seconds = time.monotonic() - drain_started
    drained = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    verdict = integrity_check(store)
    if verdict != "ok":
        integrity_failures.append(f"after the drain: {verdict}")
    attempts = checker.read_acks(log.read_text(encoding="utf-8"))
    report = checker.check(
        attempts, checker.read_hall(str(hall_database)), checker.read_terminal(str(store))
    )
    return KillLoopResult(
        kills=kills,
        killed_by_sigkill=sigkilled,
        crashed=crashed,
        integrity_failures=integrity_failures,
        drained=drained,
        report=report,
        seconds=time.monotonic() - started,
        drain_seconds=drain_seconds,
    )


def summary(result: KillLoopResult) -> dict[str, object]:
    """The result as JSON-able figures."""
    return {
        "kills": result.kills,
        "killed_by_sigkill": result.killed_by_sigkill,
        "crashed": result.crashed[:5],
        "integrity_failures": result.integrity_failures[:5],
        "drained": result.drained,
        "classes": result.report.counts(),
        "valid": result.report.valid,
        "seconds": round(result.seconds, 1),
        "drain_seconds": round(result.drain_seconds, 1),
    }
