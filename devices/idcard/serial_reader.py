"""The serial transport to a SAM card reader module (GA 467 frames over pyserial).

One ``read`` is three exchanges: find card (20 01), select card (20 02), read text and photo
(30 01); ``read_card`` can read the fingerprints too (30 10) and the appended address (30 03).
``probe`` (for ``kiosk doctor`` and ``kiosk idcard probe``) finds the baud rate, checks the SAM's
status and reads its id. Each exchange flushes stale input, sends one command and waits for a
reply that fits the command; every wait is bounded by the caller's overall deadline, so a module
that stops mid-frame costs at most the timeout and raises ``ReaderTimeoutError``. Vendor
exceptions are translated here, at the boundary. Nothing read from a card is ever logged.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Literal, NoReturn

import serial

try:
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - not POSIX
    _TermiosError = OSError  # type: ignore[misc,assignment]

from devices.errors import NoCardError
from devices.idcard.card import IdCard
from devices.idcard.codes import (
    BAUDRATE_CODES,
    PROBE_BAUDRATES,
    SAM_ID_SIZE,
    SUCCESS_STATUSES,
    SamCommand,
    Status,
    describe_status,
    format_sam_id,
    raise_for_status,
)
from devices.idcard.errors import (
    FrameError,
    FrameLengthError,
    ReaderTimeoutError,
    ReaderUnavailableError,
    SamCommandError,
)
from devices.idcard.frames import FrameParser, Reply, build_command
from devices.idcard.text import TEXT_BLOCK_SIZE, parse_appended_address, parse_text_block

log = logging.getLogger(__name__)

# pyserial lets termios.error (not an OSError) escape from tcflush when the tty is gone.
_PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, _TermiosError)

_POLL = 0.02
"""Seconds one pyserial read may block; bounds how far a wait can overshoot its deadline."""

DEFAULT_PROBE_TIMEOUT = 0.3
"""Seconds to wait for the status reply at each candidate rate; real modules answer in ~10 ms."""

APPENDED_ADDRESS_WAIT = 1.0
"""Seconds a module may take over the optional appended-address read (70 bytes of data)."""

OPTIONAL_COMMAND_WAIT = 1.0
"""Seconds a module may stay silent over an optional command before it counts as lacking it."""

OptionalCommand = Literal["appended_address", "fingerprint", "baud_switch"]
"""Commands many field modules do not implement (status 21 / 23, or no answer at all)."""

_LACKING_STATUSES = frozenset({Status.BAD_COMMAND, Status.UNAUTHORISED_OPERATION})
"""Answers that mean "this module does not do that", as opposed to a fault of the card or line."""

OPTIONAL_COMMANDS: dict[OptionalCommand, str] = {
    "appended_address": "30 03 appended address",
    "fingerprint": "30 10 fingerprint read",
    "baud_switch": "60 nn baud-rate switch",
}
"""Each optional command and how a technician names it."""


@dataclass(frozen=True)
class ReaderInfo:
    """What ``SamSerialReader.probe`` found: where the module is and that it is healthy."""

    port: str
    baudrate: int
    sam_id: str
    """The module's id as printed on its label, e.g. ``05.01-20101207-0000123456-0001234567``."""
    status: str
    """The answer to the status command, e.g. ``0x90 SUCCESS``."""


class SamSerialReader:
    """An ``IdCardReader`` for SAM modules behind a serial port (USB-serial bridge or RS-232).

    The port is opened, and the baud rate probed when not given, on first use, so that building
    the reader never blocks. When the port fails (the reader was unplugged) the handle is dropped
    and the next call opens it again, probing again if the rate was probed: a replugged reader
    recovers without a restart. Meant to be driven from one worker thread; a lock serialises calls.
    """

    def __init__(
        self,
        port: str,
        baudrate: int | Literal["auto"] | None = None,
        *,
        io_timeout: float = 1.0,
        probe_timeout: float = DEFAULT_PROBE_TIMEOUT,
    ) -> None:
        """Prepare a reader on ``port``; ``baudrate=None`` (or ``"auto"``) probes 115200 to 9600."""
        if baudrate == "auto":
            baudrate = None
        if baudrate is not None and baudrate not in BAUDRATE_CODES:
            raise ValueError(f"unsupported SAM baud rate {baudrate}")
        self._port = port
        self._configured_baudrate = baudrate
        self._baudrate = baudrate
        self._io_timeout = io_timeout
        self._probe_timeout = min(probe_timeout, io_timeout)
        self._serial: serial.Serial | None = None
        self._supported: dict[OptionalCommand, bool] = {}
        """What this module showed about each optional command it was asked (kept until reset)."""
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

    @property
    def appended_address_supported(self) -> bool | None:
        """Whether the module reads the appended address (30 03); ``None`` until it was asked.

        Many modules in the field do not implement 30 03: they answer 21 (bad command) or nothing.
        """
        return self._supported.get("appended_address")

    @property
    def lacking(self) -> tuple[OptionalCommand, ...]:
        """The optional commands this module showed it does not implement, in a stable order."""
        return tuple(c for c in OPTIONAL_COMMANDS if self._supported.get(c) is False)

    def supports(self, command: OptionalCommand) -> bool | None:
        """Whether the module implements ``command``; ``None`` until it was asked."""
        return self._supported.get(command)

    def read(self, timeout: float) -> IdCard | None:
        """Find, select and read the card; ``None`` when no card lies on the reader.

        Raises ``ReaderTimeoutError`` when the module does not answer in time (never blocks much
        longer than ``timeout``), ``FrameError`` for a corrupt reply, ``CardReadError`` subclasses
        for the card's failures (``CardDataError`` when its data fails a check), ``SamError``
        subclasses for the module's, and ``ReaderUnavailableError`` when the port fails.
        """
        return self.read_card(timeout)

    def read_card(
        self,
        timeout: float,
        *,
        fingerprint: bool = False,
        appended_address: bool = False,
        strict: bool = True,
    ) -> IdCard | None:
        """``read`` with the options the technician's tools need.

        ``fingerprint`` reads 30 10 instead of 30 01, ``appended_address`` adds 30 03 after the
        read, and ``strict=False`` to get a card whose data fails its checks
        with ``card.defects`` filled instead of ``CardDataError`` (for the technician's CLI).
        """
        deadline = time.monotonic() + timeout
        reply: Reply | None = None
        with self._lock:
            try:
                self._transact(SamCommand.FIND_CARD, deadline)
                self._transact(SamCommand.SELECT_CARD, deadline)
            except NoCardError:
                return None
            if fingerprint:
                reply = self._read_fingerprint(deadline)
                fingerprint = reply is not None
            if not fingerprint:
                reply = self._transact(SamCommand.READ_TEXT_PHOTO, deadline)
            assert reply is not None
            extra = self._read_appended(deadline) if appended_address else None
        card = _card_from(reply.data, fingerprint=fingerprint, strict=strict)
        if extra is not None and extra.sw3 == Status.SUCCESS:
            try:
                card.appended_address = parse_appended_address(extra.data)
            except Exception:
                card.wipe()
                raise
        return card

    def _read_appended(self, deadline: float) -> Reply | None:
        """Ask for the appended address (30 03), which is optional: the card read stands anyway."""
        return self._optional(
            "appended_address", SamCommand.READ_APPENDED_ADDRESS, deadline, APPENDED_ADDRESS_WAIT
        )

    def _read_fingerprint(self, deadline: float) -> Reply | None:
        """Read text, photo and fingerprints (30 10), or ``None`` when the module lacks it.

        The card stays selected after a refused or unanswered command, so the caller goes on
        with the plain read (30 01) within the same deadline.
        """
        return self._optional(
            "fingerprint", SamCommand.READ_TEXT_PHOTO_FINGERPRINT, deadline, self._io_timeout
        )

    def _optional(
        self, name: OptionalCommand, command: SamCommand, deadline: float, wait: float
    ) -> Reply | None:
        """Send an optional command; a module that answers 21 / 23 or nothing is not asked again.

        Other statuses (the card was lifted, a read failed) are the card's, not the module's, and
        are raised as for any command.
        """
        if self._supported.get(name) is False:
            return None
        step = min(deadline, time.monotonic() + wait)
        try:
            reply = self._transact(command, step)
        except SamCommandError as err:
            if err.sw3 not in _LACKING_STATUSES:
                raise
            self._note_lacking(name, str(err))
            return None
        except ReaderTimeoutError as err:
            if time.monotonic() >= deadline:
                raise
            self._note_lacking(name, str(err))
            return None
        self._supported[name] = True
        return reply

    def _note_lacking(self, name: OptionalCommand, why: str) -> None:
        self._supported[name] = False
        log.info("SAM on %s lacks the %s (%s)", self._port, OPTIONAL_COMMANDS[name], why)

    def find_card(self, timeout: float = 1.0) -> bool:
        """Ask whether a card lies on the reader (20 01), without reading it."""
        with self._lock:
            try:
                self._transact(SamCommand.FIND_CARD, time.monotonic() + timeout)
            except NoCardError:
                return False
        return True

    def reset(self, timeout: float = 2.0) -> None:
        """Reset the SAM module (10 FF); its status must be success afterwards."""
        with self._lock:
            self._transact(SamCommand.RESET, time.monotonic() + timeout)

    def sam_status(self, timeout: float = 2.0) -> int:
        """Ask the module for its status (11 FF); returns SW3 (0x90) when healthy.

        Raises ``SamSelfTestError`` / ``SamNotAuthorisedError`` when the module reports a fault,
        and the same transport errors as ``read``.
        """
        with self._lock:
            return self._transact(SamCommand.STATUS, time.monotonic() + timeout).sw3

    def sam_id(self, timeout: float = 2.0) -> str:
        """Read the module's id (12 FF), formatted as on its label (see ``format_sam_id``)."""
        with self._lock:
            reply = self._transact(SamCommand.READ_SAM_ID, time.monotonic() + timeout)
        return format_sam_id(reply.data)

    def probe(self, timeout: float = 3.0) -> ReaderInfo:
        """Open the port, find the rate, check the module's status and read its id.

        The technician's one call (``kiosk doctor``): returns ``ReaderInfo`` when the module is
        healthy; raises ``ReaderUnavailableError`` (no port, nothing answering at any rate),
        ``ReaderTimeoutError``, ``SamSelfTestError`` / ``SamNotAuthorisedError`` otherwise.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            status = self._transact(SamCommand.STATUS, deadline).sw3
            reply = self._transact(SamCommand.READ_SAM_ID, deadline)
            rate = self._baudrate
        assert rate is not None
        return ReaderInfo(self._port, rate, format_sam_id(reply.data), describe_status(status))

    def set_baudrate(self, rate: int, timeout: float = 2.0) -> bool:
        """Switch the module to ``rate`` (60 nn) and follow it; kept until the module resets.

        Returns ``False``, and the line stays at the rate it had, when the module lacks the
        switch: it answers 21 / 23, or nothing and still answers at the old rate.
        """
        try:
            code = BAUDRATE_CODES[rate]
        except KeyError:
            raise ValueError(f"unsupported SAM baud rate {rate}") from None
        with self._lock:
            if self._supported.get("baud_switch") is False:
                return False
            deadline = time.monotonic() + timeout
            ser = self._connection(deadline)
            old = self._baudrate
            try:
                reply = self._exchange(
                    ser, SamCommand.SET_BAUDRATE, deadline, self._io_timeout, code
                )
            except ReaderTimeoutError:
                # No answer: it either lacks the switch or switched before answering. Ask at the
                # old rate first; a module that answers there did not switch.
                if self._still_answers(ser, deadline):
                    self._note_lacking("baud_switch", "no answer")
                    return False
                ser.baudrate = rate
                if not self._still_answers(ser, deadline):
                    self._fail(ReaderTimeoutError(f"SAM on {self._port} lost after 60 {code:02x}"))
                self._baudrate = rate
                self._supported["baud_switch"] = True
                return True
            except _PORT_ERRORS as err:
                self._fail(err)
            if reply.sw3 in _LACKING_STATUSES:
                self._note_lacking("baud_switch", describe_status(reply.sw3))
                return False
            raise_for_status(reply.sw3, SamCommand.SET_BAUDRATE)
            try:
                ser.baudrate = rate
            except _PORT_ERRORS as err:
                self._fail(err)
            self._baudrate = rate
            self._supported["baud_switch"] = True
            log.info("SAM on %s switched from %s to %d baud", self._port, old, rate)
            return True

    def _still_answers(self, ser: serial.Serial, deadline: float) -> bool:
        try:
            self._exchange(ser, SamCommand.STATUS, deadline, self._probe_timeout)
        except (ReaderTimeoutError, FrameError):
            return False
        return True

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

    def _fail(self, err: BaseException) -> NoReturn:
        # A USB bridge pulled out mid-read: drop the handle so that the next call reopens it,
        # and probe again if we probed (a replugged module starts at its default rate).
        self._drop()
        self._baudrate = self._configured_baudrate
        self._supported.clear()  # the module plugged back in may be another one
        raise ReaderUnavailableError(f"serial port {self._port} failed: {err}") from err

    def _transact(self, command: SamCommand, deadline: float) -> Reply:
        try:
            ser = self._connection(deadline)
            reply = self._exchange(ser, command, deadline, self._io_timeout)
        except serial.SerialTimeoutException as err:
            raise ReaderTimeoutError(f"writing {command.name} to {self._port} timed out") from err
        except _PORT_ERRORS as err:
            self._fail(err)
        raise_for_status(reply.sw3, command)
        return reply

    def _open(self, deadline: float) -> serial.Serial:
        if self._serial is None:
            try:
                self._serial = serial.Serial(
                    self._port,
                    self._baudrate or PROBE_BAUDRATES[0],
                    timeout=_POLL,
                    write_timeout=self._io_timeout,
                    exclusive=True,
                )
            except _PORT_ERRORS as err:
                raise ReaderUnavailableError(
                    f"cannot open card reader port {self._port}: {err}"
                ) from err
            log.info("opened card reader port %s", self._port)
        return self._serial

    def _connection(self, deadline: float) -> serial.Serial:
        ser = self._open(deadline)
        if self._baudrate is None:
            self._probe(ser, deadline)
        return ser

    def _probe(self, ser: serial.Serial, deadline: float) -> None:
        for rate in PROBE_BAUDRATES:
            if time.monotonic() >= deadline:
                raise ReaderTimeoutError(f"baud-rate probe of {self._port} ran out of time")
            ser.baudrate = rate
            try:
                reply = self._exchange(ser, SamCommand.STATUS, deadline, self._probe_timeout)
            except (ReaderTimeoutError, FrameError):
                log.debug("no SAM answer on %s at %d baud", self._port, rate)
                continue
            # Any well-formed reply, even a failed self-test, proves the rate right.
            self._baudrate = rate
            log.info(
                "SAM on %s answers at %d baud (%s)", self._port, rate, describe_status(reply.sw3)
            )
            return
        if time.monotonic() >= deadline:
            raise ReaderTimeoutError(f"baud-rate probe of {self._port} ran out of time")
        raise ReaderUnavailableError(f"no SAM answered on {self._port} at any baud rate")

    def _exchange(
        self,
        ser: serial.Serial,
        command: SamCommand,
        deadline: float,
        wait: float,
        para: int | None = None,
    ) -> Reply:
        started = time.monotonic()
        step_deadline = min(deadline, started + wait)
        if step_deadline <= started:
            raise ReaderTimeoutError(f"no time left to send {command.name}")
        # Whatever is in the buffer is stale: the tail of a torn reply or of one we gave up on.
        ser.reset_input_buffer()
        self._parser.reset()
        ser.write(build_command(command.cmd, command.para if para is None else para))
        while True:
            chunk = ser.read(max(1, ser.in_waiting))
            if chunk:
                try:
                    frames = self._parser.feed(chunk)
                except FrameError:
                    ser.reset_input_buffer()
                    log.warning("corrupt frame from SAM on %s after %s", self._port, command.name)
                    raise
                for reply in frames:
                    if not _fits(command, reply):
                        # A late answer to a command we gave up on: the protocol has no request
                        # ids, so its shape is the only way to tell it from ours.
                        log.debug(
                            "dropped a stale %s reply while waiting for %s",
                            describe_status(reply.sw3),
                            command.name,
                        )
                        continue
                    log.debug(
                        "SAM %s -> %s in %.0f ms",
                        command.name,
                        describe_status(reply.sw3),
                        (time.monotonic() - started) * 1000,
                    )
                    return reply
            if time.monotonic() >= step_deadline:
                state = "mid-frame" if self._parser.pending else "before any reply"
                raise ReaderTimeoutError(
                    f"SAM on {self._port} stopped answering {command.name} ({state})"
                )


def _fits(command: SamCommand, reply: Reply) -> bool:
    """Whether ``reply`` can be the answer to ``command`` (error statuses fit any command)."""
    if reply.sw3 not in SUCCESS_STATUSES:
        return True
    data = reply.data
    if command is SamCommand.FIND_CARD:
        return reply.sw3 == Status.CARD_FOUND
    if reply.sw3 == Status.CARD_FOUND:
        return False
    if command is SamCommand.SELECT_CARD:
        return reply.sw3 == Status.SUCCESS and len(data) == 8
    if command is SamCommand.READ_SAM_ID:
        return len(data) == SAM_ID_SIZE
    if command in (SamCommand.READ_TEXT_PHOTO, SamCommand.READ_TEXT_PHOTO_FINGERPRINT):
        return len(data) >= 4 and int.from_bytes(data[0:2], "big") == TEXT_BLOCK_SIZE
    if command is SamCommand.READ_APPENDED_ADDRESS:
        return len(data) < TEXT_BLOCK_SIZE
    return not data  # reset, status, baud-rate switch: a bare status


def _card_from(data: bytes, *, fingerprint: bool = False, strict: bool = True) -> IdCard:
    """Split a ``30 01`` / ``30 10`` reply's data into text, photo and fingerprints; decode."""
    header = 6 if fingerprint else 4
    if len(data) < header:
        raise FrameLengthError(f"read reply carries {len(data)} bytes, too short for its lengths")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    finger_len = int.from_bytes(data[4:6], "big") if fingerprint else 0
    if text_len != TEXT_BLOCK_SIZE or len(data) != header + text_len + photo_len + finger_len:
        raise FrameLengthError(
            f"read reply lengths do not add up: text {text_len}, photo {photo_len}, "
            f"fingerprint {finger_len}, data {len(data)}"
        )
    card = parse_text_block(data[header : header + text_len], strict=strict)
    card.photo = bytearray(data[header + text_len : header + text_len + photo_len])
    card.fingerprint = bytearray(data[header + text_len + photo_len :])
    return card


__all__ = ["DEFAULT_PROBE_TIMEOUT", "ReaderInfo", "SamSerialReader"]
