"""The SQLite store: pragmas really set, forward migrations, transactions, error mapping."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from offline_cache.errors import StoreError
from offline_cache.store import MIGRATIONS, Store

M1 = ("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",)
M2 = ("ALTER TABLE note ADD COLUMN tag TEXT NOT NULL DEFAULT 'none'",)
BAD = ("CREATE TABLE other (id INTEGER PRIMARY KEY)", "CREATE TABLE broken (")


def pragma(store: Store, name: str) -> object:
    with store.read() as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_pragmas_are_set_on_the_connection(store: Store) -> None:
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 2  # FULL
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "busy_timeout") == 5000
    assert pragma(store, "secure_delete") == 1


def test_fresh_store_is_at_the_latest_schema(store: Store) -> None:
    assert store.schema_version == len(MIGRATIONS)
    with store.read() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"outbox", "case_sequence"} <= tables


def test_store_file_is_owner_only(store: Store, db_path: Path) -> None:
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_forward_migration_keeps_data(db_path: Path) -> None:
    with Store(db_path, migrations=[M1]) as old:
        assert old.schema_version == 1
        with old.transaction() as conn:
            conn.execute("INSERT INTO note (text) VALUES ('kept')")
    with Store(db_path, migrations=[M1, M2]) as new:
        assert new.schema_version == 2
        with new.read() as conn:
            assert conn.execute("SELECT text, tag FROM note").fetchall() == [("kept", "none")]


def test_newer_database_is_refused(db_path: Path) -> None:
    Store(db_path, migrations=[M1, M2]).close()
    with pytest.raises(StoreError, match="newer than this software"):
        Store(db_path, migrations=[M1])


def test_failed_migration_rolls_back_entirely(db_path: Path) -> None:
    Store(db_path, migrations=[M1]).close()
    with pytest.raises(StoreError):
        Store(db_path, migrations=[M1, BAD])
    with Store(db_path, migrations=[M1]) as store:
        assert store.schema_version == 1
        with store.read() as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "other" not in names


def test_transaction_commits_or_rolls_back(db_path: Path) -> None:
    with Store(db_path, migrations=[M1]) as store:
        with store.transaction() as conn:
            conn.execute("INSERT INTO note (text) VALUES ('a')")

        def abandon() -> None:
            with store.transaction() as conn:
                conn.execute("INSERT INTO note (text) VALUES ('b')")
                raise RuntimeError("abandon")

        with pytest.raises(RuntimeError):
            abandon()
        with store.read() as conn:
            assert [r[0] for r in conn.execute("SELECT text FROM note")] == ["a"]


def test_sqlite_errors_are_mapped(db_path: Path) -> None:
    with Store(db_path, migrations=[M1]) as store:
        with pytest.raises(StoreError, match=r"SQLITE_CONSTRAINT"), store.transaction() as conn:
            conn.execute("INSERT INTO note (text) VALUES (NULL)")
        with pytest.raises(StoreError), store.read() as conn:
            conn.execute("SELECT * FROM missing_table")


def test_nested_transactions_are_refused(store: Store) -> None:
    with store.transaction(), pytest.raises(StoreError, match="nested"), store.transaction():
        pass


def test_closed_store_refuses_work(db_path: Path) -> None:
    store = Store(db_path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"), store.read():
        pass


def test_two_threads_write_through_one_store(db_path: Path) -> None:
    with Store(db_path, migrations=[M1]) as store:
        errors: list[BaseException] = []

        def write(tag: str) -> None:
            try:
                for i in range(50):
                    with store.transaction() as conn:
                        conn.execute("INSERT INTO note (text) VALUES (?)", (f"{tag}{i}",))
            except BaseException as err:  # pragma: no cover - reported below
                errors.append(err)

        threads = [threading.Thread(target=write, args=(t,)) for t in "xy"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert not errors
        with store.read() as conn:
            assert conn.execute("SELECT COUNT(*) FROM note").fetchone()[0] == 100


# --- Schema 2, the CLI's no-migration open, and a bounded WAL -----------------------------------


def test_schema_1_rows_survive_the_move_to_schema_2(db_path: Path) -> None:
    import sqlite3

    with Store(db_path, migrations=MIGRATIONS[:1]) as old, old.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (case_number, item_id, idempotency_key, payload_hash, state, "
            "next_attempt_at, created_at, updated_at, payload) "
            "VALUES ('DEMO01-20250314-00001', 'elder-card', 'k1', 'h', 'pending', "
            "'2025-03-14', '2025-03-14', '2025-03-14', x'01')"
        )
    with Store(db_path) as new:
        with new.read() as conn:
            row = conn.execute(
                "SELECT case_number, state, shown_at, payload FROM outbox"
            ).fetchone()
            assert row == ("DEMO01-20250314-00001", "pending", "2025-03-14", b"\x01")
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("UPDATE outbox SET state = 'lost'")
        with new.transaction() as conn:
            conn.execute("UPDATE outbox SET state = 'decided'")
        assert {"print_jobs", "meta"} <= tables(new)


def tables(store: Store) -> set[str]:
    with store.read() as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_without_migrate_an_older_or_newer_schema_is_refused(db_path: Path) -> None:
    Store(db_path, migrations=[M1]).close()
    with pytest.raises(StoreError, match="older than this software"):
        Store(db_path, migrations=[M1, M2], migrate=False)
    with Store(db_path, migrations=[M1], migrate=False) as same:
        assert same.schema_version == 1
    Store(db_path, migrations=[M1, M2]).close()
    with pytest.raises(StoreError, match="newer than this software"):
        Store(db_path, migrations=[M1], migrate=False)


def test_checkpoint_after_n_commits_keeps_the_wal_bounded_with_a_reader_open(
    db_path: Path,
) -> None:
    import sqlite3

    with Store(db_path, migrations=[M1], checkpoint_every=20) as store:
        reader = sqlite3.connect(db_path)
        try:
            # A reader that comes and goes, as `kiosk queue status` does next to the app.
            for i in range(400):
                with store.transaction() as conn:
                    conn.execute("INSERT INTO note (text) VALUES (?)", ("x" * 2000 + str(i),))
                if i % 50 == 0:
                    reader.execute("SELECT COUNT(*) FROM note").fetchone()
            assert store.last_checkpoint is not None
            peak_without_truncate = store.wal_size()
            result = store.checkpoint("TRUNCATE")
            assert not result.busy
            assert store.wal_size() == 0
            # 400 rows of 2 kB are ~800 kB of pages: the WAL never held them all at once.
            assert peak_without_truncate < 400 * 2000
        finally:
            reader.close()


def test_a_reader_holding_a_snapshot_makes_the_checkpoint_busy_not_stuck(db_path: Path) -> None:
    import sqlite3

    with Store(db_path, migrations=[M1], checkpoint_every=0) as store:
        with store.transaction() as conn:
            conn.execute("INSERT INTO note (text) VALUES ('a')")
        reader = sqlite3.connect(db_path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT COUNT(*) FROM note").fetchone()
            with store.transaction() as conn:
                conn.execute("INSERT INTO note (text) VALUES ('b')")
            assert store.checkpoint("RESTART").busy is True
            reader.execute("COMMIT")
            assert store.checkpoint("TRUNCATE").busy is False
            assert store.wal_size() == 0
        finally:
            reader.close()


def test_meta_values_round_trip(store: Store) -> None:
    assert store.get_meta("catalog") is None
    store.put_meta("catalog", b"v1")
    store.put_meta("catalog", b"v2")
    assert store.get_meta("catalog") == b"v2"
    assert store.free_disk_bytes() is not None


def test_a_tool_next_to_the_terminal_never_checkpoints_at_close(db_path: Path) -> None:
    with Store(db_path, migrations=[M1], checkpoint_every=0) as terminal:
        with terminal.transaction() as conn:
            conn.execute("INSERT INTO note (text) VALUES ('a')")
        wal = terminal.wal_size()
        assert wal > 0
        tool = Store(db_path, migrations=[M1], migrate=False)
        tool.close()
        # The WAL is the terminal's to checkpoint: the tool left it as it was.
        assert terminal.wal_size() == wal
    # The terminal's own close checkpoints it (SQLite then removes the file).
    wal_file = db_path.with_name(db_path.name + "-wal")
    assert not wal_file.exists() or wal_file.stat().st_size == 0
