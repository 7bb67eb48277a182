"""Words a citizen reads: plurals right, no "took 0 s", and the rating's five levels."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

import assets
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.strings import STRINGS, duration, tr


def test_one_working_day_is_singular_and_more_are_plural(qtbot: QtBot) -> None:
    window = KioskWindow(("区政务服务中心", "District Service Centre"))
    qtbot.addWidget(window)
    window.set_language("en")
    window.result.set_result("accepted", "DEMO01-1", offline=False, promised_days=1)
    # Whole words: the sentence may go on after "day" with a space or end with a full stop.
    one = window.result.detail.text()
    assert re.search(r"\bwithin 1 working day\b(?!s)", one), one
    window.result.set_result("accepted", "DEMO01-1", offline=False, promised_days=5)
    five = window.result.detail.text()
    assert re.search(r"\bwithin 5 working days\b", five), five
    item = assets.load_catalog().item("sole-proprietor-registration")
    window.guide.set_item(item)
    meta = window.guide.meta.text()
    assert "working days" in meta or "working day " in meta
    assert "1 working days" not in meta


def test_a_stage_that_took_no_time_does_not_say_0_seconds() -> None:
    assert duration(0, "zh") == "不到1秒" and duration(0.4, "en") == "under 1 s"
    assert duration(7, "en") == "7 s" and duration(61, "zh") == "1分1秒"


def test_the_five_levels_are_the_national_scheme_s_words() -> None:
    assert [tr(f"rate_level_{n}", "zh") for n in (5, 4, 3, 2, 1)] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    # Every new word has both languages (the strings are converted to Qt Linguist later).
    assert all(STRINGS.values())  # each English: tests/ui/test_translations.py
