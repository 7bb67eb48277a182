"""A full disk: enqueue fails with the store's own error, harms nothing queued, and recovers.

Two ways to fill the store: a real small filesystem (a tmpfs mounted for the test, when we may
mount: root, as in CI) with the store in it, and SQLite's own page limit (``PRAGMA
max_page_count``) everywhere. Either way the write that does not fit raises
:class:`StoreFullError` (not a crash, not a bare ``sqlite3`` error), the store passes its
integrity check, every acknowledged entry is still there and readable, enqueue works again once
space is freed, and the whole queue is then delivered to the real hall exactly once.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import os
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hall.schema import MaterialCreate, SubmissionCreate
from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, StoreFullError
from offline_cache.hall_client import HallClient
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from offline_cache.sync import SyncWorker
from tests.proof import checker
from tests.proof.harness import HallProcess, integrity_check

pytestmark = pytest.mark.proof

KIOSK = "FULL01"
PHOTO_BYTES = 24_000


def _photo(seed: str) -> MaterialCreate:
    # Hash output does not compress, like a JPEG; it starts as one (the hall checks the type).
    data = b"\xff\xd8\xff\xe0" + b"".join(
        hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(PHOTO_BYTES // 32)
    )
    return MaterialCreate(
        material_id="photo",
        content_type="image/jpeg",
        data_b64=base64.b64encode(data).decode(),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _queue_one(outbox: Outbox, acks: list[checker.Attempt]) -> None:
    """Queue one submission with a photo and record its acknowledgement, as the terminal does."""
    nonce = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC)
    submission = SubmissionCreate(
        case_number=outbox.next_case_number(KIOSK, now.date()),
        kiosk_id=KIOSK,
        item_id="sole-proprietor-registration",
        created_at=now,
        materials=[_photo(nonce)],
        form={"nonce": nonce},
    )
    entry = outbox.enqueue(submission)
    acks.append(checker.Attempt(nonce, True, entry.case_number, entry.idempotency_key))


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root); the page-limit case runs")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill_until_full(outbox: Outbox, acks: list[checker.Attempt]) -> CacheError:
    for _ in range(10_000):
        try:
            _queue_one(outbox, acks)
        except CacheError as err:
            return err
    raise AssertionError("the store never filled up")


def _check_survivors(store_path: Path, outbox: Outbox, acks: list[checker.Attempt]) -> None:
    assert integrity_check(store_path) == "ok"
    rows = checker.read_terminal(str(store_path))
    for ack in acks:
        assert ack.case_number in rows
        assert rows[ack.case_number].state == "pending"
        submission = outbox.submission(ack.case_number)
        assert submission is not None
        assert submission.form["nonce"] == ack.nonce


def _deliver_all(outbox: Outbox, hall: HallProcess) -> None:
    # Enrolled the real way; the key pair off the (possibly tiny) filesystem under test.
    with tempfile.TemporaryDirectory() as terminal_dir:
        identity = hall.enrol(Path(terminal_dir), KIOSK)
    client = HallClient(hall.base_url, connect_timeout=1.0, read_timeout=5.0, identity=identity)
    worker = SyncWorker(outbox, client, base_delay=0.05, max_delay=0.5, idle_interval=0.2)
    worker.start()
    try:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
        while dt.datetime.now(dt.UTC) < deadline:
            counts = outbox.counts()
            if counts["pending"] == 0 and counts["sending"] == 0:
                break
            worker.wake()
            threading.Event().wait(0.1)
    finally:
        assert worker.stop(5.0)
        client.close()


def _prove(
    store_path: Path,
    hall: HallProcess,
    fill: Callable[[Store], None],
    free: Callable[[Store], None],
) -> None:
    store = Store(store_path)
    try:
        outbox = Outbox(store, FieldCipher.from_key_file(store_path.parent / "field.key"))
        acks: list[checker.Attempt] = []
        for _ in range(3):
            _queue_one(outbox, acks)
        fill(store)
        error = _fill_until_full(outbox, acks)
        # The product's own typed error, not sqlite3's, not a crash.
        assert isinstance(error, StoreFullError), repr(error)
        assert len(acks) >= 3
        # The terminal knows it is full (its heartbeat and screens say so) ...
        assert outbox.full_since is not None
        _check_survivors(store_path, outbox, acks)
        # Still full: a second try fails the same way and still harms nothing.
        assert isinstance(_fill_until_full(outbox, acks), StoreFullError)
        _check_survivors(store_path, outbox, acks)
        free(store)
        before = len(acks)
        for _ in range(3):
            _queue_one(outbox, acks)
        assert len(acks) == before + 3
        # ... and knows when it is not any more.
        assert outbox.full_since is None
        _check_survivors(store_path, outbox, acks)
        _deliver_all(outbox, hall)
        report = checker.check(
            acks, checker.read_hall(str(hall.database)), checker.read_terminal(str(store_path))
        )
        assert report.valid, report.summary()
        assert len(report.ok) == len(acks)
    finally:
        store.close()
    assert integrity_check(store_path) == "ok"


def test_a_full_filesystem_refuses_enqueue_cleanly_and_recovers(
    tmp_path: Path, proof_hall: HallProcess
) -> None:
    with _tmpfs(tmp_path / "small", "3m") as small:
        ballast = small / "ballast"

        def fill(_store: Store) -> None:
            # Leave the store a little room: the next few photos fit, then the disk is full.
            free = os.statvfs(small).f_bavail * os.statvfs(small).f_frsize
            ballast.write_bytes(b"\0" * max(free - 300_000, 0))

        def free(_store: Store) -> None:
            ballast.unlink()

        _prove(small / "outbox.sqlite3", proof_hall, fill, free)


def test_a_full_page_limit_refuses_enqueue_cleanly_and_recovers(
    tmp_path: Path, proof_hall: HallProcess
) -> None:
    def fill(store: Store) -> None:
        with store.read() as conn:
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {int(pages) + 60}")

    def free(store: Store) -> None:
        with store.read() as conn:
            conn.execute("PRAGMA max_page_count = 1073741823")

    _prove(tmp_path / "terminal" / "outbox.sqlite3", proof_hall, fill, free)
