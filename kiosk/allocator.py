"""The C allocator's policy for the terminal's process: two malloc arenas, images mmapped.

glibc gives each thread that allocates its own arena, up to eight per core (16 on a 2-core
terminal), and moves a thread to another arena when its own is locked. Each camera frame
(9.6 MB for the simulated document camera's 2000x1600 picture, one per ``grab``) is a fresh
allocation on the preview thread, the code scanner's or the camera worker's; once the first
mmapped frame has been freed, glibc's dynamic mmap threshold rises above a frame's size and
frames come from the arenas. A freed frame stays resident in its arena's heap when anything
sits above it (heaps only shrink from the top), so the process grew in frame-sized steps as the
threads touched more arenas. The soak (``bench/soak.py``, 400 journeys, glibc's 16 arenas)
measured +6.1 MB per 100 journeys after warm-up, the malloc heap's free part growing
(``mallinfo2``: 72 -> 85 MB free) while the Python objects stayed flat. ``malloc_trim(0)``
every 25 journeys did not stop it (+8.0 MB per 100): the next sessions' frames touched the
pages again. Two arenas alone slowed it (+1.8 MB per 100 over 1,000 journeys, steps still
there, 56 -> 62 MB free); a fixed mmap threshold keeps frames out of the arenas altogether: each
is mapped for its life and unmapped when freed (16 arenas, 4 MB threshold: 10 MB free
throughout 300 journeys), for about 2 ms more CPU per frame to fault its pages in. With both
(and the camera threads letting go of their last frame) 1,000 journeys grew +0.52 MB per 100,
15-16 MB free throughout.

The environment (the systemd unit sets both variables) is read at the process's first
allocation; ``apply_policy`` sets the same with ``mallopt`` for a terminal started by hand,
before the threads that would open more arenas start; ``environment`` carries it into the fresh
process of a restart. A variable already in the environment stands (a technician's own value).
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

ARENA_MAX = 2
"""Arenas for the whole process: one per core of the 2-core terminal."""
MMAP_THRESHOLD = 1 << 20
"""Allocations of this many bytes or more are mmapped: every image buffer (a 1280x720 frame is
2.6 MB, the preview's 960 px copy 2.1 MB), none of the small objects."""


@dataclass(frozen=True)
class Setting:
    """One of the policy's settings: its glibc environment variable and ``mallopt`` number."""

    env: str
    param: int
    """``mallopt``'s parameter (glibc ``malloc.h``)."""
    value: int


POLICY = (
    Setting("MALLOC_ARENA_MAX", -8, ARENA_MAX),
    Setting("MALLOC_MMAP_THRESHOLD_", -3, MMAP_THRESHOLD),
)


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(None)


def apply_policy() -> list[str]:
    """Set the policy's settings with ``mallopt``; the variables of those this call set.

    Nothing is set where the process is not on glibc, nor a setting whose variable is in the
    environment (glibc has read it). Call it before the app starts its threads: glibc fixes the
    arena limit once a ninth arena is asked for.
    """
    libc = _glibc()
    if libc is None:
        return []
    done = []
    for setting in POLICY:
        if os.environ.get(setting.env):
            continue
        if libc.mallopt(ctypes.c_int(setting.param), ctypes.c_int(setting.value)):
            done.append(setting.env)
    if done:
        log.info("malloc policy set: %s", ", ".join(done))
    return done


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a fresh process of the terminal: the policy's variables added where unset."""
    fresh = dict(env)
    for setting in POLICY:
        fresh.setdefault(setting.env, str(setting.value))
    return fresh


@dataclass(frozen=True)
class NativeHeap:
    """glibc's malloc heap now: what is in use, what it keeps free, over how many arenas."""

    in_use_kb: int
    """Bytes handed out by malloc (arenas and mmapped chunks), in kB."""
    mmapped_kb: int
    """The part of ``in_use_kb`` in chunks of their own mapping."""
    free_kb: int
    """Bytes the arenas hold free (resident until reused or trimmed, or not), in kB."""
    arenas: int


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def native_heap() -> NativeHeap | None:
    """The malloc heap's figures (``mallinfo2``, ``malloc_info``), or ``None`` off glibc 2.33+."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    libc.open_memstream.restype = ctypes.c_void_p
    libc.open_memstream.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    buffer, size = ctypes.c_void_p(), ctypes.c_size_t()
    stream = libc.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
    arenas = 0
    if stream:
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        if buffer.value:
            xml = ctypes.string_at(buffer.value, size.value)
            libc.free(buffer)
            arenas = len(re.findall(rb"<heap nr=", xml))
    return NativeHeap(
        in_use_kb=(info.uordblks + info.hblkhd) // 1024,
        mmapped_kb=info.hblkhd // 1024,
        free_kb=info.fordblks // 1024,
        arenas=arenas,
    )
