"""``kiosk queue``: status, retry, export and rotate-key, run as a technician runs them, next to
an open store (the running terminal) where that is allowed."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from offline_cache.crypto import FieldCipher
from offline_cache.outbox import Outbox
from offline_cache.print_queue import CERTIFICATE, PrintQueue
from offline_cache.store import MIGRATIONS, Store
from tests.unit.offline_cache import factories

KIOSK = Path(sys.executable).parent / "kiosk"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(tmp_path: Path, data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    clean["KIOSK_STORAGE__DATA_DIR"] = str(data_dir)
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    return clean


def run(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), "queue", *args], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


class Terminal:
    """What the running app holds: the store open (its lock taken), the outbox, the print queue."""

    def __init__(self, data_dir: Path) -> None:
        self.store = Store(data_dir / "outbox.db")
        self.cipher = FieldCipher.from_key_file(data_dir / "field.key")
        self.outbox = Outbox(self.store, self.cipher)
        self.prints = PrintQueue(self.store, self.cipher)

    def queue(self) -> str:
        case = self.outbox.next_case_number("DEMO01", dt.date(2025, 3, 14))
        self.outbox.enqueue(factories.submission(case))
        return case


@pytest.fixture
def terminal(data_dir: Path) -> Iterator[Terminal]:
    t = Terminal(data_dir)
    yield t
    t.store.close()


def status(env: dict[str, str]) -> dict[str, object]:
    done = run(["status", "--json"], env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def test_status_before_any_queue_creates_nothing(env: dict[str, str], data_dir: Path) -> None:
    assert status(env)["exists"] is False
    assert not (data_dir / "outbox.db").exists()


def test_status_retry_and_export_next_to_a_running_terminal(
    env: dict[str, str], terminal: Terminal
) -> None:
    pending = terminal.queue()
    failed = terminal.queue()
    now = dt.datetime.now(dt.UTC)
    [a, b] = terminal.outbox.claim_due(now, limit=2)
    terminal.outbox.mark_retry(a.id, "hall busy", now)
    terminal.outbox.mark_failed(b.id, "hall rejected the request: HTTP 422 unknown_item")
    job = terminal.prints.enqueue(CERTIFICATE, failed, "王秀英的证书".encode())
    assert terminal.prints.claim(now, job_id=job.id) is not None
    terminal.prints.resume_in_flight()  # as after a crash mid-print: uncertain
    terminal.outbox.mark_shown(pending)

    # A reader of the app holds a snapshot open while the CLI reads.
    reader = sqlite3.connect(terminal.store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM outbox").fetchone()
    try:
        report = status(env)
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert report["exists"] is True
    assert report["schema_version"] == len(MIGRATIONS)
    outbox = report["outbox"]
    assert isinstance(outbox, dict)
    assert outbox["counts"] == {
        "pending": 1, "sending": 0, "delivered": 0, "decided": 0, "failed": 1,
    }  # fmt: skip
    assert outbox["unshown"] == 1 and outbox["unshown_cases"] == [failed]
    assert [(r["case_number"], r["last_error"]) for r in outbox["failed"]] == [
        (failed, "hall rejected the request: HTTP 422 unknown_item")
    ]
    assert isinstance(outbox["oldest_pending_age_s"], float)
    prints = report["print_queue"]
    assert isinstance(prints, dict)
    assert prints["counts"] == {
        "queued": 0, "printing": 0, "printed": 0, "failed": 0, "uncertain": 1,
    }  # fmt: skip
    assert [(j["id"], j["state"]) for j in prints["needs_staff"]] == [(job.id, "uncertain")]
    assert isinstance(report["wal_bytes"], int) and isinstance(report["free_disk_bytes"], int)
    human = run(["status"], env)
    assert human.returncode == 0 and "failed 1" in human.stdout and "uncertain 1" in human.stdout
    assert f"kiosk queue retry --print {job.id}" in human.stdout

    done = run(["retry", failed], env)
    assert done.returncode == 0, done.stderr
    assert terminal.outbox.get(failed).state == "pending"  # type: ignore[union-attr]
    assert run(["retry", failed], env).returncode == 1  # pending is not failed
    done = run(["retry", "--print", str(job.id)], env)
    assert done.returncode == 0, done.stderr
    assert terminal.prints.get(job.id).state == "queued"  # type: ignore[union-attr]
    assert run(["retry", "DEMO01-20250314-99999"], env).returncode == 1

    plain = run(["export"], env)
    assert plain.returncode == 0, plain.stderr
    records = [json.loads(line) for line in plain.stdout.splitlines()]
    assert [r["type"] for r in records] == ["outbox", "outbox", "print_job"]
    assert {r["case_number"] for r in records} == {pending, failed}
    assert factories.NAME not in plain.stdout and factories.ID_NUMBER not in plain.stdout
    assert "王秀英" not in plain.stdout


def test_export_with_personal_data_needs_the_key(
    env: dict[str, str], terminal: Terminal, data_dir: Path, tmp_path: Path
) -> None:
    case = terminal.queue()
    out = tmp_path / "export.jsonl"
    done = run(["export", "--with-personal-data", "--output", str(out)], env)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o077 == 0
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["case_number"] == case
    assert record["submission"]["applicant"]["id_number"] == factories.ID_NUMBER
    (data_dir / "field.key").rename(data_dir / "elsewhere.key")
    refused = run(["export", "--with-personal-data"], env)
    assert refused.returncode == 1 and "key file" in refused.stderr


def test_a_newer_schema_is_refused_and_left_alone(env: dict[str, str], data_dir: Path) -> None:
    Store(data_dir / "outbox.db").close()
    with sqlite3.connect(data_dir / "outbox.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    done = run(["status"], env)
    assert done.returncode == 1 and "newer than this software" in done.stderr
    with sqlite3.connect(data_dir / "outbox.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 99


def test_rotate_key_keeps_every_queued_record(env: dict[str, str], data_dir: Path) -> None:
    terminal = Terminal(data_dir)
    case = terminal.queue()
    job = terminal.prints.enqueue(CERTIFICATE, case, b"certificate")
    original = terminal.outbox.submission(case)
    old_kid = terminal.cipher.kid
    try:
        refused = run(["rotate-key"], env)
        assert refused.returncode == 1 and "stop it first" in refused.stderr
    finally:
        terminal.store.close()

    done = run(["rotate-key"], env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in data_dir.iterdir() if "key" in p.name) == ["field.key"]
    after = Terminal(data_dir)
    try:
        assert after.cipher.kid != old_kid
        assert after.outbox.key_ids_in_use() == {after.cipher.kid: 1}
        assert after.outbox.submission(case) == original
        claimed = after.prints.claim(dt.datetime.now(dt.UTC), job_id=job.id)
        assert claimed is not None and after.prints.document(claimed) == b"certificate"
    finally:
        after.store.close()
