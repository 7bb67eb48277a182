"""Time to drain a queued backlog to the hall through the SyncWorker, against a plain client.

Baseline, in the same run: a ``requests.Session`` POSTing the same submissions one after another
with the same headers and bodies (``Content-Type``, ``Idempotency-Key``) to a fresh hall: the
floor set by the hall and HTTP on the loopback. Subject: a terminal's outbox holding the same
backlog (sealed, on disk in ``bench/data/``) drained by the real ``SyncWorker`` and
``HallClient`` to another fresh hall. Both halls are ``kiosk-hall serve`` processes with their
SQLite files on the same disk. Target: the worker within 1.5x of the plain client.

The report also breaks the worker's time down per row (claim, read and open the payload, the
HTTP call, recording the answer), measured by wrapping those calls, so that a gap can be
pinned on per-row transactions or on the network path. ``QUEUE_DRAIN_COUNT`` sets the backlog
(default 10,000, as the issue asks).
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from hall.schema import IDEMPOTENCY_HEADER, SUBMISSIONS_PATH, ApplicantCreate, SubmissionCreate
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.proof.harness import HallProcess

COUNT = int(os.environ.get("QUEUE_DRAIN_COUNT", "10000"))
DATA_DIR = Path(os.environ.get("QUEUE_BENCH_DIR", Path(__file__).with_name("data")))
RESULTS = Path(__file__).with_name("results") / "queue_drain.json"
KIOSK = "DRAIN1"


def _applicant() -> ApplicantCreate:
    return ApplicantCreate(
        card_type="resident",
        name="李建国",
        gender="男",
        ethnicity="汉",
        birth_date=dt.date(1990, 8, 21),
        address="北京市海淀区中关村大街27号",
        id_number="110108199008213012",
        issuing_authority="北京市公安局海淀分局",
        valid_from=dt.date(2018, 5, 20),
        valid_to="2038-05-20",
    )


def _backlog(count: int) -> list[SubmissionCreate]:
    applicant = _applicant()
    created = dt.datetime.now(dt.UTC)
    return [
        SubmissionCreate(
            case_number=f"{KIOSK}-{20261122 + i // 99_999}-{i % 99_999 + 1:05d}",
            kiosk_id=KIOSK,
            item_id="sole-proprietor-registration",
            created_at=created,
            applicant=applicant,
            form={"nonce": f"{i:08d}"},
        )
        for i in range(count)
    ]


def _fill_outbox(workdir: Path, backlog: list[SubmissionCreate]) -> tuple[Path, Path]:
    """Queue the backlog in a store built in memory-backed ``/dev/shm`` (when there), then copy
    the closed, checkpointed file to ``workdir`` on disk: the drain then runs on the disk."""
    shm = Path("/dev/shm")
    scratch = Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else workdir))
    try:
        key = workdir / "field.key"
        store = Store(scratch / "outbox.sqlite3")
        outbox = Outbox(store, FieldCipher.from_key_file(key))
        for submission in backlog:
            outbox.enqueue(submission)
        store.close()
        target = workdir / "outbox.sqlite3"
        shutil.copyfile(scratch / "outbox.sqlite3", target)
        os.chmod(target, 0o600)
        return target, key
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _plain(hall: HallProcess, backlog: list[SubmissionCreate]) -> float:
    bodies = [(s.model_dump_json().encode(), f"plain-{i}") for i, s in enumerate(backlog)]
    url = hall.base_url + SUBMISSIONS_PATH
    with requests.Session() as session:
        started = time.perf_counter()
        for body, key in bodies:
            response = session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: key},
                timeout=(3, 30),
            )
            if response.status_code != 201:
                raise RuntimeError(f"hall answered {response.status_code}")
        return time.perf_counter() - started


def _timed(target: Any, name: str, totals: collections.Counter[str]) -> Callable[..., Any]:
    original = getattr(target, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started

    setattr(target, name, wrapper)
    return wrapper


def _worker(
    hall: HallProcess, store_path: Path, key: Path, count: int
) -> tuple[float, dict[str, float]]:
    store = Store(store_path)
    outbox = Outbox(store, FieldCipher.from_key_file(key))
    client = HallClient(hall.base_url, connect_timeout=3.0, read_timeout=30.0)
    totals: collections.Counter[str] = collections.Counter()
    for name in ("claim_due", "submission", "mark_delivered"):
        _timed(outbox, name, totals)
    _timed(client, "submit", totals)
    delivered = 0
    done = threading.Event()

    def on_result(_case: str, _result: object) -> None:
        # Counted on the worker's thread: no polling of the store competes with the drain.
        nonlocal delivered
        delivered += 1
        if delivered >= count:
            done.set()

    worker = SyncWorker(outbox, client, idle_interval=0.05, on_result=on_result)
    try:
        started = time.perf_counter()
        worker.start()
        if not done.wait(36_000):
            raise RuntimeError("the worker did not drain the backlog")
        elapsed = time.perf_counter() - started
    finally:
        worker.stop(5.0)
        client.close()
        counts = outbox.counts()
        store.close()
    if counts.get("failed", 0):
        raise RuntimeError(f"the worker failed rows: {counts}")
    per_row = {f"{name}_ms": round(1000 * total / count, 2) for name, total in totals.items()}
    return elapsed, per_row


def main(count: int = COUNT) -> dict[str, object]:
    """Run both drains, print a JSON report, write it to bench/results, and return it."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="queue-drain-", dir=DATA_DIR))
    try:
        backlog = _backlog(count)
        store_path, key = _fill_outbox(workdir, backlog)
        with HallProcess(workdir / "hall-plain") as hall:
            plain = _plain(hall, backlog)
        with HallProcess(workdir / "hall-worker") as hall:
            worker, per_row = _worker(hall, store_path, key, count)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "baseline": "requests.Session, sequential POSTs of the same bodies and headers",
        "count": count,
        "plain_client_s": round(plain, 2),
        "plain_client_per_s": round(count / plain, 1),
        "sync_worker_s": round(worker, 2),
        "sync_worker_per_s": round(count / worker, 1),
        "worker_to_plain_ratio": round(worker / plain, 2),
        "target_ratio": 1.5,
        "plain_per_row_ms": round(1000 * plain / count, 2),
        "worker_per_row_ms": {"total": round(1000 * worker / count, 2), **per_row},
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
