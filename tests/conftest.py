"""Shared test set-up: real parts started by fixtures, and a guard against dangling threads.

Each area keeps its fixtures in ``tests/fixtures/<area>.py``; they are registered here.
"""

from __future__ import annotations

import logging
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


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """Put the root logger's handlers and level back after each test.

    Commands run in-process (``main([...])``) configure logging onto the captured stderr of their
    test; left in place, later tests log into a closed stream ("--- Logging error ---").
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        # pytest's own capture handlers come and go with each phase: pytest removes them.
        if handler not in handlers and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
