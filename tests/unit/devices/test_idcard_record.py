"""The card's fixed JSON record, masking, and the WLT photo port."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from devices.idcard.card import CardType
from devices.idcard.demo_cards import demo_card, layout_card
from devices.idcard.photo import (
    PHOTO_SHAPE,
    NoWltDecoder,
    PhotoUnavailableError,
    WltDecoder,
    decode_photo,
)
from devices.idcard.record import (
    COMMON_FIELDS,
    LAYOUT_FIELDS,
    TRAILING_FIELDS,
    card_record,
    mask_number,
    masked_record,
)
from hall.schema import mask_id_number


@pytest.mark.parametrize("kind", list(CardType), ids=lambda k: k.value)
def test_record_keys_are_fixed_per_layout(kind: CardType) -> None:
    record = card_record(layout_card(kind))
    assert tuple(record) == COMMON_FIELDS + LAYOUT_FIELDS[kind] + TRAILING_FIELDS
    assert record["card_type"] == kind.value
    assert all(isinstance(record[key], str) for key in COMMON_FIELDS)


def test_long_term_and_iso_dates() -> None:
    record = card_record(demo_card("elder"))
    assert record["valid_to"] == "long-term"
    assert record["birth_date"] == "1952-03-14"
    assert record["valid"] is True and record["defects"] == []


def test_a_card_with_defects_says_so() -> None:
    card = demo_card("adult")
    card.defects = ["ID number check character does not match (GB 11643)"]
    record = card_record(card)
    assert record["valid"] is False
    assert record["defects"] == card.defects


@pytest.mark.parametrize("value", ["110105195203141221", "USA310075123101", "H12345678", ""])
def test_mask_is_the_hall_rule(value: str) -> None:
    assert mask_number(value) == mask_id_number(value)


def test_masked_record_hides_every_number_and_keeps_the_rest() -> None:
    record = card_record(layout_card(CardType.GAT_PERMIT))
    masked = masked_record(record)
    assert masked["id_number"] == "810000********0030"
    assert masked["pass_number"] == "*********"
    assert masked["name"] == record["name"]
    assert record["id_number"] == "810000198001010030"  # the original is untouched


class _Decoder:
    """A stand-in for a vendor library: returns whatever image it was given."""

    def __init__(self, image: npt.NDArray[np.uint8] | Exception) -> None:
        self.image = image
        self.calls: list[bytes] = []

    def decode(self, wlt: bytes) -> npt.NDArray[np.uint8]:
        self.calls.append(wlt)
        if isinstance(self.image, Exception):
            raise self.image
        return self.image


def test_no_decoder_says_the_photo_is_unavailable() -> None:
    assert isinstance(NoWltDecoder(), WltDecoder)
    with pytest.raises(PhotoUnavailableError) as caught:
        decode_photo(demo_card("elder").photo, NoWltDecoder())
    assert "不影响办理" in caught.value.message_zh


def test_a_decoder_gets_the_opaque_bytes_and_its_image_is_checked() -> None:
    photo = demo_card("elder").photo
    good = _Decoder(np.zeros(PHOTO_SHAPE, dtype=np.uint8))
    assert decode_photo(photo, good).shape == PHOTO_SHAPE
    assert good.calls == [bytes(photo)]
    with pytest.raises(PhotoUnavailableError, match="expected uint8"):
        decode_photo(photo, _Decoder(np.zeros((10, 10, 3), dtype=np.uint8)))
    with pytest.raises(PhotoUnavailableError, match="RuntimeError"):
        decode_photo(photo, _Decoder(RuntimeError("vendor crash")))
    with pytest.raises(PhotoUnavailableError, match="1000 bytes"):
        decode_photo(bytes(1000), good)
