"""A USB-CDC code scanner on a pty: writes each payload and its suffix, as the real device does.

The driver opens the pty's slave side (or ``link``, a stable path like udev's by-id link) with
pyserial exactly as it opens ``/dev/ttyACM0``. ``unplug`` closes the pty, so the driver's reads
fail as they do when the USB cable is pulled; ``replug`` makes a new pty behind the same link.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from devices.pty import open_raw_pty


class SerialScannerSimulator:
    """The device side of a serial code scanner."""

    def __init__(self, *, suffix: bytes = b"\r\n", link: Path | None = None) -> None:
        """Send ``suffix`` after each payload; serve the port at ``link`` when given."""
        self.suffix = suffix
        self._link = link
        self._master = self._slave = -1
        self._port = ""

    @property
    def port(self) -> str:
        """The path to give the driver: ``link`` when given, else the pty's slave path."""
        if self._link is not None:
            return str(self._link)
        if not self._port:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def plugged(self) -> bool:
        """Whether the pty is open."""
        return self._master >= 0

    def start(self) -> SerialScannerSimulator:
        """Open the pty pair; returns ``self``."""
        if self.plugged:
            raise RuntimeError("simulator already started")
        # Raw, so the line discipline neither echoes nor turns CR into LF on the way through.
        self._master, self._slave, self._port = open_raw_pty(blocking_master=True)
        if self._link is not None:
            tmp = self._link.with_name(self._link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self._port)
            os.replace(tmp, self._link)
        return self

    def stop(self) -> None:
        """Close the pty (and remove the link); safe to call twice."""
        if not self.plugged:
            return
        for fd in (self._master, self._slave):
            os.close(fd)
        self._master = self._slave = -1
        if self._link is not None:
            self._link.unlink(missing_ok=True)

    def unplug(self) -> None:
        """Pull the USB plug: the pty closes and the path goes. Needs ``link``."""
        if self._link is None:
            raise RuntimeError("unplug needs a simulator made with link=...")
        self.stop()

    def replug(self) -> None:
        """Plug in again: a new pty behind the same link."""
        self.start()

    def scan(self, payload: bytes, *, pieces: int = 1) -> None:
        """Send one scan: ``payload`` then the suffix, split into ``pieces`` writes.

        USB hands a long payload over in several packets; ``pieces`` > 1 makes the driver see it
        across several reads.
        """
        self.send(payload + self.suffix, pieces=pieces)

    def send(self, data: bytes, *, pieces: int = 1) -> None:
        """Write raw bytes (for torn or suffix-less lines), in ``pieces`` writes."""
        if not self.plugged:
            raise RuntimeError("simulator not started")
        step = max(1, -(-len(data) // max(1, pieces)))
        for start in range(0, len(data), step):
            view = memoryview(data)[start : start + step]
            while view:
                written = os.write(self._master, view)
                view = view[written:]

    def __enter__(self) -> SerialScannerSimulator:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving it."""
        self.stop()
