"""The sync worker: one thread that delivers the outbox to the hall, oldest first.

It sleeps on an event until the next entry is due (or ``idle_interval`` passes, or :meth:`wake` is
called after an enqueue), so ``stop`` is prompt. A hall that cannot take an entry now puts that
entry on capped exponential backoff with full jitter; a hall that refuses an entry for good marks
it failed and goes on with the rest of the queue. Log lines name case numbers only.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable

from hall.schema import SubmissionPublic
from offline_cache.errors import (
    DecryptionError,
    HallRejectedError,
    HallUnavailableError,
)
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox, OutboxEntry, utc_now

log = logging.getLogger(__name__)

MAX_EXPONENT = 62


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
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._on_result = on_result
        self._on_failed = on_failed
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._idle_interval = idle_interval
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sync: dt.datetime | None = None

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
        resumed = False
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if not resumed:
                    self._outbox.resume_in_flight()
                    resumed = True
                self._drain()
                wait = self._seconds_to_next_due()
            except Exception:
                # The store failed (disk full, I/O) or a bug surfaced: the terminal must keep
                # syncing, so keep the thread and try later; rows left "sending" go back first.
                log.exception("sync pass failed; retrying in %.1f s", self._idle_interval)
                resumed = False
                wait = self._idle_interval
            self._wake.wait(wait)
        log.info("sync worker stopped")

    def _seconds_to_next_due(self) -> float:
        due = self._outbox.next_due_at()
        if due is None:
            return self._idle_interval
        seconds = (due - self._clock()).total_seconds()
        return min(max(seconds, 0.0), self._idle_interval)

    def _drain(self) -> None:
        while not self._stopping.is_set():
            claimed = self._outbox.claim_due(self._clock(), limit=1)
            if not claimed:
                return
            self._deliver(claimed[0])

    def _deliver(self, entry: OutboxEntry) -> None:
        case = entry.case_number
        try:
            submission = self._outbox.submission(case)
        except DecryptionError as err:
            self._fail(entry, f"payload unreadable: {err}")
            return
        if submission is None:
            self._fail(entry, "payload missing")
            return
        try:
            result = self._client.submit(submission, entry.idempotency_key)
        except HallUnavailableError as err:
            delay = backoff_delay(entry.attempts, self._base_delay, self._max_delay, self._rng)
            next_at = self._clock() + dt.timedelta(seconds=delay)
            self._outbox.mark_retry(entry.id, str(err), next_at)
            log.info("case %s not delivered (%s); retry in %.1f s", case, err, delay)
            return
        except HallRejectedError as err:
            self._last_sync = self._clock()
            self._fail(entry, str(err))
            return
        self._last_sync = self._clock()
        self._outbox.mark_delivered(entry.id, result)
        if self._on_result is not None:
            try:
                self._on_result(case, result)
            except Exception:
                log.exception("on_result callback failed for case %s", case)

    def _fail(self, entry: OutboxEntry, error: str) -> None:
        self._outbox.mark_failed(entry.id, error)
        if self._on_failed is not None:
            try:
                self._on_failed(entry.case_number, error)
            except Exception:
                log.exception("on_failed callback failed for case %s", entry.case_number)
