"""The pseudo-terminal every serial device simulator serves: the real driver opens its slave side.

A pty is what a USB-serial adapter looks like to pyserial, so the drivers under test run
unchanged. Both ends are set raw at once, before the driver opens the slave, so that nothing
echoes bytes back or rewrites LF as CR LF in between.
"""

from __future__ import annotations

import os
import tty


def open_raw_pty(*, blocking_master: bool = False) -> tuple[int, int, str]:
    """Open a raw pty pair; returns ``(master_fd, slave_fd, slave_path)``.

    The master is non-blocking unless ``blocking_master``: simulators poll it with ``select``.
    """
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    if not blocking_master:
        os.set_blocking(master, False)
    return master, slave, os.ttyname(slave)
