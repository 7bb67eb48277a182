"""The receipt oracle reads back what the encoder writes, and rejects anything else."""

from __future__ import annotations

import pytest

from devices.receipt.commands import encode_receipt, row_lines
from devices.receipt.layout import Receipt
from devices.receipt.oracle import (
    OracleError,
    PrintedLine,
    PrintedQr,
    decode_receipt,
    render_text,
)
from tests.unit.devices_printers.receipts import ACCEPTANCE, CASE_NUMBER


@pytest.mark.parametrize("native", [False, True], ids=["raster", "native"])
def test_round_trip_gives_text_and_qr_back(native: bool) -> None:
    decoded = decode_receipt(encode_receipt(ACCEPTANCE, native_qr_code=native))

    assert decoded.qr_payloads == [CASE_NUMBER]
    assert decoded.cut
    text_lines = [line for line in decoded.lines if line.strip()]
    assert text_lines[0] == "受理回执"
    assert "申请人: 张〇三" in decoded.lines
    assert "受理时间: 二〇二四年五月一日" in decoded.lines
    for line in row_lines("事项", "个体工商户设立登记（一件事一次办）", 32):
        assert line in decoded.lines
    assert "请妥善保管本回执，凭码查询进度。" in decoded.lines
    # Native or raster, the code is on paper as dots the oracle read back with a QR decoder.
    assert len(decoded.images) == 1
    assert decoded.images[0].max() == 1
    assert [b.native for b in decoded.blocks if isinstance(b, PrintedQr)] == [native]


def test_title_is_centred_bold_and_double_size() -> None:
    decoded = decode_receipt(encode_receipt(ACCEPTANCE))
    title = decoded.blocks[0]
    assert title == PrintedLine("受理回执", align="center", bold=True, double=True)


def test_long_payload_raster_qr_decodes() -> None:
    payload = "GK1." + "eyJjYXNlIjoiU0wtMjAyNDA1MDEtMDAwMTIzIn0" * 4 + ".sig"
    decoded = decode_receipt(encode_receipt(Receipt(title="回执", qr_data=payload)))
    assert decoded.qr_payloads == [payload]


def test_render_text_shows_the_paper() -> None:
    text = render_text(decode_receipt(encode_receipt(ACCEPTANCE)))
    assert "受  理  回  执" in text
    assert f"[QR: {CASE_NUMBER}]" in text
    assert "~~ cut ~~" in text
    # Every framed row is exactly as wide as the paper.
    assert {len(row) for row in text.splitlines() if row.startswith("+")} == {34}


@pytest.mark.parametrize(
    "data",
    [
        b"\x1b@\x1bJ\x10",  # ESC J (feed n dots) is not a command we emit
        b"\x1b@\x07",  # BEL
        b"\x1b@\x1c&abc",  # text never terminated by LF
        b"\x1b@\xd6\xd0\n",  # GB18030 bytes outside Chinese mode
        b"\x1b@\x1c&\xff\xff\n",  # not GB18030
        b"\x1b@\x1dv0\x00\x02\x00\x10\x00\xff",  # raster cut short
        b"\x1b@\x1d(k\x03\x001Q0",  # print QR with nothing stored
    ],
)
def test_oracle_rejects_what_the_encoder_never_emits(data: bytes) -> None:
    with pytest.raises(OracleError):
        decode_receipt(data)
