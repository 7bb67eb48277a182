"""Maintenance mode on the real terminal: gesture, PIN, status, self-tests, settings, leaving.

The terminal is built by its composition root from a TOML file on simulated devices: the real SAM
driver on a pty, the real ESC/POS driver feeding the loopback printer, a still-image camera, a
folder for A4 pages, and the embedded hall.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.services.maintenance import LOCKOUT_FILE, hash_pin
from kiosk.ui.maintenance.mode import MaintenanceMode

PIN = "246810"
MIN_TARGET_PX = 60
SHOTS = Path("/tmp/maintenance-shots")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The terminal's configuration, with a maintenance PIN set."""
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""# terminal under test
[terminal]
full_screen = false
tap_guard_ms = 0
location_zh = "区政务服务中心"  # as tests/ui/test_screens.py: the header's text fits portrait
location_en = "District Service Centre"

[storage]
data_dir = "{tmp_path / "data"}"

[devices.id_reader]
poll_interval_s = 0.1

[devices.document_printer]
driver = "folder"  # A4 pages as PDFs in a folder

[maintenance]
window = "off"  # not the night's restart mid-test, whatever the hour
pin_hash = "{hash_pin(PIN)}"
max_failures = 3
lockout_s = 60
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def kiosk(qtbot: QtBot, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KioskApp]:
    """A started terminal in a 1920x1080 window; stopped (every thread joined) at teardown."""
    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    app = build_app(load_settings(config_file))
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    try:
        yield app
    finally:
        app.stop()


def _mode(kiosk: KioskApp) -> MaintenanceMode:
    assert kiosk.maintenance is not None
    return kiosk.maintenance


def _tap_corner(mode: MaintenanceMode, times: int = 5) -> None:
    for _ in range(times):
        QTest.mouseClick(mode.hot_corner, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))


def _type_pin(qtbot: QtBot, mode: MaintenanceMode, pin: str) -> None:
    pad = mode.pin_pad
    qtbot.waitUntil(lambda: pad.ok_button.isEnabled())
    for digit in pin:
        qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.ok_button, Qt.MouseButton.LeftButton)


def _open(qtbot: QtBot, mode: MaintenanceMode) -> None:
    _tap_corner(mode)
    assert mode.pin_pad.isVisible()
    with qtbot.waitSignal(mode.opened, timeout=10_000):
        _type_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: "outbox" in mode.screen.rows, timeout=15_000)


def test_four_taps_do_nothing_five_open_the_pad(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _tap_corner(mode, 4)
    assert not mode.pin_pad.isVisible()
    _tap_corner(mode, 1)
    assert mode.pin_pad.isVisible()
    qtbot.mouseClick(mode.pin_pad.cancel_button, Qt.MouseButton.LeftButton)
    assert not mode.pin_pad.isVisible()
    assert kiosk.window.current_screen() is kiosk.window.attract


def test_five_finger_taps_open_the_pad(qtbot: QtBot, kiosk: KioskApp) -> None:
    """On the touch screen: touches become presses for a widget that takes no touch events."""
    mode = _mode(kiosk)
    device = QTest.createTouchDevice()
    for _ in range(5):
        QTest.touchEvent(kiosk.window, device).press(
            0, mode.hot_corner.mapTo(kiosk.window, QPoint(30, 30))
        ).commit()
        QTest.touchEvent(kiosk.window, device).release(
            0, mode.hot_corner.mapTo(kiosk.window, QPoint(30, 30))
        ).commit()
    qtbot.waitUntil(mode.pin_pad.isVisible, timeout=5_000)


def test_wrong_pins_lock_the_pad_without_saying_which_digit(
    qtbot: QtBot, kiosk: KioskApp, config_file: Path
) -> None:
    mode = _mode(kiosk)
    _tap_corner(mode)
    for tries_left in (2, 1):
        _type_pin(qtbot, mode, "135790")
        qtbot.waitUntil(lambda n=tries_left: f"{n} tries left" in mode.pin_pad.message.text())
        assert mode.pin_pad.dots.text() == ""
        assert "135790" not in mode.pin_pad.message.text()
    _type_pin(qtbot, mode, "135790")
    qtbot.waitUntil(lambda: "locked" in mode.pin_pad.message.text())
    assert not mode.pin_pad.ok_button.isVisible()
    assert not mode.active
    assert kiosk.window.current_screen() is kiosk.window.attract
    # The count is on disk, so the lockout holds when the pad is opened again (or after a restart).
    assert (kiosk.settings.storage.data_dir / LOCKOUT_FILE).is_file()
    qtbot.mouseClick(mode.pin_pad.cancel_button, Qt.MouseButton.LeftButton)
    _tap_corner(mode)
    assert "locked" in mode.pin_pad.message.text()
    assert not mode.pin_pad.ok_button.isVisible()


def test_without_a_pin_the_pad_says_how_to_set_one(
    qtbot: QtBot, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("pin_hash")),
        encoding="utf-8",
    )
    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    app = build_app(load_settings(config_file))
    qtbot.addWidget(app.window)
    app.start()
    app.window.show()
    try:
        mode = _mode(app)
        _tap_corner(mode)
        assert mode.pin_pad.isVisible()
        assert "kiosk maintenance set-pin" in mode.pin_pad.message.text()
        assert not mode.pin_pad.ok_button.isVisible()
    finally:
        app.stop()


def test_right_pin_opens_the_screen_with_every_device(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    assert kiosk.window.current_screen() is mode.screen
    assert not mode.pin_pad.isVisible()
    rows = mode.screen.rows
    assert list(rows) == [
        "id_reader",
        "receipt_printer",
        "document_printer",
        "camera",
        "scanner",
        "hall",
        "disk",
        "outbox",
        "voice",
        "face_camera",
    ]
    # The reader, printer and camera were asked through the app's own drivers.
    qtbot.waitUntil(lambda: rows["id_reader"].status.text() == "正常 OK")
    assert rows["receipt_printer"].status.text() == "正常 OK"
    assert rows["camera"].status.text() == "正常 OK"
    assert rows["disk"].status.text() == "正常 OK"


def test_receipt_self_test_prints_on_the_simulated_printer(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    push = mode.screen.rows["receipt_printer"].tests["test_receipt"]
    with qtbot.waitSignal(mode.test_finished, timeout=30_000) as finished:
        qtbot.mouseClick(push, Qt.MouseButton.LeftButton)
    key, ok, text = finished.args
    assert (key, ok) == ("test_receipt", True)
    assert mode.screen.test_result.text() == text
    assert kiosk.receipt_simulator is not None
    [job] = kiosk.receipt_simulator.wait_for_jobs(1, timeout=10)
    assert "打印测试".encode("gb18030") in job


def test_card_self_test_shows_the_number_masked_and_starts_no_session(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    with qtbot.waitSignal(mode.test_finished, timeout=30_000) as finished:
        qtbot.mouseClick(
            mode.screen.rows["id_reader"].tests["test_card"], Qt.MouseButton.LeftButton
        )
        assert kiosk.card_simulator is not None
        card = demo_card("elder")
        number = card.id_number
        kiosk.card_simulator.insert(card)
    key, ok, text = finished.args
    assert (key, ok) == ("test_card", True)
    assert number not in mode.screen.visible_text()
    assert f"{number[:6]}{'*' * 8}{number[-4:]}" in text
    assert kiosk.window.current_screen() is mode.screen
    assert kiosk.controller.session.card is None


def test_scan_self_test_reads_a_code_held_to_the_camera(qtbot: QtBot, kiosk: KioskApp) -> None:
    import cv2
    import numpy as np
    import qrcode

    mode = _mode(kiosk)
    _open(qtbot, mode)
    image = qrcode.make("K001-20261122-00042").get_image().convert("L")
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_GRAY2BGR))
    with qtbot.waitSignal(mode.test_finished, timeout=30_000) as finished:
        qtbot.mouseClick(mode.screen.rows["scanner"].tests["test_scan"], Qt.MouseButton.LeftButton)
    key, ok, text = finished.args
    assert (key, ok) == ("test_scan", True)
    assert "19 characters, K001-2026112…" in text
    assert kiosk.window.current_screen() is mode.screen  # no progress query was started


def test_photo_self_test_shows_a_thumbnail(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    with qtbot.waitSignal(mode.test_finished, timeout=30_000) as finished:
        qtbot.mouseClick(mode.screen.rows["camera"].tests["test_photo"], Qt.MouseButton.LeftButton)
    assert finished.args[1] is True
    assert mode.screen.thumbnail.isVisible()
    assert mode.screen.thumbnail.pixmap().width() > 100
    SHOTS.mkdir(exist_ok=True)
    kiosk.window.grab().save(str(SHOTS / "photo-test.png"))


def test_page_self_test_writes_a_pdf(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    with qtbot.waitSignal(mode.test_finished, timeout=60_000) as finished:
        qtbot.mouseClick(
            mode.screen.rows["document_printer"].tests["test_page"], Qt.MouseButton.LeftButton
        )
    assert finished.args[1] is True, finished.args[2]
    pdfs = list(kiosk.settings.printed_folder.glob("*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes().startswith(b"%PDF")


def test_invalid_setting_shows_the_error_and_saves_nothing(
    qtbot: QtBot, kiosk: KioskApp, config_file: Path
) -> None:
    before = config_file.read_text(encoding="utf-8")
    mode = _mode(kiosk)
    _open(qtbot, mode)
    mode.screen.show_page(1)
    field = mode.screen.editor.fields["devices.receipt_printer.port"]
    assert field.edit is not None
    field.edit.setText("70000")
    with qtbot.waitSignal(mode.save_finished, timeout=10_000) as finished:
        qtbot.mouseClick(mode.screen.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == [False]
    assert field.error.isVisible()
    assert field.error.text() == "不能大于 65535 · must be at most 65535"
    # The form scrolls to the first error.
    qtbot.waitUntil(lambda: not field.error.visibleRegion().isEmpty())
    SHOTS.mkdir(exist_ok=True)
    kiosk.window.grab().save(str(SHOTS / "settings-error.png"))
    assert config_file.read_text(encoding="utf-8") == before
    assert not config_file.with_name("kiosk.toml.bak").exists()


def test_valid_setting_is_saved_atomically_with_a_backup(
    qtbot: QtBot, kiosk: KioskApp, config_file: Path
) -> None:
    before = config_file.read_text(encoding="utf-8")
    mode = _mode(kiosk)
    _open(qtbot, mode)
    mode.screen.show_page(1)
    editor = mode.screen.editor
    poll = editor.fields["devices.id_reader.poll_interval_s"]
    assert poll.edit is not None
    poll.edit.setText("0.3")
    driver = editor.fields["devices.camera.driver"]
    assert driver.combo is not None
    driver.combo.setCurrentIndex(driver.combo.findText("opencv"))
    with qtbot.waitSignal(mode.save_finished, timeout=10_000) as finished:
        qtbot.mouseClick(mode.screen.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True]
    saved = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert saved["devices"]["id_reader"]["poll_interval_s"] == 0.3
    assert saved["devices"]["camera"]["driver"] == "opencv"
    assert saved["maintenance"]["pin_hash"] == kiosk.settings.maintenance.pin_hash
    assert "# terminal under test" in config_file.read_text(encoding="utf-8")
    assert config_file.with_name("kiosk.toml.bak").read_text(encoding="utf-8") == before
    assert load_settings(config_file).devices.id_reader.poll_interval_s == 0.3
    assert "Restart" in mode.screen.save_message.text()


def test_recent_errors_are_shown_with_id_numbers_masked(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    logging.getLogger("kiosk.test").warning("reader hiccup after 11010519491231002X")
    qtbot.mouseClick(mode.screen.page_buttons[2], Qt.MouseButton.LeftButton)
    text = mode.screen.errors.toPlainText()
    assert "reader hiccup after 110105********002X" in text
    assert "11010519491231002X" not in text


def test_leaving_returns_to_attract_and_clears_everything(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    with qtbot.waitSignal(mode.test_finished, timeout=30_000):
        qtbot.mouseClick(mode.screen.rows["camera"].tests["test_photo"], Qt.MouseButton.LeftButton)
    mode.screen.show_page(1)
    field = mode.screen.editor.fields["devices.receipt_printer.host"]
    assert field.edit is not None
    field.edit.setText("10.0.0.9")
    with qtbot.waitSignal(mode.closed, timeout=5_000):
        qtbot.mouseClick(mode.screen.exit_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.current_screen() is kiosk.window.attract
    assert not mode.active
    assert not kiosk.controller.maintenance_active
    assert mode.screen.rows == {}
    assert mode.screen.editor.fields == {}
    assert not mode.screen.test_result.isVisible() and mode.screen.test_result.text() == ""
    assert mode.screen.thumbnail.pixmap().isNull()
    assert mode.pin_pad.entered == 0 and not mode.pin_pad.isVisible()
    assert "10.0.0.9" not in mode.screen.visible_text()
    # Opening again starts from the status page, with the PIN asked again.
    _tap_corner(mode)
    assert mode.pin_pad.isVisible() and mode.pin_pad.entered == 0


def test_untouched_maintenance_screen_closes_itself(qtbot: QtBot, kiosk: KioskApp) -> None:
    mode = _mode(kiosk)
    _open(qtbot, mode)
    mode._idle_timer.setInterval(300)  # the configured minimum is 30 s; the rule is the same
    mode._idle_timer.start()
    with qtbot.waitSignal(mode.closed, timeout=5_000):
        pass
    assert kiosk.window.current_screen() is kiosk.window.attract


def _undersized(root: QWidget, window: QWidget) -> list[str]:
    area = QRect(QPoint(0, 0), window.size())
    problems = []
    for push in root.findChildren(QPushButton):
        if not push.isVisibleTo(window):
            continue
        rect = QRect(push.mapTo(window, QPoint(0, 0)), push.size())
        if push.height() < MIN_TARGET_PX:
            problems.append(f"{push.text()!r} is {push.height()} px high")
        if not area.contains(rect):
            problems.append(f"{push.text()!r} is cut off at {rect}")
    return problems


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_touch_targets_and_screenshots(
    qtbot: QtBot, kiosk: KioskApp, size: tuple[int, int]
) -> None:
    mode = _mode(kiosk)
    kiosk.window.resize(*size)
    SHOTS.mkdir(exist_ok=True)
    tag = f"{size[0]}x{size[1]}"
    _tap_corner(mode)
    qtbot.mouseClick(mode.pin_pad.digit_buttons["1"], Qt.MouseButton.LeftButton)
    assert _undersized(mode.pin_pad, kiosk.window) == []
    kiosk.window.grab().save(str(SHOTS / f"pin-{tag}.png"))
    qtbot.mouseClick(mode.pin_pad.clear_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(mode.opened, timeout=10_000):
        _type_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: "outbox" in mode.screen.rows, timeout=15_000)
    qtbot.waitUntil(lambda: mode.screen.refresh_button.isEnabled(), timeout=15_000)
    for page in range(3):
        mode.screen.show_page(page)
        assert _undersized(mode.screen.pages.currentWidget(), kiosk.window) == [], page
        kiosk.window.grab().save(str(SHOTS / f"page{page}-{tag}.png"))
    assert _undersized(mode.screen, kiosk.window) == []
    # The maintenance screen itself never forces the window wider or taller than the panel.
    hint = mode.screen.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1]


def test_the_hidden_kiosk_cursor_shows_in_maintenance_mode_and_hides_again(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))  # as `kiosk run` does
    try:
        mode = _mode(kiosk)
        _open(qtbot, mode)
        cursor = QApplication.overrideCursor()
        assert cursor is not None and cursor.shape() == Qt.CursorShape.ArrowCursor
        with qtbot.waitSignal(mode.closed, timeout=5_000):
            qtbot.mouseClick(mode.screen.exit_button, Qt.MouseButton.LeftButton)
        cursor = QApplication.overrideCursor()
        assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    finally:
        while QApplication.overrideCursor() is not None:
            QApplication.restoreOverrideCursor()
