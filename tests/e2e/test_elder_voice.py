"""长辈版, spoken prompts, the five-level rating and the idle rules, on the real terminal.

The voice speaks through a recording engine (what it was asked to say, in order); everything
else is the e2e terminal's real parts: the card reader on a pty, the embedded hall, the real
event queue the ratings go into.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from kiosk.app import KioskApp
from kiosk.services.session import Step
from kiosk.ui.flows.result import CARD_LIFTED_END_MS
from kiosk.ui.strings import tr
from kiosk.ui.voice import RecordingEngine
from offline_cache.events import EventQueue
from tests.e2e.screens import SCREEN_WAIT, click, rate

WAIT = 15_000


class SpyQueue:
    """The real event queue, remembering what was posted to it."""

    def __init__(self, real: EventQueue) -> None:
        self.real = real
        self.posted: list[tuple[str, dict[str, Any]]] = []
        self.stored: list[str] = []
        """The ids the real queue returned: each event stored durably (fsynced)."""

    def post(self, kind: str, payload: dict[str, Any]) -> str:
        self.posted.append((kind, dict(payload)))
        event_id = self.real.post(kind, payload)
        self.stored.append(event_id)
        return event_id


def _listen(kiosk: KioskApp) -> tuple[RecordingEngine, SpyQueue]:
    engine = RecordingEngine()
    kiosk.controller.navigator.voice.engine = engine
    real = kiosk.controller.services.events
    assert real is not None
    spy = SpyQueue(real)
    kiosk.controller.services.events = spy  # type: ignore[assignment]
    return engine, spy


def _to_result(qtbot: QtBot, kiosk: KioskApp, card: str, item_id: str) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card(card))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=SCREEN_WAIT)
    click(qtbot, w.choose.reveal(item_id))
    click(qtbot, w.guide.start_button)
    if kiosk.controller.session.step is Step.MATERIALS:
        click(qtbot, w.capture.take_button)
        qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
        click(qtbot, w.capture.use_button)
    with qtbot.waitSignal(kiosk.controller.result_shown, timeout=WAIT):
        click(qtbot, w.review.submit_button)
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)


def test_an_older_citizen_hears_each_screen_and_rates_in_two_steps(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    engine, spy = _listen(kiosk)
    w, nav = kiosk.window, kiosk.controller.navigator

    def heard(*parts: str) -> None:
        qtbot.waitUntil(
            lambda: bool(engine.said) and all(p in engine.texts()[-1] for p in parts),
            timeout=WAIT,
        )

    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=SCREEN_WAIT)
    assert w.elder_mode and nav.voice.enabled
    item = kiosk.catalog().item("elder-card")
    # Each screen's title and its next step, as the citizen meets them. Elder mode's choose
    # screen shows the three most used items and "more": the first page's items are said.
    shown = [push.text().split("\n")[0] for push in w.choose.shown_buttons()]
    assert 0 < len(shown) <= 3 and w.choose.pages > 1
    more = tr("choose_more", "zh", page=1, pages=w.choose.pages)
    heard(tr("choose_title", "zh"), *shown, more)
    click(qtbot, w.choose.reveal("elder-card"))
    heard(item.name.zh, tr("voice_next", "zh", action=tr("start", "zh")))
    click(qtbot, w.guide.start_button)
    heard(tr("review_title", "zh"), tr("voice_next", "zh", action=tr("submit", "zh")))
    with qtbot.waitSignal(kiosk.controller.result_shown, timeout=WAIT):
        click(qtbot, w.review.submit_button)
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)
    heard(w.result.outcome.text(), tr("voice_next", "zh", action=tr("done", "zh")))
    assert not any("110105" in text for text in engine.texts()), "an ID number was spoken"

    # Repeat says the result again; mute stops it and says nothing more until unmuted.
    count = len(engine.said)
    click(qtbot, w.header.repeat_button)
    assert engine.said[count:] == [engine.said[count - 1]]
    click(qtbot, w.header.mute_button)
    assert nav.voice.muted and engine.stops >= 1
    assert w.header.mute_button.text() == tr("voice_unmute", "zh")
    click(qtbot, w.result.done_button)
    qtbot.waitUntil(lambda: w.current_screen() is w.rate, timeout=WAIT)
    qtbot.wait(50)
    assert not any(tr("rate_title", "zh") in t for t in engine.texts()[count + 1 :])
    click(qtbot, w.header.mute_button)
    assert tr("rate_title", "zh") in engine.texts()[-1]

    # Elder mode: at most four choices a screen, nothing preselected.
    choices = [p for p in w.rate.findChildren(QPushButton) if p.isVisibleTo(w.rate)]
    assert len(choices) <= 4
    assert not any(p.objectName() == "primary" or p.hasFocus() for p in choices)
    with qtbot.waitSignal(kiosk.controller.session_wiped, timeout=WAIT):
        rate(qtbot, w.rate, 2, reasons=("slow", "device"))
    assert len(spy.posted) == 1
    kind, payload = spy.posted[0]
    assert kind == "rating"
    assert set(payload) == {
        "level",
        "reasons",
        "item_id",
        "case_number",
        "journey",
        "visit_seconds",
    }
    assert payload["level"] == 2 and payload["reasons"] == ["slow", "device"]
    assert payload["item_id"] == "elder-card" and payload["journey"] == "apply"
    assert str(payload["case_number"]).startswith("DEMO01-")
    assert payload["visit_seconds"] is None or payload["visit_seconds"] >= 0
    assert "110105" not in repr(payload)
    # The event went into the real, durable queue (on the outbox worker).
    # Counting the queue's rows raced the sync worker: the embedded hall may already have
    # taken the event, and a delivered event leaves the queue.
    qtbot.waitUntil(lambda: len(spy.stored) == 1, timeout=WAIT)
    # The wipe ends elder mode and the voice.
    assert not w.elder_mode and not nav.voice.enabled and not nav.voice.muted


def test_the_elder_button_enlarges_the_attract_screen_and_stays_for_a_younger_card(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    engine, _spy = _listen(kiosk)
    w = kiosk.window
    standard = w.attract.title.font().pixelSize()
    click(qtbot, w.attract.elder_button)
    assert w.elder_mode
    assert w.attract.title.font().pixelSize() >= 1.5 * standard
    qtbot.waitUntil(lambda: bool(engine.said), timeout=WAIT)
    assert tr("attract_title", "zh") in engine.texts()[-1]
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))  # under 60: elder mode stays, as asked
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=SCREEN_WAIT)
    assert w.elder_mode
    labels = [lab for lab in w.choose.findChildren(QLabel) if lab.isVisibleTo(w)]
    assert min(lab.font().pixelSize() for lab in labels if lab.text()) >= 36
    click(qtbot, w.header.elder_button)  # and back to the standard size
    assert not w.elder_mode and not kiosk.controller.navigator.voice.enabled


def test_the_idle_warning_gives_twenty_seconds_and_can_be_extended_again_and_again(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=SCREEN_WAIT)
    session = ctl.session
    assert ctl.idle.countdown_s >= 20
    for _ in range(12):
        ctl.idle.last_activity -= ctl.idle.warning_after_s + 1
        qtbot.waitUntil(w.overlay.isVisible, timeout=WAIT)
        assert int(w.overlay.count.text()) >= 20
        click(qtbot, w.overlay.stay)
        assert not w.overlay.isVisible()
    assert ctl.session is session and session.card is not None
    # Elder mode waits longer still.
    warning = ctl.idle.warning_after_s
    click(qtbot, w.header.elder_button)
    assert ctl.idle.warning_after_s > warning


def test_lifting_the_card_at_the_rating_ends_the_session_unrated(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    _engine, spy = _listen(kiosk)
    w, ctl = kiosk.window, kiosk.controller
    _to_result(qtbot, kiosk, "adult", "si-insured-certificate")
    click(qtbot, w.result.done_button)
    assert w.current_screen() is w.rate
    # Standard mode: the five levels at once, none preselected.
    levels = [p for p in w.rate.level_buttons.values() if p.isVisibleTo(w.rate)]
    assert [p.text() for p in levels] == [tr(f"rate_level_{n}", "zh") for n in (5, 4, 3, 2, 1)]
    assert all(p.objectName() == "rateLevel" for p in levels)
    assert CARD_LIFTED_END_MS <= 10_000
    assert kiosk.card_simulator is not None
    with qtbot.waitSignal(ctl.session_wiped, timeout=CARD_LIFTED_END_MS + WAIT):
        kiosk.card_simulator.remove()
    assert w.current_screen() is w.attract
    assert spy.posted == [], "walking away recorded a rating"


def test_walking_away_from_the_rating_records_nothing(qtbot: QtBot, kiosk: KioskApp) -> None:
    _engine, spy = _listen(kiosk)
    w, ctl = kiosk.window, kiosk.controller
    _to_result(qtbot, kiosk, "adult", "si-insured-certificate")
    click(qtbot, w.result.done_button)
    click(qtbot, w.rate.level_buttons[1])  # a reason screen, then the citizen leaves
    assert w.rate.stage == "reasons"
    ctl.idle.last_activity -= ctl.idle.warning_after_s + ctl.idle.countdown_s + 1
    qtbot.waitUntil(lambda: w.current_screen() is w.attract, timeout=WAIT)
    assert spy.posted == []
    assert w.rate.stage == "levels" and w.rate.ticked() == []
