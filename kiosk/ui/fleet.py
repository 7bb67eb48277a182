"""The hall's shadow reaching the screen: the sync thread's news handed to the GUI thread.

``ShadowAgent`` runs on the sync worker; what it learns that the screen must show (a new desired
configuration, lock and unlock, a restart, how staff calls stand) crosses to the GUI thread
through this object's signals (queued connections) and is applied there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from hall.schema import CommandPublic, DesiredConfig, StaffCallPublic
from kiosk.services.fleet import RESTART_EXIT_CODE, OfferedCatalog, apply_to_settings, not_applied
from kiosk.services.idle import IdleClock
from kiosk.ui.navigator import Navigator

log = logging.getLogger(__name__)


def exit_for_restart() -> None:
    """End the event loop with the status on which ``kiosk run`` starts a fresh process."""
    app = QApplication.instance()
    if app is not None:
        app.exit(RESTART_EXIT_CODE)


class FleetBridge(QObject):
    """Created on the GUI thread; its public methods may be called from any thread."""

    config_desired = Signal(object)
    lock_requested = Signal(bool)
    restart_requested = Signal()
    staff_calls_heard = Signal(object)

    def __init__(self, navigator: Navigator, offered: OfferedCatalog) -> None:
        """Apply to ``navigator`` and ``offered`` (the catalog the screens are given)."""
        super().__init__(navigator)
        self._nav = navigator
        self._offered = offered
        self._restart_pending = False
        self.exit_app: Callable[[], None] = exit_for_restart
        """Ends the app for a restart (a test puts a recorder here)."""
        self.config_desired.connect(self._on_self_config_desired)
        self.lock_requested.connect(self._on_self_lock_requested)
        self.restart_requested.connect(self._on_self_restart_requested)
        self.staff_calls_heard.connect(self._on_self_staff_calls_heard)

    # --- called on the sync thread (ShadowAgent) ------------------------------------------------

    def apply_config(self, config: DesiredConfig) -> str:
        """Hand ``config`` to the GUI thread; returns what cannot be applied while running."""
        self.config_desired.emit(config)
        return not_applied(config)

    def lock(self, command: CommandPublic) -> str:
        """``lock`` / ``unlock``: the out-of-service screen on or off."""
        self.lock_requested.emit(command.kind == "lock")
        return ""

    def restart(self, _command: CommandPublic) -> str:
        """``restart``: the app ends (once no citizen is at it) and starts again."""
        self.restart_requested.emit()
        return "restarting"

    def staff_calls(self, calls: list[StaffCallPublic]) -> None:
        """How this terminal's staff calls stand, from a heartbeat answer."""
        self.staff_calls_heard.emit(calls)

    # --- on the GUI thread ----------------------------------------------------------------------

    def _on_self_config_desired(self, config: DesiredConfig) -> None:
        nav = self._nav
        terminal = nav.services.settings.terminal
        apply_to_settings(nav.services.settings, config)
        if config.idle_warning_s is not None or config.idle_countdown_s is not None:
            nav.idle = IdleClock(terminal.idle_warning_s, terminal.idle_countdown_s)
            nav.touch()
        if "enabled_items" in config.model_fields_set:
            self._offered.enabled = (
                None if config.enabled_items is None else frozenset(config.enabled_items)
            )
        log.info("desired configuration applied")

    def _on_self_lock_requested(self, locked: bool) -> None:
        self._nav.set_locked(locked)

    def _on_self_restart_requested(self) -> None:
        if not self._nav.at_rest():
            # Never in the middle of a citizen's visit: once the session is wiped.
            if not self._restart_pending:
                log.info("restart asked for by the hall: after the current session")
                self._restart_pending = True
                self._nav.session_wiped.connect(self._on_self_restart_requested)
            return
        if self._restart_pending:
            self._nav.session_wiped.disconnect(self._on_self_restart_requested)
            self._restart_pending = False
        # After the current events: the sync thread stores the acknowledgement meanwhile.
        self.exit_app()

    def _on_self_staff_calls_heard(self, calls: list[StaffCallPublic]) -> None:
        for call in calls:
            self._nav.note_staff_call(call)
