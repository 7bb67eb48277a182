"""The terminal's malloc policy: set in a fresh process, carried into restarts and the unit.

Each check of the policy runs in a process of its own: glibc's arenas and thresholds are per
process, and the test process has had threads of earlier tests open arenas already.
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
FRAME = 10 << 20
"""A camera frame's size, about."""

ARENAS = f"""
import sys, threading
from kiosk import allocator
if sys.argv[1] == "policy":
    assert allocator.apply_policy() == [s.env for s in allocator.POLICY]
barrier = threading.Barrier({THREADS})
def work():
    block = bytearray(1 << 16)  # a malloc on this thread: its arena is chosen now
    barrier.wait()
    del block
threads = [threading.Thread(target=work) for _ in range({THREADS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(allocator.native_heap().arenas)
"""

FRAMES = f"""
import sys
from kiosk import allocator
if sys.argv[1] == "policy":
    allocator.apply_policy()
first = bytearray({FRAME})
del first  # glibc's dynamic threshold rises above the size of an mmapped chunk freed
before = allocator.native_heap().mmapped_kb
second = bytearray({FRAME})
print(allocator.native_heap().mmapped_kb - before >= {FRAME} // 1024)
"""

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc"
)


def _run(script: str, mode: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {s.env for s in allocator.POLICY}}
    done = subprocess.run(
        [sys.executable, "-c", script, mode],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@glibc
def test_the_policy_keeps_threads_to_two_arenas_where_glibc_gives_each_its_own() -> None:
    assert int(_run(ARENAS, "default")) > allocator.ARENA_MAX  # the test can tell the two
    assert int(_run(ARENAS, "policy")) <= allocator.ARENA_MAX


@glibc
def test_the_policy_maps_every_frame_where_glibc_puts_the_second_in_an_arena() -> None:
    assert _run(FRAMES, "default") == "False"
    assert _run(FRAMES, "policy") == "True"


def test_a_variable_in_the_environment_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in allocator.POLICY:
        monkeypatch.setenv(setting.env, "4")
    assert allocator.apply_policy() == []


def test_a_restart_carries_the_policy_and_keeps_a_technicians_own() -> None:
    fresh = allocator.environment({"PATH": "/usr/bin", "MALLOC_ARENA_MAX": "4"})
    assert fresh == {
        "PATH": "/usr/bin",
        "MALLOC_ARENA_MAX": "4",
        "MALLOC_MMAP_THRESHOLD_": str(allocator.MMAP_THRESHOLD),
    }


def test_the_systemd_unit_sets_the_same_policy() -> None:
    unit = (ROOT / "deploy" / "systemd" / "kiosk.service").read_text(encoding="utf-8")
    lines = {line.strip() for line in unit.splitlines()}
    for setting in allocator.POLICY:
        assert f"Environment={setting.env}={setting.value}" in lines


@glibc
def test_native_heap_counts_what_is_in_use() -> None:
    before = allocator.native_heap()
    block = bytearray(64 << 20)  # mmapped whatever the threshold (glibc's maximum is 32 MB)
    during = allocator.native_heap()
    del block
    assert before is not None and during is not None
    assert during.in_use_kb - before.in_use_kb >= 64 * 1024
    assert during.mmapped_kb - before.mmapped_kb >= 64 * 1024
    assert during.arenas >= 1
