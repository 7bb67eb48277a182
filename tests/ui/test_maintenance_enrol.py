"""Enrolling a running terminal from maintenance mode: the code typed on the screen's own pad.

The terminal starts against a real hall (loopback HTTP) without an enrolment, so the hall refuses
its requests; the technician opens maintenance mode, types the one-time code from
``kiosk-hall enrol-code`` on the on-screen pad, and the same running terminal signs at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.services.enrolment import normalise_code
from kiosk.services.maintenance import hash_pin
from kiosk.ui.maintenance.mode import ENROL_PAGE, MaintenanceMode
from offline_cache.errors import HallUnavailableError
from offline_cache.identity import NotEnrolledError, enrol, identity_dir, load_identity
from tests.fixtures.hall import HallUnderTest

PIN = "246810"
KIOSK_ID = "MALL07"


@pytest.fixture
def kiosk(
    qtbot: QtBot, tmp_path: Path, hall_server: HallUnderTest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KioskApp]:
    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""[terminal]
id = "{KIOSK_ID}"
full_screen = false
tap_guard_ms = 0

[hall]
embedded = false
url = "{hall_server.base_url}"

[storage]
data_dir = "{tmp_path / "data"}"

[devices.document_printer]
driver = "folder"

[maintenance]
window = "off"  # not the night's restart mid-test, whatever the hour
pin_hash = "{hash_pin(PIN)}"
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


def _open_enrol_page(qtbot: QtBot, mode: MaintenanceMode) -> None:
    for _ in range(5):
        QTest.mouseClick(mode.hot_corner, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    pad = mode.pin_pad
    qtbot.waitUntil(lambda: pad.ok_button.isEnabled())
    with qtbot.waitSignal(mode.opened, timeout=10_000):
        for digit in PIN:
            qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(mode.screen.page_buttons[ENROL_PAGE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not enrolled" in mode.screen.enrol_state.text(), timeout=5_000)


def _type_code(qtbot: QtBot, mode: MaintenanceMode, code: str) -> None:
    for ch in code.replace("-", ""):
        qtbot.mouseClick(mode.screen.enrol_keys[ch], Qt.MouseButton.LeftButton)


def test_a_code_typed_in_maintenance_mode_enrols_the_running_terminal(
    qtbot: QtBot, kiosk: KioskApp, hall_server: HallUnderTest
) -> None:
    # Not enrolled yet: the hall refuses the terminal's unsigned requests.
    with pytest.raises(HallUnavailableError):
        kiosk.client.catalog()
    mode = kiosk.maintenance
    assert mode is not None
    _open_enrol_page(qtbot, mode)
    assert KIOSK_ID in mode.screen.enrol_hint.text()
    code = hall_server.enrolment_code(KIOSK_ID)
    _type_code(qtbot, mode, code)
    assert mode.screen.enrol_code.text() == code
    with qtbot.waitSignal(mode.enrolled, timeout=10_000) as enrolled:
        qtbot.mouseClick(mode.screen.enrol_button, Qt.MouseButton.LeftButton)
    assert enrolled.args == [KIOSK_ID]
    assert "Enrolled" in mode.screen.enrol_state.text()
    assert mode.screen.enrol_code.text() == ""
    # The same running terminal now signs: the hall takes its requests without a restart.
    assert kiosk.client.catalog().version
    assert kiosk.client.signed


def test_a_used_code_is_refused_and_a_mistyped_one_never_leaves_the_terminal(
    qtbot: QtBot, kiosk: KioskApp, hall_server: HallUnderTest, tmp_path: Path
) -> None:
    mode = kiosk.maintenance
    assert mode is not None
    _open_enrol_page(qtbot, mode)
    _type_code(qtbot, mode, "ABCD2345")
    qtbot.mouseClick(mode.screen.enrol_button, Qt.MouseButton.LeftButton)
    assert "16 characters" in mode.screen.enrol_message.text()
    mode.screen.clear_code()
    # A code another terminal has already used.
    used = hall_server.enrolment_code(KIOSK_ID)
    enrol(hall_server.base_url, used, tmp_path / "another-terminal")
    _type_code(qtbot, mode, used)
    qtbot.mouseClick(mode.screen.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refused" in mode.screen.enrol_message.text(), timeout=10_000)
    assert mode.screen.enrol_button.isEnabled()
    assert not kiosk.client.signed
    with pytest.raises(NotEnrolledError):
        load_identity(identity_dir(kiosk.settings.storage.resolved_key_file))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd efgh ijkl mnop", "ABCD-EFGH-IJKL-MNOP"),
        ("ABCD-EFGH-IJKL-MNOP", "ABCD-EFGH-IJKL-MNOP"),
        ("ABCDEFGHIJKLMNO", None),
        ("ABCD-EFGH-IJKL-MN0P", None),  # 0 is not base32: mistyped O
        ("ABCD-EFGH-IJKL-MNOP-Q", None),
    ],
)
def test_codes_are_read_the_way_the_hall_prints_them(typed: str, expected: str | None) -> None:
    assert normalise_code(typed) == expected
