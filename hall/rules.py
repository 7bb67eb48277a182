"""Field rules of the wire contract, shared by the terminal and the hall.

Pure functions over values, with no server package: ``hall.schema`` applies them to its models, so
a submission the terminal builds and the one the hall accepts pass the same checks. The ID number
rule is the terminal card reader's (``devices.idcard.text.check_id_number``): the GB 11643 check
character and the format, not the region code. Each check raises ``ValueError`` naming the rule,
never the value (the values are personal data).
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric

LONG_TERM = "long-term"
"""``valid_to`` of a card printed 长期."""

CARD_TYPES = ("resident", "gat_permit", "foreign_permanent_2017", "foreign_permanent_2023")
"""The four layouts of the card's text block (``devices.idcard.card.CardType`` values)."""

GENDERS = ("男", "女", "未知", "未说明")
"""Sex as printed (GB/T 2261.1 codes 1, 2, 0, 9)."""

MATERIAL_CONTENT_TYPES = ("image/jpeg", "image/png")
"""What a material's photo may be."""

EARLIEST_DATE = dt.date(1850, 1, 1)
"""No living applicant was born, and no card was issued, before this."""

_ID_NUMBER_18 = re.compile(r"^\d{17}[\dX]$")
_PERMIT_2017 = re.compile(r"^[A-Z]{3}\d{12}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def id_number_ok(id_number: str) -> bool:
    """Whether an 18-character GB 11643 number has its format and the right check character."""
    return bool(_ID_NUMBER_18.match(id_number)) and ric.calc_check_digit(id_number) == id_number[17]


def check_card_number(card_type: str, id_number: str) -> None:
    """Check the number a card of ``card_type`` carries; ``ValueError`` when it cannot be one.

    Resident cards, J permits and 2023 foreigner cards: GB 11643 (2023 cards start with 9).
    2017 foreigner cards: three letters and twelve digits (their check rule is not public).
    """
    if card_type == "foreign_permanent_2017":
        if not _PERMIT_2017.match(id_number):
            raise ValueError("permit number is not three letters and twelve digits")
        return
    if not id_number_ok(id_number):
        raise ValueError("ID number is not 17 digits and a GB 11643 check character")
    if card_type == "foreign_permanent_2023" and not id_number.startswith("9"):
        raise ValueError("permanent residence number does not start with 9")


def check_past_date(value: dt.date, *, today: dt.date | None = None) -> dt.date:
    """A birth or issue date: not before 1850 and not after tomorrow (any zone's today)."""
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    if not EARLIEST_DATE <= value <= latest:
        raise ValueError("date is not a plausible past date")
    return value


def check_valid_to(value: str) -> str:
    """``valid_to``: ``long-term`` or an ISO calendar date."""
    if value == LONG_TERM:
        return value
    parse_valid_to(value)
    return value


def parse_valid_to(value: str) -> dt.date | None:
    """The end of validity as a date (``None``: long-term); ``ValueError`` for anything else."""
    if value == LONG_TERM:
        return None
    if not _ISO_DATE.match(value):
        raise ValueError("valid_to is neither long-term nor a YYYY-MM-DD date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("valid_to is not a calendar date") from None


def check_gender(value: str) -> str:
    """Sex as printed on a card: one of :data:`GENDERS`."""
    if value not in GENDERS:
        raise ValueError("gender is not one printed on cards")
    return value


def check_not_blank(value: str) -> str:
    """A name or similar that must hold more than spaces."""
    if not value.strip():
        raise ValueError("value is blank")
    return value
