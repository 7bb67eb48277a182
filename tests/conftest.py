"""Shared test set-up: real parts started by fixtures, and a guard against dangling threads.

Each area keeps its fixtures in ``tests/fixtures/<area>.py``; they are registered here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.fixtures.hall",
    "tests.fixtures.postgres",
    "tests.fixtures.printers",
    "tests.fixtures.idcard",
    "tests.fixtures.proof",
    "tests.fixtures.ocr",
    "tests.fixtures.disk",
    "tests.fixtures.browser",
]


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    """Fail any test that leaves a thread of its own running (napari's dangling-thread check)."""
    before = set(threading.enumerate())
    yield
    deadline = 2.0
    leftover = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=deadline)
        if thread.is_alive():
            leftover.append(thread.name)
    assert not leftover, f"test left threads running: {leftover}"
