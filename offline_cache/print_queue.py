"""Durable print jobs: a certificate approved while the printer was out of paper prints later, once.

Jobs move ``queued -> printing -> printed``; ``failed`` when the job itself is bad (staff look at
it), ``uncertain`` when nobody knows whether paper came out. The ``printing`` mark is committed
before a single byte goes to the printer, so after a crash a job found ``printing`` may or may not
be in the citizen's hand. Such a job goes to ``uncertain`` and is *not* reprinted by itself: a
second certificate is a second valid document (worse than a wasted sheet, it can be handed to
someone else), while a missing one is recovered at once by the citizen's reprint from the receipt
QR code or by staff (``kiosk queue retry``). A printer that says "nothing printed" (offline, out of
paper, cover open before the job) puts the job back in the queue with backoff: it prints when the
printer is back, exactly once.

One owner per job. A job the result screen queues is *held* by the screen from the enqueue on
(in this process's memory, taken inside the enqueue's transaction): the workers' ``claim`` skips
held jobs, so the background worker can never take the fresh job the screen is about to print and
leave the citizen reading "print failed" while it prints moments later. The screen releases the
hold once its own attempt has ended; a job that did not print then belongs to the worker. A hold
does not survive the process: after a restart every queued job is the worker's. Whoever waits for
a job another owner is printing waits for its outcome (:meth:`PrintQueue.wait_settled`) instead
of calling it failed.

The document is sealed with the :class:`~offline_cache.crypto.FieldCipher` (a certificate names
its holder) and dropped once printed. This module knows no printer: the worker is given a
``printer(job, document)`` callable that raises :class:`PrintNotDoneError` or
:class:`PrintOutcomeUnknownError`; the kiosk translates its drivers' errors into those.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial

from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, StoreError
from offline_cache.store import Store
from offline_cache.sync import backoff_delay

log = logging.getLogger(__name__)

RECEIPT = "receipt"
CERTIFICATE = "certificate"
KINDS = (RECEIPT, CERTIFICATE)

QUEUED = "queued"
PRINTING = "printing"
PRINTED = "printed"
FAILED = "failed"
UNCERTAIN = "uncertain"
STATES = (QUEUED, PRINTING, PRINTED, FAILED, UNCERTAIN)

MAX_ERROR_CHARS = 500

_COLUMNS = (
    "id, kind, case_number, state, attempts, last_error, reprint, next_attempt_at, created_at, "
    "updated_at, printed_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM print_jobs"  # noqa: S608 - fixed column list


class PrintNotDoneError(CacheError):
    """Nothing was printed (printer offline, out of paper, cover open): safe to send again."""


class PrintOutcomeUnknownError(CacheError):
    """Bytes went to the printer but it never confirmed: the job may or may not be on paper."""


class ReprintLimitError(CacheError):
    """The citizen has used up the reprints allowed for this case's document."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ts(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("print queue times must be timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _aad(job_id: int, case_number: str, kind: str) -> bytes:
    return f"print/{job_id}/{case_number}/{kind}".encode()


@dataclasses.dataclass(frozen=True)
class PrintJob:
    """One print job's clear columns (no personal data: safe to log and to export)."""

    id: int
    kind: str
    case_number: str
    state: str
    attempts: int
    last_error: str | None
    reprint: bool
    """A citizen's reprint from the receipt QR code (counted against the limit)."""
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    printed_at: dt.datetime | None

    @classmethod
    def _from_row(cls, row: Sequence[object]) -> PrintJob:
        (id_, kind, case, state, attempts, error, reprint, next_at, created, updated, printed) = row
        return cls(
            id=int(str(id_)),
            kind=str(kind),
            case_number=str(case),
            state=str(state),
            attempts=int(str(attempts)),
            last_error=None if error is None else str(error),
            reprint=bool(reprint),
            next_attempt_at=dt.datetime.fromisoformat(str(next_at)),
            created_at=dt.datetime.fromisoformat(str(created)),
            updated_at=dt.datetime.fromisoformat(str(updated)),
            printed_at=None if printed is None else dt.datetime.fromisoformat(str(printed)),
        )


class PrintQueue:
    """Print jobs in a :class:`Store`, documents sealed by ``cipher``."""

    def __init__(
        self, store: Store, cipher: FieldCipher, *, clock: Callable[[], dt.datetime] = _now
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._held: set[int] = set()
        # Notified after every committed change of a job's state (wait_settled listens).
        self._changed = threading.Condition()
        self._version = 0

    # --- Queueing -------------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        case_number: str,
        document: bytes,
        *,
        reprint: bool = False,
        hold: bool = False,
    ) -> PrintJob:
        """Queue a document durably and sealed, due at once (:class:`StoreFullError`: disk full).

        With ``hold`` the caller owns the job until :meth:`release`: no worker claims it.
        """
        job = None
        try:
            with self._store.transaction() as conn:
                job = self._insert(conn, kind, case_number, document, reprint=reprint)
                if hold:
                    # Before the commit: a worker's claim cannot see the row before it is held.
                    self._hold_locked(job.id)
        except BaseException:
            if job is not None:
                self.release(job.id)
            raise
        return job

    def _hold_locked(self, job_id: int) -> None:
        with self._changed:
            self._held.add(job_id)

    def hold(self, job_id: int) -> None:
        """Take a queued job away from the workers (the screen's "print again")."""
        # Inside a write transaction so that a worker's claim in flight has either committed
        # (the job is ``printing``: wait for it) or will see the hold.
        with self._store.transaction():
            self._hold_locked(job_id)

    def release(self, job_id: int) -> None:
        """Give a held job (back) to the workers."""
        with self._changed:
            self._held.discard(job_id)
            self._changed.notify_all()

    def held(self) -> frozenset[int]:
        """The jobs held by a caller now."""
        with self._changed:
            return frozenset(self._held)

    def wait_settled(self, job_id: int, timeout: float) -> PrintJob | None:
        """Wait (blocking: a worker thread) until job ``job_id`` is no longer ``printing``.

        Returns the job as it is then, or as it still is after ``timeout`` seconds.
        """
        # Lock order is store, then condition (claim reads the holds inside its transaction):
        # the store is never read here with the condition held.
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                seen = self._version
            job = self.get(job_id)
            remaining = deadline - time.monotonic()
            if job is None or job.state != PRINTING or remaining <= 0:
                return job
            with self._changed:
                self._changed.wait_for(partial(self._changed_since, seen), remaining)

    def _changed_since(self, version: int) -> bool:
        return self._version != version

    def _notify_changed(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def enqueue_reprint(
        self, kind: str, case_number: str, document: bytes, *, limit: int, hold: bool = False
    ) -> PrintJob:
        """Queue a citizen's reprint unless ``limit`` reprints of this document exist already.

        Counting and queueing are one transaction, so two quick scans cannot both pass the
        limit. Raises :class:`ReprintLimitError` when the limit is reached.
        """
        with self._store.transaction() as conn:
            (used,) = conn.execute(
                "SELECT COUNT(*) FROM print_jobs "
                "WHERE case_number = ? AND kind = ? AND reprint = 1",
                (case_number, kind),
            ).fetchone()
            if used >= limit:
                raise ReprintLimitError(f"case {case_number}: {used} reprints used of {limit}")
            job = self._insert(conn, kind, case_number, document, reprint=True)
            if hold:
                self._hold_locked(job.id)
        log.info("case %s: reprint %d of %d of the %s queued", case_number, used + 1, limit, kind)
        return job

    def _insert(
        self,
        conn: sqlite3.Connection,
        kind: str,
        case_number: str,
        document: bytes,
        *,
        reprint: bool,
    ) -> PrintJob:
        if kind not in KINDS:
            raise CacheError(f"print job kind must be one of {', '.join(KINDS)}")
        now = _ts(self._clock())
        (job_id,) = conn.execute(
            "INSERT INTO print_jobs (kind, case_number, state, reprint, next_attempt_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (kind, case_number, QUEUED, int(reprint), now, now, now),
        ).fetchone()
        sealed = self._cipher.encrypt(document, _aad(job_id, case_number, kind))
        row = conn.execute(
            f"UPDATE print_jobs SET document = ? WHERE id = ? RETURNING {_COLUMNS}",  # noqa: S608 - fixed column list
            (sealed, job_id),
        ).fetchone()
        return PrintJob._from_row(row)

    def reprints_used(self, case_number: str, kind: str = CERTIFICATE) -> int:
        """How many reprints of a case's document have been queued (each is recorded)."""
        with self._store.read() as conn:
            (used,) = conn.execute(
                "SELECT COUNT(*) FROM print_jobs "
                "WHERE case_number = ? AND kind = ? AND reprint = 1",
                (case_number, kind),
            ).fetchone()
        return int(used)

    # --- The worker's side ----------------------------------------------------------------------

    def claim(
        self,
        now: dt.datetime,
        *,
        kinds: Sequence[str] = KINDS,
        job_id: int | None = None,
        horizon: dt.timedelta | None = None,
    ) -> PrintJob | None:
        """Mark the oldest due queued job (or job ``job_id``, due or not) ``printing``; committed.

        The commit comes before any byte is sent: that is what lets a restart tell "maybe
        printed" from "never sent". With ``horizon`` (the longest backoff ever scheduled), a
        job due further ahead is due now: the clock was set back after it was scheduled.
        """
        far = _ts(now + horizon) if horizon is not None else "9999"
        with self._store.transaction() as conn:
            if job_id is None:
                marks = ", ".join("?" for _ in kinds)
                # Held jobs belong to the caller holding them (the screen), never to a worker.
                held = sorted(self.held())
                skip = ", ".join("?" for _ in held)
                found = conn.execute(
                    "SELECT id FROM print_jobs WHERE state = ? "  # noqa: S608 - placeholders only
                    f"AND (next_attempt_at <= ? OR next_attempt_at > ?) AND kind IN ({marks}) "
                    f"AND id NOT IN ({skip}) ORDER BY id LIMIT 1",
                    (QUEUED, _ts(now), far, *kinds, *held),
                ).fetchone()
            else:
                found = conn.execute(
                    "SELECT id FROM print_jobs WHERE state = ? AND id = ?", (QUEUED, job_id)
                ).fetchone()
            if found is None:
                return None
            row = conn.execute(
                "UPDATE print_jobs SET state = ?, attempts = attempts + 1, updated_at = ? "  # noqa: S608 - fixed column list
                f"WHERE id = ? RETURNING {_COLUMNS}",
                (PRINTING, _ts(self._clock()), found[0]),
            ).fetchone()
        self._notify_changed()
        return PrintJob._from_row(row)

    def document(self, job: PrintJob) -> bytes | None:
        """The job's document, opened; ``None`` once printed (it is dropped then)."""
        with self._store.read() as conn:
            row = conn.execute("SELECT document FROM print_jobs WHERE id = ?", (job.id,)).fetchone()
        if row is None or row[0] is None:
            return None
        return self._cipher.decrypt(row[0], _aad(job.id, job.case_number, job.kind))

    def _transition(
        self, job_id: int, allowed: tuple[str, ...], assignments: str, params: tuple[object, ...]
    ) -> PrintJob:
        with self._store.transaction() as conn:
            row = conn.execute("SELECT state FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise StoreError(f"print job {job_id} does not exist")
            if row[0] not in allowed:
                raise StoreError(
                    f"print job {job_id} is {row[0]}, expected one of {', '.join(allowed)}"
                )
            updated = conn.execute(
                f"UPDATE print_jobs SET {assignments}, updated_at = ? WHERE id = ? "  # noqa: S608 - fixed column list
                f"RETURNING {_COLUMNS}",
                (*params, _ts(self._clock()), job_id),
            ).fetchone()
        self._notify_changed()
        return PrintJob._from_row(updated)

    def mark_printed(self, job_id: int) -> PrintJob:
        """The printer confirmed the job: record it and drop the sealed document."""
        job = self._transition(
            job_id,
            (PRINTING,),
            "state = ?, printed_at = ?, document = NULL, purged_at = ?, last_error = NULL",
            (PRINTED, _ts(self._clock()), _ts(self._clock())),
        )
        log.info("case %s: %s printed", job.case_number, job.kind)
        return job

    def mark_retry(self, job_id: int, error: str, next_attempt_at: dt.datetime) -> PrintJob:
        """Nothing was printed: back to ``queued``, due at ``next_attempt_at``."""
        return self._transition(
            job_id,
            (PRINTING,),
            "state = ?, last_error = ?, next_attempt_at = ?",
            (QUEUED, error[:MAX_ERROR_CHARS], _ts(next_attempt_at)),
        )

    def mark_uncertain(self, job_id: int, error: str) -> PrintJob:
        """Nobody knows whether the job printed: it waits for a person, never reprinted alone."""
        job = self._transition(
            job_id, (PRINTING,), "state = ?, last_error = ?", (UNCERTAIN, error[:MAX_ERROR_CHARS])
        )
        log.warning("case %s: %s may or may not have printed", job.case_number, job.kind)
        return job

    def mark_failed(self, job_id: int, error: str) -> PrintJob:
        """The job cannot print (bad document, unreadable seal): staff look at it."""
        job = self._transition(
            job_id,
            (QUEUED, PRINTING),
            "state = ?, last_error = ?",
            (FAILED, error[:MAX_ERROR_CHARS]),
        )
        log.warning("case %s: %s print job failed: %s", job.case_number, job.kind, job.last_error)
        return job

    def retry(self, job_id: int) -> PrintJob:
        """Put a ``failed`` or ``uncertain`` job back in the queue (staff or an explicit retry)."""
        return self._transition(
            job_id,
            (FAILED, UNCERTAIN),
            "state = ?, next_attempt_at = ?",
            (QUEUED, _ts(self._clock())),
        )

    def make_due(self, kinds: Sequence[str] = KINDS) -> int:
        """Make every queued job of these kinds due now (the printer is back); returns how many."""
        marks = ", ".join("?" for _ in kinds)
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            count = conn.execute(
                f"UPDATE print_jobs SET next_attempt_at = ? WHERE state = ? AND kind IN ({marks})",  # noqa: S608 - placeholders only
                (now, QUEUED, *kinds),
            ).rowcount
        return int(count)

    def resume_in_flight(self) -> int:
        """At start-up: jobs left ``printing`` by a crash become ``uncertain``; returns how many."""
        with self._store.transaction() as conn:
            count = conn.execute(
                "UPDATE print_jobs SET state = ?, last_error = ?, updated_at = ? WHERE state = ?",
                (
                    UNCERTAIN,
                    "the terminal stopped while this job was printing",
                    _ts(self._clock()),
                    PRINTING,
                ),
            ).rowcount
        if count:
            log.warning("%d print jobs were printing at a stop: marked uncertain for staff", count)
        return int(count)

    def purge_stale(self, older_than: dt.datetime) -> int:
        """Drop the documents of jobs that never printed and were made before ``older_than``.

        A certificate names its holder: one that waited past the retention window (failed,
        uncertain, or still queued) loses its document and ends ``failed``; the row stays as a
        record. Returns how many.
        """
        stamp = _ts(older_than)
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            count = conn.execute(
                "UPDATE print_jobs SET document = NULL, purged_at = ?, updated_at = ?, state = ?, "
                "last_error = COALESCE(last_error || '; ', '') || 'expired: document purged' "
                "WHERE state IN (?, ?, ?) AND document IS NOT NULL AND created_at < ?",
                (now, now, FAILED, QUEUED, FAILED, UNCERTAIN, stamp),
            ).rowcount
        if count:
            log.info("purged the documents of %d print jobs that never printed", count)
        return int(count)

    def reseal(self) -> int:
        """Re-seal queued documents not sealed under the current key (after a key rotation)."""
        current = self._cipher.kid
        done = 0
        with self._store.transaction() as conn:
            rows = conn.execute(
                "SELECT id, case_number, kind, document FROM print_jobs WHERE document IS NOT NULL"
            ).fetchall()
            for id_, case_number, kind, sealed in rows:
                if FieldCipher.key_id_of(sealed) == current:
                    continue
                aad = _aad(id_, case_number, kind)
                fresh = self._cipher.encrypt(self._cipher.decrypt(sealed, aad), aad)
                conn.execute("UPDATE print_jobs SET document = ? WHERE id = ?", (fresh, id_))
                done += 1
        return done

    # --- Reading --------------------------------------------------------------------------------

    def get(self, job_id: int) -> PrintJob | None:
        """Return one job, or ``None``."""
        with self._store.read() as conn:
            row = conn.execute(_SELECT + " WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else PrintJob._from_row(row)

    def jobs(
        self, state: str | None = None, *, case_number: str | None = None, limit: int = 1000
    ) -> list[PrintJob]:
        """Jobs in queue order, optionally of one state and/or case."""
        where, params = [], []
        if state is not None:
            where.append("state = ?")
            params.append(state)
        if case_number is not None:
            where.append("case_number = ?")
            params.append(case_number)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._store.read() as conn:
            rows = conn.execute(
                _SELECT + clause + " ORDER BY id LIMIT ?", (*params, limit)
            ).fetchall()
        return [PrintJob._from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Count the jobs in each state (every state present, zero included)."""
        with self._store.read() as conn:
            found = dict(conn.execute("SELECT state, COUNT(*) FROM print_jobs GROUP BY state"))
        return {state: int(found.get(state, 0)) for state in STATES}

    def next_due_at(self, kinds: Sequence[str] = KINDS) -> dt.datetime | None:
        """When the earliest queued job of these kinds is due, or ``None``."""
        marks = ", ".join("?" for _ in kinds)
        with self._store.read() as conn:
            (due,) = conn.execute(
                "SELECT MIN(next_attempt_at) FROM print_jobs "  # noqa: S608 - placeholders only
                f"WHERE state = ? AND kind IN ({marks})",
                (QUEUED, *kinds),
            ).fetchone()
        return None if due is None else dt.datetime.fromisoformat(due)


Printer = Callable[[PrintJob, bytes], None]
"""Print one job's document; raise :class:`PrintNotDoneError` or :class:`PrintOutcomeUnknownError`.
"""


class PrintWorker:
    """Own one thread that prints due jobs of ``kinds`` through ``printer``, oldest first.

    ``on_printed(job)`` and ``on_problem(job)`` are called from the worker thread after each job
    ends (printed; or put back, uncertain, failed: look at ``job.state``). Like the sync worker it
    sleeps on an event until a job is due, ``idle_interval`` passes or :meth:`wake` is called.
    """

    def __init__(
        self,
        queue: PrintQueue,
        printer: Printer,
        *,
        kinds: Sequence[str] = KINDS,
        name: str = "print-queue",
        on_printed: Callable[[PrintJob], None] | None = None,
        on_problem: Callable[[PrintJob], None] | None = None,
        base_delay: float = 5.0,
        max_delay: float = 300.0,
        idle_interval: float = 5.0,
        resume_at_start: bool = True,
        clock: Callable[[], dt.datetime] = _now,
        rng: random.Random | None = None,
    ) -> None:
        self._queue = queue
        self._printer = printer
        self._kinds = tuple(kinds)
        self._name = name
        self._on_printed = on_printed
        self._on_problem = on_problem
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._idle_interval = idle_interval
        self._resume_at_start = resume_at_start
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._horizon = dt.timedelta(seconds=max_delay + 1.0)

    @property
    def running(self) -> bool:
        """Whether the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; jobs a crash left ``printing`` become ``uncertain`` first."""
        if self.running:
            raise RuntimeError("the print worker is already running")
        self._stopping.clear()
        self._wake.set()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due jobs now (after an enqueue, or when the printer is back)."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop within ``timeout`` seconds (a job being printed ends by the driver's timeout)."""
        thread = self._thread
        if thread is None:
            return True
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("print worker %s did not stop within %.1f s", self._name, timeout)
            return False
        self._thread = None
        return True

    def print_one(self, job: PrintJob) -> PrintJob:
        """Print a job already claimed (``printing``) and record the outcome; returns the job.

        Used by the worker thread and by a caller that wants one job printed now (the result
        screen): both go through the same claim, so a job is never sent twice.
        """
        try:
            document = self._queue.document(job)
        except CacheError as err:
            return self._queue.mark_failed(job.id, f"document unreadable: {err}")
        if document is None:
            return self._queue.mark_failed(job.id, "document missing")
        try:
            self._printer(job, document)
        except PrintNotDoneError as err:
            delay = backoff_delay(job.attempts, self._base_delay, self._max_delay, self._rng)
            next_at = self._clock() + dt.timedelta(seconds=delay)
            log.info("case %s: %s not printed (%s); retry in %.1f s", job.case_number, job.kind,
                     err, delay)  # fmt: skip
            return self._queue.mark_retry(job.id, str(err), next_at)
        except PrintOutcomeUnknownError as err:
            return self._queue.mark_uncertain(job.id, str(err))
        except Exception as err:
            # A bug or an unexpected driver error after the claim: bytes may have left, so the
            # only safe answer is "uncertain" (a person decides), never an automatic resend.
            log.exception("case %s: printing the %s raised", job.case_number, job.kind)
            return self._queue.mark_uncertain(job.id, f"unexpected {type(err).__name__}")
        return self._queue.mark_printed(job.id)

    def _run(self) -> None:
        resumed = not self._resume_at_start
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if not resumed:
                    self._queue.resume_in_flight()
                    resumed = True
                self._drain()
                wait = self._seconds_to_next_due()
            except Exception:
                log.exception("print pass failed; retrying in %.1f s", self._idle_interval)
                wait = self._idle_interval
            self._wake.wait(wait)
        log.info("print worker %s stopped", self._name)

    def _drain(self) -> None:
        while not self._stopping.is_set():
            job = self._queue.claim(self._clock(), kinds=self._kinds, horizon=self._horizon)
            if job is None:
                return
            done = self.print_one(job)
            callback = self._on_printed if done.state == PRINTED else self._on_problem
            if callback is not None:
                try:
                    callback(done)
                except Exception:
                    log.exception("print callback failed for case %s", done.case_number)

    def _seconds_to_next_due(self) -> float:
        due = self._queue.next_due_at(self._kinds)
        if due is None:
            return self._idle_interval
        seconds = (due - self._clock()).total_seconds()
        return min(max(seconds, 0.0), self._idle_interval)
