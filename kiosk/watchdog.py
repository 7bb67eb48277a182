"""The UI thread's watchdog: a QTimer on the GUI event loop pings systemd and ticks liveness.

The ping comes from the event loop itself, not from a helper thread: if the GUI thread blocks
(a stuck call, a deadlock), the timer stops firing, systemd misses ``WATCHDOG=1`` for
``WatchdogSec`` and restarts the unit, and the heartbeat reports the UI as frozen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from kiosk.services.watchdog import SystemdNotifier, UiLiveness

TICK_MS = 1000
"""How often liveness ticks when no watchdog interval asks for faster."""


class UiWatchdog(QObject):
    """Tick ``liveness`` and ping ``notifier`` from the GUI thread's event loop."""

    def __init__(
        self,
        notifier: SystemdNotifier,
        liveness: UiLiveness,
        parent: QObject | None = None,
    ) -> None:
        """Create the timer on the GUI thread; :meth:`start` starts it."""
        super().__init__(parent)
        self.notifier = notifier
        self.liveness = liveness
        self.pings = 0
        interval = notifier.ping_interval_s
        self._ping = interval is not None
        ms = TICK_MS if interval is None else max(50, min(TICK_MS, int(interval * 1000)))
        self._timer = QTimer(self)
        self._timer.setInterval(ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def interval_ms(self) -> int:
        """The timer's interval."""
        return self._timer.interval()

    def start(self) -> None:
        """Tick now and then on every interval."""
        self._on_timer_timeout()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer."""
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.liveness.tick()
        if self._ping and self.notifier.notify("WATCHDOG=1"):
            self.pings += 1
