"""Durable enqueue rate: ``Outbox.enqueue`` (sealed, one transaction) against raw SQLite commits.

Baseline, in the same run and on the same disk: a bare ``sqlite3`` connection with the store's
settings (WAL, ``synchronous=FULL``) committing one ``INSERT`` of a random blob as large as the
sealed payload per transaction: the floor any durable queue on this disk pays. Subject: the
outbox's ``enqueue`` (JSON, AES-GCM seal, duplicate check, one ``BEGIN IMMEDIATE`` transaction),
and the citizen's whole path ``next_case_number`` + ``enqueue`` (two durable commits). Two
payload sizes: a zero-material submission (ID card data only) and one with a 64 KB photo. The
store lives in ``bench/data/`` (override with ``QUEUE_BENCH_DIR``), not in ``/tmp``, which may
be memory.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from hall.schema import ApplicantCreate, MaterialCreate, SubmissionCreate
from offline_cache.crypto import FieldCipher
from offline_cache.outbox import Outbox
from offline_cache.store import Store

COUNT = int(os.environ.get("QUEUE_ENQUEUE_COUNT", "300"))
DATA_DIR = Path(os.environ.get("QUEUE_BENCH_DIR", Path(__file__).with_name("data")))
RESULTS = Path(__file__).with_name("results") / "queue_enqueue.json"


def _applicant() -> ApplicantCreate:
    return ApplicantCreate(
        card_type="resident",
        name="王秀英",
        gender="女",
        ethnicity="汉",
        birth_date=dt.date(1952, 3, 14),
        address="北京市朝阳区和平街十一区25号楼3单元502号",
        id_number="110105195203141221",
        issuing_authority="北京市公安局朝阳分局",
        valid_from=dt.date(2015, 6, 1),
        valid_to="long-term",
    )


def _submission(case_number: str, photo_bytes: int) -> SubmissionCreate:
    materials = []
    if photo_bytes:
        data = os.urandom(photo_bytes)
        materials.append(
            MaterialCreate(
                material_id="photo",
                content_type="image/jpeg",
                data_b64=base64.b64encode(data).decode(),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    return SubmissionCreate(
        case_number=case_number,
        kiosk_id="BENCH1",
        item_id="elder-card",
        created_at=dt.datetime.now(dt.UTC),
        applicant=_applicant(),
        materials=materials,
        form={"nonce": uuid.uuid4().hex},
    )


def _raw_rate(path: Path, blob_bytes: int, count: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, key TEXT UNIQUE, payload BLOB)")
        blobs = [os.urandom(blob_bytes) for _ in range(count)]
        started = time.perf_counter()
        for blob in blobs:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO q (key, payload) VALUES (?, ?)", (uuid.uuid4().hex, blob))
            conn.execute("COMMIT")
        return count / (time.perf_counter() - started)
    finally:
        conn.close()


def _outbox_rates(workdir: Path, photo_bytes: int, count: int) -> tuple[float, float, int]:
    """Submissions/s through ``enqueue`` alone and through ``next_case_number`` + ``enqueue``."""
    store = Store(workdir / "outbox.sqlite3")
    try:
        outbox = Outbox(store, FieldCipher(FieldCipher.generate_key()))
        for n in range(10):  # warm-up: first pages, caches, pydantic's first calls
            outbox.enqueue(_submission(f"BENCH1-20261121-{n + 1:05d}", photo_bytes))
        # Built before the clock starts: the terminal has the submission in memory already.
        ready = [_submission(f"BENCH1-20261122-{i + 1:05d}", photo_bytes) for i in range(count)]
        started = time.perf_counter()
        for submission in ready:
            outbox.enqueue(submission)
        enqueue_rate = count / (time.perf_counter() - started)
        day = dt.date(2026, 11, 23)
        later = [_submission("BENCH1-20261123-00001", photo_bytes) for _ in range(count)]
        started = time.perf_counter()
        for submission in later:
            number = outbox.next_case_number("BENCH1", day)
            outbox.enqueue(submission.model_copy(update={"case_number": number}))
        full_rate = count / (time.perf_counter() - started)
        with store.read() as conn:
            (size,) = conn.execute("SELECT AVG(LENGTH(payload)) FROM outbox").fetchone()
        return enqueue_rate, full_rate, int(size)
    finally:
        store.close()


def main(count: int = COUNT, repeats: int = 3) -> dict[str, object]:
    """Measure both sizes, print a JSON report, write it to bench/results, and return it.

    Each size is measured ``repeats`` times, the baseline and the subject alternating on fresh
    files (the disk's speed drifts on a shared machine); the report gives the medians.
    """
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {
        "baseline": "raw sqlite3: WAL, synchronous=FULL, one INSERT of a same-size blob per "
        "transaction, same disk",
        "count": count,
        "repeats": repeats,
        "data_dir": str(DATA_DIR),
    }
    for label, photo in (("zero_material", 0), ("photo_64k", 64 * 1024)):
        raw, enqueue, full = [], [], []
        sealed = 0
        for _ in range(repeats):
            workdir = Path(tempfile.mkdtemp(prefix="queue-enqueue-", dir=DATA_DIR))
            try:
                enqueue_rate, full_rate, sealed = _outbox_rates(workdir, photo, count)
                raw.append(_raw_rate(workdir / "raw.sqlite3", sealed, count))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            enqueue.append(enqueue_rate)
            full.append(full_rate)
        raw_rate = statistics.median(raw)
        enqueue_rate = statistics.median(enqueue)
        full_rate = statistics.median(full)
        report[label] = {
            "sealed_payload_bytes": sealed,
            "raw_commits_per_s": round(raw_rate, 1),
            "enqueue_per_s": round(enqueue_rate, 1),
            "enqueue_to_raw_ratio": round(enqueue_rate / raw_rate, 2),
            "case_number_plus_enqueue_per_s": round(full_rate, 1),
            "case_number_plus_enqueue_to_raw_ratio": round(full_rate / raw_rate, 2),
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
