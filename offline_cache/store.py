"""The terminal's SQLite store: WAL, full fsync, forward migrations, one transaction helper.

One connection is shared by the threads that use the store (the sync worker and the kiosk's worker
thread) behind a re-entrant lock: SQLite serialises writers anyway, and one connection keeps the
pragmas, which are per connection, in one place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from offline_cache.errors import StoreError, StoreFullError

log = logging.getLogger(__name__)

Migration = tuple[str, ...]
"""One schema step: SQL statements run in one transaction that also bumps ``user_version``."""

MIGRATIONS: tuple[Migration, ...] = (
    # 1: the outbox and the per-day case-number sequence.
    (
        """
        CREATE TABLE case_sequence (
            kiosk_code TEXT NOT NULL,
            day TEXT NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (kiosk_code, day)
        )
        """,
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_number TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload_hash TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_error TEXT,
            payload BLOB,
            result BLOB,
            status TEXT,
            outcome TEXT,
            reason_code TEXT,
            delivered_at TEXT,
            purged_at TEXT
        )
        """,
        "CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id)",
    ),
    # 2: the "decided" state and shown_at on the outbox (a CHECK constraint cannot be altered in
    # SQLite, so the table is rebuilt the documented way), the print queue, and a small key/value
    # table for the last good catalog and the sync bookkeeping.
    (
        """
        CREATE TABLE outbox_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_number TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload_hash TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('pending', 'sending', 'delivered', 'decided', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_error TEXT,
            payload BLOB,
            result BLOB,
            status TEXT,
            outcome TEXT,
            reason_code TEXT,
            delivered_at TEXT,
            purged_at TEXT,
            decided_at TEXT,
            shown_at TEXT,
            photos_stripped_at TEXT
        )
        """,
        """
        INSERT INTO outbox_v2 (id, case_number, item_id, idempotency_key, payload_hash, state,
            attempts, next_attempt_at, created_at, updated_at, last_error, payload, result, status,
            outcome, reason_code, delivered_at, purged_at, shown_at)
        SELECT id, case_number, item_id, idempotency_key, payload_hash, state, attempts,
            next_attempt_at, created_at, updated_at, last_error, payload, result, status, outcome,
            reason_code, delivered_at, purged_at, created_at
        FROM outbox
        """,
        "DROP TABLE outbox",
        "ALTER TABLE outbox_v2 RENAME TO outbox",
        "CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id)",
        """
        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('receipt', 'certificate')),
            case_number TEXT NOT NULL,
            document BLOB,
            state TEXT NOT NULL
                CHECK (state IN ('queued', 'printing', 'printed', 'failed', 'uncertain')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            reprint INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            printed_at TEXT,
            purged_at TEXT
        )
        """,
        "CREATE INDEX print_jobs_due ON print_jobs (state, next_attempt_at, id)",
        "CREATE INDEX print_jobs_case ON print_jobs (case_number, kind)",
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
    ),
    # 3: events (ratings, reports, ...) waiting for the hall; deleted once it took them.
    (
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_error TEXT,
            payload BLOB
        )
        """,
        "CREATE INDEX events_due ON events (state, next_attempt_at, id)",
    ),
)

SQLITE_FULL = 13
BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY_COMMITS = 200
"""A ``RESTART`` checkpoint runs after this many commits (SQLite's own auto-checkpoint is passive
and never resets the WAL while a reader holds an old snapshot)."""
CHECKPOINT_BUSY_MS = 200
"""How long a writer's checkpoint waits for readers before it gives up (it retries later)."""
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
"""After a checkpoint resets the WAL, SQLite truncates the file to this many bytes."""
CHECKPOINT_MODES = ("PASSIVE", "FULL", "RESTART", "TRUNCATE")


@dataclasses.dataclass(frozen=True)
class CheckpointResult:
    """What ``PRAGMA wal_checkpoint`` reported: ``busy`` when readers kept it from finishing."""

    busy: bool
    wal_frames: int
    checkpointed_frames: int
    wal_bytes: int
    """The WAL file's size on disk after the checkpoint."""


@dataclasses.dataclass(frozen=True)
class VacuumResult:
    """What :meth:`Store.vacuum` did: file size before and after, the free share it found."""

    done: bool
    bytes_before: int
    bytes_after: int
    free_ratio: float
    skipped_because: str
    """Why it did not run ("" when it did)."""


def _hold_shared_lock(path: Path) -> int | None:
    """Take a shared ``flock`` that lives as long as the store is open (released on any exit)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        log.warning("cannot create the store's lock file: %s", err.strerror)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        # Someone holds it exclusively (a key rotation): wait for it, it is short.
        fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


@contextlib.contextmanager
def exclusive_terminal_lock(db_path: Path) -> Iterator[None]:
    """Hold the store's lock exclusively; :class:`StoreError` when a terminal has the store open.

    For maintenance that must not run next to the app (a key rotation).
    """
    path = Path(db_path)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise StoreError("the terminal is running: stop it first") from err
        yield
    finally:
        os.close(fd)


def _map_error(err: sqlite3.Error, action: str) -> StoreError:
    """Translate a sqlite3 error; the message names the action only, never row values."""
    # The primary result code is the low byte of the extended one (sqlite3.h).
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == SQLITE_FULL:
        return StoreFullError(f"store full while trying to {action}")
    name = getattr(err, "sqlite_errorname", type(err).__name__)
    return StoreError(f"store error while trying to {action}: {name}")


class Store:
    """A SQLite database file in WAL mode with ``synchronous=FULL`` and forward migrations.

    ``migrations`` defaults to :data:`MIGRATIONS`; a database whose ``user_version`` is newer than
    the list is refused rather than guessed at. With ``migrate=False`` (the technician's CLI next
    to a running terminal) the schema is never changed: an older or newer database is refused.

    The WAL is kept bounded: after ``checkpoint_every`` commits the writer runs a ``RESTART``
    checkpoint (bounded wait for readers), :meth:`checkpoint` runs one on a schedule, and
    ``journal_size_limit`` truncates the file once the WAL has been reset.
    """

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        migrate: bool = True,
        checkpoint_every: int = CHECKPOINT_EVERY_COMMITS,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._closed = False
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._checkpoint_every = max(int(checkpoint_every), 0)
        self._commits_since_checkpoint = 0
        self._last_checkpoint: CheckpointResult | None = None
        self._migrations_known = len(migrations)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Create the file owner-only before SQLite does; its -wal and -shm copy the mode.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as err:
            raise StoreError(f"cannot create the store file: {err.strerror}") from err
        try:
            self._conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=busy_timeout_ms / 1000,
            )
        except sqlite3.Error as err:
            raise _map_error(err, "open the store") from err
        self._lock_fd: int | None = None
        self._owner = migrate
        if migrate:
            self._lock_fd = _hold_shared_lock(self.lock_path)
        try:
            self._configure(busy_timeout_ms)
            if migrate:
                self._migrate(migrations)
            else:
                self._check_version(len(migrations))
        except BaseException:
            self._conn.close()
            self._release_lock()
            raise

    @property
    def lock_path(self) -> Path:
        """A file the running terminal holds a shared lock on (see :func:`terminal_is_running`)."""
        return self.path.with_name(self.path.name + ".lock")

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _configure(self, busy_timeout_ms: int) -> None:
        try:
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            # Purged personal data must not linger in free pages of the file.
            self._conn.execute("PRAGMA secure_delete = ON")
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        except sqlite3.Error as err:
            raise _map_error(err, "configure the store") from err
        if str(mode).lower() != "wal":
            raise StoreError(f"the store could not switch to WAL mode (got {mode!r})")

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        with self.transaction() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > len(migrations):
                raise StoreError(
                    f"store schema version {version} is newer than this software "
                    f"({len(migrations)})"
                )
            for number in range(version + 1, len(migrations) + 1):
                for statement in migrations[number - 1]:
                    conn.execute(statement)
                # user_version lives in the file header, so it commits or rolls back with the step.
                conn.execute(f"PRAGMA user_version = {number}")
                log.info("store %s migrated to schema version %d", self.path.name, number)

    def _check_version(self, known: int) -> None:
        with self.read() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > known:
            raise StoreError(
                f"store schema version {version} is newer than this software ({known})"
            )
        if version < known:
            raise StoreError(
                f"store schema version {version} is older than this software ({known}); "
                "start the terminal once to migrate it"
            )

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one ``BEGIN IMMEDIATE`` transaction: commit, or roll back on error.

        sqlite3 errors raised inside the block or by the commit come out as :class:`StoreError`
        (:class:`StoreFullError` when the disk or the page limit is full).
        """
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                raise StoreError("nested store transactions are not supported")
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
                self._commits_since_checkpoint += 1
            except BaseException as err:
                # SQLite rolls back by itself after some errors (SQLITE_FULL among them).
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        log.exception("store rollback failed")
                if isinstance(err, sqlite3.Error):
                    raise _map_error(err, "write") from err
                raise
            if self._checkpoint_every and self._commits_since_checkpoint >= self._checkpoint_every:
                self._checkpoint_quietly("RESTART")

    # --- WAL size -------------------------------------------------------------------------------

    @property
    def wal_path(self) -> Path:
        """The WAL file next to the database."""
        return self.path.with_name(self.path.name + "-wal")

    def wal_size(self) -> int:
        """The WAL file's size in bytes (0 when there is none)."""
        try:
            return self.wal_path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def last_checkpoint(self) -> CheckpointResult | None:
        """The result of the last checkpoint this store ran, if any."""
        return self._last_checkpoint

    def checkpoint(self, mode: str = "TRUNCATE") -> CheckpointResult:
        """Copy the WAL into the database and reset it (``TRUNCATE`` also empties the file).

        Waits at most :data:`CHECKPOINT_BUSY_MS` for readers; when they hold old snapshots the
        result says ``busy`` and the next checkpoint finishes the job. Raises :class:`StoreError`.
        """
        mode = mode.upper()
        if mode not in CHECKPOINT_MODES:
            raise ValueError(f"checkpoint mode must be one of {', '.join(CHECKPOINT_MODES)}")
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                raise StoreError("cannot checkpoint inside a transaction")
            try:
                conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_BUSY_MS}")
                busy, frames, done = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            except sqlite3.Error as err:
                raise _map_error(err, "checkpoint") from err
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            self._commits_since_checkpoint = 0
            result = CheckpointResult(
                busy=bool(busy),
                wal_frames=int(frames),
                checkpointed_frames=int(done),
                wal_bytes=self.wal_size(),
            )
            self._last_checkpoint = result
        return result

    def vacuum(self, *, min_free_ratio: float) -> VacuumResult:
        """Rebuild the file when at least ``min_free_ratio`` of its pages are free; else skip.

        ``VACUUM`` writes a copy of the database first, so it runs only when the disk has room
        for two more copies; a skipped vacuum says why. Raises :class:`StoreError`.
        """
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                raise StoreError("cannot vacuum inside a transaction")
            try:
                page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
                pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
                free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
            except sqlite3.Error as err:
                raise _map_error(err, "vacuum") from err
            before = pages * page_size
            ratio = free / pages if pages else 0.0
            if pages == 0 or ratio < min_free_ratio:
                return VacuumResult(False, before, before, ratio, "few free pages")
            room = self.free_disk_bytes()
            if room is not None and room < 2 * before:
                return VacuumResult(False, before, before, ratio, "not enough free disk")
            try:
                conn.execute("VACUUM")
                after = int(conn.execute("PRAGMA page_count").fetchone()[0]) * page_size
            except sqlite3.Error as err:
                raise _map_error(err, "vacuum") from err
        self.checkpoint("TRUNCATE")
        return VacuumResult(True, before, after, ratio, "")

    def _checkpoint_quietly(self, mode: str) -> None:
        try:
            result = self.checkpoint(mode)
        except StoreError as err:
            log.warning("store checkpoint failed: %s", err)
            return
        if result.busy:
            # Try again soon rather than after another full round of commits.
            self._commits_since_checkpoint = self._checkpoint_every - max(
                self._checkpoint_every // 10, 1
            )
            log.info("store checkpoint held up by readers; WAL is %d bytes", result.wal_bytes)

    def free_disk_bytes(self) -> int | None:
        """Free bytes on the store's filesystem, or ``None`` when it cannot be asked."""
        try:
            return shutil.disk_usage(self.path.parent).free
        except OSError:
            return None

    # --- Small key/value table ------------------------------------------------------------------

    def get_meta(self, key: str) -> bytes | None:
        """Return a value of the ``meta`` table (last good catalog, sync bookkeeping)."""
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_meta(self, key: str, value: bytes) -> None:
        """Store a value in the ``meta`` table, durably."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, now),
            )

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Lend the connection for reads (autocommit) with sqlite3 errors mapped."""
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as err:
                raise _map_error(err, "read") from err

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        return self._conn

    def close(self) -> None:
        """Checkpoint and close the connection; later calls raise :class:`StoreError`.

        A store opened with ``migrate=False`` (a tool next to the running terminal) closes
        without a checkpoint: that is the terminal's job, and it must not wait on its readers.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if self._owner:
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                log.warning("store checkpoint at close failed", exc_info=True)
            finally:
                self._conn.close()
                self._release_lock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
