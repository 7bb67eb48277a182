"""Validators for what was read: check characters, date sanity, expiry.

ID numbers follow GB 11643 and USCCs GB 32100; python-stdnum computes both check characters.
Each check returns the stable reason codes of what is wrong (empty: nothing), so the same codes
reach the citizen's screen, the technician's JSON and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from stdnum.cn import ric, uscc

from ocr.text import LONG_TERM

FieldValue = object
"""A typed field value: ``str`` (ISO dates, ``long-term``), ``int`` (yuan)."""

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(rf"^[0-9A-Y]{{2}}\d{{6}}[{_USCC_ALPHABET}]{{10}}$")

# Letters an engine reads where a digit was printed. Only applied where the standard allows no
# letter, and only kept when the check character then agrees.
_TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
        "T": "7",
    }
)
# Letters the USCC alphabet leaves out on purpose (I, O, S, V, Z): one was misread.
_USCC_REPAIR = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"})


def id_number_shape_ok(number: str) -> bool:
    """Whether ``number`` has the 17 digits and a check character of an ID number."""
    return bool(_ID_SHAPE.match(number))


def id_checksum_ok(number: str) -> bool:
    """Whether the check character of an 18-character ID number is right (GB 11643)."""
    return id_number_shape_ok(number) and ric.calc_check_digit(number) == number[-1]


def repair_id_number(raw: str) -> str:
    """The ID number an engine most likely misread as ``raw`` (``raw`` cleaned when none is).

    Digits misread as letters (O/0, I/1, Z/2...) are put back in the first 17 places, and a
    lower-case or look-alike check character becomes X. A repair is kept only when the check
    character then agrees, so a wrong number is never made to look right.
    """
    text = re.sub(r"[\s\-]", "", raw.upper()).replace("×", "X").replace("Ⅹ", "X")
    if len(text) != 18:
        return text
    body, check = text[:17], text[17]
    if check in "K*x":
        check = "X"
    fixed_body = body.translate(_TO_DIGIT)
    candidates = [body + check, fixed_body + check]
    if check in "O":
        candidates.append(fixed_body + "0")
    for candidate in candidates:
        if id_checksum_ok(candidate):
            return candidate
    return fixed_body + check if fixed_body.isdigit() else text


def uscc_checksum_ok(code: str) -> bool:
    """Whether an 18-character unified social credit code's check character is right (GB 32100)."""
    return bool(_USCC_SHAPE.match(code)) and uscc.calc_check_digit(code) == code[-1]


def repair_uscc(raw: str) -> str:
    """The USCC an engine most likely misread as ``raw``, kept only when its check then agrees."""
    text = re.sub(r"[\s\-]", "", raw.upper())
    if len(text) != 18:
        return text
    fixed = text[:8].translate(_TO_DIGIT) + text[8:].translate(_USCC_REPAIR)
    for candidate in (text, fixed):
        if uscc_checksum_ok(candidate):
            return candidate
    return fixed


def birth_date_of(id_number: str) -> dt.date | None:
    """The birth date coded in an ID number (places 7-14), if it is a real date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def gender_of(id_number: str) -> str:
    """男 or 女 from the ID number's 17th digit (odd: male)."""
    return "男" if int(id_number[16]) % 2 else "女"


def _date(value: FieldValue) -> dt.date | None:
    if not isinstance(value, str) or value == LONG_TERM:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validity_span_ok(valid_from: dt.date, valid_to: str, birth: dt.date | None) -> bool:
    """Whether an ID card's validity fits the law (居民身份证法 第五条).

    Under 16: 5 years; 16-25: 10 years; 26-45: 20 years; 46 and over: long-term. Without the
    birth date any of the four spans is accepted.
    """
    if valid_to == LONG_TERM:
        return birth is None or _age_on(birth, valid_from) >= 46
    end = _date(valid_to)
    if end is None:
        return False
    years = end.year - valid_from.year
    same_day = (end.month, end.day) == (valid_from.month, valid_from.day)
    leap_issue = valid_from.month == 2 and valid_from.day == 29  # ends on 2月28日 or 3月1日
    if years not in (5, 10, 20) or not (same_day or leap_issue):
        return False
    if birth is None:
        return True
    age = _age_on(birth, valid_from)
    expected = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    return years == expected


def check_fields(document_type: str, fields: Mapping[str, FieldValue], today: dt.date) -> list[str]:
    """The reason codes of what is wrong with one document's fields (``[]``: nothing found).

    Codes: ``id_checksum``, ``uscc_checksum``, ``date_invalid``, ``expired``, ``not_yet_valid``,
    ``id_birth_mismatch``, ``id_gender_mismatch``.
    """
    defects: list[str] = []

    def add(code: str) -> None:
        if code not in defects:
            defects.append(code)

    id_number = fields.get("id_number")
    if isinstance(id_number, str) and not id_checksum_ok(id_number):
        add("id_checksum")
    code = fields.get("uscc")
    if isinstance(code, str) and not uscc_checksum_ok(code):
        add("uscc_checksum")
    for name, value in fields.items():
        is_date_field = name.endswith(("_date", "valid_from", "valid_to")) or name in (
            "start_date",
            "end_date",
        )
        if is_date_field and value != LONG_TERM and _date(value) is None:
            add("date_invalid")
    birth = _date(fields.get("birth_date"))
    if birth is not None and birth > today:
        add("date_invalid")
    if isinstance(id_number, str) and id_checksum_ok(id_number):
        coded = birth_date_of(id_number)
        if coded is None:
            add("date_invalid")
        elif birth is not None and coded != birth:
            add("id_birth_mismatch")
        gender = fields.get("gender")
        if gender in ("男", "女") and gender != gender_of(id_number):
            add("id_gender_mismatch")

    start = _date(fields.get("valid_from") or fields.get("start_date"))
    end_raw = fields.get("valid_to") or fields.get("end_date")
    end = _date(end_raw)
    if start is not None and end is not None and start >= end:
        add("date_invalid")
    # A lease may begin next month (premises are rented before the business opens); a card
    # or licence that only becomes valid later is not one that was issued.
    if start is not None and start > today and document_type != "lease_contract":
        add("not_yet_valid")
    if end is not None and end < today:
        add("expired")
    established = _date(fields.get("established_date"))
    if established is not None and established > today:
        add("date_invalid")
    if (
        document_type == "resident_id_back"
        and start is not None
        and isinstance(end_raw, str)
        and (end_raw == LONG_TERM or end is not None)
        and not validity_span_ok(start, end_raw, None)
    ):
        add("date_invalid")
    return defects


def check_id_card_pair(
    front: Mapping[str, FieldValue], back: Mapping[str, FieldValue]
) -> list[str]:
    """Codes for an ID card whose two sides disagree: issued before birth, span wrong for age."""
    birth = _date(front.get("birth_date"))
    start = _date(back.get("valid_from"))
    end = back.get("valid_to")
    if birth is None or start is None or not isinstance(end, str):
        return []
    if start <= birth:
        return ["date_invalid"]
    if not validity_span_ok(start, end, birth):
        return ["date_invalid"]
    return []
