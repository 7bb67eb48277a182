"""The print queue: sealed documents, claim before send, retry when nothing printed, uncertain
after a crash, reprint limits, and the worker thread."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from offline_cache.crypto import FieldCipher
from offline_cache.errors import StoreError, StoreFullError
from offline_cache.print_queue import (
    CERTIFICATE,
    RECEIPT,
    PrintJob,
    PrintNotDoneError,
    PrintOutcomeUnknownError,
    PrintQueue,
    PrintWorker,
    ReprintLimitError,
)
from offline_cache.store import Store

CASE = "DEMO01-20250314-00001"
DOC = "姓名 王秀英 / 110105195203141223".encode()


@pytest.fixture
def queue(store: Store, cipher: FieldCipher) -> PrintQueue:
    return PrintQueue(store, cipher)


class FakePrinter:
    """A printer callable scripted with outcomes; records what it printed and on which thread."""

    def __init__(self) -> None:
        self.script: list[Exception | None] = []
        self.printed: list[tuple[str, bytes]] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, job: PrintJob, document: bytes) -> None:
        with self.lock:
            self.threads.add(threading.current_thread().name)
            outcome = self.script.pop(0) if self.script else None
            if outcome is not None:
                raise outcome
            self.printed.append((job.kind, document))


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_document_is_sealed_at_rest_and_dropped_once_printed(
    queue: PrintQueue, store: Store, db_path: Path
) -> None:
    job = queue.enqueue(CERTIFICATE, CASE, DOC)
    assert job.state == "queued"
    with store.read() as conn:
        raw = conn.execute("SELECT document FROM print_jobs").fetchone()[0]
    assert "王秀英".encode() not in raw and DOC not in db_path.read_bytes()
    claimed = queue.claim(dt.datetime.now(dt.UTC))
    assert claimed is not None and (claimed.state, claimed.attempts) == ("printing", 1)
    assert queue.document(claimed) == DOC
    printed = queue.mark_printed(claimed.id)
    assert printed.state == "printed" and printed.printed_at is not None
    assert queue.document(printed) is None
    assert queue.counts() == {"queued": 0, "printing": 0, "printed": 1, "failed": 0, "uncertain": 0}


def test_a_document_moved_to_another_job_does_not_open(queue: PrintQueue, store: Store) -> None:
    a = queue.enqueue(CERTIFICATE, CASE, DOC)
    b = queue.enqueue(RECEIPT, CASE, b"receipt")
    with store.transaction() as conn:
        sealed = conn.execute("SELECT document FROM print_jobs WHERE id = ?", (a.id,)).fetchone()
        conn.execute("UPDATE print_jobs SET document = ? WHERE id = ?", (sealed[0], b.id))
    worker = PrintWorker(queue, FakePrinter())
    claimed = queue.claim(dt.datetime.now(dt.UTC), job_id=b.id)
    assert claimed is not None
    assert worker.print_one(claimed).state == "failed"


def test_a_job_is_claimed_once(queue: PrintQueue) -> None:
    job = queue.enqueue(RECEIPT, CASE, b"r")
    now = dt.datetime.now(dt.UTC)
    assert queue.claim(now, job_id=job.id) is not None
    assert queue.claim(now, job_id=job.id) is None
    assert queue.claim(now) is None


def test_claim_follows_kinds_and_due_time(queue: PrintQueue) -> None:
    receipt = queue.enqueue(RECEIPT, CASE, b"r")
    cert = queue.enqueue(CERTIFICATE, CASE, b"c")
    now = dt.datetime.now(dt.UTC)
    got = queue.claim(now, kinds=[CERTIFICATE])
    assert got is not None and got.id == cert.id
    later = now + dt.timedelta(minutes=5)
    queue.mark_retry(got.id, "out of paper", later)
    assert queue.claim(now, kinds=[CERTIFICATE]) is None
    assert queue.next_due_at([CERTIFICATE]) == later
    again = queue.claim(later, kinds=[CERTIFICATE])
    assert again is not None and again.attempts == 2 and again.last_error == "out of paper"
    first = queue.claim(now)
    assert first is not None and first.id == receipt.id


def test_a_crash_while_printing_leaves_the_job_uncertain_not_reprinted(
    queue: PrintQueue, store: Store, cipher: FieldCipher
) -> None:
    job = queue.enqueue(CERTIFICATE, CASE, DOC)
    assert queue.claim(dt.datetime.now(dt.UTC)) is not None  # then the power went
    after_restart = PrintQueue(store, cipher)
    assert after_restart.resume_in_flight() == 1
    stuck = after_restart.get(job.id)
    assert stuck is not None and stuck.state == "uncertain"
    assert after_restart.claim(dt.datetime.now(dt.UTC)) is None
    # Staff (or the citizen's explicit reprint) decide: then it prints.
    assert after_restart.retry(job.id).state == "queued"
    again = after_restart.claim(dt.datetime.now(dt.UTC))
    assert again is not None and after_restart.document(again) == DOC
    with pytest.raises(StoreError, match="is printing"):
        after_restart.retry(job.id)


def test_reprints_are_limited_and_recorded(queue: PrintQueue) -> None:
    queue.enqueue(CERTIFICATE, CASE, DOC)
    first = queue.enqueue_reprint(CERTIFICATE, CASE, DOC, limit=2)
    second = queue.enqueue_reprint(CERTIFICATE, CASE, DOC, limit=2)
    assert first.reprint and second.reprint
    with pytest.raises(ReprintLimitError):
        queue.enqueue_reprint(CERTIFICATE, CASE, DOC, limit=2)
    assert queue.reprints_used(CASE) == 2
    assert queue.reprints_used(CASE, RECEIPT) == 0
    assert len(queue.jobs(case_number=CASE)) == 3


def test_full_disk_refuses_a_job_and_keeps_the_queued_ones(queue: PrintQueue, store: Store) -> None:
    kept = queue.enqueue(CERTIFICATE, CASE, DOC)
    with store.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreFullError):
        queue.enqueue(CERTIFICATE, CASE, b"x" * 65536)
    with store.read() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    job = queue.claim(dt.datetime.now(dt.UTC), job_id=kept.id)
    assert job is not None and queue.document(job) == DOC


@pytest.fixture
def start_worker(queue: PrintQueue) -> Iterator[Callable[..., PrintWorker]]:
    workers: list[PrintWorker] = []

    def start(printer: FakePrinter, **kwargs: object) -> PrintWorker:
        worker = PrintWorker(queue, printer, base_delay=0.05, max_delay=0.1, **kwargs)  # type: ignore[arg-type]
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        assert worker.stop()


def test_worker_prints_when_the_printer_is_back_exactly_once(
    queue: PrintQueue, start_worker: Callable[..., PrintWorker]
) -> None:
    printer = FakePrinter()
    printer.script = [PrintNotDoneError("out of paper")] * 3
    done: list[PrintJob] = []
    problems: list[PrintJob] = []
    job = queue.enqueue(CERTIFICATE, CASE, DOC)
    worker = start_worker(printer, on_printed=done.append, on_problem=problems.append)
    worker.wake()
    assert wait_until(lambda: len(done) == 1)
    assert printer.printed == [(CERTIFICATE, DOC)]
    assert [p.state for p in problems] == ["queued"] * 3
    final = queue.get(job.id)
    assert final is not None and (final.state, final.attempts) == ("printed", 4)
    assert printer.threads == {"print-queue"}


def test_worker_marks_unknown_outcomes_uncertain_and_goes_on(
    queue: PrintQueue, start_worker: Callable[..., PrintWorker]
) -> None:
    printer = FakePrinter()
    printer.script = [PrintOutcomeUnknownError("connection lost after the job was sent")]
    problems: list[PrintJob] = []
    done: list[PrintJob] = []
    torn = queue.enqueue(RECEIPT, CASE, b"first")
    queue.enqueue(RECEIPT, CASE, b"second")
    start_worker(printer, on_printed=done.append, on_problem=problems.append)
    assert wait_until(lambda: len(done) == 1 and len(problems) == 1)
    assert problems[0].id == torn.id and problems[0].state == "uncertain"
    assert printer.printed == [(RECEIPT, b"second")]


def test_worker_start_marks_jobs_left_printing_uncertain(
    queue: PrintQueue, start_worker: Callable[..., PrintWorker]
) -> None:
    job = queue.enqueue(CERTIFICATE, CASE, DOC)
    assert queue.claim(dt.datetime.now(dt.UTC)) is not None
    printer = FakePrinter()
    start_worker(printer)
    assert wait_until(lambda: queue.get(job.id).state == "uncertain")  # type: ignore[union-attr]
    assert printer.printed == []


def test_documents_that_never_printed_are_purged_after_retention(
    store: Store, cipher: FieldCipher
) -> None:
    clock_now = [dt.datetime(2025, 3, 1, tzinfo=dt.UTC)]
    queue = PrintQueue(store, cipher, clock=lambda: clock_now[0])
    waiting = queue.enqueue(CERTIFICATE, CASE, DOC)
    printed = queue.enqueue(RECEIPT, CASE, b"r")
    job = queue.claim(clock_now[0], job_id=printed.id)
    assert job is not None
    queue.mark_printed(job.id)
    clock_now[0] += dt.timedelta(days=40)
    fresh = queue.enqueue(CERTIFICATE, CASE, DOC)
    assert queue.purge_stale(older_than=clock_now[0] - dt.timedelta(days=30)) == 1
    gone = queue.get(waiting.id)
    assert gone is not None and gone.state == "failed" and "purged" in (gone.last_error or "")
    assert queue.document(gone) is None
    assert queue.get(printed.id).state == "printed"  # type: ignore[union-attr]
    kept = queue.claim(clock_now[0], job_id=fresh.id)
    assert kept is not None and queue.document(kept) == DOC
