"""The real terminal and its embedded hall: 呼叫工作人员, lock and unlock, a desired config.

Built by the composition root from a TOML file on simulated devices, with the embedded hall it
enrols with and signs every request to; staff act on the hall's database through ``hall.fleet``,
as the dashboard does. Qt offscreen, waits by ``qtbot.waitUntil``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from devices.idcard.demo_cards import demo_card
from hall import fleet
from hall.db import Database
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings

WAIT_MS = 20_000


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KioskApp]:
    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""[terminal]
full_screen = false
tap_guard_ms = 0
staff_phone = "12345"

[storage]
data_dir = "{tmp_path / "data"}"
heartbeat_interval_s = 5

[devices.id_reader]
poll_interval_s = 0.1

[devices.document_printer]
driver = "folder"

[maintenance]
window = "off"  # not the night's restart mid-test, whatever the hour
""",
        encoding="utf-8",
    )
    app = build_app(load_settings(config))
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    try:
        yield app
    finally:
        app.stop()


def _staff(kiosk: KioskApp, act: Callable[[Session], Any]) -> Any:
    assert kiosk.hall is not None
    db = Database(kiosk.hall.settings.database_url)
    try:
        with db.write() as session:
            return act(session)
    finally:
        db.dispose()


def _banner(kiosk: KioskApp) -> str:
    return kiosk.window.banner.text() if kiosk.window.banner.isVisible() else ""


def test_staff_call_says_notified_only_after_the_hall_took_it_then_who_came(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    now = dt.datetime.now(dt.UTC)
    kiosk.window.header.staff_button.click()
    # Until the hall has answered, the screen says it is trying, not that staff were told.
    assert _banner(kiosk).startswith("正在联系工作人员")
    qtbot.waitUntil(lambda: _banner(kiosk).startswith("已通知工作人员"), timeout=WAIT_MS)
    [alert] = [a for a in _staff(kiosk, fleet.open_alerts) if a.kind == "staff_called"]
    assert alert.kind == "staff_called" and alert.kiosk_id == kiosk.settings.terminal.id
    _staff(kiosk, lambda s: fleet.acknowledge_alert(s, alert.id, "李明", now=now))
    qtbot.waitUntil(lambda: _banner(kiosk).startswith("工作人员已收到"), timeout=WAIT_MS)

    # The hall gone: the screen says the call did not go and what to do instead.
    assert kiosk.hall is not None
    kiosk.hall.stop()
    kiosk.window.header.staff_button.click()
    qtbot.waitUntil(lambda: _banner(kiosk).startswith("暂时联系不上工作人员"), timeout=WAIT_MS)
    assert "12345" in _banner(kiosk) and "已通知" not in _banner(kiosk)


def test_the_hall_locks_and_unlocks_the_terminal_and_sets_its_idle_time(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, nav = kiosk.window, kiosk.controller.navigator
    kiosk_id = kiosk.settings.terminal.id
    now = dt.datetime.now(dt.UTC)
    version = _staff(
        kiosk,
        lambda s: fleet.set_desired_config(
            s,
            f"terminal:{kiosk_id}",
            {"idle_warning_s": 240, "receipt_cut": "full"},
            "王芳",
            now=now,
        ),
    )
    lock = _staff(kiosk, lambda s: fleet.queue_command(s, kiosk_id, "lock", "王芳", now=now))
    kiosk.sync.run_housekeeping_now()
    qtbot.waitUntil(lambda: w.current_screen() is nav.out_of_service, timeout=WAIT_MS)
    assert "本机暂停服务" in nav.out_of_service.visible_text()
    qtbot.waitUntil(lambda: nav.idle.warning_after_s == 240, timeout=WAIT_MS)
    # A card laid on the reader starts no session while out of service.
    assert kiosk.card_simulator is not None
    watcher = kiosk.controller.services.card_watcher
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT_MS):
        kiosk.card_simulator.insert(demo_card("elder"))
    assert w.current_screen() is nav.out_of_service and nav.session.card is None
    kiosk.card_simulator.remove()

    def reported() -> bool:
        kiosk.sync.run_housekeeping_now()
        [state] = _staff(kiosk, lambda s: fleet.commands(s, kiosk_id))
        listed = _staff(kiosk, lambda s: fleet.list_terminals(s, now=dt.datetime.now(dt.UTC)))
        beat = listed.terminals[0].heartbeat
        return bool(state.status == "done" and beat.locked and beat.config_version == version)

    qtbot.waitUntil(reported, timeout=WAIT_MS)
    listed = _staff(kiosk, lambda s: fleet.list_terminals(s, now=dt.datetime.now(dt.UTC)))
    assert listed.terminals[0].heartbeat.config_problem == "not applied at run time: receipt_cut"
    assert lock.kind == "lock"

    _staff(kiosk, lambda s: fleet.queue_command(s, kiosk_id, "unlock", "王芳", now=now))
    kiosk.sync.run_housekeeping_now()
    qtbot.waitUntil(lambda: w.current_screen() is w.attract, timeout=WAIT_MS)


def test_commands_print_a_test_page_refresh_the_catalog_and_upload_a_masked_log(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    kiosk_id = kiosk.settings.terminal.id
    now = dt.datetime.now(dt.UTC)
    # An ID number that found its way into a warning: the uploaded log masks it.
    logging.getLogger("kiosk.test").warning("reader hiccup on card 11010519491231002X")
    kinds = ("print_test_page", "refresh_catalog", "upload_log")
    queued = [
        _staff(kiosk, lambda s, kind=kind: fleet.queue_command(s, kiosk_id, kind, "王芳", now=now))
        for kind in kinds
    ]

    def all_done() -> bool:
        kiosk.sync.run_housekeeping_now()
        states = {c.command_id: c for c in _staff(kiosk, lambda s: fleet.commands(s, kiosk_id))}
        return all(states[c.command_id].status == "done" for c in queued)

    qtbot.waitUntil(all_done, timeout=WAIT_MS)
    states = {c.kind: c for c in _staff(kiosk, lambda s: fleet.commands(s, kiosk_id))}
    assert states["print_test_page"].detail == "receipt test page printed"
    assert states["refresh_catalog"].detail.startswith("catalog ")
    assert kiosk.receipt_simulator is not None and len(kiosk.receipt_simulator.jobs) == 1
    [(_, text)] = _staff(kiosk, lambda s: fleet.terminal_logs(s, kiosk_id))
    assert "110105********002X" in text and "11010519491231002X" not in text


def test_the_halls_restart_waits_for_the_citizen_to_finish(qtbot: QtBot, kiosk: KioskApp) -> None:
    from kiosk.ui.fleet import FleetBridge

    restarts: list[str] = []
    bridge = kiosk.controller.navigator.findChild(FleetBridge)
    assert bridge is not None
    # The real exit would end the test's own event loop; the restart it would do is kept.
    bridge.exit_app = lambda: restarts.append("restart")
    nav, kiosk_id = kiosk.controller.navigator, kiosk.settings.terminal.id
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: not nav.at_rest(), timeout=WAIT_MS)
    now = dt.datetime.now(dt.UTC)
    _staff(kiosk, lambda s: fleet.queue_command(s, kiosk_id, "restart", "王芳", now=now))

    def carried_out() -> bool:
        kiosk.sync.run_housekeeping_now()
        [state] = _staff(kiosk, lambda s: fleet.commands(s, kiosk_id))
        return bool(state.status == "done")

    qtbot.waitUntil(carried_out, timeout=WAIT_MS)
    qtbot.wait(200)  # the queued signal has reached the GUI thread by now
    assert restarts == [] and nav.session.card is not None
    kiosk.card_simulator.remove()
    nav.wipe()
    assert restarts == ["restart"]
