"""Running the terminal with a display: the full-screen window, optionally the simulator panel."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.app import build_app
from kiosk.config import KioskSettings
from kiosk.services.fleet import RESTART_EXIT_CODE

log = logging.getLogger(__name__)


def run_gui(settings: KioskSettings, *, with_simulator_panel: bool) -> int:
    """Show the terminal until the window closes or the process is told to stop."""
    started = time.monotonic()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    kiosk = build_app(settings)
    kiosk.start()
    if settings.terminal.full_screen:
        # Kiosk images often run without a window manager, which is what honours "full screen":
        # take the whole screen's geometry first so the window fills it either way.
        screen = app.primaryScreen()
        if screen is not None:
            kiosk.window.setGeometry(screen.geometry())
        kiosk.window.showFullScreen()
    else:
        kiosk.window.resize(1920, 1080)
        kiosk.window.show()
    panel = None
    if with_simulator_panel:
        from kiosk.ui.sim_panel import SimulatorPanelWidget

        panel = SimulatorPanelWidget(kiosk)
        panel.show()
        panel.move(0, max(0, kiosk.window.height() // 2 - panel.height() // 2))
    log.info("attract screen shown %.2f s after start", time.monotonic() - started)
    # Ctrl-C and SIGTERM end the event loop cleanly; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    pulse = QTimer()
    pulse.start(250)
    pulse.timeout.connect(lambda: None)
    try:
        status = app.exec()
    finally:
        kiosk.stop()
    if status == RESTART_EXIT_CODE:
        # The hall's `restart` command: a fresh process in place of this one, same arguments.
        log.info("restarting at the hall's request")
        os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - our own argv
    return status
