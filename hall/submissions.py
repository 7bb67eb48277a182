"""Where submissions are taken in: processes of their own, or threads of the serving process.

A submission is about 10 ms of CPU (``HallService.submit``, mostly SQLAlchemy's). On a thread of
the worker that serves the heartbeats, those milliseconds hold the GIL the worker's event loop
needs: the loop gives the GIL up at every Ed25519 check and then waits up to the interpreter's
switch interval (5 ms) to get it back, so with submissions coming in, over half of the loop's
time went to waiting and the beats queued behind it. ``SubmissionProcesses`` takes them in in
processes of their own (``submission_processes`` per worker), each with its own ``HallService``
and database connection: what a submission needs between requests is in the database
(idempotency keys, case numbers, certificate serials), so any process may take any submission,
and what is sealed and signed uses the serving process's own keys, handed over at start.
``SubmissionThreads`` is the same on threads of the serving process (an embedded hall, or
``submission_processes = 0``). Both answer exactly as ``HallService.submit`` does, its
``HallError`` included. The processes are spawned: a program that embeds a hall with processes
needs the ``if __name__ == "__main__"`` guard that multiprocessing asks for.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import DataError

import assets
from hall.certificates import SigningKey
from hall.db import Database
from hall.errors import HallError
from hall.fleet.catalog import CatalogSource
from hall.keys import FileKeyProvider, Sealer
from hall.schema import SubmissionCreate, SubmissionPublic
from hall.service import HallService

logger = logging.getLogger(__name__)

SERVED_SUBMISSION_PROCESSES = 2
"""Submission processes of each ``kiosk-hall serve`` worker unless ``submission_processes``
says otherwise: two at a time keep a core busy while one waits for the database."""


class SubmissionStorageError(HallError):
    """The database refused a value of the submission that the models let through (too long)."""

    status_code = 422
    code = "invalid_request"


class SubmissionFailedError(HallError):
    """A submission process failed or died while taking the submission; the terminal retries."""

    status_code = 500
    code = "internal_error"


_STORAGE_MESSAGE = "invalid request: a value the hall cannot store"
_FAILED_MESSAGE = "the hall failed to answer; try again later"


class Submissions(Protocol):
    """Takes submissions in for the API: ``HallService.submit`` somewhere."""

    async def take(
        self, submission: SubmissionCreate, idempotency_key: str
    ) -> tuple[SubmissionPublic, bool]:
        """The stored answer and whether this call created it (``HallService.submit``)."""
        ...

    def stop(self) -> None:
        """Wait for the running submissions and end the threads or processes."""
        ...


class SubmissionThreads:
    """Submissions on threads of this process, started on first use and stopped with the server.

    A stopped hall started again (the same app served anew) gets fresh threads.
    """

    def __init__(self, submit: Callable[[SubmissionCreate, str], Any], threads: int) -> None:
        self._submit = submit
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def take(
        self, submission: SubmissionCreate, idempotency_key: str
    ) -> tuple[SubmissionPublic, bool]:
        """Run the submission on a submission thread; returns its answer."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="submission")
        loop = asyncio.get_running_loop()
        answer: tuple[SubmissionPublic, bool] = await loop.run_in_executor(
            self._executor, self._submit, submission, idempotency_key
        )
        return answer

    def stop(self) -> None:
        """Wait for the running submissions and end the threads."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


@dataclass(frozen=True)
class ServiceRecipe:
    """What a submission process builds its ``HallService`` from: the serving process's own.

    The keys are the serving process's, not read again from their files: a key rotated on disk
    since the worker started is the worker's only after a restart, and so is it its processes'.
    """

    database_url: str
    catalog_dir: Path
    timezone: str
    public_base_url: str
    signing_key: bytes
    """The raw Ed25519 private key certificates are signed with."""
    data_key_path: Path
    data_key_current: str
    data_keys: dict[str, bytes]
    lookup_key: bytes
    clock: Callable[[], dt.datetime]
    """A module-level function (it is pickled by name)."""


class SubmissionProcesses:
    """Submissions in ``processes`` processes of their own, started on first use.

    Each process builds its service from the recipe when it starts (``recipe()`` is asked then,
    so the public URL of a hall on port 0 is known). Their log records are handed to this
    process's loggers, so they go where the hall's own go. A process that dies (killed, out of
    memory) fails the submissions it held with 500 (a terminal retries; the transaction it had
    open is rolled back) and the next submission starts a fresh set.
    """

    def __init__(self, recipe: Callable[[], ServiceRecipe], processes: int) -> None:
        self._recipe = recipe
        self._processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._logs: Any = None
        self._listener: QueueListener | None = None

    async def take(
        self, submission: SubmissionCreate, idempotency_key: str
    ) -> tuple[SubmissionPublic, bool]:
        """Run the submission in a submission process; returns its answer."""
        executor = self._executor or self._start()
        loop = asyncio.get_running_loop()
        try:
            answer: tuple[SubmissionPublic, bool] = await loop.run_in_executor(
                executor, _submit, submission, idempotency_key
            )
        except BrokenProcessPool:
            logger.error("a submission process died: starting a fresh set for the next one")
            self._discard(executor)
            raise SubmissionFailedError(_FAILED_MESSAGE) from None
        return answer

    def start(self) -> None:
        """Start the processes now, in the background, instead of on the first submission.

        A process takes a second or more to start (imports, catalog, keys): a served hall
        starts them with itself, so the first citizen of the day does not wait for that.
        """
        executor = self._start()
        for _ in range(self._processes):
            executor.submit(_ready)  # one more process for each while the others are busy

    def _start(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is not None:
                return self._executor
            # Spawned, not forked: the serving process has threads (its loop's, its pools').
            context = multiprocessing.get_context("spawn")
            if self._listener is None:
                self._logs = context.Queue()
                self._listener = QueueListener(self._logs, _ToLoggers())
                self._listener.start()
            level = min(logging.INFO, logging.getLogger("hall").getEffectiveLevel())
            self._executor = ProcessPoolExecutor(
                self._processes,
                mp_context=context,
                initializer=_start_process,
                initargs=(self._recipe(), self._logs, level),
            )
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        """Wait for the running submissions, end the processes and the log hand-over."""
        with self._lock:
            executor, self._executor = self._executor, None
            listener, self._listener = self._listener, None
            logs, self._logs = self._logs, None
        if executor is not None:
            executor.shutdown(wait=True)
        if listener is not None:
            listener.stop()  # after the processes ended: their last records are handed over
        if logs is not None:
            logs.close()
            logs.join_thread()


class _ToLoggers(logging.Handler):
    """Hand a submission process's record to this process's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(record.name)
        if target.isEnabledFor(record.levelno):
            target.handle(record)


# --- Inside a submission process ----------------------------------------------------------------

_service: HallService | None = None
"""This submission process's service (made by ``_start_process``; the process holds nothing
else between submissions)."""
_catalogs: CatalogSource | None = None
"""Where this process hears of a catalog published since it started (``CatalogSource``)."""


def _start_process(recipe: ServiceRecipe, logs: Any, level: int) -> None:
    """Build this process's service from the recipe; its log records go to the serving process."""
    global _service, _catalogs
    # Ctrl-C reaches the whole process group: the serving process stops us, after the running
    # submissions, instead of each process dying in the middle of one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [QueueHandler(logs)]
    root.setLevel(level)

    db = Database(recipe.database_url, pool_size=2)
    sealer = Sealer(
        FileKeyProvider(
            recipe.data_key_path, recipe.data_key_current, recipe.data_keys, recipe.lookup_key
        )
    )
    service = HallService(
        db,
        assets.load_catalog(recipe.catalog_dir),
        SigningKey(Ed25519PrivateKey.from_private_bytes(recipe.signing_key)),
        timezone=ZoneInfo(recipe.timezone),
        clock=recipe.clock,
        sealer=sealer,
        public_base_url=recipe.public_base_url,
    )
    _catalogs = CatalogSource(
        db, service.catalog, on_change=lambda new: setattr(service, "catalog", new)
    )
    _service = service
    atexit.register(_exit_now, db)


def _exit_now(db: Database) -> None:
    """End the process at once, its work and its log records handed over (``atexit``).

    The database connections are closed; the interpreter's teardown of every module is skipped:
    a second or more on a busy machine, and a stopping hall waited for it.
    """
    db.dispose()
    logging.shutdown()
    os._exit(0)


def _ready() -> None:
    """Nothing: the task that makes the executor start a process."""


def _submit(submission: SubmissionCreate, idempotency_key: str) -> tuple[SubmissionPublic, bool]:
    """``HallService.submit`` in a submission process; errors come back as ``HallError``.

    A ``HallError`` pickles as it is; others (the database's, carrying driver objects) are
    answered here as the API answers them and logged by name only, as the API does.
    """
    assert _service is not None and _catalogs is not None, "not a submission process"
    _catalogs.current()  # a catalog published meanwhile is decided on at once, as in the API
    try:
        answer: tuple[SubmissionPublic, bool] = _service.submit(submission, idempotency_key)
    except HallError:
        raise
    except DataError as err:
        logger.warning("database refused a value: %s", type(err.orig).__name__)
        raise SubmissionStorageError(_STORAGE_MESSAGE) from None
    except Exception as err:
        logger.error("unhandled %s in a submission", type(err).__name__)
        raise SubmissionFailedError(_FAILED_MESSAGE) from None
    return answer
