"""The nightly window's scheduler on the GUI thread: when to run, and the restart after it.

Every ``check_every_ms`` it looks at the local clock: inside the window, on a night that has not
run yet, with the terminal at rest (:meth:`Navigator.at_rest`), it hands the night's steps to a
worker (:class:`kiosk.services.nightly.NightlyMaintenance`). A citizen at the terminal delays the
night until they leave; past the window's end the night is skipped (and logged). A restart the
night asked for also waits for the terminal to be at rest, and is dropped when the window closes
first: the next night asks again. So does a signed update the night staged (its ``update`` step):
at rest, it is handed to the installer (which restarts the app on the new release, or rolls
back), in place of the nightly restart. From the hand-over the terminal stands out of service
("installing an update") so that no citizen starts a visit the restart would cut off; it comes
back by itself when the installer does not take the request within :data:`TAKE_LIMIT_S` (no
``kiosk-update.path`` on this machine: the request is withdrawn), when the install failed
before switching (its outcome is written and this app still runs), or after
:data:`INSTALL_LIMIT_S`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from hall.schema import NightlyReport
from kiosk.services.nightly import MaintenanceWindow, NightlyMaintenance
from kiosk.ui.fleet import exit_for_restart
from kiosk.ui.navigator import Navigator
from kiosk.ui.workers import TaskRunner

log = logging.getLogger(__name__)

CHECK_EVERY_MS = 30_000
TAKE_LIMIT_S = 90.0
"""``kiosk-update.path`` takes a request within a second; past this nobody will."""
INSTALL_LIMIT_S = 2400.0
"""Longer than ``kiosk-update.service``'s ``TimeoutStartSec`` (30 min): the install is over."""


class NightlyScheduler(QObject):
    """Owned by the GUI thread; ``finished`` carries each night's report."""

    finished = Signal(object)
    restarting = Signal(str)
    """The app is about to end for its nightly restart (the reason)."""
    update_applied = Signal()
    """A staged update went to the installer, which restarts the app."""
    update_returned = Signal(str)
    """The terminal is back in service without the restart (why: not taken, failed, too long)."""

    def __init__(
        self,
        navigator: Navigator,
        maintenance: NightlyMaintenance,
        window: MaintenanceWindow,
        runner: TaskRunner,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        restart: Callable[[], None] = exit_for_restart,
        apply_update: Callable[[], bool] | None = None,
        handover_state: Callable[[], str] = lambda: "installing",
        withdraw_update: Callable[[], None] = lambda: None,
        check_every_ms: int = CHECK_EVERY_MS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Check every ``check_every_ms``; ``restart`` ends the app (tests pass their own).

        ``apply_update`` hands a staged update to the installer (on the worker; ``True`` when
        it did); ``handover_state`` says where it stands (``Updater.handover_state``) and
        ``withdraw_update`` takes back a request nobody took.
        """
        super().__init__(navigator)
        self._nav = navigator
        self._maintenance = maintenance
        self._window = window
        self._runner = runner
        self._clock = clock
        self.restart = restart
        """Ends the app for the nightly restart (a test puts a recorder here)."""
        self._running = False
        self._night: dt.date | None = None
        """The night running or last tried by this process (a failed try is not repeated)."""
        self._waiting_for: dt.date | None = None
        self._restart_due: tuple[dt.date, str] | None = None
        self._update_due: dt.date | None = None
        self._apply_update = apply_update
        self._handover_state = handover_state
        self._withdraw_update = withdraw_update
        self.monotonic = monotonic
        """The clock of the install's limits (a test moves it on)."""
        self._installing_since: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        navigator.session_wiped.connect(self.check)

    def start(self) -> None:
        """Begin checking, the first time one interval from now.

        By then the devices have reported: a card lying on the reader at start is a citizen.
        """
        self._timer.start()

    def stop(self) -> None:
        """Stop checking; a night already running finishes on its worker."""
        self._timer.stop()

    @property
    def running(self) -> bool:
        """Whether the night's steps or the install's checks are on the worker now."""
        return self._running

    def check(self) -> None:
        """Start the night, or the restart after it, when it is time and the terminal rests."""
        if self._running:
            return
        if self._installing_since is not None:
            # The installer's files are read on the worker, never on the GUI thread.
            self._running = True
            self._runner.run(self._handover_state, self._on_install_state, self._on_state_failed)
            return
        night = self._window.night_of(self._clock())
        if self._update_due is not None and self._apply_update is not None:
            if night != self._update_due:
                log.info(
                    "update not applied tonight: the window closed before the terminal was free"
                )
                self._update_due = None
            elif self._nav.at_rest():
                self._update_due = None
                self._running = True
                self._runner.run(self._apply_update, self._on_update_done, self._on_update_failed)
            return
        if self._restart_due is not None:
            due_night, reason = self._restart_due
            if night != due_night:
                log.info("nightly restart skipped: the window closed before the terminal was free")
                self._restart_due = None
            elif self._nav.at_rest():
                self._restart_due = None
                log.info("restarting after the nightly maintenance: %s", reason)
                self.restarting.emit(reason)
                self.restart()
            return
        if night is None or night in (self._maintenance.last_night, self._night):
            if self._waiting_for is not None and night is None:
                log.warning(
                    "nightly maintenance for %s skipped: the terminal was in use all window",
                    self._waiting_for.isoformat(),
                )
                self._waiting_for = None
            return
        if not self._nav.at_rest():
            if self._waiting_for != night:
                log.info("nightly maintenance waits for the session to end")
                self._waiting_for = night
            return
        self._waiting_for = None
        self._night = night
        self._running = True
        self._runner.run(
            lambda: self._maintenance.run(night), self._on_night_done, self._on_night_failed
        )

    def _on_night_done(self, report: NightlyReport) -> None:
        self._running = False
        self.finished.emit(report)
        if report.restart and not report.restart.startswith("deferred"):
            self._restart_due = (report.night, report.restart)
        if report.steps.get("update", "").startswith("ok: staged"):
            self._update_due = report.night
        self.check()

    def _on_update_done(self, applied: bool) -> None:
        self._running = False
        if applied:
            # The installer restarts the app on the new release (or rolls back): no restart here.
            log.info("the staged update went to the installer")
            self._restart_due = None
            self._installing_since = self.monotonic()
            self._nav.set_updating(True)
            self.update_applied.emit()
            return
        self.check()

    def _on_install_state(self, state: str) -> None:
        """Back into service when the installer will not restart this app after all."""
        self._running = False
        if self._installing_since is None:
            return
        elapsed = self.monotonic() - self._installing_since
        why = ""
        if state == "waiting" and elapsed > TAKE_LIMIT_S:
            why = (
                f"kiosk-update.service did not take the update within {TAKE_LIMIT_S:.0f} s "
                "(is kiosk-update.path enabled?): it stays staged"
            )
        elif state in ("finished", "none"):
            why = "the install ended without switching releases"
        elif elapsed > INSTALL_LIMIT_S:
            why = f"no restart {INSTALL_LIMIT_S / 60:.0f} min after the hand-over"
        if not why:
            return
        self._installing_since = None
        if state == "waiting":
            # Withdrawn before the terminal serves again, so a late taker finds no request.
            self._running = True
            self._runner.run(
                self._withdraw_update,
                lambda _none: self._back_in_service(why),
                lambda error: self._back_in_service(f"{why} (withdrawing: {type(error).__name__})"),
            )
            return
        self._back_in_service(why)

    def _back_in_service(self, why: str) -> None:
        self._running = False
        log.error("back in service without the update: %s", why)
        self._nav.set_updating(False)
        self.update_returned.emit(why)

    def _on_state_failed(self, error: BaseException) -> None:
        # Unreadable installer files: taken as still installing, so the install limit holds.
        log.error("the installer's state could not be read: %s", type(error).__name__)
        self._on_install_state("installing")

    def _on_update_failed(self, error: BaseException) -> None:
        self._running = False
        log.error("the staged update could not be handed over: %s", type(error).__name__)
        self.check()

    def _on_night_failed(self, error: BaseException) -> None:
        # run() keeps each step's failure to its line; this is a failure of the runner itself.
        self._running = False
        log.error("nightly maintenance could not run: %s", type(error).__name__)


__all__ = ["NightlyScheduler"]
