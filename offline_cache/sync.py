"""The sync worker: one thread that delivers the outbox to the hall, oldest first.

It sleeps on an event until the next entry is due (or ``idle_interval`` passes, or :meth:`wake` is
called after an enqueue), so ``stop`` is prompt. A hall that cannot take an entry now puts that
entry on capped exponential backoff with full jitter; a hall that refuses an entry for good marks
it failed and goes on with the rest of the queue. Log lines name case numbers only.

Between deliveries the same thread does the housekeeping that must run whether or not anyone
submits (each on its own interval, each failure logged and retried on the next round): ask the
hall for the decision of delivered cases it decided later, purge the personal data of cases past
the retention window, checkpoint the store so its WAL stays small, pull the catalog (ETag: an
unchanged one costs a 304) and send a heartbeat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Protocol

from hall.schema import (
    MAX_EVENTS_PER_BATCH,
    EventBatchCreate,
    EventBatchPublic,
    EventCreate,
    HeartbeatCreate,
    HeartbeatPublic,
    SubmissionPublic,
)
from offline_cache.errors import (
    CacheError,
    DecryptionError,
    HallRejectedError,
    HallUnavailableError,
    StoreFullError,
)
from offline_cache.events import EventQueue, PendingEvent
from offline_cache.hall_client import HallBusyError, HallClient
from offline_cache.heartbeat import fit_heartbeat
from offline_cache.outbox import DECIDED, Outbox, OutboxEntry, utc_now

log = logging.getLogger(__name__)

MAX_EXPONENT = 62
CLAIM_BATCH = 16
"""Rows claimed per durable commit when draining the queue."""
LAST_SYNC_KEY = "last_sync"
"""Meta key: ISO time the hall last answered a delivery (for ``kiosk queue status``)."""


class Refreshable(Protocol):
    """Something the worker refreshes from the hall (the catalog store)."""

    def refresh(self, client: HallClient) -> bool:
        """Ask the hall; return whether anything changed."""
        ...


@dataclasses.dataclass(frozen=True)
class Housekeeping:
    """Intervals in seconds for the worker's periodic jobs (``None``: that job is off)."""

    decision_poll_s: float | None = 60.0
    """How often a delivered case without a decision is asked about."""
    retention: dt.timedelta | None = None
    """Delivered cases lose their personal data this long after delivery."""
    purge_every_s: float = 3600.0
    checkpoint_every_s: float | None = 300.0
    catalog_every_s: float | None = 300.0
    heartbeat_every_s: float | None = 60.0
    extra_purges: tuple[Callable[[dt.datetime], int], ...] = ()
    """More purges run with the retention purge, given the same cutoff (the print queue's)."""


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): full jitter in [0, ceiling].

    The ceiling is ``min(cap, base * 2 ** (attempt - 1))``; drawing the whole range rather than
    adding jitter to the ceiling keeps a fleet that lost the hall together from retrying together.
    """
    exponent = min(max(attempt - 1, 0), MAX_EXPONENT)
    ceiling = min(cap, base * float(2**exponent))
    return rng.uniform(0.0, ceiling)


class SyncWorker:
    """Own one thread that delivers due outbox entries to the hall through ``client``.

    ``on_result(case_number, result)`` and ``on_failed(case_number, error)`` are called from the
    worker thread; a kiosk turns them into queued Qt signals. ``clock`` returns aware datetimes.
    """

    def __init__(
        self,
        outbox: Outbox,
        client: HallClient,
        *,
        on_result: Callable[[str, SubmissionPublic], None] | None = None,
        on_failed: Callable[[str, str], None] | None = None,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        idle_interval: float = 5.0,
        clock: Callable[[], dt.datetime] = utc_now,
        rng: random.Random | None = None,
        housekeeping: Housekeeping | None = None,
        catalog: Refreshable | None = None,
        heartbeat: Callable[[], HeartbeatCreate] | None = None,
        events: EventQueue | None = None,
        on_heartbeat_answer: Callable[[HeartbeatCreate, HeartbeatPublic], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._events = events
        self._on_heartbeat_answer = on_heartbeat_answer
        self._housekeeping = housekeeping if housekeeping is not None else Housekeeping()
        self._catalog = catalog
        self._heartbeat = heartbeat
        self._due: dict[str, float] = {}
        self._persisted_sync: dt.datetime | None = None
        self.last_heartbeat_error: str | None = None
        """Why the last heartbeat did not go (``None`` after one went)."""
        self._client = client
        self._on_result = on_result
        self._on_failed = on_failed
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._idle_interval = idle_interval
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._wake = threading.Event()
        self._store_full = False
        self._resumed = False
        self._unrecorded: dict[int, SubmissionPublic] = {}
        """Rows the hall took while the store had no room to record it, by row id."""
        self._refused_unrecorded: set[int] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sync: dt.datetime | None = None
        # No retry is ever scheduled further ahead than max_delay: a row due later than this
        # was scheduled before the clock was set back, and is due now.
        self._horizon = dt.timedelta(seconds=max_delay + 1.0)

    @property
    def last_sync(self) -> dt.datetime | None:
        """When the hall last answered a delivery (accepted or refused), or ``None``."""
        return self._last_sync

    @property
    def running(self) -> bool:
        """Whether the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; it first returns in-flight entries to pending."""
        if self.running:
            raise RuntimeError("the sync worker is already running")
        self._stopping.clear()
        self._wake.set()
        self._thread = threading.Thread(target=self._run, name="outbox-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due entries now (call after an enqueue)."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the thread within ``timeout`` seconds; returns whether it ended.

        A request in flight is cut short (its entry goes back to pending, and the hall's
        idempotency makes a later resend harmless).
        """
        thread = self._thread
        if thread is None:
            return True
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        while thread.is_alive():
            # Repeat the abort: a connection opened just after the first one is cut too.
            self._client.abort()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            thread.join(min(0.05, remaining))
        if thread.is_alive():
            log.warning("sync worker did not stop within %.1f s", timeout)
            return False
        self._thread = None
        return True

    # --- The thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if not self._resumed:
                    self._resume()
                self._drain()
                self._send_events()
                self._housekeep()
                wait = min(self._seconds_to_next_due(), self._seconds_to_housekeeping())
                if self._store_full:
                    # Rows delivered but not recorded still look due: pace the rounds instead.
                    wait = self._idle_interval
            except StoreFullError:
                # A write between two deliveries found the disk full: no traceback every round,
                # the rows left "sending" are put back (or read as due) in the next one.
                self._note_store_full()
                self._resumed = False
                wait = self._idle_interval
            except Exception:
                # The store failed (I/O) or a bug surfaced: the terminal must keep syncing, so
                # keep the thread and try later; rows left "sending" go back first.
                log.exception("sync pass failed; retrying in %.1f s", self._idle_interval)
                self._resumed = False
                wait = self._idle_interval
            self._wake.wait(wait)
        log.info("sync worker stopped")

    def _resume(self) -> None:
        try:
            self._outbox.resume_in_flight()
        except StoreFullError:
            # The rows stay "sending"; the read-only delivery below counts them too.
            self._note_store_full()
            return
        self._resumed = True

    # --- A full disk ----------------------------------------------------------------------------

    def _note_store_full(self) -> None:
        if not self._store_full:
            self._store_full = True
            self._outbox.note_full(
                "the sync worker delivers without recording until space is freed"
            )

    def _record_unrecorded(self) -> None:
        """Write down deliveries made while the store was full (``StoreFullError``: still full)."""
        for entry_id, result in list(self._unrecorded.items()):
            try:
                self._outbox.mark_delivered(entry_id, result, unclaimed=True)
            except StoreFullError:
                raise
            except CacheError as err:
                # The row moved on meanwhile (staff retried or exported it): nothing to record.
                log.warning("outbox entry %d: delivery not recorded (%s)", entry_id, err)
            del self._unrecorded[entry_id]
        if self._store_full:
            log.warning("the store has room again: deliveries are recorded as they happen")
        self._store_full = False
        self._refused_unrecorded.clear()

    def _drain_unrecorded(self) -> None:
        """Deliver due rows without writing to the store (it is full); remember the answers.

        The hall keeps the first answer per idempotency key, so a row sent now and sent again
        after a restart (this memory is lost) is still one case at the hall, and the citizen
        waiting at the screen gets the decision now rather than after someone frees the disk.
        """
        self._note_store_full()
        after = 0
        while not self._stopping.is_set():
            entries = self._outbox.due(
                self._clock(),
                CLAIM_BATCH,
                horizon=self._horizon,
                after_id=after,
                include_sending=not self._resumed,
            )
            if not entries:
                return
            for entry in entries:
                after = entry.id
                if entry.id in self._unrecorded or entry.id in self._refused_unrecorded:
                    continue
                if self._stopping.is_set() or not self._deliver_unrecorded(entry):
                    return

    def _deliver_unrecorded(self, entry: OutboxEntry) -> bool:
        case = entry.case_number
        try:
            submission = self._outbox.submission(case)
        except DecryptionError:
            submission = None
        if submission is None:
            # Marking it failed is a write too: it is dealt with once the store has room.
            return True
        try:
            result = self._client.submit(submission, entry.idempotency_key)
        except HallUnavailableError as err:
            log.info("case %s not delivered (%s); store full, retry next round", case, err)
            return False
        except HallRejectedError as err:
            self._last_sync = self._clock()
            self._refused_unrecorded.add(entry.id)
            log.warning(
                "case %s refused by the hall (%s); recorded once the store has room", case, err
            )
            return True
        self._last_sync = self._clock()
        self._unrecorded[entry.id] = result
        log.info("case %s delivered: %s (not recorded yet: store full)", case, result.status)
        self._report(case, result)
        return True

    # --- Housekeeping ---------------------------------------------------------------------------

    def _jobs(self) -> list[tuple[str, float | None, Callable[[], None]]]:
        h = self._housekeeping
        return [
            ("decisions", h.decision_poll_s, self._poll_decisions),
            ("purge", h.purge_every_s if h.retention is not None else None, self._purge),
            ("checkpoint", h.checkpoint_every_s, self._checkpoint),
            ("catalog", h.catalog_every_s if self._catalog is not None else None, self._pull),
            ("heartbeat", h.heartbeat_every_s if self._heartbeat else None, self._beat),
            ("last_sync", 5.0, self._persist_last_sync),
        ]

    def _housekeep(self) -> None:
        for name, every, job in self._jobs():
            if every is None or self._stopping.is_set():
                continue
            now = time.monotonic()
            if now < self._due.get(name, 0.0):
                continue
            self._due[name] = now + every
            try:
                job()
            except HallUnavailableError as err:
                log.info("%s: hall not reachable (%s)", name, err)
            except (CacheError, OSError) as err:
                log.warning("%s failed: %s", name, err)

    def _seconds_to_housekeeping(self) -> float:
        now = time.monotonic()
        waits = [
            self._due.get(name, 0.0) - now for name, every, _ in self._jobs() if every is not None
        ]
        return max(min(waits, default=self._idle_interval), 0.0)

    def run_housekeeping_now(self) -> None:
        """Make every periodic job due at once (tests, ``kiosk queue`` tools, a woken terminal)."""
        self._due.clear()
        self._wake.set()

    def _poll_decisions(self) -> None:
        every = self._housekeeping.decision_poll_s or 60.0
        horizon = dt.timedelta(seconds=every * 10 + 1)
        for entry in self._outbox.awaiting_decision(self._clock(), horizon=horizon):
            if self._stopping.is_set():
                return
            try:
                answer = self._client.get_submission(entry.case_number)
            except HallRejectedError as err:
                log.warning("case %s: decision poll refused (%s)", entry.case_number, err)
                self._outbox.schedule_poll(
                    entry.id, self._clock() + dt.timedelta(seconds=every * 10)
                )
                continue
            updated = self._outbox.mark_decided(entry.id, answer)
            if updated.state == DECIDED:
                self._report(entry.case_number, answer)
            else:
                self._outbox.schedule_poll(entry.id, self._clock() + dt.timedelta(seconds=every))

    def _purge(self) -> None:
        self.purge_now()

    def purge_now(self) -> int:
        """Run the retention purges now (any thread: each is one store transaction); how many.

        The nightly window calls it too; with no retention configured nothing is purged.
        """
        retention = self._housekeeping.retention
        if retention is None:
            return 0
        cutoff = self._clock() - retention
        purged = self._outbox.purge_delivered(older_than=cutoff)
        for purge in self._housekeeping.extra_purges:
            purged += purge(cutoff)
        return purged

    def _checkpoint(self) -> None:
        self._outbox.store.checkpoint("TRUNCATE")

    def _pull(self) -> None:
        if self._catalog is not None:
            self._catalog.refresh(self._client)

    def _beat(self) -> None:
        if self._heartbeat is None:
            return
        sent = fit_heartbeat(self._heartbeat())
        try:
            answer = self._client.heartbeat(sent)
        except (HallUnavailableError, HallRejectedError) as err:
            self.last_heartbeat_error = str(err)
            raise HallUnavailableError(str(err)) from err
        self.last_heartbeat_error = None
        if self._on_heartbeat_answer is not None:
            # The device shadow (desired configuration, commands, staff calls).
            try:
                self._on_heartbeat_answer(sent, answer)
            except Exception:
                log.exception("the heartbeat answer's handler failed")

    def _persist_last_sync(self) -> None:
        last = self._last_sync
        if last is not None and last != self._persisted_sync:
            self._outbox.store.put_meta(LAST_SYNC_KEY, last.isoformat().encode())
            self._persisted_sync = last

    def _report(self, case: str, result: SubmissionPublic) -> None:
        if self._on_result is not None:
            try:
                self._on_result(case, result)
            except Exception:
                log.exception("on_result callback failed for case %s", case)

    def _seconds_to_next_due(self) -> float:
        dues = [self._outbox.next_due_at()]
        if self._events is not None:
            dues.append(self._events.next_due_at())
        due = min((d for d in dues if d is not None), default=None)
        if due is None:
            return self._idle_interval
        seconds = (due - self._clock()).total_seconds()
        return min(max(seconds, 0.0), self._idle_interval)

    # --- Events ---------------------------------------------------------------------------------

    def _send_events(self) -> None:
        """Deliver due events in batches until none is due or the hall cannot take them now."""
        if self._events is None or self._store_full:
            return
        while not self._stopping.is_set():
            due = self._events.due(self._clock(), MAX_EVENTS_PER_BATCH)
            if not due:
                return
            batch = EventBatchCreate(
                events=[
                    EventCreate(event_id=e.event_id, kind=e.kind, at=e.at, payload=e.payload)
                    for e in due
                ]
            )
            try:
                answer = self._client.post_events(batch)
            except HallRejectedError as err:
                # The hall answers each event on its own; a refusal of the whole request means
                # one of them is malformed for the wire. Find it: each goes alone, once.
                if len(due) == 1:
                    (event,) = due
                    log.warning(
                        "%s event %s refused by the hall (%s)", event.kind, event.event_id, err
                    )
                    self._events.mark_failed([event.row_id], err.code)
                    continue
                for n, (event, wire) in enumerate(zip(due, batch.events, strict=True)):
                    try:
                        self._settle(
                            [event], self._client.post_events(EventBatchCreate(events=[wire]))
                        )
                    except HallRejectedError as one:
                        log.warning(
                            "%s event %s refused by the hall (%s)", event.kind, event.event_id, one
                        )
                        self._events.mark_failed([event.row_id], one.code)
                    except HallUnavailableError as gone:
                        self._retry_events(due[n:], gone)
                        return
                continue
            except HallUnavailableError as err:
                self._retry_events(due, err)
                return
            if not self._settle(due, answer):
                return

    def _retry_events(self, due: list[PendingEvent], err: Exception) -> None:
        assert self._events is not None
        attempts = max(e.attempts for e in due) + 1
        delay = backoff_delay(attempts, self._base_delay, self._max_delay, self._rng)
        if isinstance(err, HallBusyError):
            delay = max(delay, err.retry_after)  # the hall said how long: at least that
        self._events.mark_retry(
            [e.row_id for e in due], str(err), self._clock() + dt.timedelta(seconds=delay)
        )
        log.info("%d events not delivered (%s); retry in %.0f s", len(due), err, delay)

    def _settle(self, due: list[PendingEvent], answer: EventBatchPublic) -> bool:
        """Record the hall's answer per event; ``False`` when some event got no answer."""
        assert self._events is not None
        self._last_sync = self._clock()
        by_id = {r.event_id: r for r in answer.results}
        taken: list[int] = []
        refused: dict[str, list[int]] = {}
        unanswered: list[int] = []
        for event in due:
            result = by_id.get(event.event_id)
            if result is None:
                unanswered.append(event.row_id)
            elif result.status == "rejected":
                code = result.code or "rejected"
                refused.setdefault(code, []).append(event.row_id)
                log.warning(
                    "%s event %s refused by the hall (%s)", event.kind, event.event_id, code
                )
            else:
                taken.append(event.row_id)
        self._events.mark_delivered(taken)
        for code, rows in refused.items():
            self._events.mark_failed(rows, code)
        if unanswered:
            self._events.mark_retry(
                unanswered, "no answer", self._clock() + dt.timedelta(seconds=self._base_delay)
            )
            return False
        return True

    def _drain(self) -> None:
        # Rows are claimed in batches: one durable commit claims many, where a claim per row
        # cost as much as the hall's own answer (measured in bench/queue_drain.py). The rows a
        # batch never tried are handed back as they were.
        try:
            if self._unrecorded or self._store_full:
                self._record_unrecorded()
        except StoreFullError:
            self._drain_unrecorded()
            return
        while not self._stopping.is_set():
            try:
                claimed = self._outbox.claim_due(
                    self._clock(), limit=CLAIM_BATCH, horizon=self._horizon
                )
            except StoreFullError:
                self._drain_unrecorded()
                return
            if not claimed:
                return
            for index, entry in enumerate(claimed):
                if self._stopping.is_set() or not self._deliver(entry):
                    self._outbox.release([rest.id for rest in claimed[index + 1 :]])
                    if self._stopping.is_set():
                        self._outbox.release([entry.id])
                    return

    def _deliver(self, entry: OutboxEntry) -> bool:
        """Send one claimed row; ``False`` when the hall could not be reached."""
        case = entry.case_number
        try:
            submission = self._outbox.submission(case)
        except DecryptionError as err:
            self._fail(entry, f"payload unreadable: {err}")
            return True
        if submission is None:
            self._fail(entry, "payload missing")
            return True
        try:
            result = self._client.submit(submission, entry.idempotency_key)
        except HallUnavailableError as err:
            delay = backoff_delay(entry.attempts, self._base_delay, self._max_delay, self._rng)
            if isinstance(err, HallBusyError):
                delay = max(delay, err.retry_after)  # the hall said how long: at least that
            next_at = self._clock() + dt.timedelta(seconds=delay)
            self._outbox.mark_retry(entry.id, str(err), next_at)
            log.info("case %s not delivered (%s); retry in %.1f s", case, err, delay)
            return False
        except HallRejectedError as err:
            self._last_sync = self._clock()
            self._fail(entry, str(err))
            return True
        self._last_sync = self._clock()
        try:
            self._outbox.mark_delivered(entry.id, result)
        except StoreFullError:
            # The disk filled up while the hall answered: keep the answer until there is room.
            self._note_store_full()
            self._unrecorded[entry.id] = result
        self._report(case, result)
        return True

    def _fail(self, entry: OutboxEntry, error: str) -> None:
        self._outbox.mark_failed(entry.id, error)
        if self._on_failed is not None:
            try:
                self._on_failed(entry.case_number, error)
            except Exception:
                log.exception("on_failed callback failed for case %s", entry.case_number)
