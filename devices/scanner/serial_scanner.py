"""USB-CDC (virtual COM port) code scanners: one payload per line, ended by a configured suffix.

Handheld and desk scanners in "USB COM" mode send each code's bytes followed by a suffix, CR LF
by factory default on most (Honeywell, Zebra, Newland, Hikvision); some are set to CR, LF or TAB.
The bytes arrive in whatever pieces USB hands over, so a payload may be split across reads, and
two payloads may come in one read. A scanner that is unplugged makes the port vanish; the next
read opens it again (udev's ``/dev/serial/by-id/...`` path stays the same across replugs).
"""

from __future__ import annotations

import contextlib
import logging
import time
from termios import error as _TermiosError

import serial

from devices.errors import DeviceUnavailableError, ProtocolError

log = logging.getLogger(__name__)

_PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, _TermiosError)

_POLL = 0.05
"""Seconds one pyserial read may block; bounds how far a read can overshoot its timeout."""

_QUIET = 0.2
"""Seconds without a byte that end a burst: the rest of an overlong line is dropped until then."""

_DROP_LIMIT = 2.0
"""Seconds at most spent dropping an overlong line (a port that streams noise never goes quiet)."""

MAX_PAYLOAD = 4096
"""Bytes a line may reach without its suffix before it is dropped as noise (a QR holds < 3 KB)."""

SUFFIXES = {"crlf": b"\r\n", "cr": b"\r", "lf": b"\n", "tab": b"\t"}
"""Suffix names accepted in configuration, besides the literal characters."""


def parse_suffix(value: str) -> bytes:
    r"""Turn a configured suffix into bytes; ``ValueError`` when empty.

    Accepted: ``crlf``, ``cr``, ``lf``, ``tab`` (any case), or the characters themselves (a TOML
    string ``"\r\n"`` arrives here as CR LF already).
    """
    raw = SUFFIXES.get(value.strip().lower(), value.encode("latin-1"))
    if not raw:
        raise ValueError("the scanner suffix cannot be empty")
    return raw


class SerialScannerError(DeviceUnavailableError):
    """The scanner's port cannot be opened or was lost."""

    message_zh = "扫码器暂时无法使用，请联系工作人员。"
    message_en = "The code scanner is not available right now. Please ask staff for help."


class SerialCodeScanner:
    """Reads suffix-ended payloads from a serial scanner; reopens the port after it is lost.

    Not thread-safe: one worker thread owns it (``kiosk.ui.workers.LineScanner``).
    """

    def __init__(
        self,
        port: str,
        baud: int = 9600,
        *,
        suffix: bytes = b"\r\n",
        reopen_interval: float = 1.0,
    ) -> None:
        """Read from ``port`` at ``baud``; the port opens on the first read."""
        if not suffix:
            raise ValueError("the scanner suffix cannot be empty")
        self.port = port
        self.baud = baud
        self.suffix = suffix
        self.reopen_interval = reopen_interval
        self._serial: serial.Serial | None = None
        self._buffer = bytearray()
        self._next_open = 0.0

    def read(self, timeout: float) -> bytes | None:
        """Return the next payload (suffix removed), or ``None`` if none ends within ``timeout``.

        A partial line stays buffered for the next call. Raises ``SerialScannerError`` when the
        port cannot be opened or goes away (the buffered part of a line is dropped: the scanner
        sends it again in full when the citizen rescans), and ``ProtocolError`` when a line grows
        past ``MAX_PAYLOAD`` (its tail, still arriving, is dropped with it).
        """
        deadline = time.monotonic() + timeout
        while True:
            line = self._take_line()
            if line is not None:
                return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ser = self._connection()
            try:
                wait = min(_POLL, remaining)
                if ser.timeout != wait:  # pyserial reconfigures the tty on every change
                    ser.timeout = wait
                chunk = ser.read(max(1, ser.in_waiting))
            except _PORT_ERRORS as err:
                self._lost(err)
                raise SerialScannerError(f"scanner port {self.port} was lost") from err
            if chunk:
                self._buffer += chunk
                if len(self._buffer) > MAX_PAYLOAD and self.suffix not in self._buffer:
                    size = len(self._buffer)
                    self._buffer.clear()
                    size += self._drop_rest_of_line(ser)
                    raise ProtocolError(f"{size} bytes from the scanner without a line end")

    def _drop_rest_of_line(self, ser: serial.Serial) -> int:
        """Drop what is left of an overlong line: up to its suffix, or until the port goes quiet.

        Its tail may still be on the wire (or in the tty's queue); kept, it would be glued to the
        front of the next scan. What follows a suffix is kept. Returns the bytes dropped.
        """
        dropped = 0
        tail = b""  # a suffix of two bytes may be split across reads
        stop = time.monotonic() + _DROP_LIMIT
        try:
            ser.timeout = _QUIET
            while time.monotonic() < stop:
                chunk = tail + ser.read(max(1, ser.in_waiting))
                if len(chunk) == len(tail):
                    break
                end = chunk.find(self.suffix)
                if end >= 0:
                    self._buffer += chunk[end + len(self.suffix) :]
                    return dropped + end - len(tail)
                keep = len(self.suffix) - 1
                dropped += len(chunk) - len(tail)
                tail = chunk[len(chunk) - keep :] if keep else b""
        except _PORT_ERRORS as err:
            self._lost(err)
        return dropped

    def open(self) -> None:
        """Open the port now (a read opens it too); ``SerialScannerError`` when it cannot.

        Opening flushes what the port had buffered (pyserial does), so a code scanned before
        the port was open is not read: the citizen scans again, as with any closed port.
        """
        self._connection()

    def _take_line(self) -> bytes | None:
        while True:
            end = self._buffer.find(self.suffix)
            if end < 0:
                return None
            line = bytes(self._buffer[:end])
            del self._buffer[: end + len(self.suffix)]
            if len(line) > MAX_PAYLOAD:
                raise ProtocolError(f"{len(line)} bytes from the scanner in one line")
            # A scanner set to CR LF while we expect CR (or the reverse) leaves a stray line-end
            # byte at one side of each payload; it is never part of a code we understand.
            line = line.strip(b"\r\n")
            if line:
                return line

    def _connection(self) -> serial.Serial:
        if self._serial is not None:
            return self._serial
        now = time.monotonic()
        if now < self._next_open:
            raise SerialScannerError(f"scanner port {self.port} is not available")
        try:
            self._serial = serial.Serial(self.port, self.baud, timeout=_POLL)
        except _PORT_ERRORS as err:
            self._next_open = now + self.reopen_interval
            raise SerialScannerError(f"scanner port {self.port} cannot be opened") from err
        log.info("scanner port %s open at %d baud", self.port, self.baud)
        self._buffer.clear()
        return self._serial

    def _lost(self, err: BaseException) -> None:
        log.warning("scanner port %s lost (%s); will reopen", self.port, type(err).__name__)
        self.close()
        self._next_open = time.monotonic() + self.reopen_interval

    @property
    def is_open(self) -> bool:
        """Whether the port is open now."""
        return self._serial is not None

    def close(self) -> None:
        """Close the port (the next read opens it again)."""
        ser, self._serial = self._serial, None
        self._buffer.clear()
        if ser is not None:
            with contextlib.suppress(*_PORT_ERRORS):
                ser.close()
