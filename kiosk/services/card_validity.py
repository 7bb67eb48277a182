"""Whether an ID card may still be used, and whether to remind its holder that it ends soon.

An expired card proves nothing (the hall refuses it too, ``card_expired``): the terminal says so
at once, with what to do, instead of letting the citizen choose, photograph and submit first.
A card ending within :data:`EXPIRY_WARNING_DAYS` is pointed out (临期提醒).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EXPIRY_WARNING_DAYS = 90
"""A card ending within this many days is pointed out."""


@dataclass(frozen=True)
class CardValidity:
    """A card's standing on one day."""

    valid_to: dt.date | None
    """Its last day (``None``: long-term)."""
    days_left: int | None
    """Days from today to its last day (0: ends today; negative: expired)."""

    @property
    def expired(self) -> bool:
        """Whether the card's last day is past."""
        return self.days_left is not None and self.days_left < 0

    @property
    def expiring(self) -> bool:
        """Whether it is still valid but ends within :data:`EXPIRY_WARNING_DAYS`."""
        return self.days_left is not None and 0 <= self.days_left <= EXPIRY_WARNING_DAYS


def card_validity(valid_to: dt.date | str, today: dt.date) -> CardValidity:
    """The standing of a card valid to ``valid_to`` (a date, or ``long-term`` text) on ``today``."""
    if not isinstance(valid_to, dt.date):
        return CardValidity(valid_to=None, days_left=None)
    return CardValidity(valid_to=valid_to, days_left=(valid_to - today).days)
