"""GA 467 framing: the reference vectors byte-exact, incremental parsing, and corrupt input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.idcard.codes import SamCommand, Status
from devices.idcard.frames import (
    MAX_LENGTH,
    Command,
    CommandParser,
    FrameChecksumError,
    FrameError,
    FrameLengthError,
    FrameParser,
    Reply,
    build_command,
    build_reply,
    checksum,
    parse_command,
    parse_reply,
)

# Every frame listed in shared/reference/devices.md.
COMMAND_VECTORS = [
    (SamCommand.RESET, "AAAAAA9669000310FFEC"),
    (SamCommand.STATUS, "AAAAAA9669000311FFED"),
    (SamCommand.READ_SAM_ID, "AAAAAA9669000312FFEE"),
    (SamCommand.FIND_CARD, "AAAAAA96690003200122"),
    (SamCommand.SELECT_CARD, "AAAAAA96690003200221"),
    (SamCommand.READ_TEXT_PHOTO, "AAAAAA96690003300132"),
    (SamCommand.READ_TEXT_PHOTO_FINGERPRINT, "AAAAAA96690003301023"),
    (SamCommand.READ_APPENDED_ADDRESS, "AAAAAA96690003300330"),
]

REPLY_VECTORS = [
    (Status.SUCCESS, b"", "AAAAAA9669000400009094"),
    (Status.SAM_SELF_TEST_FAILED, b"", "AAAAAA9669000400006064"),
    (Status.CARD_FOUND, bytes(4), "AAAAAA9669000800009F0000000097"),
    (Status.FIND_CARD_FAILED, b"", "AAAAAA9669000400008084"),
    (Status.SUCCESS, bytes(8), "AAAAAA9669000C00009000000000000000009C"),
    (Status.SELECT_CARD_FAILED, b"", "AAAAAA9669000400008185"),
    (Status.READ_FAILED, b"", "AAAAAA9669000400004145"),
]


@pytest.mark.parametrize(("command", "expected"), COMMAND_VECTORS, ids=lambda v: str(v))
def test_build_command_matches_reference(command: SamCommand, expected: str) -> None:
    frame = build_command(command.cmd, command.para)
    assert frame == bytes.fromhex(expected)
    assert parse_command(frame) == Command(cmd=command.cmd, para=command.para)


@pytest.mark.parametrize(("sw3", "data", "expected"), REPLY_VECTORS, ids=lambda v: str(v))
def test_build_reply_matches_reference(sw3: int, data: bytes, expected: str) -> None:
    frame = build_reply(sw3, data)
    assert frame == bytes.fromhex(expected)
    reply = parse_reply(frame)
    assert reply == Reply(sw3=sw3, data=data)
    assert reply.status == sw3


def test_text_photo_reply_has_reference_shape() -> None:
    data = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + bytes(range(256)) * 5
    frame = build_reply(Status.SUCCESS, data)
    assert len(frame) == 1295
    assert frame.startswith(bytes.fromhex("AAAAAA9669 0508 000090 0100 0400"))
    assert parse_reply(frame).data == data


def test_fingerprint_reply_is_2321_bytes() -> None:
    lengths = b"".join(n.to_bytes(2, "big") for n in (256, 1024, 1024))
    frame = build_reply(Status.SUCCESS, lengths + bytes(256 + 1024 + 1024))
    assert len(frame) == 2321
    assert int.from_bytes(frame[5:7], "big") == 2314


def test_checksum_covers_length_and_body_not_preamble() -> None:
    frame = build_command(0x20, 0x01)
    assert checksum(frame[5:]) == 0
    assert checksum(frame[5:-1]) == frame[-1]


def test_parser_reassembles_frames_split_anywhere() -> None:
    stream = b"".join(bytes.fromhex(hexa) for _, _, hexa in REPLY_VECTORS)
    parser = FrameParser()
    frames: list[Reply] = []
    for byte in stream:
        frames += parser.feed(bytes([byte]))
    assert [(f.sw3, f.data) for f in frames] == [(sw3, data) for sw3, data, _ in REPLY_VECTORS]
    assert parser.pending == 0


def test_parser_returns_several_frames_from_one_chunk() -> None:
    parser = FrameParser()
    frames = parser.feed(build_reply(0x9F, bytes(4)) + build_reply(0x90, bytes(8)))
    assert [f.sw3 for f in frames] == [0x9F, 0x90]


def test_parser_skips_noise_before_a_preamble() -> None:
    parser = FrameParser()
    assert parser.feed(b"\x00\xff\xaa\xaa") == []
    frames = parser.feed(b"\x13" + build_reply(0x90))
    assert frames == [Reply(sw3=0x90)]
    assert parser.discarded == 5


def test_parser_keeps_a_partial_preamble_at_the_end() -> None:
    parser = FrameParser()
    frame = build_reply(0x90)
    assert parser.feed(b"\x01" + frame[:3]) == []
    assert parser.pending == 3
    assert parser.feed(frame[3:]) == [Reply(sw3=0x90)]


def test_bad_checksum_raises_and_resets() -> None:
    frame = bytearray(build_reply(0x90, bytes(8)))
    frame[-1] ^= 0x01
    parser = FrameParser()
    with pytest.raises(FrameChecksumError, match="checksum"):
        parser.feed(bytes(frame))
    assert parser.pending == 0
    assert parser.feed(build_reply(0x90)) == [Reply(sw3=0x90)]


def test_flipped_body_bit_fails_the_checksum() -> None:
    frame = bytearray(build_reply(0x90, bytes(8)))
    frame[10] ^= 0x40
    with pytest.raises(FrameError):
        parse_reply(bytes(frame))


@pytest.mark.parametrize("length", [0, 1, 3, MAX_LENGTH + 1, 0xFFFF])
def test_impossible_reply_length_raises(length: int) -> None:
    parser = FrameParser()
    with pytest.raises(FrameLengthError, match="length"):
        parser.feed(b"\xaa\xaa\xaa\x96\x69" + length.to_bytes(2, "big"))


def test_command_parser_accepts_the_shortest_command() -> None:
    assert CommandParser().feed(build_command(0x11, 0xFF)) == [Command(0x11, 0xFF)]
    with pytest.raises(FrameLengthError):
        CommandParser().feed(b"\xaa\xaa\xaa\x96\x69\x00\x02")


def test_frame_error_is_a_protocol_error() -> None:
    assert issubclass(FrameError, ProtocolError)


def test_parse_reply_rejects_trailing_or_missing_bytes() -> None:
    frame = build_reply(0x90)
    with pytest.raises(FrameError):
        parse_reply(frame[:-1])
    with pytest.raises(FrameError):
        parse_reply(frame + frame)


@pytest.mark.parametrize(("cmd", "para"), [(256, 0), (0, -1)])
def test_build_command_rejects_non_bytes(cmd: int, para: int) -> None:
    with pytest.raises(ValueError, match="one byte"):
        build_command(cmd, para)


@given(sw3=st.integers(0, 255), data=st.binary(max_size=3000), cut=st.integers(0, 3100))
def test_any_reply_round_trips_whatever_the_split(sw3: int, data: bytes, cut: int) -> None:
    frame = build_reply(sw3, data)
    parser = FrameParser()
    cut = min(cut, len(frame))
    frames = parser.feed(frame[:cut]) + parser.feed(frame[cut:])
    assert frames == [Reply(sw3=sw3, data=data)]


@given(cmd=st.integers(0, 255), para=st.integers(0, 255), data=st.binary(max_size=64))
def test_any_command_round_trips(cmd: int, para: int, data: bytes) -> None:
    assert parse_command(build_command(cmd, para, data)) == Command(cmd, para, data)


_PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
# Streams biased towards frame-like bytes, so that the checks past the preamble get exercised.
_streams = st.lists(
    st.one_of(
        st.binary(max_size=16),
        st.just(_PREAMBLE),
        st.builds(lambda s, d: build_reply(s, d), st.integers(0, 255), st.binary(max_size=32)),
        st.builds(lambda n: _PREAMBLE + n.to_bytes(2, "big"), st.integers(0, 0xFFFF)),
    ),
    max_size=12,
).map(b"".join)


@given(stream=_streams, chunk=st.integers(1, 64))
def test_any_stream_parses_or_raises_frame_error(stream: bytes, chunk: int) -> None:
    for parser in (FrameParser(), CommandParser()):
        for start in range(0, len(stream), chunk):
            try:
                frames = parser.feed(stream[start : start + chunk])
            except FrameError:
                continue
            for frame in frames:
                # Whatever came out is a frame that re-encodes to a valid frame.
                if isinstance(frame, Reply):
                    assert parse_reply(build_reply(frame.sw3, frame.data)) == frame
                else:
                    assert parse_command(build_command(frame.cmd, frame.para, frame.data)) == frame


@given(stream=st.binary(max_size=512))
def test_random_bytes_parse_or_raise_frame_error(stream: bytes) -> None:
    parser = FrameParser()
    try:
        frames = parser.feed(stream)
    except FrameError:
        return
    assert all(isinstance(f, Reply) for f in frames)
