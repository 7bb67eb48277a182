"""The terminal's SQLite store: WAL, full fsync, forward migrations, one transaction helper.

One connection is shared by the threads that use the store (the sync worker and the kiosk's worker
thread) behind a re-entrant lock: SQLite serialises writers anyway, and one connection keeps the
pragmas, which are per connection, in one place.
"""

from __future__ import annotations

import contextlib
import logging
import os
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
)

SQLITE_FULL = 13
BUSY_TIMEOUT_MS = 5000


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
    the list is refused rather than guessed at.
    """

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._closed = False
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
        try:
            self._configure(busy_timeout_ms)
            self._migrate(migrations)
        except BaseException:
            self._conn.close()
            raise

    def _configure(self, busy_timeout_ms: int) -> None:
        try:
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            # Purged personal data must not linger in free pages of the file.
            self._conn.execute("PRAGMA secure_delete = ON")
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
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
        """Checkpoint and close the connection; later calls raise :class:`StoreError`."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                log.warning("store checkpoint at close failed", exc_info=True)
            finally:
                self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
