"""The progress screen's words for a case: human durations, the promise, and overdue."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from hall.schema import CaseProgressPublic, LocalizedText, StagePublic
from kiosk.ui.screens.progress import ProgressScreen


def _case(status: str, received: dt.datetime, seconds: float) -> CaseProgressPublic:
    return CaseProgressPublic(
        case_number="DEMO01-20261101-00007",
        item_id="sole-proprietor-registration",
        item_name=LocalizedText(zh="个体工商户登记", en="Sole proprietor registration"),
        status=status,  # type: ignore[arg-type]
        promised_days=3,
        stages=[
            StagePublic(
                code="received",
                name=LocalizedText(zh="受理", en="Received"),
                started_at=received,
                finished_at=received + dt.timedelta(seconds=seconds),
                seconds=seconds,
            ),
            StagePublic(
                code="review",
                name=LocalizedText(zh="审查", en="Review"),
                started_at=received,
                seconds=seconds,
            ),
        ],
    )


def test_an_open_case_past_its_promise_says_it_is_overdue(qtbot: QtBot) -> None:
    screen = ProgressScreen()
    qtbot.addWidget(screen)
    screen.show()
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    screen.show_progress(_case("accepted", received, 0.3))
    text = screen.visible_text()
    assert "不到1分钟" in text and "0秒" not in text
    assert screen.deadline.text().startswith("承诺 ")
    assert screen.overdue.isVisible() and "已超过承诺时限" in screen.overdue.text()
    screen.set_language("en")
    assert "past the promised date" in screen.overdue.text()
    assert "under a minute" in screen.visible_text()


def test_a_decided_case_is_never_overdue_and_long_stages_show_hours(qtbot: QtBot) -> None:
    screen = ProgressScreen()
    qtbot.addWidget(screen)
    screen.show()
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    screen.show_progress(_case("approved", received, 2 * 3600 + 300))
    assert not screen.overdue.isVisible()
    assert screen.deadline.text() == "已办结"
    assert "2小时5分" in screen.visible_text()
