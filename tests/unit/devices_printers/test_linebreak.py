"""Line breaking over mixed Chinese and Latin text, property-style, and the receipts it makes.

The properties hold for any text: every line fits, nothing is lost, Latin words are whole where
they fit a line, no line starts with a closing mark or ends with an opening one, and the last
line is never one lone character. The receipts are decoded from their ESC/POS bytes and read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets import load_catalog
from devices.linebreak import NO_LINE_END, NO_LINE_START, break_lines, is_wide
from devices.receipt.commands import display_width, encode_receipt, row_lines, wrap_text
from devices.receipt.oracle import decode_receipt, render_text
from hall.schema import DecisionPublic, LocalizedText, SubmissionPublic
from kiosk.services.documents import receipt

CJK = st.sampled_from("社会保险个人参保证明打印老年人优待证申领个体工商户设立登记办件进度查询")
LATIN_WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFG0123456789-", min_size=1, max_size=9
)
CLOSING = st.sampled_from("，。、；：？！）》”,.;:?!)")
OPENING = st.sampled_from("（《“(")


@st.composite
def mixed_text(draw: st.DrawFn) -> str:
    """Chinese runs, Latin words, spaces, and marks where writing puts them (one at a time)."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["cjk", "cjk", "cjk", "word", "space", "close", "open"]))
        if kind == "cjk":
            parts.append("".join(draw(st.lists(CJK, min_size=1, max_size=6))))
        elif kind == "word":
            parts.append(draw(LATIN_WORD))
        elif kind == "space" and parts and not parts[-1].endswith(" "):
            parts.append(" ")
        elif kind == "close" and parts and parts[-1][-1] not in NO_LINE_START | NO_LINE_END:
            if parts[-1] != " ":
                parts.append(draw(CLOSING))
        elif kind == "open" and (not parts or parts[-1][-1] not in NO_LINE_END):
            parts.append(draw(OPENING) + "".join(draw(st.lists(CJK, min_size=1, max_size=3))))
    return "".join(parts).strip()


@settings(max_examples=300, deadline=None)
@given(text=mixed_text(), width=st.integers(12, 48))
def test_lines_fit_lose_nothing_and_keep_words(text: str, width: int) -> None:
    lines = break_lines(text, width, display_width)
    assert lines
    for line in lines:
        assert display_width(line) <= width, (line, width)
        assert line == line.strip(" ")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    words = [w for w in text.replace("（", " ").split() if w.isascii() and display_width(w) < width]
    for word in words:
        core = word.strip(",.;:?!()")
        if core:
            assert any(core in line for line in lines), (core, lines)


@settings(max_examples=300, deadline=None)
@given(text=mixed_text(), width=st.integers(12, 48))
def test_no_closing_mark_starts_and_no_opening_mark_ends_a_line(text: str, width: int) -> None:
    lines = break_lines(text, width, display_width)
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, lines


@settings(max_examples=300, deadline=None)
@given(text=mixed_text(), width=st.integers(12, 48))
def test_the_last_line_is_not_a_lone_character(text: str, width: int) -> None:
    lines = break_lines(text, width, display_width)
    if len(lines) < 2 or not all(is_wide(c) for c in lines[-2][-3:]):
        return  # a Latin word ends the line before: the space is the word boundary
    last = lines[-1]
    solo = len(last) == 1 or (len(last) == 2 and last[1] in NO_LINE_START)
    assert not (solo and is_wide(last[0])), lines


def test_the_item_name_no_longer_breaks_before_its_last_character() -> None:
    lines = row_lines("办理事项", "社会保险个人参保证明打印", 32)
    assert lines == ["办理事项: 社会保险个人参保证明", "          打印"]


def test_indent_and_width_rules_are_kept() -> None:
    assert wrap_text("一二三四五六七（八）。", 16) == ["一二三四五六七", "（八）。"]
    assert wrap_text("Keep this receipt safely please", 12)[0] == "Keep this"
    assert wrap_text("ABCDEFGHIJKLMNOP", 6) == ["ABCDEF", "GHIJKL", "MNOP"]
    with pytest.raises(ValueError, match="positive"):
        break_lines("x", 0, len)


# --- receipts as printed ---------------------------------------------------------------------

CASE = "DEMO01-20260314-00003"
BASE = "https://zwfw.example.gov.cn"


CATALOG = load_catalog()


def _decoded(language: str, width: int = 32) -> tuple[list[str], str]:
    answer = SubmissionPublic(
        case_number=CASE,
        item_id="si-insured-certificate",
        status="refused",
        received_at=dt.datetime(2026, 3, 14, 6, 4, tzinfo=dt.UTC),
        decision=DecisionPublic(
            outcome="refused",
            reason_code="no_record",
            reason=LocalizedText(zh="未查到参保记录。", en="No insurance record was found."),
            decided_at=dt.datetime(2026, 3, 14, 6, 4, tzinfo=dt.UTC),
        ),
    )
    printed = receipt(
        item=CATALOG.item("si-insured-certificate"),
        case_number=CASE,
        applicant_name="王秀英",
        applicant_id_number="110105195203141221",
        result=answer,
        printed_at=dt.datetime(2026, 3, 14, 6, 5, tzinfo=dt.UTC),
        location="区政务服务中心 24小时自助区",
        location_en="District Service Centre, 24-hour self-service area",
        language=language,
        public_url=BASE,
        helpline="12345",
    )
    decoded = decode_receipt(encode_receipt(printed, width_chars=width))
    assert decoded.qr_payloads == [f"{BASE}/verify?case={CASE}"]
    return decoded.lines, render_text(decoded, width)


@pytest.mark.parametrize("width", [32, 48])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_printed_receipts_wrap_cleanly_and_carry_the_helpline_and_url(
    language: str, width: int
) -> None:
    lines, picture = _decoded(language, width)
    text = "\n".join(lines)
    assert "咨询电话 Helpline: 12345" in text
    assert "110105195203141221" not in text and "王秀英" not in text
    assert "社会保险个人参保证明打印" in text.replace("\n", "").replace(" ", "")
    for line in lines:
        assert display_width(line) <= width
        body = line.strip()
        if body:
            assert body[0] not in NO_LINE_START, picture
            assert body[-1] not in NO_LINE_END, picture
    if language == "en":
        assert "Case no." in text and "Reason" in text
        flowing = " ".join(line.strip() for line in lines)
        assert "No insurance record was found." in flowing
        assert "Print my social insurance record certificate" in flowing
        assert "District Service Centre" in text
    else:
        assert "Case no." not in text
