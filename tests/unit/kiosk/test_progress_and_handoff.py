"""The progress screen's deadline and overdue rule, and the hand-off ticket, without Qt."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import assets
from devices.idcard.demo_cards import demo_card
from devices.receipt.layout import Receipt
from hall.schema import CaseProgressPublic, LocalizedText, StagePublic
from hall.tickets_schema import TicketCreate, TicketPublic
from kiosk.services.handoff import Ticketing, local_number_from, ticket_document, ticket_for
from kiosk.services.progress import add_working_days, deadline, overdue_days, short_duration
from kiosk.services.reminders import card_expiry_reminder, with_reminders
from kiosk.services.session import Session
from offline_cache.errors import HallUnavailableError

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # a Wednesday


def _case(status: str, promised: int, received: dt.datetime) -> CaseProgressPublic:
    return CaseProgressPublic(
        case_number="DEMO01-20261202-00001",
        item_id="sole-proprietor-registration",
        item_name=LocalizedText(zh="个体工商户登记", en="Sole proprietor"),
        status=status,  # type: ignore[arg-type]
        promised_days=promised,
        stages=[
            StagePublic(
                code="received",
                name=LocalizedText(zh="受理", en="Received"),
                started_at=received,
                finished_at=received,
                seconds=0.4,
            )
        ],
    )


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)  # Fri -> Mon
    assert add_working_days(dt.date(2026, 12, 2), 3) == dt.date(2026, 12, 7)
    assert add_working_days(dt.date(2026, 12, 2), 0) == dt.date(2026, 12, 2)


def test_an_open_case_past_its_promise_is_overdue_a_decided_one_never() -> None:
    case = _case("accepted", 3, NOW)
    assert deadline(case) == dt.date(2026, 12, 7)
    assert overdue_days(case, dt.date(2026, 12, 7)) == 0
    assert overdue_days(case, dt.date(2026, 12, 9)) == 2
    assert overdue_days(_case("approved", 3, NOW), dt.date(2026, 12, 30)) == 0


def test_a_second_is_under_a_minute() -> None:
    assert short_duration(0.4) and short_duration(59.9)
    assert not short_duration(60)


def _session() -> Session:
    session = Session()
    session.identify(demo_card("elder"))
    return session


def test_the_ticket_carries_the_case_so_far_masked() -> None:
    ticket = ticket_for(_session(), "call_staff", "DEMO01", NOW)
    assert ticket.holder_masked == "王*英" and ticket.id_masked == "110105********1221"
    dumped = ticket.model_dump_json()
    assert "王秀英" not in dumped and "110105195203141221" not in dumped
    assert ticket.bring[0] == "居民身份证原件"
    with pytest.raises(ValueError, match="reason"):
        ticket_for(_session(), "because", "DEMO01", NOW)


class _DownHall:
    def issue(self, ticket: TicketCreate) -> TicketPublic:
        raise HallUnavailableError("down")


class _Events:
    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, object]]] = []

    def post(self, kind: str, payload: dict[str, object]) -> str:
        self.posted.append((kind, payload))
        return "e" * 32


def test_offline_the_ticket_gets_a_local_number_and_is_queued_for_the_hall() -> None:
    events = _Events()
    numbers = iter(["DEMO01Q-20261202-00001", "DEMO01Q-20261202-00002"])
    ticketing = Ticketing(
        _DownHall(), lambda day: local_number_from(next(numbers), "DEMO01"), events
    )
    issued = ticketing.issue(ticket_for(_session(), "call_staff", "DEMO01", NOW))
    assert issued.offline and issued.number == "DEMO01-L001" and issued.waiting_ahead is None
    assert [kind for kind, _ in events.posted] == ["handoff_ticket"]
    assert events.posted[0][1]["local_number"] == "DEMO01-L001"
    receipt = ticket_document(issued, item_name="", location="大厅")
    assert receipt.title == "排队号 DEMO01-L001"
    assert receipt.qr_data is not None and issued.ticket.ticket_id in receipt.qr_data
    assert any("临时号" in line for line in receipt.footer)


def test_a_card_expiring_within_90_days_is_pointed_out_on_the_receipt() -> None:
    today = dt.date(2026, 12, 2)
    card = dataclasses.replace(demo_card("adult"), valid_to=dt.date(2027, 1, 31))
    receipt = with_reminders(Receipt(title="回执", footer=["区政务服务中心"]), card, today)
    assert receipt.footer[0].startswith("提醒：您的身份证将于 2027-01-31 到期（还有 60 天）")
    assert receipt.footer[1] == "区政务服务中心"
    later = dataclasses.replace(card, valid_to=dt.date(2027, 6, 1))
    assert card_expiry_reminder(later, today) is None
    assert card_expiry_reminder(dataclasses.replace(card, valid_to="长期"), today) is None
    assert (
        card_expiry_reminder(dataclasses.replace(card, valid_to=dt.date(2026, 12, 1)), today)
        is None
    )


def test_a_ticket_for_an_item_names_its_category_and_the_offline_window_follows_it() -> None:
    item = assets.load_catalog().item("elder-card")
    session = _session()
    session.choose(item)
    ticket = ticket_for(session, "handoff_item", "DEMO01", NOW)
    assert ticket.item_id == "elder-card" and ticket.category == item.category
    ticketing = Ticketing(_DownHall(), lambda day: "DEMO01-L002", _Events())
    assert ticketing.issue(ticket).window.zh == "民政服务窗口"
