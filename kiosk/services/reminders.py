"""Reminders (临期提醒): an ID card expiring within 90 days is pointed out on the receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt

from devices.idcard.card import IdCard
from devices.receipt.layout import Receipt

REMINDER_DAYS = 90


def card_expiry_reminder(card: IdCard | None, today: dt.date) -> str | None:
    """The receipt's line for a card expiring within :data:`REMINDER_DAYS`, else ``None``.

    A long-term card (``valid_to`` "长期") and an expired one (refused before this) get none.
    """
    if card is None or not isinstance(card.valid_to, dt.date):
        return None
    left = (card.valid_to - today).days
    if not 0 <= left <= REMINDER_DAYS:
        return None
    return (
        f"提醒：您的身份证将于 {card.valid_to.isoformat()} 到期（还有 {left} 天），"
        "请及时到公安机关办理换领。"
    )


def with_reminders(receipt: Receipt, card: IdCard | None, today: dt.date) -> Receipt:
    """The receipt with the card's reminder first in its footer, when there is one."""
    line = card_expiry_reminder(card, today)
    if line is None:
        return receipt
    return dataclasses.replace(receipt, footer=[line, *receipt.footer])
