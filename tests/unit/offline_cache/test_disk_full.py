"""A really full filesystem (a 2 MB tmpfs): enqueue fails with StoreFullError, nothing queued is
harmed, the outbox says since when it is full, and the terminal recovers once space is freed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from offline_cache.crypto import FieldCipher
from offline_cache.errors import StoreFullError
from offline_cache.outbox import Outbox
from offline_cache.print_queue import PrintQueue
from offline_cache.store import Store
from tests.fixtures.disk import fill_disk
from tests.unit.offline_cache import factories

DAY = dt.date(2025, 3, 14)


def fill_until_full(outbox: Outbox) -> list[str]:
    """Queue photo-heavy submissions until the store refuses one; return the ones queued."""
    queued: list[str] = []
    for seq in range(2, 60):
        try:
            case = outbox.next_case_number("DEMO01", DAY)
            outbox.enqueue(factories.submission(case, materials=[factories.photo(96_000, seq)]))
        except StoreFullError:
            return queued
        queued.append(case)
    raise AssertionError("the 2 MB filesystem never filled up")


def test_a_full_filesystem_refuses_visibly_and_recovers(small_fs: Path, tmp_path: Path) -> None:
    store = Store(small_fs / "outbox.db")
    try:
        outbox = Outbox(store, FieldCipher.from_key_file(tmp_path / "field.key"))
        prints = PrintQueue(store, FieldCipher.from_key_file(tmp_path / "field.key"))
        first = outbox.next_case_number("DEMO01", DAY)
        outbox.enqueue(factories.submission(first))
        kept = outbox.submission(first)
        # Another program fills the disk (logs, a camera dump) and leaves a few kB.
        filler = fill_disk(small_fs)
        queued = [first, *fill_until_full(outbox)]
        assert outbox.full_since is not None
        with pytest.raises(StoreFullError):
            prints.enqueue("certificate", first, b"x" * 200_000)
        # Nothing already queued is harmed, and the store still reads.
        assert outbox.submission(first) == kept
        assert [e.case_number for e in outbox.entries()] == queued
        assert store.free_disk_bytes() is not None

        filler.unlink()
        case = outbox.next_case_number("DEMO01", DAY)
        outbox.enqueue(factories.submission(case, materials=[factories.photo(96_000, 99)]))
        assert outbox.full_since is None
        assert outbox.get(case) is not None
        assert outbox.counts()["pending"] == len(queued) + 1
    finally:
        store.close()


def test_a_first_start_on_a_full_disk_says_store_full(small_fs: Path) -> None:
    # Before, the key file's creation raised a bare OSError out of the composition root.
    fill_disk(small_fs)
    key_file = small_fs / "field.key"
    with pytest.raises(StoreFullError, match="no room on the disk to create the key file"):
        FieldCipher.from_key_file(key_file)
    assert not key_file.exists()
    assert [p.name for p in small_fs.iterdir()] == ["filler.bin"], "a temporary key file was left"
