"""The nightly window on the real terminal: it waits for the citizen, runs once, tells the hall.

The terminal is built by the composition root from a TOML file (simulated devices, the embedded
hall it enrols with), its window opened a minute ago by the local clock. A citizen's card holds
the night back; the wipe lets it run; the report reaches the hall in the next heartbeat; the
restart the uptime limit asks for waits for the attract screen.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from hall import fleet
from hall.db import Database
from hall.fleet import releases
from hall.schema import HeartbeatCreate
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.ui.nightly import TAKE_LIMIT_S
from kiosk.ui.strings import tr
from offline_cache.updates import APPLY_FILE, RESULT_FILE, ResultFile
from tests.integration.test_hall_releases import make_wheel

WAIT_MS = 30_000


def _config(tmp_path: Path, *, window: str, restart_after_hours: float) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""[terminal]
full_screen = false
tap_guard_ms = 0

[storage]
data_dir = "{tmp_path / "data"}"
heartbeat_interval_s = 5

[devices.id_reader]
poll_interval_s = 0.1

[devices.document_printer]
driver = "folder"

[maintenance]
window = "{window}"
window_minutes = 30
restart_after_hours = {restart_after_hours}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def open_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[KioskApp, list[str]]]:
    """A started terminal whose window opened a minute ago; the restarts it asked for."""
    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    opened = (dt.datetime.now() - dt.timedelta(minutes=1)).strftime("%H:%M")
    # 0.0001 h: any uptime is past the limit, so the night asks for a restart.
    app = build_app(load_settings(_config(tmp_path, window=opened, restart_after_hours=0.0001)))
    qtbot.addWidget(app.window)
    restarts: list[str] = []
    assert app.nightly is not None
    app.nightly.restart = lambda: restarts.append("restart")
    app.window.resize(1920, 1080)
    app.window.show()
    try:
        yield app, restarts
    finally:
        app.stop()


def _publish_for_everyone(kiosk: KioskApp, tmp_path: Path, version: str = "99.0.0") -> None:
    """The embedded hall publishes a newer release for every terminal (signed targets)."""
    assert kiosk.hall is not None
    db = Database(kiosk.hall.settings.database_url)
    try:
        releases.publish(
            db,
            kiosk.hall.app.state.service.key,
            releases.release_files_dir(kiosk.hall.settings.data_dir),
            make_wheel(tmp_path / "published", version),
            version=version,
            now=dt.datetime.now(dt.UTC),
        )
    finally:
        db.dispose()


def _hall_beat(kiosk: KioskApp) -> HeartbeatCreate | None:
    assert kiosk.hall is not None
    db = Database(kiosk.hall.settings.database_url)
    try:
        with db.read() as session:
            listed = fleet.list_terminals(session, now=dt.datetime.now(dt.UTC))
    finally:
        db.dispose()
    return listed.terminals[0].heartbeat if listed.terminals else None


def test_the_night_waits_for_the_citizen_then_runs_once_and_the_hall_hears_of_it(
    qtbot: QtBot, open_window: tuple[KioskApp, list[str]]
) -> None:
    kiosk, restarts = open_window
    nav, scheduler = kiosk.controller.navigator, kiosk.nightly
    assert scheduler is not None and kiosk.card_simulator is not None
    # A citizen is at the terminal when the app starts inside the window.
    kiosk.card_simulator.insert(demo_card("elder"))
    kiosk.start()
    qtbot.waitUntil(lambda: not nav.at_rest(), timeout=WAIT_MS)
    scheduler.check()
    assert not scheduler.running
    assert kiosk.controller.navigator.at_rest() is False
    assert restarts == [] and kiosk.window.current_screen() is not kiosk.window.attract

    # The citizen leaves: the wipe lets the night run.
    kiosk.card_simulator.remove()
    with qtbot.waitSignal(scheduler.finished, timeout=WAIT_MS) as night:
        nav.wipe()
    report = night.args[0]
    assert report.night == dt.date.today() or report.night == dt.date.today() - dt.timedelta(1)
    assert list(report.steps) == [
        "checkpoint",
        "vacuum",
        "retention",
        "catalog",
        "update",
        "self_test",
    ], report.steps
    # The hall offers nothing newer than the version running.
    assert report.steps["update"].startswith("ok: up to date"), report.steps
    assert report.steps["checkpoint"].startswith("ok")
    assert report.steps["catalog"].startswith("ok: catalog")
    # The parts were checked through the drivers the app holds open.
    assert report.self_test["id_reader"] == "ok", report.self_test
    assert report.self_test["receipt_printer"].startswith("ok"), report.self_test
    assert report.restart.startswith("up 0.0 h (limit 0.0001 h)")
    # At rest already: the restart follows the night at once, and only once.
    qtbot.waitUntil(lambda: restarts == ["restart"], timeout=WAIT_MS)

    # The report goes to the hall with the next beat.
    def heard() -> bool:
        kiosk.sync.run_housekeeping_now()
        beat = _hall_beat(kiosk)
        return beat is not None and beat.nightly == report

    qtbot.waitUntil(heard, timeout=WAIT_MS)

    # Once a night: later checks inside the same window do nothing more.
    scheduler.check()
    assert not scheduler.running and restarts == ["restart"]


def test_a_restart_the_night_asks_for_waits_for_the_attract_screen(
    qtbot: QtBot, open_window: tuple[KioskApp, list[str]]
) -> None:
    kiosk, restarts = open_window
    nav, scheduler = kiosk.controller.navigator, kiosk.nightly
    assert scheduler is not None and kiosk.card_simulator is not None
    # The night is handed to its worker at rest, and a citizen arrives before it finishes: the
    # worker is held busy until the card has been read.
    gate = threading.Event()
    kiosk.controller.workers.refresh.run(lambda: gate.wait(WAIT_MS / 1000))
    kiosk.start()
    with qtbot.waitSignal(scheduler.finished, timeout=WAIT_MS):
        scheduler.check()
        assert scheduler.running
        kiosk.card_simulator.insert(demo_card("elder"))
        qtbot.waitUntil(lambda: not nav.at_rest(), timeout=WAIT_MS)
        gate.set()
    scheduler.check()
    assert restarts == [], "no restart while a citizen is at the terminal"
    kiosk.card_simulator.remove()
    nav.wipe()
    qtbot.waitUntil(lambda: restarts == ["restart"], timeout=WAIT_MS)


def test_the_night_stages_a_signed_update_and_hands_it_over_at_rest_instead_of_restarting(
    qtbot: QtBot, open_window: tuple[KioskApp, list[str]], tmp_path: Path
) -> None:
    kiosk, restarts = open_window
    scheduler, updater = kiosk.nightly, kiosk.updater
    assert scheduler is not None and updater is not None and kiosk.hall is not None
    # The hall publishes a newer release for every terminal (signed targets, its wheel).
    _publish_for_everyone(kiosk, tmp_path)
    kiosk.start()
    with qtbot.waitSignal(scheduler.update_applied, timeout=WAIT_MS):
        with qtbot.waitSignal(scheduler.finished, timeout=WAIT_MS) as night:
            scheduler.check()
        report = night.args[0]
        assert report.steps["update"].startswith("ok: staged 99.0.0"), report.steps
    # Handed to the root installer through its request file; the installer restarts the app,
    # so the night's own restart (the uptime limit) is not done.
    staged = updater.staged
    assert staged is not None and staged.version == "99.0.0"
    assert (updater.directory / APPLY_FILE).exists()
    qtbot.wait(100)
    assert restarts == []


def test_installing_an_update_stands_out_of_service_until_the_installer_restarts_or_gives_up(
    qtbot: QtBot, open_window: tuple[KioskApp, list[str]], tmp_path: Path
) -> None:
    kiosk, restarts = open_window
    nav, scheduler, updater = kiosk.controller.navigator, kiosk.nightly, kiosk.updater
    assert scheduler is not None and updater is not None and kiosk.hall is not None
    assert kiosk.card_simulator is not None
    _publish_for_everyone(kiosk, tmp_path)
    kiosk.start()
    with qtbot.waitSignal(scheduler.update_applied, timeout=WAIT_MS):
        scheduler.check()
    # From the hand-over the installer will restart the app any minute: no visit may start.
    w = kiosk.window
    assert nav.updating and w.current_screen() is nav.out_of_service
    assert nav.out_of_service.title.text() == tr("updating_title", "zh")
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.wait(1000)
    assert w.current_screen() is nav.out_of_service and nav.session.card is None
    kiosk.card_simulator.remove()

    # The hall's staff see which release the terminal is installing, from its next beat.
    def beat_says(updating: str) -> bool:
        kiosk.sync.run_housekeeping_now()
        beat = _hall_beat(kiosk)
        return beat is not None and beat.updating == updating

    qtbot.waitUntil(lambda: beat_says("99.0.0"), timeout=WAIT_MS)
    # Nobody takes the request (no kiosk-update.path here): past the limit it is withdrawn, the
    # release stays staged, and the terminal serves again.
    scheduler.check()
    qtbot.waitUntil(lambda: not scheduler.running, timeout=WAIT_MS)
    assert nav.updating  # not yet: within the limit
    scheduler.monotonic = lambda: time.monotonic() + TAKE_LIMIT_S + 1
    with qtbot.waitSignal(scheduler.update_returned, timeout=WAIT_MS) as back:
        scheduler.check()
    assert "did not take the update" in back.args[0]
    assert not nav.updating and w.current_screen() is w.attract
    assert not (updater.directory / APPLY_FILE).exists()
    assert updater.staged is not None and updater.staged.version == "99.0.0"
    assert restarts == []
    qtbot.waitUntil(lambda: beat_says(""), timeout=WAIT_MS)


def test_an_install_that_fails_before_switching_brings_the_terminal_back_and_tells_the_hall(
    qtbot: QtBot, open_window: tuple[KioskApp, list[str]], tmp_path: Path
) -> None:
    kiosk, _restarts = open_window
    nav, scheduler, updater = kiosk.controller.navigator, kiosk.nightly, kiosk.updater
    assert scheduler is not None and updater is not None and kiosk.hall is not None
    _publish_for_everyone(kiosk, tmp_path)
    kiosk.start()
    with qtbot.waitSignal(scheduler.update_applied, timeout=WAIT_MS):
        scheduler.check()
    assert nav.updating
    # kiosk-update.service takes the request and its install fails before it switches (a
    # dependency that would not build, say): the outcome is written and this app still runs.
    (updater.directory / APPLY_FILE).unlink()
    scheduler.check()
    qtbot.waitUntil(lambda: not scheduler.running, timeout=WAIT_MS)
    assert nav.updating  # installing: the installer restarts the app when it succeeds
    failed = ResultFile(
        version="99.0.0", outcome="failed", detail="pip failed", at=dt.datetime.now(dt.UTC)
    )
    (updater.directory / RESULT_FILE).write_text(failed.model_dump_json())
    with qtbot.waitSignal(scheduler.update_returned, timeout=WAIT_MS):
        scheduler.check()
    assert not nav.updating and kiosk.window.current_screen() is kiosk.window.attract
    qtbot.waitUntil(lambda: not (updater.directory / RESULT_FILE).exists(), timeout=WAIT_MS)
    db = Database(kiosk.hall.settings.database_url)
    try:
        with db.read() as session:
            [summary] = releases.summaries(session)
    finally:
        db.dispose()
    assert summary.counts["failed"] == 1
