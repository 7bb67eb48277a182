"""The 256-byte text block of a card: UCS-2 little-endian, space padded, four layouts.

The layout flag sits at bytes 248-249 in every layout: blank for the resident ID card, ``J`` for
the Hong Kong/Macao/Taiwan residence permit, ``I`` for the 2017 foreigner's permanent residence
card and ``Y`` for its 2023 successor. Offsets below are byte offsets into the block.

Errors name the field and the rule, never the value: the block is personal data.
"""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

from devices.idcard.card import LONG_TERM, CardType, IdCard
from devices.idcard.codes import NATION_BY_NAME, NATION_CODES, SEX_BY_NAME, SEX_CODES
from devices.idcard.errors import CardDataError, UnsupportedCardError

TEXT_BLOCK_SIZE = 256
"""Bytes in the text block of a ``30 01`` reply."""

LONG_TERM_TEXT = "长期"
"""What a card without an end of validity stores in ``valid_to``."""

_FLAG = slice(248, 250)
_FLAGS: dict[str, CardType] = {
    " ": CardType.RESIDENT,
    "\x00": CardType.RESIDENT,
    "J": CardType.GAT_PERMIT,
    "I": CardType.FOREIGN_PERMANENT_2017,
    "Y": CardType.FOREIGN_PERMANENT_2023,
}
_FLAG_OF: dict[CardType, str] = {
    CardType.RESIDENT: " ",
    CardType.GAT_PERMIT: "J",
    CardType.FOREIGN_PERMANENT_2017: "I",
    CardType.FOREIGN_PERMANENT_2023: "Y",
}

# Resident and J layouts share these.
_NAME = slice(0, 30)
_SEX = slice(30, 32)
_NATION = slice(32, 36)
_BIRTH = slice(36, 52)
_ADDRESS = slice(52, 122)
_ID_NUMBER = slice(122, 158)
_AUTHORITY = slice(158, 188)
_VALID_FROM = slice(188, 204)
_VALID_TO = slice(204, 220)
# J only.
_J_PASS_NUMBER = slice(220, 238)
_J_ISSUE_COUNT = slice(238, 242)
# I (2017).
_I_ENGLISH_NAME = slice(0, 120)
_I_SEX = slice(120, 122)
_I_PERMIT_NUMBER = slice(122, 152)
_I_NATIONALITY = slice(152, 158)
_I_CHINESE_NAME = slice(158, 188)
_I_BIRTH = slice(220, 236)
_I_CARD_VERSION = slice(236, 240)
_I_AUTHORITY_CODE = slice(240, 248)
# Y (2023).
_Y_RENEWAL_COUNT = slice(32, 36)
_Y_ENGLISH_NAME_1 = slice(52, 122)
_Y_ENGLISH_NAME_2 = slice(220, 242)
_Y_NATIONALITY = slice(242, 248)
_Y_PREVIOUS_NUMBER_LINK = slice(250, 256)

_PADDING = " \x00"


def _chars(field: slice) -> int:
    return int(field.stop - field.start) // 2


def _raw(block: bytes, field: slice, name: str) -> str:
    try:
        return block[field].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardDataError(f"text block field {name} is not valid UCS-2") from None


def _text(block: bytes, field: slice, name: str) -> str:
    return _raw(block, field, name).rstrip(_PADDING)


def _date(block: bytes, field: slice, name: str) -> dt.date:
    value = _text(block, field, name)
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise CardDataError(f"text block field {name} is not a YYYYMMDD date")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardDataError(f"text block field {name} is not a calendar date") from None


def _valid_to(block: bytes) -> dt.date | str:
    if _text(block, _VALID_TO, "valid_to") == LONG_TERM_TEXT:
        return LONG_TERM
    return _date(block, _VALID_TO, "valid_to")


def _sex(block: bytes, field: slice) -> str:
    code = _text(block, field, "sex")
    try:
        return SEX_CODES[code]
    except KeyError:
        raise CardDataError("text block field sex holds an unknown code") from None


def _nation(block: bytes) -> str:
    code = _text(block, _NATION, "nation")
    try:
        return NATION_CODES[code]
    except KeyError:
        raise CardDataError("text block field nation holds an unknown code") from None


def check_id_number(id_number: str) -> None:
    """Check an 18-character GB 11643 number (resident card, J permit): format and check character.

    Only the check character and the format are checked, not the region code: python-stdnum's
    region table misses codes that are valid on real cards (e.g. districts created after the
    holder's birth year), and a permit's 81/82/83 prefixes are in no region table.
    Raises ``CardDataError``; the message never holds the number.
    """
    if len(id_number) != 18 or not (id_number[:17].isascii() and id_number[:17].isdigit()):
        raise CardDataError("ID number is not 17 digits and a check character")
    if ric.calc_check_digit(id_number) != id_number[17]:
        raise CardDataError("ID number check character does not match (GB 11643)")


_SEX_OF_DIGIT = {0: "女", 1: "男"}


def card_defects(card: IdCard) -> list[str]:
    """Every check ``card``'s data fails, as field-and-rule sentences without any value.

    Resident cards and J permits: the GB 11643 check character, and the birth date and sex the
    number encodes against the printed ones. 2023 foreigner cards: the same 18-character rule
    (their numbers start with 9). 2017 foreigner cards: three letters and twelve digits (their
    check digit's rule is not public, so it is not checked).
    """
    number = card.id_number
    if card.card_type is CardType.FOREIGN_PERMANENT_2017:
        if not (
            len(number) == 15
            and number[:3].isascii()
            and number[:3].isalpha()
            and number[:3].isupper()
            and number[3:].isascii()
            and number[3:].isdigit()
        ):
            return ["permit number is not three letters and twelve digits"]
        return []
    try:
        check_id_number(number)
    except CardDataError as err:
        return list(err.defects)
    defects: list[str] = []
    if card.card_type is CardType.FOREIGN_PERMANENT_2023:
        if not number.startswith("9"):
            defects.append("permanent residence number does not start with 9")
        return defects
    if number[6:14] != card.birth_date.strftime("%Y%m%d"):
        defects.append("birth date differs from the one the ID number encodes")
    if card.gender in _SEX_OF_DIGIT.values() and card.gender != _SEX_OF_DIGIT[int(number[16]) % 2]:
        defects.append("sex differs from the one the ID number encodes")
    return defects


def card_type_of(block: bytes) -> CardType:
    """Tell the layout of a text block from its flag at bytes 248-249."""
    if len(block) != TEXT_BLOCK_SIZE:
        raise CardDataError(f"text block is {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")
    flag = _raw(block, _FLAG, "flag")
    try:
        return _FLAGS[flag]
    except KeyError:
        raise UnsupportedCardError(f"unknown card layout flag {flag.encode().hex()}") from None


def parse_text_block(block: bytes, *, strict: bool = True) -> IdCard:
    """Decode a 256-byte text block into an ``IdCard`` (photo left empty).

    Raises ``UnsupportedCardError`` for an unknown layout flag and ``CardDataError`` for a field
    that cannot be decoded. The checks of ``card_defects`` fill ``card.defects``; with ``strict``
    (the default) a card with defects raises ``CardDataError`` instead of being returned, so that
    nobody trusts it by mistake.
    """
    card = _parse(block)
    card.defects = card_defects(card)
    if strict and card.defects:
        defects = list(card.defects)
        card.wipe()
        raise CardDataError("card data failed its checks: " + "; ".join(defects), defects)
    return card


def _parse(block: bytes) -> IdCard:
    card_type = card_type_of(block)
    if card_type is CardType.FOREIGN_PERMANENT_2017:
        return _parse_i(block)
    if card_type is CardType.FOREIGN_PERMANENT_2023:
        return _parse_y(block)
    id_number = _text(block, _ID_NUMBER, "id_number")
    card = IdCard(
        card_type=card_type,
        name=_text(block, _NAME, "name"),
        gender=_sex(block, _SEX),
        ethnicity=_nation(block) if card_type is CardType.RESIDENT else "",
        birth_date=_date(block, _BIRTH, "birth_date"),
        address=_text(block, _ADDRESS, "address"),
        id_number=id_number,
        issuing_authority=_text(block, _AUTHORITY, "issuing_authority"),
        valid_from=_date(block, _VALID_FROM, "valid_from"),
        valid_to=_valid_to(block),
    )
    if card_type is CardType.GAT_PERMIT:
        card.extra = {
            "pass_number": _text(block, _J_PASS_NUMBER, "pass_number"),
            "issue_count": _text(block, _J_ISSUE_COUNT, "issue_count"),
        }
    return card


def _parse_i(block: bytes) -> IdCard:
    english = _text(block, _I_ENGLISH_NAME, "english_name")
    chinese = _text(block, _I_CHINESE_NAME, "chinese_name")
    return IdCard(
        card_type=CardType.FOREIGN_PERMANENT_2017,
        # The 2017 card prints the English name first; the Chinese name is optional.
        name=chinese or english,
        gender=_sex(block, _I_SEX),
        ethnicity="",
        birth_date=_date(block, _I_BIRTH, "birth_date"),
        address="",
        id_number=_text(block, _I_PERMIT_NUMBER, "permit_number"),
        issuing_authority="",
        valid_from=_date(block, _VALID_FROM, "valid_from"),
        valid_to=_valid_to(block),
        extra={
            "english_name": english,
            "chinese_name": chinese,
            "nationality": _text(block, _I_NATIONALITY, "nationality"),
            "card_version": _text(block, _I_CARD_VERSION, "card_version"),
            "authority_code": _text(block, _I_AUTHORITY_CODE, "authority_code"),
        },
    )


def _parse_y(block: bytes) -> IdCard:
    # The English name runs on from bytes 52-121 into 220-241 when it is longer than 35 chars.
    english = (
        _raw(block, _Y_ENGLISH_NAME_1, "english_name")
        + _raw(block, _Y_ENGLISH_NAME_2, "english_name")
    ).rstrip(_PADDING)
    return IdCard(
        card_type=CardType.FOREIGN_PERMANENT_2023,
        name=_text(block, _NAME, "name"),
        gender=_sex(block, _SEX),
        ethnicity="",
        birth_date=_date(block, _BIRTH, "birth_date"),
        address="",
        id_number=_text(block, _ID_NUMBER, "id_number"),
        issuing_authority="",
        valid_from=_date(block, _VALID_FROM, "valid_from"),
        valid_to=_valid_to(block),
        extra={
            "english_name": english,
            "renewal_count": _text(block, _Y_RENEWAL_COUNT, "renewal_count"),
            "nationality": _text(block, _Y_NATIONALITY, "nationality"),
            "previous_number": _text(block, _Y_PREVIOUS_NUMBER_LINK, "previous_number"),
        },
    )


class _Writer:
    """Fills a space-padded UCS-2 block field by field (the simulator's side of the card)."""

    def __init__(self) -> None:
        self.block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))

    def put(self, field: slice, value: str, name: str) -> None:
        encoded = value.encode("utf-16-le")
        if len(encoded) > field.stop - field.start:
            raise ValueError(f"{name} is longer than its {_chars(field)} characters")
        if len(encoded) != 2 * len(value):
            raise ValueError(f"{name} has characters outside UCS-2")
        self.block[field.start : field.start + len(encoded)] = encoded

    def date(self, field: slice, value: dt.date, name: str) -> None:
        self.put(field, f"{value.year:04d}{value.month:02d}{value.day:02d}", name)

    def valid_to(self, value: dt.date | str) -> None:
        if value == LONG_TERM:
            self.put(_VALID_TO, LONG_TERM_TEXT, "valid_to")
        elif isinstance(value, dt.date):
            self.date(_VALID_TO, value, "valid_to")
        else:
            raise ValueError("valid_to must be a date or LONG_TERM")


def _code(table: dict[str, str], value: str, name: str) -> str:
    try:
        return table[value]
    except KeyError:
        raise ValueError(f"{name} has no code on the card") from None


def encode_text_block(card: IdCard) -> bytes:
    """Encode ``card`` as the 256-byte text block a SAM would return (inverse of the parser).

    Raises ``ValueError`` when a value does not fit its field or has no code on the card.
    """
    w = _Writer()
    w.put(_FLAG, _FLAG_OF[card.card_type], "flag")
    w.date(_VALID_FROM, card.valid_from, "valid_from")
    w.valid_to(card.valid_to)
    extra = card.extra
    if card.card_type is CardType.FOREIGN_PERMANENT_2017:
        w.put(_I_ENGLISH_NAME, extra.get("english_name", card.name), "english_name")
        w.put(_I_SEX, _code(SEX_BY_NAME, card.gender, "gender"), "gender")
        w.put(_I_PERMIT_NUMBER, card.id_number, "permit_number")
        w.put(_I_NATIONALITY, extra.get("nationality", ""), "nationality")
        w.put(_I_CHINESE_NAME, extra.get("chinese_name", ""), "chinese_name")
        w.date(_I_BIRTH, card.birth_date, "birth_date")
        w.put(_I_CARD_VERSION, extra.get("card_version", ""), "card_version")
        w.put(_I_AUTHORITY_CODE, extra.get("authority_code", ""), "authority_code")
        return bytes(w.block)
    w.put(_NAME, card.name, "name")
    w.put(_SEX, _code(SEX_BY_NAME, card.gender, "gender"), "gender")
    w.date(_BIRTH, card.birth_date, "birth_date")
    w.put(_ID_NUMBER, card.id_number, "id_number")
    if card.card_type is CardType.FOREIGN_PERMANENT_2023:
        english = extra.get("english_name", "")
        split = _chars(_Y_ENGLISH_NAME_1)
        w.put(_Y_ENGLISH_NAME_1, english[:split], "english_name")
        w.put(_Y_ENGLISH_NAME_2, english[split:], "english_name")
        w.put(_Y_RENEWAL_COUNT, extra.get("renewal_count", ""), "renewal_count")
        w.put(_Y_NATIONALITY, extra.get("nationality", ""), "nationality")
        w.put(_Y_PREVIOUS_NUMBER_LINK, extra.get("previous_number", ""), "previous_number")
        return bytes(w.block)
    w.put(_ADDRESS, card.address, "address")
    w.put(_AUTHORITY, card.issuing_authority, "issuing_authority")
    if card.card_type is CardType.RESIDENT:
        w.put(_NATION, _code(NATION_BY_NAME, card.ethnicity, "ethnicity"), "ethnicity")
    else:
        w.put(_J_PASS_NUMBER, extra.get("pass_number", ""), "pass_number")
        w.put(_J_ISSUE_COUNT, extra.get("issue_count", ""), "issue_count")
    return bytes(w.block)


def parse_appended_address(data: bytes) -> str:
    """Decode the data of a ``30 03`` reply: the newest address, UCS-2 little-endian, padded.

    Raises ``CardDataError`` when the bytes are not UCS-2 text.
    """
    if len(data) % 2:
        raise CardDataError("appended address has an odd number of bytes")
    try:
        return data.decode("utf-16-le").rstrip(_PADDING)
    except UnicodeDecodeError:
        raise CardDataError("appended address is not valid UCS-2") from None


APPENDED_ADDRESS_SIZE = 70
"""Bytes of the appended address field: 35 UCS-2 characters, like the address on the card."""


def encode_appended_address(address: str) -> bytes:
    """Encode ``address`` as the data of a ``30 03`` reply (the simulator's side)."""
    w = _Writer()
    field = slice(0, APPENDED_ADDRESS_SIZE)
    w.put(field, address, "appended_address")
    return bytes(w.block[field])
