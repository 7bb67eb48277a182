"""Printer profiles, status bytes, the error contract, and the oracle's framing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.receipt.commands import (
    NO_LINE_END,
    NO_LINE_START,
    encode_for_profile,
    encode_receipt,
    row_lines,
    wrap_text,
)
from devices.receipt.errors import (
    ReceiptCoverOpenError,
    ReceiptMaybePrintedError,
    ReceiptPaperOutError,
    ReceiptPrinterOfflineError,
)
from devices.receipt.oracle import OracleError, command_length, decode_receipt
from devices.receipt.profile import PrinterProfile
from devices.receipt.status import (
    ReceiptPrinterStatus,
    combine,
    offline_cause_from_byte,
    paper_status_from_byte,
)
from tests.unit.devices_printers.receipts import ACCEPTANCE, CASE_NUMBER

S = ReceiptPrinterStatus


@pytest.mark.parametrize(
    ("reply", "expected"),
    [(0x12, S.OK), (0x1E, S.PAPER_NEAR_END), (0x72, S.PAPER_OUT), (0x7E, S.PAPER_OUT)],
)
def test_paper_reply_bytes_from_the_reference(reply: int, expected: S) -> None:
    assert paper_status_from_byte(reply) is expected


@pytest.mark.parametrize("reply", [0x00, 0xFF, 0x13, 0x92, 0x02])
def test_invalid_replies_are_unknown_never_ok(reply: int) -> None:
    assert paper_status_from_byte(reply) is S.UNKNOWN
    assert offline_cause_from_byte(reply) is S.UNKNOWN


def test_offline_cause_and_combination() -> None:
    assert offline_cause_from_byte(0x12) is S.OK
    assert offline_cause_from_byte(0x16) is S.COVER_OPEN
    assert offline_cause_from_byte(0x32) is S.PAPER_OUT
    assert combine(S.COVER_OPEN, S.PAPER_NEAR_END) is S.COVER_OPEN
    assert combine(S.OK, S.PAPER_OUT) is S.PAPER_OUT
    assert combine(S.UNKNOWN, S.OK) is S.OK  # printers answering only DLE EOT 4
    assert combine(S.OK, S.UNKNOWN) is S.UNKNOWN
    assert S.PAPER_NEAR_END == "paper_near_end"


def test_errors_say_whether_a_retry_is_safe() -> None:
    for safe in (ReceiptPrinterOfflineError, ReceiptPaperOutError, ReceiptCoverOpenError):
        assert safe("x").retry_safe
        assert safe.message_zh != ReceiptMaybePrintedError.message_zh
    assert not ReceiptMaybePrintedError("x").retry_safe


def test_profiles_for_paper_widths() -> None:
    narrow = PrinterProfile.for_paper(58)
    wide = PrinterProfile.for_paper(80, qr="native", cut="full")
    assert (narrow.width_chars, narrow.paper_dots, narrow.qr) == (32, 384, "raster")
    assert (wide.width_chars, wide.paper_dots, wide.native_qr) == (48, 576, True)
    with pytest.raises(ValueError, match="58 or 80"):
        PrinterProfile.for_paper(76)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="width_chars"):
        PrinterProfile(width_chars=8)


def test_80mm_lines_use_the_width_and_the_qr_fits() -> None:
    profile = PrinterProfile.for_paper(80)
    decoded = decode_receipt(encode_for_profile(ACCEPTANCE, profile), paper_dots=576)
    assert "-" * 48 in decoded.lines
    assert decoded.qr_payloads == [CASE_NUMBER]
    assert decoded.images[0].shape[1] <= 576


def test_oracle_rejects_a_raster_wider_than_the_paper() -> None:
    job = encode_for_profile(ACCEPTANCE, PrinterProfile.for_paper(80))
    with pytest.raises(OracleError, match="wide on 100-dot paper"):
        decode_receipt(job, paper_dots=100)


@pytest.mark.parametrize(
    ("cut", "kind"), [("partial", "partial"), ("full", "full"), ("none", None)]
)
def test_cut_variants_decode(cut: str, kind: str | None) -> None:
    decoded = decode_receipt(encode_receipt(ACCEPTANCE, cut=cut))  # type: ignore[arg-type]
    assert decoded.cut_kind == kind
    assert decoded.cut == (kind is not None)


def test_status_requests_are_not_printed() -> None:
    job = b"\x10\x04\x04" + encode_receipt(ACCEPTANCE) + b"\x10\x04\x02"
    decoded = decode_receipt(job)
    assert decoded.status_requests == 2
    assert decoded.lines == decode_receipt(encode_receipt(ACCEPTANCE)).lines
    with pytest.raises(OracleError, match="DLE EOT"):
        decode_receipt(b"\x10\x04\x09")


@given(
    st.sampled_from(["raster", "native"]),
    st.sampled_from([58, 80]),
    st.integers(min_value=1, max_value=400),
)
def test_framing_splits_any_job_at_command_boundaries(qr: str, paper: int, cut_at: int) -> None:
    job = encode_for_profile(ACCEPTANCE, PrinterProfile.for_paper(paper, qr=qr))  # type: ignore[arg-type]
    pos, boundaries = 0, [0]
    while pos < len(job):
        size = command_length(job, pos)
        assert size is not None and size > 0
        pos += size
        boundaries.append(pos)
    assert pos == len(job)
    # Walking a torn prefix stops at a command boundary, or inside text (text may be split).
    prefix = job[: min(cut_at, len(job))]
    walked = 0
    while (size := command_length(prefix, walked)) is not None:
        walked += size
    assert walked in boundaries or prefix[walked - 1] >= 0x20
    assert walked == len(prefix) or command_length(job, walked) is not None


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one() -> None:
    assert wrap_text("一二三四五六七（八）。", 16) == ["一二三四五六七", "（八）。"]
    lines = row_lines("中文 Chinese", "〇一二三，全角标点：（）、《》“”。", 48)
    assert "".join(line.strip() for line in lines).endswith("〇一二三，全角标点：（）、《》“”。")
    for line in lines[1:]:
        assert line.strip()[0] not in NO_LINE_START
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END


@given(st.text(alphabet="一二三，。（）“”《》ab ", min_size=1, max_size=60))
def test_wrapping_keeps_every_character_and_the_width(text: str) -> None:
    lines = wrap_text(text, 16)
    assert all(sum(2 if ord(c) > 0x7F else 1 for c in line) <= 16 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_native_qr_is_drawn_as_the_printer_would_and_read_back() -> None:
    job = encode_receipt(ACCEPTANCE, native_qr_code=True)
    decoded = decode_receipt(job, paper_dots=384)
    assert decoded.qr_payloads == [CASE_NUMBER]
    [image] = decoded.images
    # Module size 6 dots from GS ( k function 67: 21-module version 1 is 126 dots.
    assert image.shape[0] == image.shape[1] and image.shape[0] % 6 == 0


def test_native_qr_too_big_for_the_paper_is_caught() -> None:
    # The module size the job asks for is honoured: 16 dots x 21 modules = 336 dots.
    job = encode_receipt(ACCEPTANCE, native_qr_code=True).replace(
        b"\x1d(k\x03\x001C\x06", b"\x1d(k\x03\x001C\x10"
    )
    with pytest.raises(OracleError, match="336 dots wide on 300-dot paper"):
        decode_receipt(job, paper_dots=300)
    assert decode_receipt(job, paper_dots=384).qr_payloads == [CASE_NUMBER]


@given(st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=40))
def test_simulator_framing_survives_any_chunking(cuts: list[int]) -> None:
    from devices.receipt.simulator import _Framer

    job = encode_receipt(ACCEPTANCE)
    stream = b"\x10\x04\x02\x10\x04\x04" + job + b"\x10\x04\x04"
    framer, got, requests, pos = _Framer(), bytearray(), [], 0
    for size in [*cuts, len(stream)]:
        for kind, command in framer.feed(stream[pos : pos + size]):
            if kind == "status":
                requests.append(command[2])
            else:
                got += command
        pos += size
    assert requests == [2, 4, 4]
    assert bytes(got) == job
    assert not framer.pending
