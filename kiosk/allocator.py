"""The C allocator's policy for the terminal's process: two glibc malloc arenas, not sixteen.

glibc gives each thread that allocates its own arena, up to eight per core (16 on a 2-core
terminal), and moves a thread to another arena when its own is locked. Each camera frame
(9.6 MB for the simulated document camera's 2000x1600 picture, one per ``grab``) is a fresh
allocation on the preview thread, the code scanner's or the camera worker's; once the first
mmapped frame has been freed, glibc's dynamic mmap threshold rises above a frame's size and
frames come from the arenas. A freed frame in an arena that is not the main one stays resident
in that arena's heap (those heaps only shrink from the top), so the process grew in
frame-sized steps as the threads touched more arenas. The soak (``bench/soak.py``, 400
journeys, glibc's 16 arenas) measured +6.1 MB per 100 journeys after warm-up, the malloc heap's
free part growing (``mallinfo2``: 72 -> 85 MB free) while the Python objects stayed flat; with
two arenas a 300-journey run stayed at 579 MB from journey 25 on. ``malloc_trim(0)`` every 25
journeys did not stop it: the next sessions' frames touched the pages again.

``MALLOC_ARENA_MAX`` in the environment (the systemd unit sets it) is read at the process's
first allocation; ``limit_arenas`` sets the same limit with ``mallopt`` for a terminal started
by hand, before the threads that would open more arenas start; ``environment`` carries it into
the fresh process of a restart.
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
ARENA_MAX_ENV = "MALLOC_ARENA_MAX"
_M_ARENA_MAX = -8
"""``mallopt`` parameter number (glibc ``malloc.h``)."""


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return ctypes.CDLL(None)


def limit_arenas(arena_max: int = ARENA_MAX) -> bool:
    """Cap glibc's malloc arenas at ``arena_max`` from now on; whether this call set the cap.

    Nothing is set where the process is not on glibc, or when ``MALLOC_ARENA_MAX`` is in the
    environment already (glibc has read it; a technician's own value stands). Call it before
    the app starts its threads: glibc fixes the limit once a ninth arena is asked for.
    """
    if os.environ.get(ARENA_MAX_ENV):
        return False
    libc = _glibc()
    if libc is None:
        return False
    done = bool(libc.mallopt(ctypes.c_int(_M_ARENA_MAX), ctypes.c_int(arena_max)))
    if done:
        log.info("malloc arenas limited to %d", arena_max)
    return done


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a fresh process of the terminal: the arena limit added unless it is set."""
    fresh = dict(env)
    fresh.setdefault(ARENA_MAX_ENV, str(ARENA_MAX))
    return fresh


@dataclass(frozen=True)
class NativeHeap:
    """glibc's malloc heap now: what is in use, what it keeps free, over how many arenas."""

    in_use_kb: int
    """Bytes handed out by malloc (arenas and mmapped chunks), in kB."""
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
        free_kb=info.fordblks // 1024,
        arenas=arenas,
    )
