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
def kiosk(
    qtbot: QtBot, tmp_path: Path, cups_pdf: CupsSetup, request: pytest.FixtureRequest
) -> Iterator[KioskApp]:
    """A started terminal in a 1920x1080 window; stopped (every thread joined) at teardown.

    The decision wait is generous (an answer ends it at once, so online tests are not slower
    for it; a busy 2-core CI machine must not turn an approval into a receipt); tests that
    cut the hall mark a short one with ``@pytest.mark.decision_wait(seconds)``. The tap guard
    is off (``@pytest.mark.tap_guard(ms)`` turns it on): tests click as fast as they like. The
    OCR checks of photographed materials are off (``@pytest.mark.ocr_checks`` turns them on):
    the engine's warm-up takes seconds, which journeys about other things need not wait for.
    """
    wait = request.node.get_closest_marker("decision_wait")
    guard = request.node.get_closest_marker("tap_guard")
    ocr_checks = request.node.get_closest_marker("ocr_checks") is not None
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        terminal={
            "full_screen": False,
            "decision_wait_s": wait.args[0] if wait else 30.0,
            "tap_guard_ms": guard.args[0] if guard else 0,
        },
        # No face camera: face match (tests/e2e/test_face_match.py) is off for the journeys
        # about other things, as on a terminal not fitted with one.
        devices={"id_reader": {"poll_interval_s": 0.1}, "face_camera": {"driver": "none"}},
        ocr={"check_materials": ocr_checks},
        # No speech helper per test: tests that listen give the voice a recording engine.
        voice={"engine": "none"},
        # No nightly window: between 03:00 and 04:00 by this machine's clock it would restart
        # the app in the middle of a journey (tests/integration/test_nightly_window.py tests it).
        maintenance={"window": "off"},
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
