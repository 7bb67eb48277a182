"""Whatever the SAM sends, decoding ends in a card or in one of the reader's own errors, and every
status the SAM can answer comes with words a citizen can act on, in Chinese and English.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import CardReadError, DeviceError, NoCardError
from devices.idcard.card import IdCard
from devices.idcard.codes import SamCommand, Status, error_for_status
from devices.idcard.demo_cards import demo_card, layout_card
from devices.idcard.serial_reader import _card_from
from devices.idcard.text import TEXT_BLOCK_SIZE, encode_text_block, parse_text_block

_FLAGS = [flag.encode("utf-16-le") for flag in (" ", "J", "I", "Y", "Z")]


@st.composite
def _blocks(draw: st.DrawFn) -> bytes:
    """Text blocks: random bytes, or a real card's block with random damage."""
    if draw(st.booleans()):
        block = bytearray(draw(st.binary(min_size=TEXT_BLOCK_SIZE, max_size=TEXT_BLOCK_SIZE)))
    else:
        kind = draw(
            st.sampled_from(
                ["resident", "gat_permit", "foreign_permanent_2017", "foreign_permanent_2023"]
            )
        )
        block = bytearray(encode_text_block(layout_card(kind)))
        for _ in range(draw(st.integers(0, 6))):
            at = draw(st.integers(0, TEXT_BLOCK_SIZE - 1))
            block[at] = draw(st.integers(0, 255))
    block[248:250] = draw(st.sampled_from(_FLAGS))
    return bytes(block)


@given(block=_blocks(), strict=st.booleans())
def test_any_text_block_is_a_card_or_a_card_error(block: bytes, strict: bool) -> None:
    try:
        card = parse_text_block(block, strict=strict)
    except CardReadError:
        return  # the reader's own error (CardDataError, UnsupportedCardError): never another
    assert isinstance(card, IdCard)
    if strict:
        assert card.trusted


@given(data=st.binary(max_size=1400), fingerprint=st.booleans())
def test_any_read_reply_is_a_card_or_a_device_error(data: bytes, fingerprint: bool) -> None:
    try:
        card = _card_from(data, fingerprint=fingerprint)
    except DeviceError:
        return
    assert isinstance(card, IdCard)


def test_a_real_reply_with_a_damaged_length_is_a_device_error() -> None:
    card = demo_card("elder")
    data = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + encode_text_block(card)
    data += bytes(card.photo)
    assert _card_from(data).name == "王秀英"
    with pytest.raises(DeviceError):
        _card_from(data[:-1])


@pytest.mark.parametrize("sw3", [s for s in Status if s not in (0x90, 0x91, 0x9F)] + [0x00, 0xFF])
def test_every_failure_status_has_citizen_words(sw3: int) -> None:
    error = error_for_status(sw3, SamCommand.READ_TEXT_PHOTO)
    assert isinstance(error, DeviceError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    assert error.message_en.isascii() and error.message_en.endswith(".")


def test_the_words_say_what_to_do() -> None:
    place = error_for_status(Status.FIND_CARD_FAILED, SamCommand.FIND_CARD)
    assert isinstance(place, NoCardError)
    assert "平放" in place.message_zh and "flat on the reader" in place.message_en
    retry = error_for_status(Status.READ_FAILED, SamCommand.READ_TEXT_PHOTO)
    assert retry is not None and "平放" in retry.message_zh
    staff = error_for_status(Status.SAM_SELF_TEST_FAILED, SamCommand.STATUS)
    assert staff is not None and "工作人员" in staff.message_zh and "staff" in staff.message_en
    unsupported = error_for_status(Status.UNKNOWN_CARD_TYPE, SamCommand.READ_TEXT_PHOTO)
    assert unsupported is not None and "工作人员" in unsupported.message_zh
