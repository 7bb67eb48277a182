"""Bytes in, frames out: the GA 467 SAM framing, as pure functions with no I/O.

Both directions share one envelope::

    AA AA AA 96 69 | LEN_HI LEN_LO | body ... | CHK

LEN is big-endian and counts every byte after the length field, CHK included. CHK is the XOR of
LEN_HI, LEN_LO and the body, so the XOR of everything after the preamble is zero. A host's body is
``CMD PARA [DATA]``; the SAM's body is ``SW1 SW2 SW3 [DATA]``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import reduce
from operator import xor
from typing import Generic, TypeVar

from devices.idcard.errors import FrameChecksumError, FrameError, FrameLengthError

__all__ = [
    "MAX_LENGTH",
    "PREAMBLE",
    "Command",
    "CommandParser",
    "Frame",
    "FrameChecksumError",
    "FrameError",
    "FrameLengthError",
    "FrameParser",
    "Reply",
    "build_command",
    "build_reply",
    "checksum",
    "parse_command",
    "parse_reply",
]

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
"""Start of every frame, both directions."""

MAX_LENGTH = 0x1000
"""Largest LEN accepted. The biggest real reply (text + photo + fingerprint) has LEN 2314; a
larger value means a torn or corrupt header, and waiting for that many bytes would only stall."""

_HEADER = len(PREAMBLE) + 2
_COMMAND_MIN_LENGTH = 3  # CMD PARA CHK
_REPLY_MIN_LENGTH = 4  # SW1 SW2 SW3 CHK


def checksum(data: bytes) -> int:
    """XOR of every byte of ``data`` (the SAM's CHK over the length field and the body)."""
    return reduce(xor, data, 0)


def _byte(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"{name} must be one byte, got {value!r}")
    return value


def _envelope(body: bytes) -> bytes:
    length = len(body) + 1
    if length > MAX_LENGTH:
        raise ValueError(f"frame body too long: {len(body)} bytes")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


def build_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    """Build a complete host -> SAM frame."""
    return _envelope(bytes([_byte("cmd", cmd), _byte("para", para)]) + bytes(data))


def build_reply(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """Build a complete SAM -> host frame (used by the simulator; SW1 SW2 are 00 00 on the wire)."""
    return _envelope(bytes([_byte("sw1", sw1), _byte("sw2", sw2), _byte("sw3", sw3)]) + bytes(data))


@dataclass(frozen=True, slots=True)
class Command:
    """A host -> SAM frame."""

    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Reply:
    """A SAM -> host frame; ``sw3`` is the status byte."""

    sw3: int
    data: bytes = b""
    sw1: int = 0
    sw2: int = 0

    @property
    def status(self) -> int:
        """The SAM's status byte (alias of ``sw3``)."""
        return self.sw3


Frame = Command | Reply
"""Either direction's frame."""

F = TypeVar("F", Command, Reply)


class _StreamParser(ABC, Generic[F]):
    """Reassembles frames from chunks of a byte stream, whatever the chunk boundaries."""

    _min_length: int

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.discarded = 0
        """Bytes skipped while looking for a preamble (line noise, a reply at the wrong baud rate,
        the tail of a frame flushed earlier), for diagnostics."""

    @property
    def pending(self) -> int:
        """Bytes held back because they may start a frame not yet complete."""
        return len(self._buffer)

    def reset(self) -> None:
        """Drop any partial frame."""
        self._buffer.clear()

    def feed(self, chunk: bytes) -> list[F]:
        """Add ``chunk`` and return every frame it completed, in order.

        Raises ``FrameError`` for a bad checksum or an impossible length; the parser is then reset
        (the frame and anything after it in the buffer are dropped) so that the caller can flush
        its port and carry on.
        """
        self._buffer += chunk
        frames: list[F] = []
        while True:
            self._skip_to_preamble()
            if len(self._buffer) < _HEADER:
                return frames
            length = int.from_bytes(self._buffer[len(PREAMBLE) : _HEADER], "big")
            if not self._min_length <= length <= MAX_LENGTH:
                self.reset()
                raise FrameLengthError(f"impossible frame length {length}")
            end = _HEADER + length
            if len(self._buffer) < end:
                return frames
            raw = bytes(self._buffer[len(PREAMBLE) : end])
            del self._buffer[:end]
            if checksum(raw) != 0:
                self.reset()
                raise FrameChecksumError(
                    f"checksum mismatch: frame carries 0x{raw[-1]:02X}, "
                    f"computed 0x{checksum(raw[:-1]):02X}"
                )
            frames.append(self._decode(raw[2:-1]))

    def _skip_to_preamble(self) -> None:
        # Anything before a preamble cannot belong to a frame; keep a trailing partial preamble.
        buf = self._buffer
        if buf[: len(PREAMBLE)] == PREAMBLE:
            return
        at = buf.find(PREAMBLE)
        if at < 0:
            keep = 0
            for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                if buf.endswith(PREAMBLE[:n]):
                    keep = n
                    break
            at = len(buf) - keep
        self.discarded += at
        del buf[:at]

    @abstractmethod
    def _decode(self, body: bytes) -> F:
        """Turn a checked body (between LEN and CHK) into a frame."""


class FrameParser(_StreamParser[Reply]):
    """Incremental parser of SAM -> host frames (what a driver reads)."""

    _min_length = _REPLY_MIN_LENGTH

    def _decode(self, body: bytes) -> Reply:
        return Reply(sw1=body[0], sw2=body[1], sw3=body[2], data=body[3:])


class CommandParser(_StreamParser[Command]):
    """Incremental parser of host -> SAM frames (what a simulator reads)."""

    _min_length = _COMMAND_MIN_LENGTH

    def _decode(self, body: bytes) -> Command:
        return Command(cmd=body[0], para=body[1], data=body[2:])


def _parse_one(parser: _StreamParser[F], raw: bytes) -> F:
    frames = parser.feed(raw)
    if len(frames) != 1 or parser.pending or parser.discarded:
        raise FrameError("expected exactly one complete frame")
    return frames[0]


def parse_reply(raw: bytes) -> Reply:
    """Parse exactly one complete SAM -> host frame; ``FrameError`` otherwise."""
    return _parse_one(FrameParser(), raw)


def parse_command(raw: bytes) -> Command:
    """Parse exactly one complete host -> SAM frame; ``FrameError`` otherwise."""
    return _parse_one(CommandParser(), raw)
