"""The wire contract of hand-off tickets (无声叫号): paths and models the terminal imports too.

A ticket carries the case so far (what the terminal read and checked), never an ID number in
clear: the terminal sends the masked one, as its receipts print it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from hall.schema import API_PREFIX, KIOSK_ID_PATTERN, LocalizedText, _Model

TICKETS_PATH = f"{API_PREFIX}/tickets"
"""POST a :class:`TicketCreate`: the hall's queue number (the same answer for a repeat)."""
TICKET_PATH = f"{API_PREFIX}/tickets/{{ticket_id}}"
"""GET the ticket (and its case so far) a window has scanned."""

TICKET_QR_PREFIX = "ZWTKT1:"
"""The ticket's QR code: ``ZWTKT1:<ticket id>``; the window scans it to continue the case."""

WINDOWS: dict[str, tuple[str, str, str]] = {
    "S": ("社会保障窗口", "Social security window", "social"),
    "G": ("住房公积金窗口", "Housing fund window", "housing-fund"),
    "M": ("民政服务窗口", "Civil affairs window", "civil"),
    "B": ("市场监管窗口", "Market regulation window", "market"),
    "H": ("户籍窗口", "Household registration window", "household"),
    "R": ("不动产登记窗口", "Real estate window", "real-estate"),
    "T": ("税务窗口", "Tax window", "tax"),
    "Z": ("综合受理窗口", "General service window", "general"),
}
"""Window code -> (name zh, name en, category)."""

CATEGORY_WINDOWS: dict[str, str] = {
    "social-insurance": "S",
    "medical-insurance": "S",
    "housing-fund": "G",
    "civil-affairs": "M",
    "elderly-disability": "M",
    "market-regulation": "B",
    "public-security": "H",
    "real-estate": "R",
    "taxation": "T",
}
"""Catalog category -> the window that continues its cases. A category not named here (the
terminal's own services, bundles, a category a later catalog adds) goes to the general window,
which takes every kind of case."""

_ITEM_WINDOWS = {"open-restaurant": "B"}
"""Bundles whose lead item is one window's: 开餐馆一件事 starts with the business registration."""


def window_for(item_id: str | None, category: str | None = None) -> str:
    """The window code for an item of ``category`` (``Z``, the general window, when unknown)."""
    if item_id in _ITEM_WINDOWS:
        return _ITEM_WINDOWS[item_id]
    return CATEGORY_WINDOWS.get(category or "", "Z")


TicketId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
"""A client-made uuid4 in hex: the idempotency key of the ticket."""
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TicketCheck(_Model):
    """One thing the terminal read or checked, and whether it passed."""

    label: ShortText
    value: Annotated[str, StringConstraints(max_length=200)] = ""
    ok: bool | None = None
    """``None``: read, not judged."""


class TicketCreate(_Model):
    """A terminal asking for a window's queue number, with the case so far."""

    ticket_id: TicketId
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    item_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    """``None`` for "call staff" with no item chosen."""
    category: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")] | None = None
    """The item's catalog category, which chooses the window (the hall prefers its own catalog's
    category for the item; a ticket taken offline keeps the terminal's)."""
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
    """``refused``, ``handoff_item``, ``call_staff``, ``printing_failed``, ``face_mismatch`` or
    ``face_unavailable`` …"""
    case_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    holder_masked: Annotated[str, StringConstraints(max_length=64)] = ""
    id_masked: Annotated[str, StringConstraints(pattern=r"^[0-9X*]{0,18}$")] = ""
    checks: list[TicketCheck] = Field(default_factory=list, max_length=20)
    bring: list[ShortText] = Field(default_factory=list, max_length=20)
    local_number: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{1,24}$")] | None = None
    """The number the terminal printed while the hall could not be reached (offline)."""
    created_at: dt.datetime


class TicketPublic(_Model):
    """The hall's queue number for a ticket, and where to wait."""

    ticket_id: str
    number: str
    """The number called; for an offline ticket, the local number it was printed with."""
    window: LocalizedText
    window_code: str
    waiting_ahead: int
    issued_at: dt.datetime
    reconciled: bool = False
    """True for a ticket printed offline and taken into the hall's queue later."""


class TicketCasePublic(_Model):
    """What a window sees when it scans a ticket: the number and the case so far."""

    ticket: TicketPublic
    item_id: str | None
    reason: str
    case_number: str | None
    holder_masked: str
    id_masked: str
    checks: list[TicketCheck]
    bring: list[str]


def ticket_qr(ticket_id: str) -> str:
    """The payload of a ticket's QR code."""
    return TICKET_QR_PREFIX + ticket_id
