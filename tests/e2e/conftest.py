"""The whole terminal, built by its composition root, on real parts.

The embedded hall serves over loopback HTTP, the card reader is the real SAM driver on a pty fed by
the simulator, the receipt printer is the real ESC/POS driver writing to a loopback TCP listener,
certificates go to the real CUPS PDF queue, and submissions pass through the real outbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.a4.cupsd import CupsSetup
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, cups_pdf: CupsSetup) -> Iterator[KioskApp]:
    """A started terminal in a 1920x1080 window; stopped (every thread joined) at teardown."""
    settings = load_settings(
        tmp_path / "kiosk.toml" if (tmp_path / "kiosk.toml").exists() else None,
        storage={"data_dir": tmp_path / "data"},
        terminal={"full_screen": False, "decision_wait_s": 4.0},
        devices={"id_reader": {"poll_interval_s": 0.1}},
    )
    app = build_app(settings)
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    qtbot.waitUntil(lambda: app.keys() != {}, timeout=10_000)
    try:
        yield app
    finally:
        app.stop()
