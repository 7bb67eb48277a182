"""A hand-off ticket goes to the window of its item's catalog category, over signed HTTP.

The window was once chosen from a hand-kept list of eight item ids: every other item (a
household, tax, real-estate or housing-fund case) was sent to the general window.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

import assets
from hall.tickets_schema import CATEGORY_WINDOWS, WINDOWS, TicketCreate, window_for
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity
from offline_cache.tickets import TicketClient
from tests.fixtures.hall import HallUnderTest

GENERAL = "Z"


def _ticket(item_id: str | None, category: str | None = None) -> TicketCreate:
    return TicketCreate(
        ticket_id=uuid.uuid4().hex,
        kiosk_id="kiosk-001",
        item_id=item_id,
        category=category,
        reason="handoff_item" if item_id else "call_staff",
        created_at=dt.datetime.now(dt.UTC),
    )


def test_every_category_of_the_catalog_has_a_window_of_its_own_kind() -> None:
    catalog = assets.load_catalog()
    for category in catalog.categories:
        code = CATEGORY_WINDOWS.get(category.id, GENERAL)
        assert code in WINDOWS
        if category.id not in ("services", "bundles"):
            assert code != GENERAL, f"{category.id} goes to the general window"
    # Every item of the catalog has a window, and most are not the general one.
    codes = [window_for(item.id, item.category) for item in catalog.items]
    assert all(code in WINDOWS for code in codes)
    assert sum(code != GENERAL for code in codes) >= len(codes) * 2 // 3
    assert window_for("an-item-no-one-knows", "a-new-category") == GENERAL
    assert window_for(None) == GENERAL


@pytest.mark.parametrize(
    ("item_id", "window"),
    [
        ("si-insured-certificate", "社会保障窗口"),
        ("elder-card", "民政服务窗口"),
        ("open-restaurant", "市场监管窗口"),
    ],
)
def test_the_hall_numbers_a_ticket_at_its_category_window(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity, item_id: str, window: str
) -> None:
    with HallClient(hall_server.base_url, identity=terminal_identity) as client:
        answer = TicketClient(client).issue(_ticket(item_id))
    assert answer.window.zh == window
    assert answer.number.startswith(answer.window_code)


def test_the_hall_trusts_its_own_catalog_over_the_category_a_ticket_names(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    catalog = assets.load_catalog()
    item = next(i for i in catalog.items if i.category == "public-security")
    with HallClient(hall_server.base_url, identity=terminal_identity) as client:
        tickets = TicketClient(client)
        named_wrong = tickets.issue(_ticket(item.id, "taxation"))
        unknown_item = tickets.issue(_ticket("item-of-a-newer-catalog", "taxation"))
        staff_call = tickets.issue(_ticket(None))
    assert named_wrong.window.zh == "户籍窗口"
    # An item the hall's catalog does not have yet: the terminal's category is all there is.
    assert unknown_item.window.zh == "税务窗口"
    assert staff_call.window_code == GENERAL
