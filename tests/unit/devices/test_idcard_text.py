"""The 256-byte text block: the four layouts, round trips, and checks that report a bad card."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import CardReadError
from devices.idcard.card import LONG_TERM, CardType, IdCard
from devices.idcard.codes import NATION_CODES, SEX_CODES
from devices.idcard.demo_cards import DEMO_CARDS, DEMO_KEYS, PHOTO_SIZE, demo_card
from devices.idcard.errors import CardDataError, UnsupportedCardError
from devices.idcard.text import (
    TEXT_BLOCK_SIZE,
    card_type_of,
    check_id_number,
    encode_text_block,
    parse_text_block,
)

FIELDS = (
    "card_type",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "address",
    "id_number",
    "issuing_authority",
    "valid_from",
    "valid_to",
    "extra",
)


def fields(card: IdCard) -> dict[str, object]:
    return {name: getattr(card, name) for name in FIELDS}


def ucs2(text: str, chars: int) -> bytes:
    return text.ljust(chars).encode("utf-16-le")


def hand_made_resident_block() -> bytes:
    """Built field by field from the table in devices.md, independently of encode_text_block."""
    block = (
        ucs2("王秀英", 15)
        + ucs2("2", 1)
        + ucs2("01", 2)
        + ucs2("19520314", 8)
        + ucs2("北京市朝阳区建国路88号院3号楼2单元501室", 35)
        + ucs2("110105195203141221", 18)
        + ucs2("北京市公安局朝阳分局", 15)
        + ucs2("20180520", 8)
        + ucs2("长期", 8)
        + ucs2("", 18)
    )
    assert len(block) == TEXT_BLOCK_SIZE
    return block


def test_resident_block_decodes_field_by_field() -> None:
    card = parse_text_block(hand_made_resident_block())
    assert fields(card) == fields(demo_card("elder"))
    assert card.valid_to == LONG_TERM
    assert card.photo == bytearray()


def test_encoder_writes_the_reference_layout() -> None:
    assert encode_text_block(demo_card("elder")) == hand_made_resident_block()


@pytest.mark.parametrize("key", DEMO_KEYS)
def test_demo_cards_round_trip(key: str) -> None:
    card = demo_card(key)
    assert card.card_type is CardType.RESIDENT
    check_id_number(card.id_number)
    assert fields(parse_text_block(encode_text_block(card))) == fields(card)


def test_demo_cards_are_fresh_objects() -> None:
    first = DEMO_CARDS["adult"]
    first.wipe()
    again = DEMO_CARDS["adult"]
    assert again.name == "李建国"
    assert again.valid_to == dt.date(2035, 9, 1)
    assert len(again.photo) == PHOTO_SIZE
    assert again.photo == demo_card("adult").photo
    assert demo_card("elder").photo != demo_card("elder2").photo
    assert set(DEMO_CARDS) == {"elder", "adult", "uninsured", "elder2"}


def test_demo_people_match_the_brief() -> None:
    expected = {
        "elder": ("王秀英", "女", "汉", dt.date(1952, 3, 14), LONG_TERM),
        "adult": ("李建国", "男", "汉", dt.date(1990, 8, 21), dt.date(2035, 9, 1)),
        "uninsured": ("陈美玲", "女", "壮", dt.date(1985, 11, 7), dt.date(2040, 1, 10)),
        "elder2": ("赵德明", "男", "回", dt.date(1948, 6, 5), LONG_TERM),
    }
    for key, (name, gender, nation, birth, valid_to) in expected.items():
        card = demo_card(key)
        assert (card.name, card.gender, card.ethnicity, card.birth_date, card.valid_to) == (
            name,
            gender,
            nation,
            birth,
            valid_to,
        )
        assert card.id_number[6:14] == birth.strftime("%Y%m%d")


def gat_card() -> IdCard:
    return IdCard(
        card_type=CardType.GAT_PERMIT,
        name="陈大文",
        gender="男",
        ethnicity="",
        birth_date=dt.date(1980, 1, 1),
        address="广东省深圳市罗湖区人民南路1号",
        id_number="810000198001010030",
        issuing_authority="深圳市公安局",
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2024, 1, 1),
        extra={"pass_number": "H12345678", "issue_count": "01"},
    )


def test_gat_permit_layout() -> None:
    card = gat_card()
    check_id_number(card.id_number)
    block = encode_text_block(card)
    assert block[248:250].decode("utf-16-le") == "J"
    assert block[220:238].decode("utf-16-le") == "H12345678"
    assert block[238:242].decode("utf-16-le") == "01"
    assert block[32:36] == "  ".encode("utf-16-le")
    assert card_type_of(block) is CardType.GAT_PERMIT
    assert fields(parse_text_block(block)) == fields(card)


def foreign_2017_card() -> IdCard:
    return IdCard(
        card_type=CardType.FOREIGN_PERMANENT_2017,
        name="史密斯",
        gender="女",
        ethnicity="",
        birth_date=dt.date(1975, 12, 31),
        address="",
        id_number="USA310075123101",
        issuing_authority="",
        valid_from=dt.date(2017, 6, 1),
        valid_to=dt.date(2027, 6, 1),
        extra={
            "english_name": "SMITH, JANE MARY",
            "chinese_name": "史密斯",
            "nationality": "USA",
            "card_version": "20",
            "authority_code": "1500",
        },
    )


def test_foreign_2017_layout() -> None:
    card = foreign_2017_card()
    block = encode_text_block(card)
    assert block[0:32] == "SMITH, JANE MARY".encode("utf-16-le")
    assert block[152:158].decode("utf-16-le") == "USA"
    assert block[220:236].decode("utf-16-le") == "19751231"
    assert block[248:250].decode("utf-16-le") == "I"
    assert fields(parse_text_block(block)) == fields(card)


def test_foreign_2017_without_chinese_name_uses_english_name() -> None:
    card = foreign_2017_card()
    card.extra["chinese_name"] = ""
    card.name = card.extra["english_name"]
    assert parse_text_block(encode_text_block(card)).name == "SMITH, JANE MARY"


def foreign_2023_card(english: str) -> IdCard:
    return IdCard(
        card_type=CardType.FOREIGN_PERMANENT_2023,
        name="马丁",
        gender="男",
        ethnicity="",
        birth_date=dt.date(1988, 2, 29),
        address="",
        id_number="933156198802290017",
        issuing_authority="",
        valid_from=dt.date(2023, 12, 1),
        valid_to=dt.date(2033, 12, 1),
        extra={
            "english_name": english,
            "renewal_count": "00",
            "nationality": "FRA",
            "previous_number": "",
        },
    )


def test_foreign_2023_layout_splits_a_long_english_name() -> None:
    english = "MARTIN-DUBOIS, JEAN-BAPTISTE ALEXANDRE"
    assert 35 < len(english) <= 46
    card = foreign_2023_card(english)
    block = encode_text_block(card)
    assert block[52:122].decode("utf-16-le") == english[:35]
    assert block[220:242].decode("utf-16-le").rstrip() == english[35:]
    assert block[242:248].decode("utf-16-le") == "FRA"
    assert block[248:250].decode("utf-16-le") == "Y"
    assert fields(parse_text_block(block)) == fields(card)


def test_foreign_2023_short_english_name() -> None:
    card = foreign_2023_card("MARTIN, JEAN")
    assert fields(parse_text_block(encode_text_block(card))) == fields(card)


def test_bad_check_character_is_reported_without_personal_data() -> None:
    card = demo_card("adult")
    card.id_number = card.id_number[:17] + ("0" if card.id_number[17] != "0" else "1")
    with pytest.raises(CardDataError) as caught:
        parse_text_block(encode_text_block(card))
    message = str(caught.value)
    assert "check character" in message
    assert card.id_number not in message
    assert card.id_number[:6] not in message
    assert card.name not in message
    assert isinstance(caught.value, CardReadError)
    assert caught.value.message_zh


def test_bad_check_character_on_a_gat_permit_is_reported() -> None:
    card = gat_card()
    card.id_number = card.id_number[:17] + "X"
    with pytest.raises(CardDataError):
        parse_text_block(encode_text_block(card))


@pytest.mark.parametrize(
    "number", ["11010519491231002", "1101051949123100XX", "A1010519491231002X"]
)
def test_malformed_id_number_is_card_data_error(number: str) -> None:
    with pytest.raises(CardDataError):
        check_id_number(number)


def test_reference_check_examples_pass() -> None:
    check_id_number("11010519491231002X")
    check_id_number("440524188001010014")


def test_unknown_flag_is_unsupported() -> None:
    block = bytearray(encode_text_block(demo_card("elder")))
    block[248:250] = "Z".encode("utf-16-le")
    with pytest.raises(UnsupportedCardError):
        parse_text_block(bytes(block))


def test_nul_padded_flag_is_resident() -> None:
    block = bytearray(encode_text_block(demo_card("elder")))
    block[220:256] = bytes(36)
    assert card_type_of(bytes(block)) is CardType.RESIDENT


@pytest.mark.parametrize(
    ("offset", "value", "field"),
    [
        (36, "19520230", "birth_date"),
        (36, "1952031X", "birth_date"),
        (188, "2018 520", "valid_from"),
        (204, "短期    ", "valid_to"),
        (30, "5", "sex"),
        (32, "57", "nation"),
    ],
)
def test_malformed_fields_are_card_data_errors(offset: int, value: str, field: str) -> None:
    block = bytearray(encode_text_block(demo_card("elder")))
    encoded = value.encode("utf-16-le")
    block[offset : offset + len(encoded)] = encoded
    with pytest.raises(CardDataError, match=field):
        parse_text_block(bytes(block))


def test_wrong_block_size_is_card_data_error() -> None:
    with pytest.raises(CardDataError, match="255 bytes"):
        parse_text_block(bytes(255))


def test_lone_surrogate_is_card_data_error() -> None:
    block = bytearray(encode_text_block(demo_card("elder")))
    block[0:2] = b"\x00\xd8"
    with pytest.raises(CardDataError, match="UCS-2"):
        parse_text_block(bytes(block))


def test_encoder_refuses_values_that_do_not_fit() -> None:
    card = demo_card("elder")
    card.address = "很长的地址" * 8
    with pytest.raises(ValueError, match="address"):
        encode_text_block(card)
    card = demo_card("elder")
    card.ethnicity = "火星"
    with pytest.raises(ValueError, match="ethnicity"):
        encode_text_block(card)


def test_code_tables() -> None:
    assert len([c for c in NATION_CODES if int(c) <= 56]) == 56
    assert NATION_CODES["01"] == "汉"
    assert NATION_CODES["08"] == "壮"
    assert NATION_CODES["03"] == "回"
    assert NATION_CODES["56"] == "基诺"
    assert NATION_CODES["97"] == "其他"
    assert NATION_CODES["98"] == "外国血统中国籍人士"
    assert SEX_CODES == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


# Printable BMP text without the padding characters at either end.
_text = st.text(
    alphabet=st.characters(
        min_codepoint=0x21, max_codepoint=0xFFFD, exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")
    ),
    max_size=15,
)
_dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


def _with_check(prefix17: str) -> str:
    from stdnum.cn import ric

    return prefix17 + ric.calc_check_digit(prefix17 + "0")


@given(
    name=_text,
    gender=st.sampled_from(sorted(SEX_CODES.values())),
    nation=st.sampled_from(sorted(NATION_CODES.values())),
    birth=_dates,
    address=st.text(alphabet=st.sampled_from("北京市朝阳区路号院1234567890"), max_size=35),
    region=st.from_regex(r"\A[0-9]{6}\Z"),
    sequence=st.integers(0, 999),
    authority=_text,
    valid_from=_dates,
    valid_to=st.one_of(_dates, st.just(LONG_TERM)),
)
def test_resident_round_trip_property(
    name: str,
    gender: str,
    nation: str,
    birth: dt.date,
    address: str,
    region: str,
    sequence: int,
    authority: str,
    valid_from: dt.date,
    valid_to: dt.date | str,
) -> None:
    # The number encodes the birth date and, by the parity of its 17th digit, the sex.
    if gender in ("男", "女") and sequence % 2 != (gender == "男"):
        sequence = (sequence + 1) % 1000
    digits = region + birth.strftime("%Y%m%d") + f"{sequence:03d}"
    card = IdCard(
        card_type=CardType.RESIDENT,
        name=name,
        gender=gender,
        ethnicity=nation,
        birth_date=birth,
        address=address,
        id_number=_with_check(digits),
        issuing_authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    block = encode_text_block(card)
    assert len(block) == TEXT_BLOCK_SIZE
    assert fields(parse_text_block(block)) == fields(card)
