"""A SAM module on the far side of a pseudo-terminal, speaking the device's exact bytes.

The simulator owns a pty pair: the real driver opens ``sim.port`` (the slave's path) with pyserial,
and the simulator answers on the master side from its own thread, framing its replies with the same
``build_reply`` and encoding cards with the same ``encode_text_block`` the driver decodes. It also
honours the line speed the driver set on the pty, so baud-rate probing is exercised for real: a
command sent at another rate than the simulated module's is not understood and gets no answer.

Faults (``inject``) break the next reply the way real lines and modules break. ``unplug`` and
``replug`` close the pty and open a new one behind the same path (give ``link``: like a udev
``/dev/serial/by-id`` link, it keeps its name while the device node behind it changes).

A pty moves bytes as fast as memory does; with ``pace=True`` the simulator takes as long as a
real line at the configured rate (10 bits a byte, 8N1): it waits the command's wire time before
answering and writes its reply at the baud rate. The benchmark uses this so that its comparison
with the wire time is honest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import select
import termios
import threading
import time
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Literal

from devices.idcard.card import IdCard
from devices.idcard.codes import BAUDRATE_CODES, SamCommand, Status
from devices.idcard.demo_cards import PHOTO_SIZE, demo_card
from devices.idcard.errors import FrameChecksumError, FrameError
from devices.idcard.frames import Command, CommandParser, build_reply
from devices.idcard.photo import JPEG_MAGIC, JPEG_MAX_SIZE
from devices.idcard.text import TEXT_BLOCK_SIZE, encode_appended_address, encode_text_block
from devices.pty import open_raw_pty

log = logging.getLogger(__name__)

_POLL = 0.05  # seconds; bounds how long stop() waits for the thread
_CARD_SERIAL = bytes(8)  # what select returns; real modules send the chip's serial, often zeros
_FIND_DATA = bytes(4)

Lacking = Literal["bad_command", "not_allowed", "silent"]
"""How a module answers an optional command it does not implement."""

_LACKING_REPLY = {"bad_command": Status.BAD_COMMAND, "not_allowed": Status.UNAUTHORISED_OPERATION}

_OPTIONAL_KEYS: dict[str, tuple[int, int | None]] = {
    "appended_address": SamCommand.READ_APPENDED_ADDRESS.value,
    "fingerprint": SamCommand.READ_TEXT_PHOTO_FINGERPRINT.value,
    "baud_switch": (SamCommand.SET_BAUDRATE.cmd, None),
}
"""The optional commands by name: (cmd, para), para ``None`` for any."""


class Fault(StrEnum):
    """What ``SamSimulator.inject`` can break."""

    CORRUPT_CHECKSUM = "corrupt_checksum"
    """The next reply's CHK byte is wrong."""
    TRUNCATE = "truncate"
    """The first half of the next reply is sent, then nothing more."""
    SILENT = "silent"
    """The next command gets no answer at all."""
    SAM_FAILURE = "sam_failure"
    """The next command is answered with status 60 (SAM self-test failed)."""
    READ_FAILURE = "read_failure"
    """The next read command (30 xx) is answered with status 41 (read failed)."""
    BAD_LENGTH = "bad_length"
    """The next reply's LEN field is impossible (0xFFFF)."""
    LATE = "late"
    """The next reply comes ``delay`` seconds late (after the driver has given up, if longer)."""
    DROP_BYTES = "drop_bytes"
    """Three bytes in the middle of the next reply are lost on the line."""


_BAUD_CONSTANTS: dict[int, int] = {rate: getattr(termios, f"B{rate}") for rate in BAUDRATE_CODES}

BITS_PER_BYTE = 10
"""8N1: a start bit, eight data bits and a stop bit."""

DEFAULT_SAM_ID = b"".join(
    n.to_bytes(size, "little")
    for n, size in ((5, 2), (1, 2), (20101207, 4), (123456, 4), (1234567, 4))
)
"""The simulated module's id: ``05.01-20101207-0000123456-0001234567`` as printed."""

_PACE_CHUNK = 32  # bytes written at once when pacing: about 2.8 ms at 115200, like a USB bridge


class SamSimulator:
    """A simulated SAM serial card reader on a pty; start it, then point the driver at ``port``."""

    def __init__(
        self,
        *,
        baudrate: int = 115200,
        sam_id: bytes | None = None,
        link: str | Path | None = None,
        pace: bool = False,
        find_misses_after_read: int = 0,
        appended_address_command: bool = True,
        lacks: Mapping[str, Lacking] | None = None,
        jpeg_photos: bool = False,
    ) -> None:
        """Prepare a module answering at ``baudrate`` (one of 115200, 57600, 38400, 19200, 9600).

        ``link``: a path kept pointing at the pty's slave (needed for ``unplug``/``replug``).
        ``pace``: take a real line's time (see the module's docstring).
        ``find_misses_after_read``: like many real modules, answer "no card" to that many find
        commands after a successful read although the card still lies on the reader.
        ``appended_address_command=False``: like many modules in the field, answer 21 (bad
        command) to the appended-address read 30 03 (the same as
        ``lacks={"appended_address": "bad_command"}``).
        ``jpeg_photos``: ``demo_card`` hands out the demo residents with a JPEG card photo of
        their face (decoded by ``JpegPhotoDecoder``) instead of opaque WLT stand-in bytes.
        ``lacks``: optional commands this module does not implement (``appended_address`` 30 03,
        ``fingerprint`` 30 10, ``baud_switch`` 60 nn), each answered ``"bad_command"`` (21),
        ``"not_allowed"`` (23) or ``"silent"`` (no answer at all).
        """
        if baudrate not in _BAUD_CONSTANTS:
            raise ValueError(f"unsupported SAM baud rate {baudrate}")
        self._default_baudrate = baudrate
        self._baudrate = baudrate
        self._sam_id = sam_id if sam_id is not None else DEFAULT_SAM_ID
        self._link = Path(link) if link is not None else None
        self._pace = pace
        self._find_misses_after_read = find_misses_after_read
        self._lacks: dict[str, Lacking] = dict(lacks or {})
        unknown = set(self._lacks) - set(_OPTIONAL_KEYS)
        if unknown:
            raise ValueError(f"not optional commands: {sorted(unknown)}")
        if not appended_address_command:
            self._lacks.setdefault("appended_address", "bad_command")
        self.jpeg_photos = jpeg_photos
        self._misses_left = 0
        self._lock = threading.Condition()  # also tells waiters the line's rate changed
        self._text: bytes | None = None
        self._photo = b""
        self._fingerprint = b""
        self._appended_address: bytes | None = None
        self._selected = False
        self._faults: list[tuple[Fault, tuple[int, int] | None, float]] = []
        self._received: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = self._slave = -1
        self._wake_r = self._wake_w = -1
        self._port = ""

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def port(self) -> str:
        """The device path to give pyserial: ``link`` when given, else the slave's path."""
        if self._link is not None:
            return str(self._link)
        if not self._port:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def plugged(self) -> bool:
        """Whether the simulated reader is plugged in (started and not unplugged)."""
        return self._thread is not None

    @property
    def baudrate(self) -> int:
        """The rate the simulated module currently speaks."""
        with self._lock:
            return self._baudrate

    def wait_for_baudrate(self, rate: int, timeout: float) -> bool:
        """Wait until the module speaks at ``rate`` (it switches just after its reply is out)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._baudrate == rate, timeout)

    def start(self) -> SamSimulator:
        """Open the pty pair and start answering; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        self._master, self._slave, self._port = open_raw_pty()
        self._wake_r, self._wake_w = os.pipe()
        if self._link is not None:
            tmp = self._link.with_name(self._link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self._port)
            os.replace(tmp, self._link)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="sam-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and close the pty; safe to call twice."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        thread.join()
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1
        if self._link is not None:
            self._link.unlink(missing_ok=True)

    def unplug(self) -> None:
        """Pull the reader's USB plug: the pty closes (the driver's reads fail) and the path goes.

        The card stays on the reader. Requires ``link`` so that ``replug`` can reuse the path.
        """
        if self._link is None:
            raise RuntimeError("unplug needs a simulator made with link=...")
        self.stop()

    def replug(self) -> None:
        """Plug the reader in again: a new pty behind the same ``link``.

        The module speaks its default rate again (it forgets a rate switch when it loses power).
        """
        with self._lock:
            self._baudrate = self._default_baudrate
            self._selected = False
        self.start()

    def __enter__(self) -> SamSimulator:
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

    # -- what lies on the reader ----------------------------------------------------------------

    def insert(self, card: IdCard) -> None:
        """Lay ``card`` on the reader. The card is encoded now, so wiping it later changes nothing.

        The card's ``fingerprint`` (empty: 1024 stand-in bytes) answers 30 10, and its
        ``appended_address`` (empty: none on the chip, status 91) answers 30 03.
        Raises ``ValueError`` when the card cannot be encoded or its photo is neither 1024 bytes
        nor a JPEG (the simulated card's photo format, ``devices.idcard.photo``).
        """
        text = encode_text_block(card)
        # A real chip holds 1024 WLT bytes; the simulator also carries a JPEG of any length (the
        # reply's photo length field says it) so face match runs without a vendor decoder.
        jpeg = bytes(card.photo[:3]) == JPEG_MAGIC and len(card.photo) <= JPEG_MAX_SIZE
        if len(card.photo) != PHOTO_SIZE and not jpeg:
            raise ValueError(
                f"photo must be {PHOTO_SIZE} bytes (WLT) or a JPEG of at most {JPEG_MAX_SIZE}, "
                f"got {len(card.photo)} bytes"
            )
        appended = encode_appended_address(card.appended_address) if card.appended_address else None
        with self._lock:
            self._text = text
            self._photo = bytes(card.photo)
            self._fingerprint = bytes(card.fingerprint) or _opaque(self._photo, PHOTO_SIZE)
            self._appended_address = appended
            self._selected = False
            self._misses_left = 0

    def demo_card(self, key: str) -> IdCard:
        """A fresh demo resident ``key`` with this reader's photo format (see ``jpeg_photos``)."""
        return demo_card(key, jpeg_photo=self.jpeg_photos)

    def remove(self) -> None:
        """Take the card off the reader."""
        with self._lock:
            self._text = None
            self._photo = self._fingerprint = b""
            self._appended_address = None
            self._selected = False
            self._misses_left = 0

    def inject(
        self,
        fault: Fault | str | None,
        *,
        times: int = 1,
        on: SamCommand | None = None,
        delay: float = 1.5,
    ) -> None:
        """Break the next ``times`` replies with ``fault``; ``None`` clears every pending fault.

        ``on`` limits the fault to replies to that command (``READ_FAILURE`` always waits for a
        read command), e.g. ``on=SamCommand.READ_TEXT_PHOTO`` tears the 1295-byte card reply.
        ``delay`` is how late ``LATE`` answers. Faults queue up and are used in order.
        """
        with self._lock:
            if fault is None:
                self._faults.clear()
                return
            kind = Fault(fault)
            if kind is Fault.READ_FAILURE and on is None:
                on = SamCommand.READ_TEXT_PHOTO
            self._faults.extend([(kind, on.value if on is not None else None, delay)] * times)

    def pending_faults(self) -> int:
        """Faults injected and not used yet."""
        with self._lock:
            return len(self._faults)

    def commands_received(self) -> list[tuple[int, int]]:
        """(CMD, PARA) of every command understood so far, for tests and diagnostics."""
        with self._lock:
            return list(self._received)

    # -- the thread ---------------------------------------------------------------------------

    def _serve(self) -> None:
        parser = CommandParser()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master, self._wake_r], [], [], _POLL)
            if self._master not in ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                # EIO while no one holds the slave open; we keep it open, but be defensive.
                continue
            try:
                commands = parser.feed(chunk)
            except FrameError as err:
                # A real module answers a frame it could not check with status 10 or 11.
                sw3 = (
                    Status.CHECKSUM_ERROR
                    if isinstance(err, FrameChecksumError)
                    else Status.LENGTH_ERROR
                )
                self._send(build_reply(sw3), self._baudrate)
                continue
            for command in commands:
                self._handle(command)

    def _line_speed_matches(self) -> bool:
        attrs = termios.tcgetattr(self._slave)
        wanted = _BAUD_CONSTANTS[self._baudrate]
        return bool(attrs[4] == wanted and attrs[5] == wanted)

    def _handle(self, command: Command) -> None:
        late = 0.0
        with self._lock:
            if not self._line_speed_matches():
                # At another rate the module sees line noise, not a command: it stays quiet.
                return
            self._received.append((command.cmd, command.para))
            lacking = self._lacking(command)
            if lacking == "silent":
                return
            reply = (
                build_reply(_LACKING_REPLY[lacking])
                if lacking is not None
                else self._answer(command)
            )
            fault, late = self._take_fault(command)
            if fault is Fault.SAM_FAILURE:
                reply = build_reply(Status.SAM_SELF_TEST_FAILED)
            elif fault is Fault.READ_FAILURE:
                reply = build_reply(Status.READ_FAILED)
            elif fault is Fault.SILENT:
                return
            elif fault is Fault.CORRUPT_CHECKSUM:
                reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
            elif fault is Fault.TRUNCATE:
                reply = reply[: len(reply) // 2]
            elif fault is Fault.BAD_LENGTH:
                reply = reply[:5] + b"\xff\xff" + reply[7:]
            elif fault is Fault.DROP_BYTES:
                middle = len(reply) // 2
                reply = reply[: middle - 1] + reply[middle + 2 :]
            if fault is not Fault.LATE:
                late = 0.0
            new_rate = None if lacking is not None else self._rate_switch(command)
            rate = self._baudrate
        if self._pace:
            # The command's bytes would still be on the wire: 10 bits each at the line's rate.
            frame = 2 + len(command.data) + 8
            late += frame * BITS_PER_BYTE / rate
        if late and self._stop.wait(late):
            return
        self._send(reply, rate)
        if new_rate is not None:
            with self._lock:
                self._baudrate = new_rate
                self._lock.notify_all()

    def _take_fault(self, command: Command) -> tuple[Fault | None, float]:
        if not self._faults:
            return None, 0.0
        fault, on, delay = self._faults[0]
        if on is not None and on != (command.cmd, command.para):
            return None, 0.0
        del self._faults[0]
        return fault, delay

    @property
    def find_misses_after_read(self) -> int:
        """Find commands answered "no card" after each successful read while the card lies there."""
        with self._lock:
            return self._find_misses_after_read

    @find_misses_after_read.setter
    def find_misses_after_read(self, value: int) -> None:
        with self._lock:
            self._find_misses_after_read = value

    def wire_seconds(self, nbytes: int) -> float:
        """How long ``nbytes`` take on a real line at the module's current rate (8N1)."""
        return nbytes * BITS_PER_BYTE / self.baudrate

    def _lacking(self, command: Command) -> Lacking | None:
        """How this module answers ``command`` when it does not implement it, else ``None``."""
        for name, (cmd, para) in _OPTIONAL_KEYS.items():
            if command.cmd == cmd and (para is None or command.para == para):
                return self._lacks.get(name)
        return None

    def _rate_switch(self, command: Command) -> int | None:
        if command.cmd != SamCommand.SET_BAUDRATE.cmd:
            return None
        for rate, code in BAUDRATE_CODES.items():
            if code == command.para:
                return rate
        return None

    def _answer(self, command: Command) -> bytes:
        key = (command.cmd, command.para)
        card = self._text
        if key in (SamCommand.RESET.value, SamCommand.STATUS.value):
            return build_reply(Status.SUCCESS)
        if key == SamCommand.READ_SAM_ID.value:
            return build_reply(Status.SUCCESS, self._sam_id)
        if key == SamCommand.FIND_CARD.value:
            self._selected = False
            if card is None:
                return build_reply(Status.FIND_CARD_FAILED)
            if self._misses_left > 0:
                # The card was read and went quiet: the module cannot find it while it lies there.
                self._misses_left -= 1
                return build_reply(Status.FIND_CARD_FAILED)
            return build_reply(Status.CARD_FOUND, _FIND_DATA)
        if key == SamCommand.SELECT_CARD.value:
            if card is None:
                return build_reply(Status.SELECT_CARD_FAILED)
            self._selected = True
            return build_reply(Status.SUCCESS, _CARD_SERIAL)
        if command.cmd == SamCommand.READ_TEXT_PHOTO.cmd:
            return self._read(command.para)
        if command.cmd == SamCommand.SET_BAUDRATE.cmd:
            if command.para in BAUDRATE_CODES.values():
                return build_reply(Status.SUCCESS)
            return build_reply(Status.BAD_COMMAND)
        return build_reply(Status.BAD_COMMAND)

    def _read(self, para: int) -> bytes:
        if self._text is None or not self._selected:
            return build_reply(Status.READ_FAILED)
        lengths = TEXT_BLOCK_SIZE.to_bytes(2, "big") + len(self._photo).to_bytes(2, "big")
        if para == SamCommand.READ_TEXT_PHOTO.para:
            self._misses_left = self._find_misses_after_read
            return build_reply(Status.SUCCESS, lengths + self._text + self._photo)
        if para == SamCommand.READ_TEXT_PHOTO_FINGERPRINT.para:
            self._misses_left = self._find_misses_after_read
            fingerprint = self._fingerprint
            data = lengths + len(fingerprint).to_bytes(2, "big") + self._text + self._photo
            return build_reply(Status.SUCCESS, data + fingerprint)
        if para == SamCommand.READ_APPENDED_ADDRESS.para:
            if self._appended_address is None:
                return build_reply(Status.FIELD_EMPTY)
            return build_reply(Status.SUCCESS, self._appended_address)
        return build_reply(Status.BAD_COMMAND)

    def _send(self, data: bytes, rate: int) -> None:
        view = memoryview(data)
        byte_time = BITS_PER_BYTE / rate
        started = time.monotonic()
        sent = 0
        while view and not self._stop.is_set():
            chunk = view
            if self._pace:
                # Release each chunk when its last byte would have left a real UART, on an
                # absolute schedule so that sleeping late never adds up.
                chunk = view[:_PACE_CHUNK]
                due = started + (sent + len(chunk)) * byte_time - time.monotonic()
                if due > 0 and self._stop.wait(due):
                    return
            try:
                written = os.write(self._master, chunk)
            except BlockingIOError:
                # The pty's queue is full (the driver is not reading): wait, but stay stoppable.
                select.select([], [self._master], [], _POLL)
                continue
            view = view[written:]
            sent += written


def _opaque(seed: bytes, size: int) -> bytes:
    out = b""
    while len(out) < size:
        out += hashlib.sha256(seed + len(out).to_bytes(4, "big")).digest()
    return out[:size]
