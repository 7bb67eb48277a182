"""The card read from the reader, as typed values.

Field names follow the OCR documents' names (``name``, ``gender``, ``ethnicity``, ``birth_date``,
``address``, ``id_number``, ``issuing_authority``, ``valid_from``, ``valid_to``) because other tools
read them side by side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

LONG_TERM = "long-term"
"""``valid_to`` of a card printed 长期."""


class CardType(StrEnum):
    """The four layouts of the 256-byte text block (flag at bytes 248-249)."""

    RESIDENT = "resident"
    GAT_PERMIT = "gat_permit"
    FOREIGN_PERMANENT_2017 = "foreign_permanent_2017"
    FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"


@dataclass(eq=False, repr=False)
class IdCard:
    """One card's data.

    Personal data: never log it, mask ``id_number`` on screen, wipe it after use.
    ``repr`` is deliberately free of personal data so that a stray log line cannot leak it.
    """

    card_type: CardType
    name: str
    gender: str
    """As printed on the card: 男, 女 (未知 / 未说明 for codes 0 and 9)."""
    ethnicity: str
    """As printed, e.g. 汉; empty for layouts that carry none."""
    birth_date: dt.date
    address: str
    id_number: str
    issuing_authority: str
    valid_from: dt.date
    valid_to: dt.date | str
    """A date, or ``LONG_TERM``."""
    photo: bytearray = field(default_factory=bytearray)
    """The WLT-compressed photo, opaque (only vendor libraries decode it)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Layout-specific fields: English name, nationality, permit or pass number, issue count."""
    fingerprint: bytearray = field(default_factory=bytearray)
    """The fingerprint templates of a ``30 10`` read, opaque; empty unless asked for."""
    appended_address: str = ""
    """The newest address the police added to the chip (``30 03``), when read and present."""
    defects: list[str] = field(default_factory=list)
    """Checks the card's data failed (field and rule, never a value). A card with defects is
    reported, never trusted: the driver raises ``CardDataError`` unless asked for it as is."""

    @property
    def trusted(self) -> bool:
        """Whether every check on the card's data passed."""
        return not self.defects

    def age_on(self, day: dt.date) -> int:
        """Whole years of age on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def wipe(self) -> None:
        """Drop the personal data this object holds (zeroes the photo buffer in place)."""
        for buffer in (self.photo, self.fingerprint):
            buffer[:] = bytes(len(buffer))
        self.photo = bytearray()
        self.fingerprint = bytearray()
        self.name = self.address = self.id_number = self.issuing_authority = ""
        self.appended_address = ""
        self.gender = self.ethnicity = ""
        self.extra.clear()

    def __repr__(self) -> str:
        """Say what kind of card this is, and nothing personal."""
        return f"IdCard(card_type={self.card_type.value!r}, <personal data hidden>)"
