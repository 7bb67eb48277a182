"""The controller: reacts to the citizen, the devices and the hall, and drives the screens.

It owns the session state machine (``kiosk.services.session``) and hands every blocking step to a
``TaskRunner``; nothing here blocks the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton

from devices.a4.document import CertificateDocument
from devices.errors import DeviceError
from devices.idcard.card import IdCard
from devices.ports import Camera, DocumentPrinter, ReceiptPrinter
from devices.receipt.layout import Receipt
from hall.schema import (
    CaseProgressPublic,
    CatalogPublic,
    CertificateCheck,
    MaterialSpec,
    ServiceItem,
    SubmissionPublic,
)
from kiosk.config import KioskSettings
from kiosk.services import documents
from kiosk.services.idle import IdleClock, IdleState
from kiosk.services.journey import Journey
from kiosk.services.materials import (
    MaterialCheck,
    check_photo,
    commitment_for,
    needs_check,
    photo_id_spec,
    side_spec,
)
from kiosk.services.print_jobs import (
    CertificateReprints,
    QueuedPrinting,
    encode_certificate,
    encode_receipt,
)
from kiosk.services.scans import ScanKind, classify
from kiosk.services.session import (
    ID_BACK,
    ID_FRONT,
    CapturedMaterial,
    Commitment,
    Session,
    SessionError,
    Step,
    side_key,
)
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.preview import CameraPreview, PreviewFrame
from kiosk.ui.screens import loc
from kiosk.ui.screens.verify import CertificateView
from kiosk.ui.strings import tr
from kiosk.ui.workers import CardWatcher, CodeSource, TaskRunner
from ocr.engine import OcrEngine
from ocr.quality import QualityReport, assess
from offline_cache.errors import HallRejectedError, HallUnavailableError, StoreFullError
from offline_cache.print_queue import ReprintLimitError

log = logging.getLogger(__name__)

ELDER_AGE = 60
"""From this age the screens switch to elder mode (larger type) when the card is read."""

CHECK_SECONDS = 3
"""What the citizen is told a material's check takes: PP-OCR reads an A4 photo in about 0.8 s
on a 2-core terminal (p95 about 1.1 s, ``python -m bench ocr``); 3 s leaves room for a loaded
box without making anyone wait for a number that never comes."""

SCAN_HINT_AFTER_MS = 15_000
"""With no readable code after this long, tell the citizen how to hold the receipt."""

ATTRACT_NOTICE_MS = 12_000
"""How long the attract screen says a scanned code is not ours before it clears."""


@dataclass
class Services:
    """Everything the controller drives, built by the composition root."""

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
    ocr_engine: Callable[[], OcrEngine] | None = None
    """Builds and warms up the one OCR engine (on the OCR worker, at start-up); ``None``: the
    photos of materials are kept without being checked."""
    print_jobs: QueuedPrinting | None = None
    """The durable print queue; ``None`` prints straight to the printers (tests of the screens)."""
    reprints: CertificateReprints | None = None
    """Reprints of approved certificates from the receipt's QR code; ``None``: not offered."""
    """The capture screen's live preview and auto-capture; ``None`` shows no preview."""


class KioskController(QObject):
    """Glue between screens, session, devices and the outbox."""

    session_wiped = Signal()
    result_shown = Signal(str)
    certificate_checked = Signal(str)
    """The status of a scanned certificate, once its check is on the screen."""
    printing_finished = Signal(str)
    reprint_finished = Signal(str)
    """``printed``, ``used_up`` or ``failed``: a certificate reprint from the progress screen."""
    """``done`` or ``failed``, once the receipt (and certificate) jobs have ended."""

    def __init__(self, window: KioskWindow, services: Services) -> None:
        """Connect every signal; ``start`` begins watching the devices."""
        super().__init__(window)
        self.window = window
        self.services = services
        settings = services.settings
        self.language: str = settings.terminal.language
        self.session = Session(language=self.language)
        self.outbox_runner = TaskRunner("outbox", self)
        self.camera_runner = TaskRunner("camera", self)
        self.receipt_runner = TaskRunner("receipt-printer", self)
        self.a4_runner = TaskRunner("a4-printer", self)
        self.hall_runner = TaskRunner("hall-query", self)
        # Catalog and key refreshes have their own worker: a citizen's progress query must not
        # queue behind them when the hall is slow.
        self.refresh_runner = TaskRunner("hall-refresh", self)
        # One worker for OCR: the engine is built and warmed up on it, then checks queue there.
        self.ocr_runner = TaskRunner("ocr", self)
        self._ocr_unavailable = False
        self._check_generation = 0
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self._pending_check: QImage | None = None
        self._pending_fields: dict[str, object] = {}
        self._engine_future: Future[OcrEngine] | None = None
        self._progress_query = 0
        self._reprint_case: str | None = None
        self.idle = IdleClock(settings.terminal.idle_warning_s, settings.terminal.idle_countdown_s)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(1000)
        self._idle_timer.timeout.connect(self._on_idle_timer_timeout)
        self._decision_timer = QTimer(self)
        self._decision_timer.setSingleShot(True)
        self._decision_timer.timeout.connect(self._on_decision_timer_timeout)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.setInterval(20_000)
        self._banner_timer.timeout.connect(self.window.banner.hide)
        self._scan_hint_timer = QTimer(self)
        self._scan_hint_timer.setSingleShot(True)
        self._scan_hint_timer.setInterval(SCAN_HINT_AFTER_MS)
        self._scan_hint_timer.timeout.connect(self._on_scan_hint_timer_timeout)
        self._verify_from_progress = False
        self._attract_notice_timer = QTimer(self)
        self._attract_notice_timer.setSingleShot(True)
        self._attract_notice_timer.setInterval(ATTRACT_NOTICE_MS)
        self._attract_notice_timer.timeout.connect(self._on_attract_notice_timer_timeout)
        self._results: dict[str, SubmissionPublic] = {}
        self._submitting = False
        self._card_on_reader = False
        self._tap_guard_until = 0.0
        self._capture_queue: list[str] = []
        self._pending_photo: bytearray | None = None
        self._pending_commitment: Commitment | None = None
        self._print_generation = 0
        self._print_pending: dict[str, Callable[[], object]] = {}
        self._print_failed_jobs: dict[str, Callable[[], object]] = {}
        self.maintenance_active = False
        """True while a technician has the maintenance screen open: cards are left to it."""
        self._connect()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.window.set_language(self.language)
        self._show_attract()

    # --- wiring ---------------------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.window
        w.stack.currentChanged.connect(self._on_stack_current_changed)
        watcher = self.services.card_watcher
        watcher.card_placed.connect(self._on_card_watcher_card_placed)
        watcher.read_failed.connect(self._on_card_watcher_read_failed)
        watcher.reader_ready.connect(self._on_card_watcher_reader_ready)
        watcher.card_removed.connect(self._on_card_watcher_card_removed)
        self.services.code_scanner.code_scanned.connect(self._on_code_scanner_code_scanned)
        self.services.code_scanner.scan_failed.connect(self._on_code_scanner_scan_failed)
        w.header.language_toggled.connect(self._on_header_language_toggled)
        w.header.staff_called.connect(self._on_header_staff_called)
        w.overlay.stay_requested.connect(self._on_overlay_stay_requested)
        w.attract.progress_requested.connect(self._open_progress)
        w.attract.photo_id_requested.connect(self._on_photo_id_requested)
        w.identify.photo_id_requested.connect(self._on_photo_id_requested)
        w.capture.promise_requested.connect(self._on_capture_promise_requested)
        w.commitment.confirmed.connect(self._on_commitment_confirmed)
        w.commitment.back_requested.connect(self._on_commitment_back_requested)
        w.choose.item_chosen.connect(self._on_choose_item_chosen)
        w.choose.home_requested.connect(self.wipe)
        w.identify.back_requested.connect(self._back_to_choose)
        w.guide.back_requested.connect(self._back_to_choose)
        w.guide.start_requested.connect(self._on_guide_start_requested)
        w.capture.take_requested.connect(self._on_capture_take_requested)
        w.capture.accepted.connect(self._on_capture_accepted)
        w.capture.back_requested.connect(self._on_capture_back_requested)
        preview = self.services.camera_preview
        if preview is not None:
            preview.frame_ready.connect(self._on_camera_preview_frame_ready)
            preview.document_ready.connect(self._on_camera_preview_document_ready)
            preview.preview_failed.connect(self._on_camera_preview_preview_failed)
        w.review.back_requested.connect(self._on_review_back_requested)
        w.review.submit_requested.connect(self._on_review_submit_requested)
        w.result.done_requested.connect(self._on_result_done_requested)
        w.result.reprint_requested.connect(self._on_result_reprint_requested)
        w.rate.rated.connect(self._on_rate_rated)
        w.progress.back_requested.connect(self._on_progress_back_requested)
        w.progress.reprint_requested.connect(self._on_progress_reprint_requested)
        w.verify.back_requested.connect(self._on_verify_back_requested)

    def start(self) -> None:
        """Begin watching the card reader and the camera."""
        self.services.card_watcher.start()
        self.services.code_scanner.start()
        if self.services.camera_preview is not None:
            self.services.camera_preview.start()
        factory = self.services.ocr_engine
        if factory is not None:
            self._engine_future = self.ocr_runner.run(
                factory, self._on_ocr_engine_ready, self._on_ocr_engine_failed
            )

    def _on_ocr_engine_ready(self, engine: OcrEngine) -> None:
        log.info("OCR engine %s ready", engine.name)

    def _on_ocr_engine_failed(self, error: BaseException) -> None:
        # The terminal still works: photos are kept unchecked and staff check them.
        self._ocr_unavailable = True
        log.error("OCR engine unavailable: %s", error)

    def stop(self) -> None:
        """Stop every worker; called on shutdown."""
        # The application outlives the controller (tests build many): a filter left behind has
        # Qt call into a Python object being torn down for every event.
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._idle_timer.stop()
        self._decision_timer.stop()
        self._check_timer.stop()
        self.services.card_watcher.stop()
        self.services.code_scanner.stop()
        if self.services.camera_preview is not None:
            self.services.camera_preview.stop()
        # One deadline for all: the workers are independent, so their waits overlap.
        deadline = time.monotonic() + 1.0
        for runner in (
            self.outbox_runner,
            self.camera_runner,
            self.receipt_runner,
            self.a4_runner,
            self.hall_runner,
            self.refresh_runner,
            self.ocr_runner,
        ):
            runner.shutdown(timeout=max(0.0, deadline - time.monotonic()))
        self.session.wipe()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any touch, click or key press means the citizen is still here.

        Presses on buttons right after a screen change are swallowed (``tap_guard_ms``).
        """
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self._touch()
        is_tap = kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)
        return is_tap and isinstance(watched, QPushButton) and self.tap_guarded()

    def tap_guarded(self) -> bool:
        """Whether button taps are being ignored because the screen just changed."""
        return time.monotonic() < self._tap_guard_until

    def _on_stack_current_changed(self, _: int) -> None:
        w = self.window
        if w.current_screen() not in (w.attract, w.progress, w.verify):
            self._set_scanning(False)  # e.g. a card was read: the journey takes no codes
        guard = self.services.settings.terminal.tap_guard_ms / 1000
        self._tap_guard_until = time.monotonic() + guard

    # --- idle -----------------------------------------------------------------------------------

    def _touch(self) -> None:
        self.idle.touch(time.monotonic())
        if self.window.overlay.isVisible():
            self.window.overlay.hide()

    def _on_idle_timer_timeout(self) -> None:
        if self.session.step is Step.ATTRACT:
            return
        if self._submitting or self.session.step is Step.SUBMIT:
            # Never wipe under a submission in flight: it ends in a receipt within seconds.
            self._touch()
            return
        now = time.monotonic()
        state = self.idle.state(now)
        if state is IdleState.ACTIVE:
            self.window.overlay.hide()
        elif state is IdleState.WARNING:
            self.window.overlay.show_countdown(self.idle.remaining(now), self.language)
        else:
            log.info("session %s timed out at %s", self.session.id[:8], self.session.step.value)
            self.wipe()

    def _on_overlay_stay_requested(self) -> None:
        self._touch()

    # --- language and staff ---------------------------------------------------------------------

    def _on_header_language_toggled(self) -> None:
        self.language = "en" if self.language == "zh" else "zh"
        self.session.language = self.language
        self.window.set_language(self.language)
        if self.session.step is Step.REVIEW:
            self._fill_review()

    def _on_header_staff_called(self) -> None:
        log.info("staff called at step %s", self.session.step.value)
        phone = self.services.settings.terminal.staff_phone
        self.window.banner.setText(tr("staff_called", self.language, phone=phone))
        self.window.banner.show()
        self._banner_timer.start()  # restarted by a second press, so it stays its full time

    # --- the session ----------------------------------------------------------------------------

    def _show_attract(self) -> None:
        self.window.attract.reset()
        self.window.show_screen(self.window.attract)
        if self._card_on_reader:
            # The card of the session just ended still lies there: remind its owner to take it
            # (it starts no new session until it has been lifted; see CardWatcher).
            self.window.attract.show_error(tr("attract_take_card", self.language))
        # The attract screen takes codes too: a receipt shows its case, a certificate is checked.
        # A code taken just before (still in the hand of a citizen leaving) is not taken again.
        self._set_scanning(True)

    def _set_scanning(self, on: bool, *, reset: bool = False) -> None:
        """Turn the code scanner on or off; ``reset`` forgets the codes it has just reported."""
        # Asks the source, not a copy of its state: maintenance mode's scan test switches it too.
        if on != self.services.code_scanner.enabled or (on and reset):
            self.services.code_scanner.enable(on, forget=reset)

    def wipe(self) -> None:
        """End the session: drop its personal data from memory and from every widget."""
        self._decision_timer.stop()
        self._idle_timer.stop()
        self._scan_hint_timer.stop()
        self._attract_notice_timer.stop()
        self._progress_query += 1
        self._set_scanning(False)
        self._enable_preview(False)
        self.session.wipe()
        self.session = Session(language=self.services.settings.terminal.language)
        if self._pending_photo is not None:
            self._pending_photo[:] = bytes(len(self._pending_photo))
            self._pending_photo = None
        self._drop_pending_check()
        self._capture_queue = []
        self._pending_commitment = None
        self._results.clear()
        # Print jobs hold the receipt and certificate (names): drop them, and ignore the
        # callbacks of jobs still running for the session that just ended.
        self._print_generation += 1
        self._print_pending = {}
        self._print_failed_jobs = {}
        w = self.window
        w.overlay.hide()
        w.set_elder_mode(False)
        w.choose.set_items([], "")
        w.identify.set_item_name(None)
        w.review.set_rows([])
        w.review.reset()
        w.capture.set_material(None, None)
        w.commitment.set_commitment(("", ""), ("", ""))
        w.choose.show_notice("")
        w.identify.offer_photos(False)
        w.result.set_result("accepted", "", offline=False, promised_days=0)
        w.progress.reset()
        w.verify.reset()
        if self.language != self.session.language:
            self.language = self.session.language
            w.set_language(self.language)
        self._show_attract()
        self.session_wiped.emit()

    def _begin_activity(self) -> None:
        self._touch()
        if not self._idle_timer.isActive():
            self._idle_timer.start()

    def _on_card_watcher_card_placed(self, card: IdCard) -> None:
        self._card_on_reader = True
        if self.maintenance_active:
            return  # the maintenance screen takes the card (a self-test) and wipes it
        step = self.session.step
        if step not in (Step.ATTRACT, Step.CHOOSE, Step.IDENTIFY, Step.GUIDE):
            card.wipe()  # a card laid down mid-submission is not taken; this copy is dropped
            return
        self._begin_activity()
        self.session.identify(card)
        log.info("card read (%s) at step %s", card.card_type.value, step.value)
        # 适老化: a card holder of 60 or more gets the larger type without having to ask.
        self.window.set_elder_mode(card.age_on(dt.date.today()) >= ELDER_AGE)
        if self.session.step is Step.GUIDE and self.session.item is not None:
            self._show_guide(self.session.item)
        else:
            self._show_choose()

    def _on_card_watcher_read_failed(self, error: DeviceError) -> None:
        message = error.message_en if self.language == "en" else error.message_zh
        if self.session.step is Step.ATTRACT:
            self.window.attract.show_error(message)
        elif self.session.step is Step.IDENTIFY:
            self.window.identify.show_error(message)
            item = self.session.item
            self.window.identify.offer_photos(item is not None and photo_id_spec(item) is not None)

    def _on_card_watcher_card_removed(self) -> None:
        self._card_on_reader = False
        if self.session.step is Step.ATTRACT:
            self.window.attract.error.hide()  # the "take your card" reminder has done its job

    def _on_card_watcher_reader_ready(self) -> None:
        # The reader answers again (replugged, or the line recovered): its fault no longer holds.
        self.window.attract.error.hide()
        self.window.identify.error.hide()

    def _items(self) -> list[ServiceItem]:
        return list(self.services.catalog().items)

    def _show_choose(self) -> None:
        holder = documents.mask_name(self.session.card.name) if self.session.card else ""
        self.window.choose.set_items(self._items(), holder)
        photo = self.session.photo_identity and self.session.card is None
        self.window.choose.show_notice(tr("choose_photo_id_note", self.language) if photo else "")
        self.window.show_screen(self.window.choose)

    def _on_photo_id_requested(self) -> None:
        """The card cannot be read: go on with photos of it, for the items that accept them."""
        self._begin_activity()
        try:
            self.session.start_photo_identity()
        except SessionError:
            return
        log.info("photo identity chosen at step %s", self.session.step.value)
        item = self.session.item
        if self.session.step is Step.IDENTIFY and item is not None:
            self.session.choose(item)  # the card is no longer awaited: on to its guide
            self._show_guide(item)
        else:
            self._show_choose()

    def _back_to_choose(self) -> None:
        self.session.back_to_choose()
        self._show_choose()

    def _on_choose_item_chosen(self, item: ServiceItem) -> None:
        self._begin_activity()
        if item.kind == "progress_query":
            self._open_progress()
            return
        needs_card = any(spec.source == "id_card" for spec in item.materials)
        if self.session.photo_identity and needs_card and photo_id_spec(item) is None:
            # A photo is not proof enough for an instant approval: say so and stay here.
            text = tr("choose_photo_id_refused", self.language, item=loc(item.name, self.language))
            self.window.choose.show_notice(text, error=True)
            return
        self.session.choose(item)
        if self.session.step is Step.IDENTIFY:
            self.window.identify.set_item_name(item.name)
            self.window.show_screen(self.window.identify)
        else:
            self._show_guide(item)

    def _show_guide(self, item: ServiceItem) -> None:
        self.window.guide.set_item(item)
        self.window.show_screen(self.window.guide)

    def _on_guide_start_requested(self) -> None:
        item = self.session.item
        if item is None:
            return
        self._capture_queue = [m.id for m in item.materials if m.source == "camera"]
        card_spec = photo_id_spec(item)
        if self.session.photo_identity and self.session.card is None and card_spec is not None:
            # Front first (it names the applicant the later materials must match), then back.
            sides = [side_key(card_spec.id, side) for side in (ID_FRONT, ID_BACK)]
            self._capture_queue = sides + self._capture_queue
        if self._capture_queue:
            self.session.go(Step.MATERIALS)
            self._ask_capture()
        else:
            self.session.go(Step.REVIEW)
            self._show_review()

    # --- materials ------------------------------------------------------------------------------

    def _current_material(self) -> MaterialSpec:
        item = self.session.item
        assert item is not None
        key = self._capture_queue[0]
        if ":" in key:
            material_id, side = key.split(":", 1)
            card_spec = next(m for m in item.materials if m.id == material_id)
            return side_spec(card_spec, side)
        return next(m for m in item.materials if m.id == key)

    def _ask_capture(self) -> None:
        spec = self._current_material()
        tolerable = spec.tolerance_days is not None
        self.window.capture.set_material(spec.name, spec.hint, tolerable=tolerable)
        self.window.show_screen(self.window.capture)
        self._enable_preview(True)

    def _enable_preview(self, on: bool, *, wait_for_change: bool = False) -> None:
        if self.services.camera_preview is not None:
            self.services.camera_preview.enable(on, wait_for_change=wait_for_change)

    def _on_capture_take_requested(self) -> None:
        self._drop_pending_check()
        self._enable_preview(False)
        self.window.capture.show_taking()
        camera = self.services.camera
        self.camera_runner.run(
            lambda: _photograph(camera), self._on_photo_taken, self._on_photo_failed
        )

    def _on_camera_preview_frame_ready(self, frame: PreviewFrame) -> None:
        preview = self.services.camera_preview
        assert preview is not None
        if self.session.step is Step.MATERIALS and self.window.stack.currentWidget() is (
            self.window.capture
        ):
            height, width, _ = frame.rgb.shape
            image = QImage(
                frame.rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888
            ).copy()
            self.window.capture.show_live(image, frame.assessment.advice.value)
        preview.frame_painted()

    def _on_camera_preview_document_ready(self, frame: np.ndarray) -> None:
        capture = self.window.capture
        if (
            self.session.step is not Step.MATERIALS
            or self.window.stack.currentWidget() is not capture
            or capture.has_photo
            or capture.taking
        ):
            return
        capture.show_taking()
        self.camera_runner.run(
            lambda: _process_photo(frame), self._on_photo_taken, self._on_photo_failed
        )

    def _on_camera_preview_preview_failed(self, error: BaseException) -> None:
        log.warning("camera preview: %s", type(error).__name__)
        if self.window.stack.currentWidget() is self.window.capture:
            self.window.capture.show_error(tr("capture_no_camera", self.language))

    def _on_photo_taken(self, taken: tuple[bytearray, np.ndarray]) -> None:
        jpeg, rgb = taken
        if self.session.step is not Step.MATERIALS:
            jpeg[:] = bytes(len(jpeg))
            return
        if self._pending_photo is not None:
            self._pending_photo[:] = bytes(len(self._pending_photo))
        self._pending_photo = jpeg
        height, width, _ = rgb.shape
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self._drop_pending_check()
        spec = self._current_material()
        if not needs_check(spec) or self._engine_future is None:
            self.window.capture.show_photo(image)
            return
        if self._ocr_unavailable:
            self.window.capture.show_photo(image)
            self.window.capture.show_verdict("unavailable", [])
            return
        self._start_check(spec, bytes(jpeg), image)

    # --- checking a material --------------------------------------------------------------------

    def _start_check(self, spec: MaterialSpec, jpeg: bytes, image: QImage) -> None:
        """Read and judge the photo on the OCR worker; the verdict or the timeout comes back."""
        self._check_generation += 1
        generation = self._check_generation
        self._pending_check = image
        applicant: dict[str, object] | None = None
        found = self.session.applicant()
        if found is not None:
            applicant = dict(found)
        front: dict[str, object] | None = None
        if spec.id.endswith(":" + ID_BACK):
            front = dict(self.session.photo_fields(ID_FRONT)) or None
        today = dt.date.today()
        engine_future = self._engine_future
        assert engine_future is not None

        def check() -> MaterialCheck:
            # The engine was built by the task before this one on the same worker.
            return check_photo(engine_future.result(), jpeg, spec, applicant, today, front=front)

        self.window.capture.show_checking(CHECK_SECONDS)
        self.ocr_runner.run(
            check,
            partial(self._on_check_done, generation),
            partial(self._on_check_failed, generation),
        )
        self._check_timer.start(int(self.services.settings.ocr.check_timeout_s * 1000))

    def _check_current(self, generation: int) -> QImage | None:
        if generation != self._check_generation or self.session.step is not Step.MATERIALS:
            return None
        image, self._pending_check = self._pending_check, None
        self._check_timer.stop()
        return image

    def _on_check_done(self, generation: int, check: MaterialCheck) -> None:
        image = self._check_current(generation)
        if image is None:
            return
        self._pending_fields = dict(check.fields) if check.ok else {}
        reasons = list(zip(check.reasons("zh"), check.reasons("en"), strict=True))
        self.window.capture.show_photo(image)
        self.window.capture.show_verdict("ok" if check.ok else "failed", reasons)

    def _on_check_failed(self, generation: int, error: BaseException) -> None:
        image = self._check_current(generation)
        if image is None:
            return
        log.error("material check failed: %s", type(error).__name__)
        self.window.capture.show_photo(image)
        self.window.capture.show_verdict("unavailable", [])

    def _on_check_timer_timeout(self) -> None:
        image = self._check_current(self._check_generation)
        if image is None:
            return
        self._check_generation += 1  # the late verdict is ignored: the photo is kept unchecked
        log.warning("material check timed out")
        self.window.capture.show_photo(image)
        self.window.capture.show_verdict("timeout", [])

    def _drop_pending_check(self) -> None:
        self._check_generation += 1
        self._check_timer.stop()
        self._pending_check = None
        self._pending_fields = {}

    def _on_photo_failed(self, error: BaseException) -> None:
        if self.session.step is Step.MATERIALS:
            # Guidance carries on under the message; the same still picture is not retaken.
            self._enable_preview(True, wait_for_change=True)
        if isinstance(error, PhotoRejectedError):
            log.info("photo rejected: %s", error)
            self.window.capture.show_error(error.report.hint(self.language))
            return
        log.warning("photo failed: %s", type(error).__name__)
        self.window.capture.show_error(tr("capture_failed", self.language))

    def _on_capture_accepted(self) -> None:
        if self._pending_photo is None or not self._capture_queue:
            return
        self._enable_preview(False)
        if self.window.capture.verdict_state == "failed":
            return  # a document that failed its check is retaken, not used
        material_id = self._capture_queue.pop(0)
        fields, self._pending_fields = self._pending_fields, {}
        self.session.add_material(CapturedMaterial(material_id, self._pending_photo, fields=fields))
        self._pending_photo = None
        if material_id.endswith(":" + ID_FRONT):
            # 适老化 as for a card read: the photographed front's birth date says the age.
            self.window.set_elder_mode(_age(fields.get("birth_date")) >= ELDER_AGE)
        if self._capture_queue:
            self._ask_capture()
        else:
            self.session.go(Step.REVIEW)
            self._show_review()

    def _on_capture_promise_requested(self) -> None:
        item = self.session.item
        if self.session.step is not Step.MATERIALS or item is None or not self._capture_queue:
            return
        spec = self._current_material()
        if spec.tolerance_days is None:
            return
        self._enable_preview(False)
        self._drop_pending_check()
        commitment = commitment_for(item, spec, dt.date.today())
        self._pending_commitment = commitment
        day = commitment.deadline
        self.window.commitment.set_commitment(
            (commitment.text_zh, commitment.text_en),
            (f"{day.year}年{day.month}月{day.day}日", f"{day:%d %B %Y}"),
        )
        self.window.show_screen(self.window.commitment)

    def _on_commitment_confirmed(self) -> None:
        commitment, self._pending_commitment = self._pending_commitment, None
        if commitment is None or self.session.step is not Step.MATERIALS:
            return
        if not self._capture_queue or self._capture_queue[0] != commitment.material_id:
            return
        self._capture_queue.pop(0)
        if self._pending_photo is not None:
            self._pending_photo[:] = bytes(len(self._pending_photo))
            self._pending_photo = None
        self.session.tolerate(commitment)
        log.info("material %s tolerated until %s", commitment.material_id, commitment.deadline)
        if self._capture_queue:
            self._ask_capture()
        else:
            self.session.go(Step.REVIEW)
            self._show_review()

    def _on_commitment_back_requested(self) -> None:
        self._pending_commitment = None
        if self.session.step is Step.MATERIALS and self._capture_queue:
            self._ask_capture()

    def _on_capture_back_requested(self) -> None:
        self._enable_preview(False)
        item = self.session.item
        self.session.go(Step.GUIDE)
        if item is not None:
            self._show_guide(item)

    # --- review and submit ----------------------------------------------------------------------

    def _fill_review(self) -> None:
        session = self.session
        assert session.item is not None
        lang = self.language
        rows = [("review_item", loc(session.item.name, lang))]
        applicant = session.applicant()
        if applicant is not None:
            rows.append(("review_applicant", documents.mask_name(applicant["name"])))
            rows.append(("review_id", session.masked_id_number))
        elif session.photo_identity:
            rows.append(("review_applicant", tr("review_unread", lang)))
        if session.card is None and session.photo_identity:
            rows.append(("review_identity", tr("review_identity_photo", lang)))
        prefilled: list[tuple[str, str]] = []
        for spec in session.item.materials:
            name = loc(spec.name, lang)
            promise = session.commitments.get(spec.id)
            if promise is not None:
                day = promise.deadline
                date = f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%d %B}"
                rows.append(
                    ("review_materials", f"{name} · {tr('review_promised', lang, date=date)}")
                )
                continue
            done = "review_card_ok" if spec.source == "id_card" else "review_material_ok"
            if spec.source == "id_card" and session.card is None and session.photo_identity:
                done = "review_photo_ok"
            material = session.materials.get(spec.id)
            if material is not None and material.fields:
                done = "review_material_checked"
                prefilled += self._prefill_rows(material.fields)
            rows.append(("review_materials", f"{name} ✓ {tr(done, lang)}"))
        self.window.review.set_rows(rows + prefilled)

    def _prefill_rows(self, fields: Mapping[str, object]) -> list[tuple[str, str]]:
        """The application's fields read from a document, as the review screen shows them."""
        rows: list[tuple[str, str]] = []
        for name, key in (("lessor", "review_lessor"), ("lessee", "review_lessee")):
            value = fields.get(name)
            if isinstance(value, str):
                # A person's name is masked like the applicant's; a firm's name is not personal.
                rows.append((key, documents.mask_name(value) if len(value) <= 4 else value))
        if isinstance(fields.get("address"), str):
            rows.append(("review_premises", str(fields["address"])))
        start, end = fields.get("start_date"), fields.get("end_date")
        if isinstance(start, str) and isinstance(end, str):
            rows.append(
                ("review_lease_term", tr("review_term_value", self.language, start=start, end=end))
            )
        return rows

    def _show_review(self) -> None:
        self.window.review.wait_seconds = int(self.services.settings.terminal.decision_wait_s) + 2
        self.window.review.reset()
        self._fill_review()
        self.window.show_screen(self.window.review)

    def _on_review_back_requested(self) -> None:
        if self._submitting:
            return
        item = self.session.item
        self.session.go(Step.GUIDE)
        if item is not None:
            self._show_guide(item)

    def _on_review_submit_requested(self) -> None:
        if self.session.step is not Step.REVIEW or self._submitting:
            return
        session, journey = self.session, self.services.journey
        try:
            draft = journey.draft(session)
        except SessionError:
            log.exception("submit pressed on an incomplete session")
            self.window.review.show_error(tr("submit_failed", self.language))
            return
        self._submitting = True
        self.window.review.show_submitting()
        self.outbox_runner.run(
            lambda: journey.submit(draft),
            partial(self._on_submitted, session),
            partial(self._on_submit_failed, session),
        )

    def _on_submitted(self, session: Session, case_number: str) -> None:
        self._submitting = False
        early = self._results.pop(case_number, None)
        self._results.clear()
        log.info("case %s queued", case_number)
        if session is not self.session:
            # Only a shutdown ends a session mid-submit (idle, back and home wait for it); the
            # case is safely queued and the hall's decision follows by its own channels.
            log.warning("case %s queued after its session ended", case_number)
            return
        session.case_number = case_number
        session.go(Step.SUBMIT)
        if early is not None:
            self._show_result(early)
        else:
            self._decision_timer.start(int(self.services.settings.terminal.decision_wait_s * 1000))

    def _on_submit_failed(self, session: Session, error: BaseException) -> None:
        self._submitting = False
        self._results.clear()
        log.error("submission could not be queued: %s", type(error).__name__)
        if session is self.session:
            full = isinstance(error, StoreFullError)
            key = "submit_store_full" if full else "submit_failed"
            self.window.review.show_error(tr(key, self.language))

    def on_result(self, case_number: str, result: SubmissionPublic) -> None:
        """The hall answered for a case (called on the GUI thread through a queued signal).

        Only the answer the current session waits for is kept: a backlog draining after an
        outage must not gather other citizens' certificates in memory.
        """
        if self.session.step is Step.SUBMIT and self.session.case_number == case_number:
            self._decision_timer.stop()
            self._show_result(result)
        elif self._submitting:
            # The answer can overtake the outbox's own callback; hold it for that moment only.
            self._results[case_number] = result

    def _on_decision_timer_timeout(self) -> None:
        if self.session.step is Step.SUBMIT:
            self._show_result(None)

    def _show_result(self, result: SubmissionPublic | None) -> None:
        session = self.session
        assert session.item is not None and session.case_number is not None
        session.result = result
        session.go(Step.RESULT)
        status = result.status if result is not None else "accepted"
        reason = ""
        if result is not None and result.decision is not None and result.decision.reason:
            reason = loc(result.decision.reason, self.language)
        self.window.result.set_result(
            status,
            session.case_number,
            reason=reason,
            offline=result is None,
            promised_days=documents.decision_within_days(session.item),
        )
        self.window.show_screen(self.window.result)
        self.result_shown.emit(status)
        self._print(result)

    # --- printing -------------------------------------------------------------------------------

    def _print(self, result: SubmissionPublic | None) -> None:
        session = self.session
        assert session.item is not None and session.case_number is not None
        applicant = session.applicant() or {"name": "", "id_number": ""}
        names = {spec.id: spec.name.zh for spec in session.item.materials}
        receipt: Receipt = documents.receipt(
            item=session.item,
            case_number=session.case_number,
            applicant_name=applicant["name"],
            applicant_id_number=applicant["id_number"],
            result=result,
            printed_at=dt.datetime.now(dt.UTC),
            location=self.services.settings.terminal.location_zh,
            promises=[
                (names.get(c.material_id, c.material_id), c.deadline)
                for c in session.commitments.values()
            ],
            identity_photo=session.identity_source == "photo",
        )
        certificate: CertificateDocument | None = None
        if result is not None and result.certificate is not None:
            certificate = documents.certificate_document(result.certificate)
        session.go(Step.PRINT)
        printer, a4 = self.services.receipt_printer, self.services.document_printer
        jobs: dict[str, Callable[[], object]] = {"receipt": lambda: printer.print_receipt(receipt)}
        if certificate is not None:
            doc = certificate
            jobs["certificate"] = lambda: a4.print_certificate(doc)
        queued = self.services.print_jobs
        if queued is not None:
            # Through the durable queue: a job the printer could not take now prints when it is
            # back, and "print again" reuses the same job (never a second copy).
            case = session.case_number
            jobs = {"receipt": queued.job("receipt", case, encode_receipt(receipt))}
            if certificate is not None:
                jobs["certificate"] = queued.job(
                    "certificate", case, encode_certificate(certificate)
                )
        self._start_print_jobs(jobs)

    def _start_print_jobs(self, jobs: dict[str, Callable[[], object]]) -> None:
        """Send each job to its printer's worker; the ones that fail are kept for a retry."""
        generation = self._print_generation
        self._print_pending = dict(jobs)
        self._print_failed_jobs = {}
        self.window.result.set_printing("busy")
        for name, job in jobs.items():
            runner = self.receipt_runner if name == "receipt" else self.a4_runner
            runner.run(
                job,
                partial(self._on_print_job_succeeded, generation, name),
                partial(self._on_print_job_ended, generation, name, job=job),
            )

    def _on_print_job_succeeded(self, generation: int, name: str, _: object) -> None:
        self._on_print_job_ended(generation, name, None, job=None)

    def _on_print_job_ended(
        self,
        generation: int,
        name: str,
        error: BaseException | None,
        *,
        job: Callable[[], object] | None,
    ) -> None:
        if generation != self._print_generation:
            return  # the session this job printed for has been wiped since
        self._print_pending.pop(name, None)
        if error is not None and job is not None:
            log.error("printing the %s failed: %s", name, type(error).__name__)
            self._print_failed_jobs[name] = job
        if not self._print_pending:
            self._finish_printing()

    def _finish_printing(self) -> None:
        if self._print_failed_jobs:
            self.window.result.set_printing("failed", tr("print_failed", self.language))
            self.printing_finished.emit("failed")
        else:
            self.window.result.set_printing("done")
            self.printing_finished.emit("done")

    def _on_result_reprint_requested(self) -> None:
        if self.session.step is Step.PRINT and self._print_failed_jobs and not self._print_pending:
            self._start_print_jobs(self._print_failed_jobs)

    def _on_result_done_requested(self) -> None:
        if self.session.step in (Step.RESULT, Step.PRINT):
            self.session.go(Step.RATE)
            self.window.show_screen(self.window.rate)

    def _on_rate_rated(self, score: int) -> None:
        self.session.rating = score or None
        log.info("session rated %s", score or "skipped")
        self.wipe()

    # --- progress query -------------------------------------------------------------------------

    def _open_progress(self, *, reset_scanner: bool = True) -> None:
        self._begin_activity()
        if self.session.step is Step.ATTRACT:
            self.session.step = Step.CHOOSE
        if self.session.step is not Step.PROGRESS:  # back from a certificate's check it is
            self.session.go(Step.PROGRESS)
        self._progress_query += 1
        self.window.progress.reset()
        self.window.show_screen(self.window.progress)
        # From the button: look afresh, so a code shown before the press counts now.
        self._set_scanning(True, reset=reset_scanner)
        self._scan_hint_timer.start()

    def _on_progress_back_requested(self) -> None:
        self._progress_query += 1
        self._set_scanning(False)
        self._scan_hint_timer.stop()
        if self.session.card is None:
            self.wipe()
        else:
            self.session.go(Step.CHOOSE)
            self._show_choose()

    def _on_code_scanner_code_scanned(self, payload: str) -> None:
        w = self.window
        at = w.current_screen()
        if self.session.step not in (Step.ATTRACT, Step.PROGRESS) or at not in (
            w.attract,
            w.progress,
            w.verify,
        ):
            return  # a screen that takes no code (a wedge scan is swallowed all the same)
        scan = classify(payload, self.services.public_keys(), dt.date.today())
        if scan.kind is ScanKind.UNKNOWN and at is w.attract:
            # A payment code on a phone, a poster: say so, but do not leave the attract screen.
            w.attract.show_error(tr("attract_unknown_code", self.language))
            self._attract_notice_timer.start()
            return
        self._touch()
        self._scan_hint_timer.stop()
        if scan.kind is ScanKind.CERTIFICATE and scan.check is not None:
            self._show_certificate_check(scan.check, from_progress=at is w.progress)
            return
        if at is not w.progress:
            self._open_progress(reset_scanner=False)
        screen = w.progress
        if scan.kind is ScanKind.CASE:
            screen.show_looking(scan.text)
            lookup, local_case = self.services.progress_lookup, self.services.local_case

            def ask_hall_then_local() -> CaseProgressPublic | dt.datetime | None:
                # Both run on the worker: the local fallback reads SQLite, never on the GUI.
                try:
                    return lookup(scan.text)
                except HallUnavailableError:
                    return local_case(scan.text)

            self._progress_query += 1
            query = self._progress_query
            self.hall_runner.run(
                ask_hall_then_local,
                partial(self._on_progress_answer, query),
                partial(self._on_progress_failed, query),
            )
        else:
            screen.show_message("progress_unknown_code")

    def _show_certificate_check(self, check: CertificateCheck, *, from_progress: bool) -> None:
        """Show the verdict on a scanned certificate on its own screen."""
        if self.session.step is Step.ATTRACT:
            self._begin_activity()  # the idle clock brings the attract screen back
            self.session.go(Step.PROGRESS)
        if self.window.current_screen() is not self.window.verify:
            self._verify_from_progress = from_progress
        self._progress_query += 1  # an answer to an earlier receipt scan is no longer wanted
        claims = check.claims
        view = CertificateView(status=check.status)
        if claims is not None and check.status in ("genuine", "expired"):
            try:
                name = self.services.catalog().item(claims.item).name
                item_zh, item_en = name.zh, name.en
            except KeyError:
                item_zh = item_en = claims.item
            view = CertificateView(
                status=check.status,
                certificate_id=claims.cid,
                holder=documents.mask_name(claims.name),
                id_masked=claims.idm,
                item_zh=item_zh,
                item_en=item_en,
                issued=claims.iat.isoformat(),
                valid_until=claims.exp.isoformat() if claims.exp else "",
            )
        self.window.verify.show_check(view)
        self.window.show_screen(self.window.verify)
        self.certificate_checked.emit(check.status)

    def _on_verify_back_requested(self) -> None:
        self.window.verify.reset()
        if self._verify_from_progress:
            # The certificate may still be in the citizen's hand: do not check it again at once.
            self._open_progress(reset_scanner=False)
        else:
            self.wipe()

    def _on_attract_notice_timer_timeout(self) -> None:
        if self.window.current_screen() is self.window.attract:
            self.window.attract.error.hide()

    def _on_code_scanner_scan_failed(self, error: DeviceError) -> None:
        # The technician sees it in the log and in `kiosk doctor`; the citizen keeps the card
        # reader and the on-screen ways in, so nothing is shown on the screen for it.
        log.warning("code scanner: %s", error)

    def _on_progress_answer(
        self, query: int, answer: CaseProgressPublic | dt.datetime | None
    ) -> None:
        if query != self._progress_query or self.session.step is not Step.PROGRESS:
            return  # an answer for a query its citizen has left (or replaced by a newer scan)
        screen = self.window.progress
        if isinstance(answer, CaseProgressPublic):
            screen.show_progress(answer)
            if answer.status == "approved" and self.services.reprints is not None:
                reprints, case = self.services.reprints, answer.case_number
                self.hall_runner.run(
                    lambda: reprints.offer(case),
                    partial(self._on_reprint_offer, query, case),
                    partial(self._on_reprint_offer_failed, query),
                )
        elif isinstance(answer, dt.datetime):
            when = answer.astimezone().strftime("%Y-%m-%d %H:%M")
            screen.show_message("progress_offline", time=when)
        else:
            screen.show_message("progress_unreachable")

    def _on_reprint_offer(self, query: int, case: str, left: int | None) -> None:
        if query != self._progress_query or self.session.step is not Step.PROGRESS:
            return
        self._reprint_case = case
        if left == 0:
            self.window.progress.show_message("progress_reprint_used_up")
        elif left is not None:
            self.window.progress.offer_reprint(left)

    def _on_reprint_offer_failed(self, query: int, error: BaseException) -> None:
        # The progress is on the screen already; only the reprint offer is missing.
        log.warning("reprint offer failed: %s", type(error).__name__)

    def _on_progress_reprint_requested(self) -> None:
        reprints, case = self.services.reprints, self._reprint_case
        if self.session.step is not Step.PROGRESS or reprints is None or case is None:
            return
        self._touch()
        screen = self.window.progress
        screen.reprint_button.setEnabled(False)
        screen.busy.show_busy(tr("progress_reprinting", self.language))
        query = self._progress_query
        self.a4_runner.run(
            lambda: reprints.reprint(case),
            partial(self._on_reprint_done, query),
            partial(self._on_reprint_failed, query),
        )

    def _on_reprint_done(self, query: int, _job: object) -> None:
        if query != self._progress_query or self.session.step is not Step.PROGRESS:
            return
        screen = self.window.progress
        screen.offer_reprint(screen.reprint_left - 1)
        screen.show_message("progress_reprinted", ok=True)
        self.reprint_finished.emit("printed")

    def _on_reprint_failed(self, query: int, error: BaseException) -> None:
        if query != self._progress_query or self.session.step is not Step.PROGRESS:
            return
        screen = self.window.progress
        if isinstance(error, ReprintLimitError):
            screen.offer_reprint(0)
            screen.show_message("progress_reprint_used_up")
            self.reprint_finished.emit("used_up")
        else:
            log.error("certificate reprint failed: %s", type(error).__name__)
            screen.reprint_button.setEnabled(True)
            screen.show_message("progress_reprint_failed")
            self.reprint_finished.emit("failed")

    def _on_progress_failed(self, query: int, error: BaseException) -> None:
        if query != self._progress_query or self.session.step is not Step.PROGRESS:
            return
        if isinstance(error, HallRejectedError):
            self.window.progress.show_message("progress_not_found")
        else:
            log.error("progress query failed: %s", type(error).__name__)
            self.window.progress.show_message("progress_unreachable")

    def _on_scan_hint_timer_timeout(self) -> None:
        screen = self.window.progress
        if self.session.step is Step.PROGRESS and screen.progress is None:
            screen.show_message("progress_no_code")


def _age(birth: object) -> int:
    """Whole years of age today for an ISO birth date read from a document; 0 when unknown."""
    if not isinstance(birth, str):
        return 0
    try:
        born = dt.date.fromisoformat(birth)
    except ValueError:
        return 0
    today = dt.date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PhotoRejectedError(Exception):
    """The photo failed a quality gate; ``report.hint(language)`` tells the citizen why."""

    def __init__(self, report: QualityReport) -> None:
        """Keep the report."""
        super().__init__(", ".join(report.problems))
        self.report = report


def _photograph(camera: Camera) -> tuple[bytearray, np.ndarray]:
    """Grab a frame, gate its quality, and encode it: JPEG to submit, RGB for the preview."""
    frame = camera.grab()
    if frame is None:
        raise DeviceError("the camera gave no frame")
    return _process_photo(frame)


def _process_photo(frame: np.ndarray) -> tuple[bytearray, np.ndarray]:
    """Gate a frame's quality and encode it: JPEG to submit, RGB for the preview."""
    report = assess(frame)
    if not report.ok:
        raise PhotoRejectedError(report)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise DeviceError("the frame could not be encoded")
    preview = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return bytearray(encoded.tobytes()), np.ascontiguousarray(preview)
