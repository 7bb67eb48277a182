"""The keyboard-wedge filter on a real Qt input field, driven by Qt key events.

Time comes from a clock that moves a fixed step each time the filter reads it, so "as fast as a
scanner" and "as slow as a person" do not depend on how busy the test machine is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.ui.wedge import KeyboardWedge
from tests.ui.test_scan_verify import certificate, started_kiosk

CERT = "ZWCERT1.eyJ2IjoxLCJraWQiOiJoYWxsIn0.c2lnbmF0dXJl-_x"


class SteppingClock:
    """Each reading is ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        self.now = 100.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def field(qtbot: QtBot) -> QLineEdit:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.activateWindow()
    edit.setFocus()
    return edit


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(0.002)  # a scanner: a key every few milliseconds


@pytest.fixture
def wedge(clock: SteppingClock) -> Iterator[KeyboardWedge]:
    filter_ = KeyboardWedge(clock=clock)
    filter_.start()
    filter_.enable(True)
    yield filter_
    filter_.stop()


def test_a_scan_is_reported_and_never_typed_into_the_field(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge
) -> None:
    entered: list[bool] = []
    field.returnPressed.connect(lambda: entered.append(True))
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as scanned:
        QTest.keyClicks(field, CERT)
        QTest.keyClick(field, Qt.Key.Key_Return)
    assert scanned.args == [CERT]
    assert field.text() == ""
    assert entered == []  # the scanner's Enter was part of the scan


def test_a_person_typing_gets_every_letter_in_the_field(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge, clock: SteppingClock
) -> None:
    clock.step = 0.12  # a person: a key every quarter of a second or so
    scans: list[str] = []
    wedge.code_scanned.connect(scans.append)
    with qtbot.waitSignal(field.returnPressed, timeout=2000):
        QTest.keyClicks(field, "Zhang San 1960")
        QTest.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "Zhang San 1960"
    assert scans == []


def test_the_last_typed_letter_lands_once_the_pause_after_it_passes(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge, clock: SteppingClock
) -> None:
    clock.step = 0.12
    QTest.keyClicks(field, "abc")
    qtbot.waitUntil(lambda: field.text() == "abc", timeout=2000)


def test_editing_keys_act_after_the_letters_typed_before_them(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge, clock: SteppingClock
) -> None:
    clock.step = 0.12
    QTest.keyClicks(field, "abcd")
    QTest.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == "abc"


def test_short_fast_bursts_are_typing_not_scans(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge
) -> None:
    scans: list[str] = []
    wedge.code_scanned.connect(scans.append)
    with qtbot.waitSignal(field.returnPressed, timeout=2000):
        QTest.keyClicks(field, "ok")  # two rolled keys, then Enter: below the minimum length
        QTest.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "ok"
    assert scans == []


def test_the_same_code_twice_in_a_row_is_reported_once(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge
) -> None:
    scans: list[str] = []
    wedge.code_scanned.connect(scans.append)
    for _ in range(2):
        QTest.keyClicks(field, CERT)
        QTest.keyClick(field, Qt.Key.Key_Return)
    QTest.keyClicks(field, "SL-20260501-00012")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert scans == [CERT, "SL-20260501-00012"]
    assert field.text() == ""


def test_a_disabled_wedge_swallows_scans_without_reporting_them(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge
) -> None:
    wedge.enable(False)
    assert not wedge.enabled
    scans: list[str] = []
    wedge.code_scanned.connect(scans.append)
    QTest.keyClicks(field, CERT)
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert scans == [] and field.text() == ""


def test_after_stop_keys_go_straight_to_the_field(
    qtbot: QtBot, field: QLineEdit, wedge: KeyboardWedge
) -> None:
    wedge.stop()
    QTest.keyClicks(field, CERT)
    assert field.text() == CERT


def test_a_wedge_scan_of_a_certificate_on_the_terminal_shows_its_check(
    qtbot: QtBot, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    with started_kiosk(qtbot, tmp_path, key, {"driver": "hid-wedge"}) as kiosk:
        wedge = kiosk.controller.services.code_scanner
        assert isinstance(wedge, KeyboardWedge)
        wedge.clock = SteppingClock(0.002)
        w = kiosk.window
        with qtbot.waitSignal(kiosk.controller.certificate_checked, timeout=5000) as checked:
            QTest.keyClicks(w, certificate(key))
            QTest.keyClick(w, Qt.Key.Key_Return)
        assert checked.args == ["genuine"]
        assert w.current_screen() is w.verify
