"""The store's WAL with a reader polling beside the writer, against SQLite's own checkpointing.

Baseline: the store with its commit-count checkpoint off (``checkpoint_every=0``), leaving SQLite's
passive auto-checkpoint, which never resets the WAL while readers keep arriving. Subject: the
store as the terminal runs it (a RESTART checkpoint every 200 commits, retried soon when readers
hold it up, ``journal_size_limit``). Both enqueue the same photo-bearing submissions while a
thread opens a read transaction every 20 ms, as `kiosk queue status` or a dashboard poll would.
The report gives the peak WAL size and the enqueue rate of each, and their ratios.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from hall.schema import SubmissionCreate
from offline_cache.crypto import FieldCipher
from offline_cache.outbox import Outbox
from offline_cache.store import CHECKPOINT_EVERY_COMMITS, Store

SUBMISSIONS = 1500
PHOTO_BYTES = 2048
RESULTS = Path(__file__).parent / "results" / "wal.json"


def _submission(case_number: str, seed: int) -> SubmissionCreate:
    import base64
    import hashlib

    from hall.schema import MaterialCreate

    data = b"".join(
        hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(PHOTO_BYTES // 32)
    )
    return SubmissionCreate(
        case_number=case_number,
        kiosk_id="BENCH1",
        item_id="sole-proprietor-registration",
        created_at=dt.datetime.now(dt.UTC),
        materials=[
            MaterialCreate(
                material_id="lease-contract",
                content_type="image/jpeg",
                data_b64=base64.b64encode(data).decode(),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        ],
    )


def _run(checkpoint_every: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = Store(root / "outbox.db", checkpoint_every=checkpoint_every)
        outbox = Outbox(store, FieldCipher.from_key_file(root / "field.key"))
        stop = threading.Event()

        def reader() -> None:
            conn = sqlite3.connect(root / "outbox.db", isolation_level=None)
            pause = threading.Event()
            while not stop.is_set():
                conn.execute("BEGIN")
                conn.execute("SELECT COUNT(*) FROM outbox").fetchone()
                pause.wait(0.02)
                conn.execute("COMMIT")
            conn.close()

        thread = threading.Thread(target=reader, name="bench-wal-reader")
        thread.start()
        peak = 0
        started = time.perf_counter()
        try:
            for i in range(SUBMISSIONS):
                case = outbox.next_case_number("BENCH1", dt.date(2025, 1, 1))
                outbox.enqueue(_submission(case, i))
                peak = max(peak, store.wal_size())
        finally:
            elapsed = time.perf_counter() - started
            stop.set()
            thread.join()
            store.close()
        return {"peak_wal_mib": peak / 2**20, "enqueues_per_s": SUBMISSIONS / elapsed}


def main() -> None:
    """Run baseline and subject once each and print the figures."""
    baseline = _run(0)
    subject = _run(CHECKPOINT_EVERY_COMMITS)
    report = {
        "submissions": SUBMISSIONS,
        "baseline_sqlite_autocheckpoint": baseline,
        "store": subject,
        "peak_wal_ratio": subject["peak_wal_mib"] / baseline["peak_wal_mib"],
        "enqueue_rate_ratio": subject["enqueues_per_s"] / baseline["enqueues_per_s"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("wal: a reader every 20 ms beside", SUBMISSIONS, "enqueues")
    for name, figures in (("SQLite auto-checkpoint", baseline), ("store", subject)):
        print(
            f"  {name:24s} peak WAL {figures['peak_wal_mib']:6.2f} MiB, "
            f"{figures['enqueues_per_s']:6.0f} enqueues/s"
        )
    print(
        f"  ratios store/baseline: peak WAL {report['peak_wal_ratio']:.3f}, "
        f"enqueue rate {report['enqueue_rate_ratio']:.2f}"
    )
