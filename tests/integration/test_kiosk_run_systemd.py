"""``kiosk run`` as systemd runs it: READY=1 once the attract screen is up, WATCHDOG=1 from the
event loop, STOPPING=1 and status 0 on SIGTERM; a window closed by the window system exits
non-zero (so the unit brings it back) and a locked-down window refuses to close at all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import load_settings
from kiosk.runtime import EXIT_UNEXPECTED, run_gui
from kiosk.services.watchdog import SystemdNotifier

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, *, full_screen: bool) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"[terminal]\nfull_screen = {'true' if full_screen else 'false'}\n"
        f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
        '[devices.document_printer]\ndriver = "folder"\n'
        "[ocr]\ncheck_materials = false\n"
    )
    return config


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(60.0)
    yield sock, path
    sock.close()


def test_kiosk_run_notifies_ready_pings_and_stops_cleanly(
    tmp_path: Path, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, path = notify_socket
    env = {
        **os.environ,
        "NOTIFY_SOCKET": path,
        "WATCHDOG_USEC": "1000000",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    config = write_config(tmp_path, full_screen=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        messages = [sock.recv(4096)]
        assert messages[0].startswith(b"READY=1"), messages
        # The pings follow from the event loop, half a WatchdogSec apart.
        for _ in range(3):
            messages.append(sock.recv(4096))
        assert messages[1:] == [b"WATCHDOG=1"] * 3
        proc.send_signal(signal.SIGTERM)
        while (message := sock.recv(4096)) == b"WATCHDOG=1":
            pass
        assert message == b"STOPPING=1"
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]


def test_a_window_closed_from_outside_exits_non_zero(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    settings = load_settings(write_config(tmp_path, full_screen=False))

    def close_windows() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible():
                widget.close()

    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    QTimer.singleShot(500, close_windows)
    try:
        status = run_gui(settings, with_simulator_panel=False, notifier=SystemdNotifier({}))
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert status == EXIT_UNEXPECTED


def test_a_locked_window_refuses_close_and_sigterm_stops_with_zero(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.main_window import KioskWindow

    settings = load_settings(write_config(tmp_path, full_screen=True))
    seen: dict[str, bool] = {}

    def try_to_close() -> None:
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow) and w.locked
        ]
        seen["closed"] = any(w.close() for w in windows)
        seen["visible"] = all(w.isVisible() for w in windows) and bool(windows)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    QTimer.singleShot(500, try_to_close)
    try:
        status = run_gui(settings, with_simulator_panel=False, notifier=SystemdNotifier({}))
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
        QApplication.restoreOverrideCursor()
    assert seen == {"closed": False, "visible": True}
    assert status == 0
