"""The kill loop at length: thousands of SIGKILLs of the terminal during enqueue and sync.

The same loop as ``tests/proof/test_kill.py`` (see ``tests/proof/kill_loop.py``), with
``QUEUE_KILL_KILLS`` kills (default 2,000) against ``kiosk-hall serve`` with its database on
disk, the store in ``bench/data/``. It reports the checker's classes (zero lost, duplicated,
unexpected and state-mismatch is the only good answer), integrity failures, and the time per
kill. ``QUEUE_KILL_SEED`` picks another schedule of kill moments.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from tests.fixtures.hall import demo_applicant
from tests.proof.harness import HallProcess
from tests.proof.kill_loop import run_kill_loop, summary

KILLS = int(os.environ.get("QUEUE_KILL_KILLS", "2000"))
SEED = int(os.environ.get("QUEUE_KILL_SEED", "7"))
DATA_DIR = Path(os.environ.get("QUEUE_BENCH_DIR", Path(__file__).with_name("data")))
RESULTS = Path(__file__).with_name("results") / "queue_kill.json"


def main(kills: int = KILLS, seed: int = SEED) -> dict[str, object]:
    """Run the loop, print a JSON report, write it to bench/results, and return it."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="queue-kill-", dir=DATA_DIR))
    try:
        with HallProcess(workdir / "hall") as hall:
            result = run_kill_loop(
                workdir / "terminal",
                hall.base_url,
                hall.database,
                kills=kills,
                seed=seed,
                max_delay=0.5,
                applicant_json=demo_applicant("王秀英").model_dump_json(),
                drain_timeout=300.0,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report: dict[str, object] = {
        "seed": seed,
        **summary(result),
        "all_checks_hold": result.ok,
        "seconds_per_kill": round((result.seconds - result.drain_seconds) / max(kills, 1), 3),
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
