"""Fixtures for the offline-cache unit tests: a real store on disk, a real key file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.crypto import FieldCipher
from offline_cache.outbox import Outbox
from offline_cache.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "outbox.sqlite3"


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "field.key"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def cipher(key_path: Path) -> FieldCipher:
    return FieldCipher.from_key_file(key_path)


@pytest.fixture
def outbox(store: Store, cipher: FieldCipher) -> Outbox:
    return Outbox(store, cipher)
