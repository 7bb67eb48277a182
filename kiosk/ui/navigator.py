"""The navigator: the screen stack, the session, the idle clock, the tap guard and the wipe.

It knows no journey. Flows (``kiosk.ui.flows``) register what they offer under a name
(``provide("guide", ...)``) and hand over to each other with ``go("guide", item)``; each flow
registers the part of the wipe that clears its own state (``on_wipe``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QPushButton

from devices.ports import Camera, DocumentPrinter, ReceiptPrinter
from hall.schema import CaseProgressPublic, CatalogPublic, StaffCallPublic
from kiosk.config import KioskSettings
from kiosk.services.face import FaceCheck
from kiosk.services.handoff import Ticketing
from kiosk.services.idle import IdleClock, IdleState
from kiosk.services.journey import Journey
from kiosk.services.print_jobs import CertificateReprints, QueuedPrinting
from kiosk.services.session import Session, Step
from kiosk.services.staff_call import StaffCaller
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.preview import CameraPreview
from kiosk.ui.screens.out_of_service import OutOfServiceScreen
from kiosk.ui.strings import next_language, tr
from kiosk.ui.voice import SilentEngine, SpeechEngine, Voice
from kiosk.ui.workers import CardWatcher, CodeSource, TaskRunner
from ocr.engine import OcrEngine
from offline_cache.collect import CollectClient
from offline_cache.events import EventQueue

log = logging.getLogger(__name__)

STAFF_POLL_MS = 5000
"""How often the terminal asks the hall whether staff acknowledged a call."""
STAFF_POLLS_MAX = 120
"""Polls of one call at most (ten minutes); the banner has long gone by then."""


@dataclass
class Services:
    """Everything the flows drive, built by the composition root."""

    settings: KioskSettings
    catalog: Callable[[], CatalogPublic]
    journey: Journey
    progress_lookup: Callable[[str], CaseProgressPublic]
    """Asks the hall for a case's stages; raises ``HallUnavailableError`` or ``HallRejectedError``.
    """
    local_case: Callable[[str], dt.datetime | None]
    """When this terminal queued a case, if it did (for the offline progress answer)."""
    public_keys: Callable[[], Mapping[str, bytes]]
    camera: Camera
    receipt_printer: ReceiptPrinter
    document_printer: DocumentPrinter
    card_watcher: CardWatcher
    code_scanner: CodeSource
    """The camera, a serial scanner or a keyboard wedge, as configured (``[devices.scanner]``)."""
    camera_preview: CameraPreview | None = None
    """The capture screen's live preview and auto-capture; ``None`` shows no preview."""
    ocr_engine: Callable[[], OcrEngine] | None = None
    """Builds and warms up the one OCR engine (on the OCR worker, at start-up); ``None``: the
    photos of materials are kept without being checked."""
    print_jobs: QueuedPrinting | None = None
    """The durable print queue; ``None`` prints straight to the printers (tests of the screens)."""
    reprints: CertificateReprints | None = None
    """Reprints of approved certificates from the receipt's QR code; ``None``: not offered."""
    collect: CollectClient | None = None
    """Documents approved elsewhere and enterprises' records, at the hall; ``None``: offline."""
    speech_engine: SpeechEngine | None = None
    """Speaks the prompts (``kiosk.ui.voice``); ``None``: silent (tests of the screens)."""
    events: EventQueue | None = None
    """Ratings, reports and other small facts for the hall, queued durably (``post`` on a worker,
    never on the GUI thread); ``None``: nothing is sent (tests of the screens)."""
    staff_caller: StaffCaller | None = None
    """Raises 呼叫工作人员 at the hall; ``None``: no hall to call, the help line is shown."""
    public_url: str | None = None
    """The hall's public base URL: receipts' QR codes open its ``/verify`` page on a phone;
    ``None``: they carry the bare case number (read by terminals only)."""
    ticketing: Ticketing | None = None
    """Hand-off tickets: the hall's number or a local one (blocking: on a worker); ``None``: the
    ticket is not offered."""
    face_camera: Camera | None = None
    """The citizen-facing camera for face match; ``None``: the terminal has none."""
    face_check: Callable[[], FaceCheck] | None = None
    """A new face match for one session (engine built once, on the face worker, at its first
    use); ``None``: face match is off on this terminal."""


ENGINE_GRACE_S = 6.0
"""How much longer a shutdown waits for an engine still loading its models (the unit's
``TimeoutStopSec`` is 10 s)."""


class Workers:
    """One single-thread worker per device or back end, shared by the flows that use it."""

    def __init__(self, parent: QObject) -> None:
        """Start no thread yet: each runner starts its own on its first task."""
        self.outbox = TaskRunner("outbox", parent)
        self.camera = TaskRunner("camera", parent)
        self.receipt = TaskRunner("receipt-printer", parent)
        self.a4 = TaskRunner("a4-printer", parent)
        self.hall = TaskRunner("hall-query", parent)
        # Catalog and key refreshes have their own worker: a citizen's progress query must not
        # queue behind them when the hall is slow.
        self.refresh = TaskRunner("hall-refresh", parent)
        # One worker for OCR: the engine is built and warmed up on it, then checks queue there.
        self.ocr = TaskRunner("ocr", parent, native_grace_s=ENGINE_GRACE_S)
        # Face match: the card photo's decoding, then each camera frame's detection and embedding.
        self.face = TaskRunner("face", parent, native_grace_s=ENGINE_GRACE_S)

    def shutdown(self, timeout: float) -> None:
        """Stop them all within one deadline: the workers are independent, their waits overlap.

        A worker still busy then that has a ``native_grace_s`` (the OCR and face engines, whose
        warm-up loads models in native code) is given that much more.
        """
        deadline = time.monotonic() + timeout
        busy = [
            runner
            for runner in (
                self.outbox,
                self.camera,
                self.receipt,
                self.a4,
                self.hall,
                self.refresh,
                self.ocr,
                self.face,
            )
            if not runner.shutdown(timeout=max(0.0, deadline - time.monotonic()))
        ]
        start = time.monotonic()
        for runner in busy:
            if runner.native_grace_s > 0:
                left = start + runner.native_grace_s - time.monotonic()
                runner.shutdown(timeout=max(0.0, left))


class Navigator(QObject):
    """Owns the stack, the session, the idle clock, the tap guard and the wipe; no journey."""

    session_wiped = Signal()
    attract_shown = Signal()
    """The attract screen is back (at start and after every wipe)."""
    language_changed = Signal(str)

    def __init__(self, window: KioskWindow, services: Services, parent: QObject) -> None:
        """Connect the shell's own signals (stack, header, overlay); flows connect theirs."""
        super().__init__(parent)
        self.window = window
        self.services = services
        self.workers = Workers(self)
        settings = services.settings
        self.language: str = settings.terminal.language
        self.session = Session(language=self.language)
        self.maintenance_active = False
        """True while a technician has the maintenance screen open: cards are left to it."""
        self.idle = IdleClock(settings.terminal.idle_warning_s, settings.terminal.idle_countdown_s)
        self.voice = Voice(
            services.speech_engine or SilentEngine("no speech engine configured"),
            settings.voice.volume,
            self,
        )
        self._visit_started: float | None = None
        self.elder_chosen = False
        """The citizen pressed 长辈版: kept on even when the card holder is under 60."""
        self._prompt_timer = QTimer(self)
        self._prompt_timer.setSingleShot(True)
        self._prompt_timer.setInterval(0)
        self._prompt_timer.timeout.connect(self.speak_prompt)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(1000)
        self._idle_timer.timeout.connect(self._on_idle_timer_timeout)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.setInterval(20_000)
        self._banner_timer.timeout.connect(window.banner.hide)
        self._tap_guard_until = 0.0
        self._handlers: dict[str, Callable[..., None]] = {}
        self._wipes: list[Callable[[], None]] = []
        self._holds: list[Callable[[], bool]] = []
        window.stack.currentChanged.connect(self._on_stack_current_changed)
        window.header.language_toggled.connect(self._on_header_language_toggled)
        window.header.staff_called.connect(self._on_header_staff_called)
        window.overlay.stay_requested.connect(self._on_overlay_stay_requested)
        # 呼叫工作人员: the call in flight or being polled until staff acknowledge it.
        self._staff_call: StaffCallPublic | None = None
        self._staff_calling = False
        self._staff_polls = 0
        self._staff_poll_timer = QTimer(self)
        self._staff_poll_timer.setInterval(STAFF_POLL_MS)
        self._staff_poll_timer.timeout.connect(self._on_staff_poll_timer_timeout)
        # Locked by the hall (a ``lock`` command), or installing an update: the out-of-service
        # screen instead of attract.
        self.locked = False
        self.updating = False
        """A signed update went to the installer, which restarts the app in a few minutes: no
        citizen may start a visit that the restart would cut off."""
        self.out_of_service = OutOfServiceScreen(settings.terminal.staff_phone)
        window.screens.append(self.out_of_service)
        window.stack.addWidget(self.out_of_service)
        window.header.elder_toggled.connect(self._on_header_elder_toggled)
        window.header.repeat_requested.connect(self.voice.repeat)
        window.header.mute_toggled.connect(self._on_header_mute_toggled)
        window.elder_mode_changed.connect(self._on_window_elder_mode_changed)
        window.attract.elder_requested.connect(self._on_header_elder_toggled)
        self.voice.muted_changed.connect(self._on_voice_muted_changed)
        self._apply_elder(window.elder_mode)
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        window.header.set_languages(self.services.settings.terminal.languages)
        window.set_language(self.language)

    # --- hand-over between flows ----------------------------------------------------------------

    def provide(self, name: str, handler: Callable[..., None]) -> None:
        """Register what a flow offers the others under ``name`` (one flow per name)."""
        if name in self._handlers:
            raise ValueError(f"{name!r} is offered twice")
        self._handlers[name] = handler

    def offers(self, name: str) -> bool:
        """Whether some flow offers ``name`` (``item:<id>``: a flow taking over an item).

        A catalog item may also name a journey not built yet.
        """
        return name in self._handlers

    def go(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Hand over to the flow that offers ``name``."""
        self._handlers[name](*args, **kwargs)

    def on_wipe(self, clear: Callable[[], None]) -> None:
        """Register a flow's part of the wipe: drop its citizen data, reset its screens."""
        self._wipes.append(clear)

    def hold_idle_while(self, busy: Callable[[], bool]) -> None:
        """Never time a session out while ``busy()`` (e.g. a submission in flight)."""
        self._holds.append(busy)

    # --- screens, idle and taps -----------------------------------------------------------------

    def show_attract(self) -> None:
        """Show the attract screen; the flows that take part in it react to ``attract_shown``.

        A locked terminal shows the out-of-service screen instead (it takes no card or code).
        """
        if self.taking_no_citizens:
            self.window.show_screen(self.out_of_service)
            return
        self.window.attract.reset()
        self.window.show_screen(self.window.attract)
        self.attract_shown.emit()

    def begin_activity(self) -> None:
        """The citizen started something: the idle clock runs from now."""
        self.touch()
        if not self._idle_timer.isActive():
            self._idle_timer.start()
            self._visit_started = time.monotonic()

    def at_rest(self) -> bool:
        """Whether no citizen and no technician is at the terminal (the nightly window waits).

        The attract (or out-of-service) screen shows, no visit runs, maintenance mode is closed.
        """
        current = self.window.current_screen()
        return (
            self._visit_started is None
            and not self.maintenance_active
            and (current is self.window.attract or current is self.out_of_service)
        )

    def visit_seconds(self) -> float | None:
        """How long this citizen has been at the terminal, if a visit began."""
        if self._visit_started is None:
            return None
        return time.monotonic() - self._visit_started

    def touch(self) -> None:
        """The citizen is still here (extends the session as often as they like)."""
        self.idle.touch(time.monotonic())
        if self.window.overlay.isVisible():
            self.window.overlay.hide()
            self._prompt_timer.start()  # back to what the screen asks

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any touch, click or key press means the citizen is still here.

        Presses on buttons right after a screen change are swallowed (``tap_guard_ms``).
        """
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.touch()
        is_tap = kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)
        return is_tap and isinstance(watched, QPushButton) and self.tap_guarded()

    def tap_guarded(self) -> bool:
        """Whether button taps are being ignored because the screen just changed."""
        return time.monotonic() < self._tap_guard_until

    def _on_stack_current_changed(self, _: int) -> None:
        guard = self.services.settings.terminal.tap_guard_ms / 1000
        self._tap_guard_until = time.monotonic() + guard
        # Spoken once the flow has filled the screen (it may set texts right after showing it).
        self._prompt_timer.start()

    # --- elder mode and the voice ---------------------------------------------------------------

    def speak_prompt(self) -> None:
        """Say the shown screen's title and next step (if prompts are on)."""
        self.voice.prompt(self.window.current_screen().spoken_prompt(), self.language)

    def set_elder(self, on: bool, *, chosen: bool = False) -> None:
        """Elder mode on or off; ``chosen``: the citizen asked (the 长辈版 button)."""
        if chosen:
            self.elder_chosen = on
        self.window.set_elder_mode(on or self.elder_chosen)

    def _on_header_elder_toggled(self) -> None:
        self.touch()
        self.set_elder(not self.window.elder_mode, chosen=True)
        self._prompt_timer.start()

    def _on_window_elder_mode_changed(self, on: bool) -> None:
        if not on and self.elder_chosen:
            # The card holder is under 60, but the citizen asked for 长辈版: keep it.
            self.window.set_elder_mode(True)
            return
        self._apply_elder(on)

    def _apply_elder(self, on: bool) -> None:
        settings = self.services.settings
        factor = settings.elder.idle_factor if on else 1.0
        self.idle.warning_after_s = settings.terminal.idle_warning_s * factor
        self.idle.countdown_s = settings.terminal.idle_countdown_s * factor
        speak = on or settings.voice.always
        self.voice.set_enabled(speak)
        self.window.header.set_voice_controls(speak, muted=self.voice.muted)

    def _on_header_mute_toggled(self) -> None:
        self.voice.set_muted(not self.voice.muted)

    def _on_voice_muted_changed(self, muted: bool) -> None:
        self.window.header.set_voice_controls(self.voice.enabled, muted=muted)

    def _on_idle_timer_timeout(self) -> None:
        if self.session.step is Step.ATTRACT:
            return
        if self.session.step is Step.SUBMIT or any(busy() for busy in self._holds):
            # Never wipe under a submission in flight: it ends in a receipt within seconds.
            self.touch()
            return
        now = time.monotonic()
        state = self.idle.state(now)
        if state is IdleState.ACTIVE:
            self.window.overlay.hide()
        elif state is IdleState.WARNING:
            first = not self.window.overlay.isVisible()
            self.window.overlay.show_countdown(self.idle.remaining(now), self.language)
            if first:
                self.voice.prompt(
                    tr("idle_title", self.language)
                    + tr("idle_body", self.language, n=self.idle.remaining(now)),
                    self.language,
                )
        else:
            log.info("session %s timed out at %s", self.session.id[:8], self.session.step.value)
            self.wipe()

    def _on_overlay_stay_requested(self) -> None:
        self.touch()

    def _on_header_language_toggled(self) -> None:
        self.language = next_language(self.language, self.services.settings.terminal.languages)
        self.session.language = self.language
        self.window.set_language(self.language)
        self.language_changed.emit(self.language)
        self._prompt_timer.start()

    def _show_banner(self, key: str) -> None:
        phone = self.services.settings.terminal.staff_phone
        self.window.banner.setText(tr(key, self.language, phone=phone))
        self.window.banner.show()
        self._banner_timer.start()  # restarted by a second press, so it stays its full time

    def _on_header_staff_called(self) -> None:
        log.info("staff called at step %s", self.session.step.value)
        caller = self.services.staff_caller
        if caller is None:
            self._show_banner("staff_call_failed")
            return
        if self._staff_calling:
            self._show_banner("staff_calling")
            return
        if self._staff_call is not None and self._staff_call.acknowledged_at is None:
            self._show_banner("staff_called")  # the call stands; staff have not come yet
            return
        # Never "staff have been notified" before the hall answered that it took the call.
        self._staff_calling = True
        self._show_banner("staff_calling")
        self.workers.hall.run(caller.call, self._on_staff_call_taken, self._on_staff_call_failed)

    def _on_staff_call_taken(self, call: StaffCallPublic) -> None:
        self._staff_calling = False
        self._staff_call = call
        self._staff_polls = 0
        self._show_banner("staff_called")
        self._staff_poll_timer.start()

    def _on_staff_call_failed(self, error: BaseException) -> None:
        self._staff_calling = False
        log.warning("staff call not taken by the hall: %s", type(error).__name__)
        self._show_banner("staff_call_failed")

    def _on_staff_poll_timer_timeout(self) -> None:
        caller, call = self.services.staff_caller, self._staff_call
        self._staff_polls += 1
        if caller is None or call is None or self._staff_polls > STAFF_POLLS_MAX:
            self._staff_poll_timer.stop()
            return
        self.workers.hall.run(lambda: caller.status(call.call_id), self.note_staff_call, None)

    def note_staff_call(self, call: StaffCallPublic) -> None:
        """The hall's word on the current staff call (a poll, or a heartbeat answer)."""
        current = self._staff_call
        if current is None or call.call_id != current.call_id:
            return
        self._staff_call = call
        if call.acknowledged_at is not None and current.acknowledged_at is None:
            self._staff_poll_timer.stop()
            log.info("staff acknowledged the call")
            self._show_banner("staff_coming")

    @property
    def taking_no_citizens(self) -> bool:
        """Whether the out-of-service screen stands in for attract (locked, or updating)."""
        return self.locked or self.updating

    def set_updating(self, updating: bool) -> None:
        """Stand out of service while an update installs (``False``: it did not happen)."""
        if updating == self.updating:
            return
        log.info("terminal %s", "out of service: installing an update" if updating else "back")
        self.updating = updating
        self.out_of_service.set_updating(updating)
        if updating:
            self.wipe()
        else:
            self.show_attract()

    def set_locked(self, locked: bool) -> None:
        """Take the terminal out of service (the session is wiped) or back into it."""
        if locked == self.locked:
            return
        log.info("terminal %s by the hall", "locked" if locked else "unlocked")
        self.locked = locked
        if locked:
            self.wipe()
        else:
            self.show_attract()

    # --- the wipe and the end -------------------------------------------------------------------

    def wipe(self) -> None:
        """End the session: drop its personal data from memory and from every widget."""
        self._idle_timer.stop()
        self._visit_started = None
        for clear in self._wipes:
            clear()
        self.session.wipe()
        self.session = Session(language=self.services.settings.terminal.language)
        w = self.window
        w.overlay.hide()
        self.elder_chosen = False
        self.voice.reset()
        w.set_elder_mode(False)
        if self.language != self.session.language:
            self.language = self.session.language
            w.set_language(self.language)
        self.show_attract()
        self.session_wiped.emit()

    def stop(self) -> None:
        """Stop the idle clock and every worker, and wipe the session; called on shutdown."""
        # The application outlives the navigator (tests build many): a filter left behind has
        # Qt call into a Python object being torn down for every event.
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._idle_timer.stop()
        self._staff_poll_timer.stop()
        self._prompt_timer.stop()
        self.workers.shutdown(timeout=1.0)
        self.voice.engine.shutdown()
        self.session.wipe()
