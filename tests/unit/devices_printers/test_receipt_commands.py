"""The ESC/POS bytes of a receipt: golden files, wrapping, QR commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devices.receipt.commands import (
    CUT,
    RESET,
    display_width,
    encode_receipt,
    native_qr,
    raster_qr,
    row_lines,
    wrap_text,
)
from devices.receipt.layout import Receipt
from tests.unit.devices_printers.receipts import ACCEPTANCE, CASE_NUMBER

GOLDEN = Path(__file__).parent / "golden"


def _read_hex(path: Path) -> bytes:
    return bytes.fromhex("".join(path.read_text(encoding="ascii").split()))


def _write_hex(path: Path, data: bytes) -> None:
    rows = [data[i : i + 32].hex(" ") for i in range(0, len(data), 32)]
    path.write_text("\n".join(rows) + "\n", encoding="ascii")


@pytest.mark.parametrize(
    ("name", "native"),
    [("acceptance_raster.hex", False), ("acceptance_native.hex", True)],
)
def test_receipt_bytes_match_golden_file(name: str, native: bool) -> None:
    data = encode_receipt(ACCEPTANCE, width_chars=32, native_qr_code=native)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        _write_hex(golden, data)
    assert data == _read_hex(golden), f"bytes differ from {name}; UPDATE_GOLDEN=1 to re-record"


def test_job_starts_with_reset_and_chinese_mode_and_ends_with_cut() -> None:
    data = encode_receipt(ACCEPTANCE)
    assert data.startswith(RESET + b"\x1c&")
    assert data.endswith(b"\n\n\n\n" + CUT)


def test_text_is_gb18030_including_ling_and_full_width_punctuation() -> None:
    data = encode_receipt(Receipt(title="回执", rows=[("时间", "二〇二四年（五月）")]))
    assert "时间: 二〇二四年（五月）".encode("gb18030") in data
    # 〇 is A9 96 in GB18030; python-escpos's own text path would have sent "?" instead.
    assert b"\xa9\x96" in data
    assert b"?" not in data


def test_display_width_counts_every_multibyte_character_as_two() -> None:
    assert display_width("abc") == 3
    assert display_width("中文") == 4
    assert display_width("〇，。") == 6
    # Ambiguous-width characters are still two columns on a printer in Chinese mode.
    assert display_width("·“") == 4


def test_wrap_never_exceeds_width_and_keeps_every_character() -> None:
    text = "北京市朝阳区某某街道某某路一百二十三号院二号楼一层101室，Room 101 Building 2"
    lines = wrap_text(text, 16)
    assert all(display_width(line) <= 16 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_moves_latin_words_whole() -> None:
    assert wrap_text("Keep this receipt safely please", 12) == [
        "Keep this",
        "receipt",
        "safely",
        "please",
    ]


def test_wrap_cuts_words_longer_than_a_line() -> None:
    assert wrap_text("ABCDEFGHIJKLMNOP", 6) == ["ABCDEF", "GHIJKL", "MNOP"]


def test_row_continuation_hangs_under_the_value() -> None:
    lines = row_lines("事项", "个体工商户设立登记一件事一次办理", 20)
    assert lines[0] == "事项: 个体工商户设立"
    assert lines[1].startswith("      ")
    assert all(display_width(line) <= 20 for line in lines)


def test_control_characters_in_values_do_not_break_lines() -> None:
    lines = row_lines("备注", "第一行\n第二行\t完", 32)
    assert lines == ["备注: 第一行 第二行 完"]


def test_raster_qr_header_matches_its_body() -> None:
    data = raster_qr(CASE_NUMBER, 384)
    assert data[:4] == b"\x1dv0\x00"
    width_bytes = int.from_bytes(data[4:6], "little")
    height = int.from_bytes(data[6:8], "little")
    assert len(data) == 8 + width_bytes * height
    assert width_bytes * 8 <= 384


def test_native_qr_stores_utf8_payload_then_prints() -> None:
    data = native_qr("办件 SL-1")
    store = b"\x1d(k" + (3 + len("办件 SL-1".encode())).to_bytes(2, "little") + b"1P0"
    assert store + "办件 SL-1".encode() in data
    assert data.endswith(b"\x1d(k\x03\x001Q0")
