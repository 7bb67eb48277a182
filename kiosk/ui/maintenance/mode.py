"""Maintenance mode: the hidden gesture, the PIN, the technician's screen, and leaving cleanly.

``MaintenanceMode`` is built by the composition root next to the citizen's controller. It runs
every blocking step on a worker: the PIN check (scrypt) and the device checks on its own
``TaskRunner``, the self-tests on the device's own worker of the citizen's controller (so a test
never talks to a device at the same time as a citizen's journey would), the save on its own.
While it is open the controller leaves cards and codes to it. Leaving (the button or the idle
timeout) wipes what the technician saw or typed and shows the attract screen.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QImage
from PySide6.QtWidgets import QApplication

from devices.errors import DeviceError
from kiosk.config import KioskSettings, default_config_path
from kiosk.doctor import Check, Probe, receipt_status, run_checks
from kiosk.services.enrolment import Enroller, EnrolmentError, EnrolmentStatus, normalise_code
from kiosk.services.maintenance import (
    LOCKOUT_FILE,
    ConfigEdit,
    ConfigFile,
    PinGuard,
    PinOutcome,
)
from kiosk.ui.controller import KioskController
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.maintenance import selftests
from kiosk.ui.maintenance.gesture import HotCornerWidget
from kiosk.ui.maintenance.log_buffer import RecentErrorsHandler
from kiosk.ui.maintenance.pin_pad import PinPadDialog
from kiosk.ui.maintenance.screen import MaintenanceScreen
from kiosk.ui.maintenance.words import DEVICE_NAMES, word
from kiosk.ui.workers import TaskRunner

log = logging.getLogger(__name__)

REFRESH_MS = 15_000
"""The status page checks every device again this often while it is shown."""
IN_APP_PROBE_TIMEOUT_S = 6.0
"""Longer than the doctor's 4 s: the reader's probe may wait for a card poll to finish."""
WAIT_FOR_CARD_S = 20
WAIT_FOR_CODE_S = 20
ENROL_PAGE = 3
"""The maintenance screen's enrolment page."""
TEST_TIMEOUTS_S = {"test_photo": 15, "test_receipt": 30, "test_page": 60}


def app_probes(
    *,
    reader: Any | None = None,
    camera: Any | None = None,
    receipt_printer: Any | None = None,
    scanner_port: str | None = None,
    face_camera: Any | None = None,
) -> dict[str, Probe]:
    """Probes through the running app's own drivers, for parts it already holds open.

    A serial code scanner's port is held open (exclusively) by the terminal, so here it is
    only looked for; its scan test shows whether codes come through.
    """
    probes: dict[str, Probe] = {}
    if scanner_port:

        def probe_scanner_port() -> tuple[str, str]:
            if Path(scanner_port).exists():
                return "ok", ""
            return "fail", f"serial port {scanner_port} is missing (unplugged?)"

        probes["scanner"] = probe_scanner_port
    if reader is not None:

        def probe_reader() -> str:
            reader.sam_status(timeout=2.0)
            return "ok"

        probes["id_reader"] = probe_reader
    if camera is not None:

        def probe_camera() -> str:
            if camera.grab() is None:
                raise DeviceError("the camera gave no frame")
            return "ok"

        probes["camera"] = probe_camera
    if face_camera is not None:

        def probe_face_camera() -> str:
            if face_camera.grab() is None:
                raise DeviceError("the face camera gave no frame")
            return "ok"

        probes["face_camera"] = probe_face_camera
    if receipt_printer is not None and hasattr(receipt_printer, "status"):
        probes["receipt_printer"] = lambda: receipt_status(str(receipt_printer.status()))
    return probes


def _qimage(rgb: np.ndarray) -> QImage:
    height, width, _ = rgb.shape
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class MaintenanceMode(QObject):
    """The technician's side of the terminal."""

    opened = Signal()
    closed = Signal()
    checks_shown = Signal(list)
    test_finished = Signal(str, bool, str)
    """(test word key, passed, the line shown)"""
    save_finished = Signal(bool)
    enrolled = Signal(str)
    """(the terminal id the hall registered)"""

    def __init__(
        self,
        window: KioskWindow,
        controller: KioskController,
        *,
        config_path: Path | None = None,
        probes: Mapping[str, Probe] | None = None,
        log_handler: RecentErrorsHandler | None = None,
        enroller: Enroller | None = None,
    ) -> None:
        """Install the gesture on ``window``'s header and add the screen to its stack."""
        super().__init__(controller)
        self.window = window
        self.controller = controller
        self.settings: KioskSettings = controller.services.settings
        # Edits go back to the file the settings came from, else to the platform's default file
        # (which the next start reads).
        self.config_path = config_path or self.settings.source_path or default_config_path()
        self.probes = dict(probes or {})
        scanner: Any = getattr(self.settings.devices, "scanner", None)
        if scanner is not None and scanner.driver == "serial" and "scanner" not in self.probes:
            self.probes.update(app_probes(scanner_port=scanner.port))
        m = self.settings.maintenance
        self.guard = PinGuard(
            m.pin_hash,
            self.settings.storage.data_dir / LOCKOUT_FILE,
            max_failures=m.max_failures,
            lockout_s=m.lockout_s,
        )
        self.runner = TaskRunner("maintenance", self)
        self.hot_corner = HotCornerWidget(window.header)
        self.hot_corner.triggered.connect(self._on_hot_corner_triggered)
        central = window.centralWidget()
        assert central is not None
        self.pin_pad = PinPadDialog(central)
        self.pin_pad.submitted.connect(self._on_pin_pad_submitted)
        self.pin_pad.cancelled.connect(self._on_pin_pad_cancelled)
        self.screen = MaintenanceScreen()
        window.stack.addWidget(self.screen)
        self.screen.exit_requested.connect(self.leave)
        self.screen.refresh_requested.connect(self.refresh)
        self.screen.test_requested.connect(self._on_screen_test_requested)
        self.screen.save_requested.connect(self._on_screen_save_requested)
        self.screen.page_changed.connect(self._on_screen_page_changed)
        self.screen.enrol_requested.connect(self._on_enrol_requested)
        self.enroller = enroller
        self._enrolling = False
        self.log_handler = log_handler or RecentErrorsHandler()
        logging.getLogger().addHandler(self.log_handler)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(m.idle_timeout_s * 1000)
        self._idle_timer.timeout.connect(self._on_idle_timer_timeout)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._test_timer = QTimer(self)
        self._test_timer.setSingleShot(True)
        self._test_timer.timeout.connect(self._on_test_timer_timeout)
        self.active = False
        self._generation = 0
        self._checking = False
        self._saving = False
        self._test: str | None = None
        self._test_token = 0
        self._listening: list[tuple[Any, Callable[..., None]]] = []
        self._card_listener = False
        self._filtering = False
        self._stopped = False
        self._cursor_shown = False

    # --- entering -------------------------------------------------------------------------------

    def _on_hot_corner_triggered(self) -> None:
        if self.active or self.pin_pad.isVisible() or self._stopped:
            return
        log.info("maintenance PIN pad opened")
        self.pin_pad.open()
        if not self.guard.configured:
            self.pin_pad.set_keys_enabled(False)
            self.pin_pad.show_message(word("pin_not_set"))
            return
        locked = self.guard.locked_for()
        if locked > 0:
            self._show_locked(locked)

    def _show_locked(self, seconds: float) -> None:
        self.pin_pad.set_keys_enabled(False)
        self.pin_pad.show_message(word("pin_locked", m=max(1, math.ceil(seconds / 60))))

    def _on_pin_pad_submitted(self, pin: str) -> None:
        if self._stopped:
            return
        guard = self.guard
        generation = self._generation
        self.runner.run(
            lambda: guard.attempt(pin),
            lambda outcome: self._on_pin_checked(generation, outcome),
            lambda error: self._on_pin_check_failed(generation, error),
        )

    def _on_pin_checked(self, generation: int, outcome: PinOutcome) -> None:
        if generation != self._generation or not self.pin_pad.isVisible():
            return  # the pad was closed while the PIN was being checked
        if outcome.accepted:
            log.info("maintenance mode opened")
            self.pin_pad.reset()
            self._enter()
        elif outcome.locked_for_s > 0:
            log.warning("maintenance PIN pad locked after wrong PINs")
            self._show_locked(outcome.locked_for_s)
        else:
            log.warning("wrong maintenance PIN")
            self.pin_pad.set_busy(False)
            self.pin_pad.show_message(word("pin_wrong", n=outcome.attempts_left))

    def _on_pin_check_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        log.error("maintenance PIN check failed: %s", type(error).__name__)
        self.pin_pad.set_busy(False)
        self.pin_pad.show_message(word("check_failed", error=type(error).__name__))

    def _on_pin_pad_cancelled(self) -> None:
        self._generation += 1
        self.pin_pad.reset()
        self.hot_corner.reset()

    def _enter(self) -> None:
        self.controller.wipe()  # a citizen's unfinished session ends before staff take over
        self.controller.maintenance_active = True
        self.active = True
        self._generation += 1
        self._listen(self.controller.services.card_watcher.card_placed, self._on_card_placed)
        self.screen.reset()
        self.screen.editor.load(self.settings)
        self.window.show_screen(self.screen)
        app = QApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self._show_cursor()
        self._idle_timer.start()
        self._refresh_timer.start()
        self.refresh()
        self.opened.emit()

    def _show_cursor(self) -> None:
        # Kiosk mode hides the pointer (an override cursor); the technician may use a mouse.
        override = QApplication.overrideCursor()
        if override is not None and override.shape() == Qt.CursorShape.BlankCursor:
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.ArrowCursor))
            self._cursor_shown = True

    def _hide_cursor(self) -> None:
        if self._cursor_shown:
            QApplication.restoreOverrideCursor()
            self._cursor_shown = False

    # --- leaving --------------------------------------------------------------------------------

    def leave(self, *, shutting_down: bool = False) -> None:
        """Close maintenance mode: nothing of the technician's session stays on screen.

        At shutdown the citizen's controller is left alone: its workers may already be stopped,
        and its own ``stop`` wipes the session.
        """
        if not self.active:
            return
        log.info("maintenance mode closed")
        self._generation += 1
        self._end_test()
        self._idle_timer.stop()
        self._refresh_timer.stop()
        self._unlisten()
        if self._filtering:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._filtering = False
        self._checking = self._saving = False
        self.screen.reset()
        self.pin_pad.reset()
        self.hot_corner.reset()
        self.active = False
        self._hide_cursor()
        self.controller.maintenance_active = False
        if not shutting_down:
            self.controller.wipe()
        self.closed.emit()

    def _on_idle_timer_timeout(self) -> None:
        log.info(
            "maintenance mode closed after %d s untouched", self._idle_timer.interval() // 1000
        )
        self.leave()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any touch or key keeps maintenance mode open."""
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.KeyPress,
        ):
            self._idle_timer.start()
        return False

    def stop(self) -> None:
        """Shutdown: stop the timers and the worker, detach the log handler."""
        self._stopped = True
        self.leave(shutting_down=True)
        self._idle_timer.stop()
        self._refresh_timer.stop()
        self._test_timer.stop()
        logging.getLogger().removeHandler(self.log_handler)
        self.runner.shutdown(timeout=1.0)

    # --- status ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Check every device again (on the worker)."""
        if not self.active or self._checking or self._stopped:
            return
        self._checking = True
        self.screen.show_checking()
        settings, probes = self.settings, self.probes
        generation = self._generation
        self.runner.run(
            lambda: run_checks(settings, overrides=probes, timeout=IN_APP_PROBE_TIMEOUT_S),
            lambda checks: self._on_checks(generation, checks),
            lambda error: self._on_checks_failed(generation, error),
        )

    def _on_checks(self, generation: int, checks: list[Check]) -> None:
        if generation != self._generation:
            return
        self._checking = False
        self.screen.show_checks(checks, dt.datetime.now().strftime("%H:%M:%S"))
        self.screen.set_tests_enabled(self._test is None)
        if self.screen.pages.currentIndex() == 2:
            self._show_log()
        self.checks_shown.emit(checks)

    def _on_checks_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._checking = False
        log.error("device checks failed: %s", type(error).__name__)
        self.screen.show_check_failed(type(error).__name__)

    def _on_screen_page_changed(self, index: int) -> None:
        if index == 2:
            self._show_log()
        if index == ENROL_PAGE:
            self._show_enrolment()

    # --- enrolment ------------------------------------------------------------------------------

    def _show_enrolment(self) -> None:
        enroller = self.enroller
        if enroller is None or not self.active:
            return
        generation = self._generation
        self.runner.run(
            enroller.status,
            lambda status: self._on_enrolment_status(generation, status),
            lambda error: log.error("enrolment status: %s", type(error).__name__),
        )

    def _on_enrolment_status(self, generation: int, status: EnrolmentStatus) -> None:
        if generation == self._generation:
            self.screen.show_enrolment(status)

    def _on_enrol_requested(self, typed: str) -> None:
        enroller = self.enroller
        if enroller is None:
            self.screen.show_enrol_message(word("enrol_no_hall"), ok=False)
            return
        if not self.active or self._enrolling or self._stopped:
            return
        if normalise_code(typed) is None:
            self.screen.show_enrol_message(word("enrol_bad_code"), ok=False)
            return
        self._enrolling = True
        self.screen.show_enrol_message(word("enrol_running"), ok=True, busy=True)
        generation = self._generation
        self.runner.run(
            lambda: enroller.enrol(typed),
            lambda status: self._on_enrolled(generation, status),
            lambda error: self._on_enrol_failed(generation, error),
        )

    def _on_enrolled(self, generation: int, status: EnrolmentStatus) -> None:
        self._enrolling = False
        if generation != self._generation:
            return
        self.screen.clear_code()
        self.screen.show_enrolment(status)
        self.screen.show_enrol_message(word("enrol_done", kiosk=status.kiosk_id), ok=True)
        self.enrolled.emit(status.kiosk_id or "")

    def _on_enrol_failed(self, generation: int, error: BaseException) -> None:
        self._enrolling = False
        if generation != self._generation:
            return
        if isinstance(error, EnrolmentError):
            text = word(f"enrol_{error.reason}", detail=str(error))
        else:
            text = word("enrol_local", detail=type(error).__name__)
        log.warning("enrolment from maintenance mode failed: %s", getattr(error, "reason", error))
        self.screen.show_enrol_message(text, ok=False)

    def _show_log(self) -> None:
        self.screen.show_errors_log([entry.line() for entry in self.log_handler.entries()])

    # --- self-tests -----------------------------------------------------------------------------

    def _listen(self, signal: Any, slot: Callable[..., None]) -> None:
        signal.connect(slot)
        self._listening.append((signal, slot))

    def _unlisten(self, keep_card: bool = False) -> None:
        kept = []
        for signal, slot in self._listening:
            if keep_card and slot == self._on_card_placed:
                kept.append((signal, slot))
                continue
            signal.disconnect(slot)
        self._listening = kept

    def _on_screen_test_requested(self, device: str, key: str) -> None:
        if not self.active or self._test is not None or self._stopped:
            return
        services = self.controller.services
        terminal = self.settings.terminal.id
        self._test = key
        self._test_token += 1
        token = self._test_token
        self.screen.set_tests_enabled(False)
        name = f"{DEVICE_NAMES.get(device, device)} · {word(key)}"
        self._test_name = name
        if key == "test_card":
            self._listen(services.card_watcher.read_failed, self._on_test_card_failed)
            self.screen.show_test_result(word("test_wait_card", s=WAIT_FOR_CARD_S), ok=True)
            self._test_timer.start(WAIT_FOR_CARD_S * 1000)
            return
        if key == "test_scan":
            self._listen(services.code_scanner.code_scanned, self._on_test_code_scanned)
            services.code_scanner.enable(True)
            self.screen.show_test_result(word("test_wait_code", s=WAIT_FOR_CODE_S), ok=True)
            self._test_timer.start(WAIT_FOR_CODE_S * 1000)
            return
        jobs: dict[str, tuple[TaskRunner, Callable[[], Any]]] = {
            "test_photo": (
                self.controller.workers.camera,
                lambda: selftests.capture_photo(services.camera),
            ),
            "test_receipt": (
                self.controller.workers.receipt,
                lambda: selftests.print_test_receipt(services.receipt_printer, terminal),
            ),
            "test_page": (
                self.controller.workers.a4,
                lambda: selftests.print_test_page(services.document_printer, terminal),
            ),
        }
        runner, job = jobs[key]
        self.screen.show_test_result(word("test_running", name=name), ok=True)
        self._test_timer.start(TEST_TIMEOUTS_S[key] * 1000)
        runner.run(
            job,
            lambda result: self._on_test_job_done(token, result),
            lambda error: self._on_test_job_failed(token, error),
        )

    def _on_test_job_done(self, token: int, result: Any) -> None:
        if token != self._test_token or self._test is None:
            return
        if isinstance(result, tuple):
            text, rgb = result
            self._finish_test(True, str(text), _qimage(rgb))
        else:
            self._finish_test(True, str(result))

    def _on_test_job_failed(self, token: int, error: BaseException) -> None:
        if token != self._test_token or self._test is None:
            return
        self._finish_test(False, word("test_failed", name=self._test_name, error=_reason(error)))

    def _on_card_placed(self, card: Any) -> None:
        if self._test == "test_card":
            self._finish_test(True, selftests.describe_card(card))
        else:
            card.wipe()  # a card laid down in maintenance mode starts nothing and is dropped

    def _on_test_card_failed(self, error: BaseException) -> None:
        if self._test == "test_card":
            self._finish_test(
                False, word("test_failed", name=self._test_name, error=_reason(error))
            )

    def _on_test_code_scanned(self, payload: str) -> None:
        if self._test == "test_scan":
            self._finish_test(True, selftests.describe_code(payload))

    def _on_test_timer_timeout(self) -> None:
        if self._test is None:
            return
        seconds = self._test_timer.interval() // 1000
        self._finish_test(False, word("test_timeout", name=self._test_name, s=seconds))

    def _finish_test(self, ok: bool, text: str, image: QImage | None = None) -> None:
        key = self._test or ""
        self._end_test()
        self.screen.set_tests_enabled(True)
        self.screen.show_test_result(text, ok=ok, image=image)
        log.log(logging.INFO if ok else logging.WARNING, "self-test %s: %s", key, text)
        self.test_finished.emit(key, ok, text)

    def _end_test(self) -> None:
        if self._test == "test_scan":
            self.controller.services.code_scanner.enable(False)
        self._test = None
        self._test_token += 1
        self._test_timer.stop()
        self._unlisten(keep_card=self.active)

    # --- settings -------------------------------------------------------------------------------

    def _on_screen_save_requested(self) -> None:
        if not self.active or self._saving or self._stopped:
            return
        changes = self.screen.editor.changes()
        self.screen.editor.show_errors({})
        if not changes:
            self.screen.show_save_message(word("no_changes"), ok=True)
            return
        self._saving = True
        self.screen.save_button.setEnabled(False)
        self.screen.show_save_message(word("saving"), ok=True)
        config = ConfigFile(self.config_path)
        generation = self._generation
        self.runner.run(
            lambda: config.apply(changes),
            lambda edit: self._on_saved(generation, edit),
            lambda error: self._on_save_failed(generation, error),
        )

    def _on_saved(self, generation: int, edit: ConfigEdit) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.screen.save_button.setEnabled(True)
        if edit.errors:
            unplaced = self.screen.editor.show_errors(edit.errors)
            text = word("save_errors", n=len(edit.errors))
            if unplaced:
                text += "\n" + "\n".join(unplaced)
            self.screen.show_save_message(text, ok=False)
            self.save_finished.emit(False)
            return
        assert edit.settings is not None
        self.screen.editor.load(edit.settings)
        self.screen.show_save_message(word("saved", path=self.config_path), ok=True)
        self.save_finished.emit(True)

    def _on_save_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._saving = False
        self.screen.save_button.setEnabled(True)
        log.error("configuration not saved: %s", error)
        self.screen.show_save_message(word("save_failed", error=error), ok=False)
        self.save_finished.emit(False)


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__
