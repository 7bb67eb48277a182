"""The terminal's malloc arena limit: set in a fresh process, carried into restarts and the unit.

Each check of the limit runs in a process of its own: glibc's arenas are per process, and the
test process has had threads of earlier tests open arenas already.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import allocator

ROOT = Path(__file__).resolve().parents[3]
THREADS = 6
"""Threads alive at once, each allocating: without a limit, glibc opens an arena for each."""

ARENAS = f"""
import sys, threading
from kiosk import allocator
if sys.argv[1] == "limit":
    assert allocator.limit_arenas()
barrier = threading.Barrier({THREADS})
def work():
    block = bytearray(1 << 20)  # a malloc on this thread: its arena is chosen now
    barrier.wait()
    del block
threads = [threading.Thread(target=work) for _ in range({THREADS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(allocator.native_heap().arenas)
"""

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc"
)


def _arenas(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != allocator.ARENA_MAX_ENV}
    done = subprocess.run(
        [sys.executable, "-c", ARENAS, mode],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


@glibc
def test_limit_arenas_keeps_threads_to_the_limit_where_glibc_gives_each_its_own() -> None:
    assert _arenas("default") > allocator.ARENA_MAX  # the test can tell: glibc's own policy
    assert _arenas("limit") <= allocator.ARENA_MAX


def test_a_limit_in_the_environment_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(allocator.ARENA_MAX_ENV, "4")
    assert allocator.limit_arenas() is False


def test_a_restart_carries_the_limit_and_keeps_a_technicians_own() -> None:
    fresh = allocator.environment({"PATH": "/usr/bin"})
    assert fresh == {"PATH": "/usr/bin", allocator.ARENA_MAX_ENV: str(allocator.ARENA_MAX)}
    assert allocator.environment({allocator.ARENA_MAX_ENV: "4"})[allocator.ARENA_MAX_ENV] == "4"


def test_the_systemd_unit_sets_the_same_limit() -> None:
    unit = (ROOT / "deploy" / "systemd" / "kiosk.service").read_text(encoding="utf-8")
    lines = [line.strip() for line in unit.splitlines()]
    assert f"Environment={allocator.ARENA_MAX_ENV}={allocator.ARENA_MAX}" in lines


@glibc
def test_native_heap_counts_what_is_in_use() -> None:
    before = allocator.native_heap()
    block = bytearray(64 << 20)  # mmapped: counted in use at once
    during = allocator.native_heap()
    del block
    assert before is not None and during is not None
    assert during.in_use_kb - before.in_use_kb >= 64 * 1024
    assert during.arenas >= 1
