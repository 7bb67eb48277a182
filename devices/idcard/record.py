"""A card as one flat JSON object: the fixed shape ``kiosk idcard read --json`` prints.

Other tools read this shape, so it is fixed: the common fields first (``card_type``, ``name``,
``gender``, ``ethnicity``, ``birth_date``, ``address``, ``id_number``, ``issuing_authority``,
``valid_from``, ``valid_to``), then the fields of the card's layout (``LAYOUT_FIELDS``), then
``appended_address``, ``photo_bytes``, ``valid`` and ``defects``. Dates are ISO ``YYYY-MM-DD``,
``valid_to`` may be ``"long-term"`` (printed 长期); gender and ethnicity are as printed (女, 汉).
"""

from __future__ import annotations

import datetime as dt

from devices.idcard.card import CardType, IdCard

COMMON_FIELDS: tuple[str, ...] = (
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
)
"""Every layout's fields, in output order (empty strings where a layout has none)."""

LAYOUT_FIELDS: dict[CardType, tuple[str, ...]] = {
    CardType.RESIDENT: (),
    CardType.GAT_PERMIT: ("pass_number", "issue_count"),
    CardType.FOREIGN_PERMANENT_2017: (
        "english_name",
        "chinese_name",
        "nationality",
        "permit_number",
        "card_version",
        "authority_code",
    ),
    CardType.FOREIGN_PERMANENT_2023: (
        "english_name",
        "nationality",
        "renewal_count",
        "previous_number",
    ),
}
"""The extra fields each layout carries, in output order."""

TRAILING_FIELDS: tuple[str, ...] = ("appended_address", "photo_bytes", "valid", "defects")

NUMBER_FIELDS: frozenset[str] = frozenset(
    {"id_number", "permit_number", "pass_number", "previous_number"}
)
"""Fields that identify the holder: masked wherever the record is shown rather than asked for."""


def _iso(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def card_record(card: IdCard) -> dict[str, object]:
    """The card as the fixed flat JSON object (personal data: print it, never log it)."""
    record: dict[str, object] = {
        "card_type": card.card_type.value,
        "name": card.name,
        "gender": card.gender,
        "ethnicity": card.ethnicity,
        "birth_date": _iso(card.birth_date),
        "address": card.address,
        "id_number": card.id_number,
        "issuing_authority": card.issuing_authority,
        "valid_from": _iso(card.valid_from),
        "valid_to": _iso(card.valid_to),
    }
    for name in LAYOUT_FIELDS[card.card_type]:
        # The 2017 card's number is its permit number; both names carry it.
        record[name] = card.id_number if name == "permit_number" else card.extra.get(name, "")
    record["appended_address"] = card.appended_address
    record["photo_bytes"] = len(card.photo)
    record["valid"] = card.trusted
    record["defects"] = list(card.defects)
    return record


def mask_number(value: str) -> str:
    """First 6 and last 4 characters kept, the rest starred (all of it when 10 or shorter).

    The same rule as ``hall.schema.mask_id_number``, which devices/ may not import.
    """
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def masked_record(record: dict[str, object]) -> dict[str, object]:
    """``record`` with every number that identifies the holder masked, for a screen or table."""
    return {
        key: mask_number(value) if key in NUMBER_FIELDS and isinstance(value, str) else value
        for key, value in record.items()
    }
