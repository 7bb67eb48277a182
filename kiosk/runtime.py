"""Running the terminal with a display: the full-screen window, optionally the simulator panel.

Under systemd (``Type=notify``) ``READY=1`` goes out once the attract screen has been painted and
``WATCHDOG=1`` from the GUI event loop (:mod:`kiosk.watchdog`); without ``$NOTIFY_SOCKET`` both are
no-ops. The exit status says how the loop ended: 0 only for a stop that was asked for (SIGTERM,
SIGINT, ``app.exit(0)`` from the app itself); a loop that ended any other way (the last window
closed) is :data:`EXIT_UNEXPECTED`, so even ``Restart=on-failure`` brings the terminal back.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from kiosk import allocator
from kiosk.app import build_app
from kiosk.config import KioskSettings
from kiosk.services.fleet import RESTART_EXIT_CODE
from kiosk.services.watchdog import SystemdNotifier
from kiosk.watchdog import UiWatchdog

log = logging.getLogger(__name__)

EXIT_UNEXPECTED = 3
"""The event loop ended without a stop request (window closed by the window system)."""


def run_gui(
    settings: KioskSettings,
    *,
    with_simulator_panel: bool,
    notifier: SystemdNotifier | None = None,
) -> int:
    """Show the terminal until the process is told to stop; returns the exit status."""
    started = time.monotonic()
    # Before Qt's and the app's threads start: each would otherwise open a malloc arena of its own.
    allocator.apply_policy()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    notifier = notifier or SystemdNotifier()
    kiosk = build_app(settings)
    kiosk.start()
    watchdog = UiWatchdog(notifier, kiosk.liveness)
    if settings.terminal.full_screen:
        # Kiosk images often run without a window manager, which is what honours "full screen":
        # take the whole screen's geometry first so the window fills it either way.
        kiosk.window.lock_down()
        # The citizen touches; a pointer only distracts (maintenance mode runs in the same window).
        app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
        screen = app.primaryScreen()
        if screen is not None:
            kiosk.window.setGeometry(screen.geometry())
        kiosk.window.showFullScreen()
        # Unmanaged windows get the keyboard only when asked (no window manager gives it).
        kiosk.window.activateWindow()
    else:
        kiosk.window.resize(1920, 1080)
        kiosk.window.show()
    panel = None
    if with_simulator_panel:
        from kiosk.ui.sim_panel import SimulatorPanelWidget

        panel = SimulatorPanelWidget(kiosk)
        panel.show()
        panel.move(0, max(0, kiosk.window.height() // 2 - panel.height() // 2))
    stop_requested = False

    def request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        notifier.stopping()
        kiosk.window.closing_allowed = True
        # exit(), not quit(): Qt 6 quit() first asks every window to close, and the locked
        # window refuses.
        app.exit(0)

    def on_first_turn() -> None:
        # The first turn of the event loop runs after the attract screen's first paint.
        log.info("attract screen shown %.2f s after start", time.monotonic() - started)
        notifier.ready("attract screen shown")
        watchdog.start()

    # Ctrl-C and SIGTERM end the event loop cleanly; the watchdog timer lets Python see them.
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    QTimer.singleShot(0, on_first_turn)
    try:
        status = app.exec()
    finally:
        watchdog.stop()
        kiosk.window.release_lockdown()
        kiosk.stop()
        notifier.close()
    if status == RESTART_EXIT_CODE:
        # The hall's `restart` command: a fresh process in place of this one, same arguments.
        log.info("restarting: a fresh process in place of this one")
        # The malloc policy goes in the environment: the fresh process reads it at its first malloc.
        argv = [sys.executable, *sys.argv]
        os.execve(sys.executable, argv, allocator.environment(os.environ))  # noqa: S606 - our own argv
    if status == 0 and not stop_requested:
        log.error("the window closed without a stop request: exiting %d", EXIT_UNEXPECTED)
        return EXIT_UNEXPECTED
    return status
