"""The serial transport to a SAM card reader module (GA 467 frames over pyserial).

One ``read`` is three exchanges: find card (20 01), select card (20 02), read text and photo
(30 01). Each exchange flushes stale input, sends one command and waits for one reply; every wait
is bounded by the caller's overall deadline, so a module that stops mid-frame costs at most the
timeout and raises ``DeviceTimeoutError``. Vendor exceptions are translated here, at the boundary.
Nothing read from a card is ever logged.
"""

from __future__ import annotations

import logging
import threading
import time

import serial

try:
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - not POSIX
    _TermiosError = OSError  # type: ignore[misc,assignment]

from devices.errors import DeviceTimeoutError, DeviceUnavailableError, NoCardError
from devices.idcard.card import IdCard
from devices.idcard.codes import PROBE_BAUDRATES, SamCommand, describe_status, raise_for_status
from devices.idcard.errors import FrameError, FrameLengthError
from devices.idcard.frames import FrameParser, Reply, build_command
from devices.idcard.text import TEXT_BLOCK_SIZE, parse_text_block

log = logging.getLogger(__name__)

# pyserial lets termios.error (not an OSError) escape from tcflush when the tty is gone.
_PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, _TermiosError)

_POLL = 0.02
"""Seconds one pyserial read may block; bounds how far a wait can overshoot its deadline."""

DEFAULT_PROBE_TIMEOUT = 0.3
"""Seconds to wait for the status reply at each candidate rate; real modules answer in ~10 ms."""


class SamSerialReader:
    """An ``IdCardReader`` for SAM modules behind a serial port (USB-serial bridge or RS-232).

    The port is opened, and the baud rate probed when not given, on first use, so that building
    the reader never blocks. Meant to be driven from one worker thread; a lock serialises calls.
    """

    def __init__(
        self,
        port: str,
        baudrate: int | None = None,
        *,
        io_timeout: float = 1.0,
        probe_timeout: float = DEFAULT_PROBE_TIMEOUT,
    ) -> None:
        """Prepare a reader on ``port``; ``baudrate=None`` probes 115200 down to 9600."""
        self._port = port
        self._baudrate = baudrate
        self._io_timeout = io_timeout
        self._probe_timeout = min(probe_timeout, io_timeout)
        self._serial: serial.Serial | None = None
        self._parser = FrameParser()
        self._lock = threading.Lock()

    @property
    def port(self) -> str:
        """The serial device path."""
        return self._port

    @property
    def baudrate(self) -> int | None:
        """The rate in use: as given, or as found by probing (``None`` until probed)."""
        return self._baudrate

    def read(self, timeout: float) -> IdCard | None:
        """Find, select and read the card; ``None`` when no card lies on the reader.

        Raises ``DeviceTimeoutError`` when the module does not answer in time (never blocks much
        longer than ``timeout``), ``FrameError`` for a corrupt reply, ``CardReadError`` subclasses
        for the card's failures (``CardDataError`` when its data fails a check), ``SamError``
        subclasses for the module's, and ``DeviceUnavailableError`` when the port fails.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            try:
                self._transact(SamCommand.FIND_CARD, deadline)
                self._transact(SamCommand.SELECT_CARD, deadline)
            except NoCardError:
                return None
            reply = self._transact(SamCommand.READ_TEXT_PHOTO, deadline)
        return _card_from(reply.data)

    def sam_status(self, timeout: float = 2.0) -> int:
        """Ask the module for its status (11 FF); returns SW3 (0x90) when healthy.

        Raises ``SamSelfTestError`` / ``SamNotAuthorisedError`` when the module reports a fault,
        and the same transport errors as ``read``.
        """
        with self._lock:
            return self._transact(SamCommand.STATUS, time.monotonic() + timeout).sw3

    def close(self) -> None:
        """Release the port. A later call opens it again (and keeps the rate already found)."""
        with self._lock:
            self._drop()

    # -- internals ----------------------------------------------------------------------------

    def _drop(self) -> None:
        ser, self._serial = self._serial, None
        self._parser.reset()
        if ser is not None:
            try:
                ser.close()
            except _PORT_ERRORS:
                log.warning("closing %s failed", self._port, exc_info=True)

    def _transact(self, command: SamCommand, deadline: float) -> Reply:
        try:
            ser = self._connection(deadline)
            reply = self._exchange(ser, command, deadline, self._io_timeout)
        except serial.SerialTimeoutException as err:
            raise DeviceTimeoutError(f"writing {command.name} to {self._port} timed out") from err
        except _PORT_ERRORS as err:
            # A USB bridge pulled out mid-read: drop the handle so that the next call reopens it.
            self._drop()
            raise DeviceUnavailableError(f"serial port {self._port} failed: {err}") from err
        raise_for_status(reply.sw3, command)
        return reply

    def _connection(self, deadline: float) -> serial.Serial:
        if self._serial is None:
            self._serial = serial.Serial(
                self._port,
                self._baudrate or PROBE_BAUDRATES[0],
                timeout=_POLL,
                write_timeout=self._io_timeout,
                exclusive=True,
            )
            log.info("opened card reader port %s", self._port)
        if self._baudrate is None:
            self._probe(self._serial, deadline)
        return self._serial

    def _probe(self, ser: serial.Serial, deadline: float) -> None:
        for rate in PROBE_BAUDRATES:
            if time.monotonic() >= deadline:
                raise DeviceTimeoutError(f"baud-rate probe of {self._port} ran out of time")
            ser.baudrate = rate
            try:
                reply = self._exchange(ser, SamCommand.STATUS, deadline, self._probe_timeout)
            except (DeviceTimeoutError, FrameError):
                log.debug("no SAM answer on %s at %d baud", self._port, rate)
                continue
            # Any well-formed reply, even a failed self-test, proves the rate right.
            self._baudrate = rate
            log.info(
                "SAM on %s answers at %d baud (%s)", self._port, rate, describe_status(reply.sw3)
            )
            return
        if time.monotonic() >= deadline:
            raise DeviceTimeoutError(f"baud-rate probe of {self._port} ran out of time")
        raise DeviceUnavailableError(f"no SAM answered on {self._port} at any baud rate")

    def _exchange(
        self, ser: serial.Serial, command: SamCommand, deadline: float, wait: float
    ) -> Reply:
        started = time.monotonic()
        step_deadline = min(deadline, started + wait)
        if step_deadline <= started:
            raise DeviceTimeoutError(f"no time left to send {command.name}")
        # Whatever is in the buffer is stale: the tail of a torn reply or of one we gave up on.
        ser.reset_input_buffer()
        self._parser.reset()
        ser.write(build_command(command.cmd, command.para))
        while True:
            chunk = ser.read(max(1, ser.in_waiting))
            if chunk:
                try:
                    frames = self._parser.feed(chunk)
                except FrameError:
                    ser.reset_input_buffer()
                    log.warning("corrupt frame from SAM on %s after %s", self._port, command.name)
                    raise
                if frames:
                    reply = frames[0]
                    log.debug(
                        "SAM %s -> %s in %.0f ms",
                        command.name,
                        describe_status(reply.sw3),
                        (time.monotonic() - started) * 1000,
                    )
                    return reply
            if time.monotonic() >= step_deadline:
                state = "mid-frame" if self._parser.pending else "before any reply"
                raise DeviceTimeoutError(
                    f"SAM on {self._port} stopped answering {command.name} ({state})"
                )


def _card_from(data: bytes) -> IdCard:
    """Split a ``30 01`` reply's data into text and photo, and decode the text."""
    if len(data) < 4:
        raise FrameLengthError(f"read reply carries {len(data)} bytes, too short for its lengths")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_BLOCK_SIZE or len(data) != 4 + text_len + photo_len:
        raise FrameLengthError(
            f"read reply lengths do not add up: text {text_len}, photo {photo_len}, "
            f"data {len(data)}"
        )
    card = parse_text_block(data[4 : 4 + text_len])
    card.photo = bytearray(data[4 + text_len :])
    return card
