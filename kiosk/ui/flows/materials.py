"""Materials: photograph each document, check it with OCR, or promise it for later (容缺).

Owns the camera preview's signals, the OCR engine's warm-up and the check's timeout; the order
of the materials and what they are come from ``kiosk.services.capture``.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Future
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage

from hall.schema import MaterialSpec
from kiosk.services.capture import capture_queue, is_elder_front, material_for
from kiosk.services.materials import MaterialCheck, check_photo, commitment_for, needs_check
from kiosk.services.session import ID_BACK, ID_FRONT, CapturedMaterial, Commitment, Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.photos import PhotoRejectedError, photograph, process_photo
from kiosk.ui.preview import PreviewFrame
from kiosk.ui.strings import tr
from ocr.engine import OcrEngine

log = logging.getLogger(__name__)

CHECK_SECONDS = 3
"""What the citizen is told a material's check takes: PP-OCR reads an A4 photo in about 0.8 s
on a 2-core terminal (p95 about 1.1 s, ``python -m bench ocr``); 3 s leaves room for a loaded
box without making anyone wait for a number that never comes."""


def _zero(photo: bytearray | None) -> None:
    if photo is not None:
        photo[:] = bytes(len(photo))


def _rgb_image(rgb: np.ndarray) -> QImage:
    height, width, _ = rgb.shape
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class MaterialsFlow(QObject):
    """The capture and commitment screens; offers ``materials``, hands over to ``review``."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the capture and commitment screens and the camera preview."""
        super().__init__(nav)
        self.nav = nav
        self._ocr_unavailable = False
        self._engine_future: Future[OcrEngine] | None = None
        self._check_generation = 0
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self._pending_check: QImage | None = None
        self._pending_fields: dict[str, object] = {}
        self._queue: list[str] = []
        self._pending_photo: bytearray | None = None
        self._pending_commitment: Commitment | None = None
        w = nav.window
        w.capture.take_requested.connect(self._on_capture_take_requested)
        w.capture.accepted.connect(self._on_capture_accepted)
        w.capture.back_requested.connect(self._on_capture_back_requested)
        w.capture.promise_requested.connect(self._on_capture_promise_requested)
        w.commitment.confirmed.connect(self._on_commitment_confirmed)
        w.commitment.back_requested.connect(self._on_commitment_back_requested)
        preview = nav.services.camera_preview
        if preview is not None:
            preview.frame_ready.connect(self._on_camera_preview_frame_ready)
            preview.document_ready.connect(self._on_camera_preview_document_ready)
            preview.preview_failed.connect(self._on_camera_preview_preview_failed)
        nav.provide("materials", self._start)
        nav.on_wipe(self._wipe)

    def start(self) -> None:
        """Build and warm up the OCR engine on its worker, if materials are checked."""
        factory = self.nav.services.ocr_engine
        if factory is not None:
            self._engine_future = self.nav.workers.ocr.run(
                factory, self._on_ocr_engine_ready, self._on_ocr_engine_failed
            )

    def stop(self) -> None:
        """Stop the check's timer; called on shutdown."""
        self._check_timer.stop()

    def _wipe(self) -> None:
        self._enable_preview(False)
        _zero(self._pending_photo)
        self._pending_photo = None
        self._drop_pending_check()
        self._queue = []
        self._pending_commitment = None
        self.nav.window.capture.set_material(None, None)
        self.nav.window.commitment.set_commitment(("", ""), ("", ""))

    def _on_ocr_engine_ready(self, engine: OcrEngine) -> None:
        log.info("OCR engine %s ready", engine.name)

    def _on_ocr_engine_failed(self, error: BaseException) -> None:
        # The terminal still works: photos are kept unchecked and staff check them.
        self._ocr_unavailable = True
        log.error("OCR engine unavailable: %s", error)

    # --- the queue ------------------------------------------------------------------------------

    def _start(self) -> None:
        self._queue = capture_queue(self.nav.session)
        if self._queue:
            self.nav.session.go(Step.MATERIALS)
            self._ask_capture()
        else:
            self._to_review()

    def _to_review(self) -> None:
        self.nav.session.go(Step.REVIEW)
        self.nav.go("review")

    def _next(self) -> None:
        if self._queue:
            self._ask_capture()
        else:
            self._to_review()

    def _current_material(self) -> MaterialSpec:
        item = self.nav.session.item
        assert item is not None
        return material_for(item, self._queue[0])

    def _ask_capture(self) -> None:
        spec = self._current_material()
        tolerable = spec.tolerance_days is not None
        self.nav.window.capture.set_material(spec.name, spec.hint, tolerable=tolerable)
        self.nav.window.show_screen(self.nav.window.capture)
        self._enable_preview(True)

    def _enable_preview(self, on: bool, *, wait_for_change: bool = False) -> None:
        if self.nav.services.camera_preview is not None:
            self.nav.services.camera_preview.enable(on, wait_for_change=wait_for_change)

    def _on_capture_back_requested(self) -> None:
        self._enable_preview(False)
        item = self.nav.session.item
        self.nav.session.go(Step.GUIDE)
        if item is not None:
            self.nav.go("guide", item)

    # --- taking the photo -----------------------------------------------------------------------

    def _on_capture_take_requested(self) -> None:
        self._drop_pending_check()
        self._enable_preview(False)
        self.nav.window.capture.show_taking()
        camera = self.nav.services.camera
        self.nav.workers.camera.run(
            lambda: photograph(camera), self._on_photo_taken, self._on_photo_failed
        )

    def _on_camera_preview_frame_ready(self, frame: PreviewFrame) -> None:
        preview = self.nav.services.camera_preview
        assert preview is not None
        w = self.nav.window
        if self.nav.session.step is Step.MATERIALS and w.stack.currentWidget() is w.capture:
            w.capture.show_live(_rgb_image(frame.rgb), frame.assessment.advice.value)
        preview.frame_painted()

    def _on_camera_preview_document_ready(self, frame: np.ndarray) -> None:
        w = self.nav.window
        capture = w.capture
        if (
            self.nav.session.step is not Step.MATERIALS
            or w.stack.currentWidget() is not capture
            or capture.has_photo
            or capture.taking
        ):
            return
        capture.show_taking()
        self.nav.workers.camera.run(
            lambda: process_photo(frame), self._on_photo_taken, self._on_photo_failed
        )

    def _on_camera_preview_preview_failed(self, error: BaseException) -> None:
        log.warning("camera preview: %s", type(error).__name__)
        w = self.nav.window
        if w.stack.currentWidget() is w.capture:
            w.capture.show_error(tr("capture_no_camera", self.nav.language))

    def _on_photo_taken(self, taken: tuple[bytearray, np.ndarray]) -> None:
        jpeg, rgb = taken
        if self.nav.session.step is not Step.MATERIALS:
            _zero(jpeg)
            return
        _zero(self._pending_photo)
        self._pending_photo = jpeg
        image = _rgb_image(rgb)
        self._drop_pending_check()
        spec = self._current_material()
        capture = self.nav.window.capture
        if not needs_check(spec) or self._engine_future is None:
            capture.show_photo(image)
            return
        if self._ocr_unavailable:
            capture.show_photo(image)
            capture.show_verdict("unavailable", [])
            return
        self._start_check(spec, bytes(jpeg), image)

    def _on_photo_failed(self, error: BaseException) -> None:
        if self.nav.session.step is Step.MATERIALS:
            # Guidance carries on under the message; the same still picture is not retaken.
            self._enable_preview(True, wait_for_change=True)
        if isinstance(error, PhotoRejectedError):
            log.info("photo rejected: %s", error)
            self.nav.window.capture.show_error(error.report.hint(self.nav.language))
            return
        log.warning("photo failed: %s", type(error).__name__)
        self.nav.window.capture.show_error(tr("capture_failed", self.nav.language))

    # --- checking a material --------------------------------------------------------------------

    def _start_check(self, spec: MaterialSpec, jpeg: bytes, image: QImage) -> None:
        """Read and judge the photo on the OCR worker; the verdict or the timeout comes back."""
        self._check_generation += 1
        generation = self._check_generation
        self._pending_check = image
        session = self.nav.session
        applicant: dict[str, object] | None = None
        found = session.applicant()
        if found is not None:
            applicant = dict(found)
        front: dict[str, object] | None = None
        if spec.id.endswith(":" + ID_BACK):
            front = dict(session.photo_fields(ID_FRONT)) or None
        today = dt.date.today()
        engine_future = self._engine_future
        assert engine_future is not None

        def check() -> MaterialCheck:
            # The engine was built by the task before this one on the same worker.
            return check_photo(engine_future.result(), jpeg, spec, applicant, today, front=front)

        self.nav.window.capture.show_checking(CHECK_SECONDS)
        self.nav.workers.ocr.run(
            check,
            partial(self._on_check_done, generation),
            partial(self._on_check_failed, generation),
        )
        self._check_timer.start(int(self.nav.services.settings.ocr.check_timeout_s * 1000))

    def _check_current(self, generation: int) -> QImage | None:
        if generation != self._check_generation or self.nav.session.step is not Step.MATERIALS:
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
        self.nav.window.capture.show_photo(image)
        self.nav.window.capture.show_verdict("ok" if check.ok else "failed", reasons)

    def _on_check_failed(self, generation: int, error: BaseException) -> None:
        image = self._check_current(generation)
        if image is None:
            return
        log.error("material check failed: %s", type(error).__name__)
        self.nav.window.capture.show_photo(image)
        self.nav.window.capture.show_verdict("unavailable", [])

    def _on_check_timer_timeout(self) -> None:
        image = self._check_current(self._check_generation)
        if image is None:
            return
        self._check_generation += 1  # the late verdict is ignored: the photo is kept unchecked
        log.warning("material check timed out")
        self.nav.window.capture.show_photo(image)
        self.nav.window.capture.show_verdict("timeout", [])

    def _drop_pending_check(self) -> None:
        self._check_generation += 1
        self._check_timer.stop()
        self._pending_check = None
        self._pending_fields = {}

    # --- keeping it, or promising it ------------------------------------------------------------

    def _on_capture_accepted(self) -> None:
        if self._pending_photo is None or not self._queue:
            return
        self._enable_preview(False)
        if self.nav.window.capture.verdict_state == "failed":
            return  # a document that failed its check is retaken, not used
        material_id = self._queue.pop(0)
        fields, self._pending_fields = self._pending_fields, {}
        self.nav.session.add_material(
            CapturedMaterial(material_id, self._pending_photo, fields=fields)
        )
        self._pending_photo = None
        elder = is_elder_front(material_id, fields, dt.date.today())
        if elder is not None:
            self.nav.window.set_elder_mode(elder)
        self._next()

    def _on_capture_promise_requested(self) -> None:
        session = self.nav.session
        item = session.item
        if session.step is not Step.MATERIALS or item is None or not self._queue:
            return
        spec = self._current_material()
        if spec.tolerance_days is None:
            return
        self._enable_preview(False)
        self._drop_pending_check()
        commitment = commitment_for(item, spec, dt.date.today())
        self._pending_commitment = commitment
        day = commitment.deadline
        self.nav.window.commitment.set_commitment(
            (commitment.text_zh, commitment.text_en),
            (f"{day.year}年{day.month}月{day.day}日", f"{day:%d %B %Y}"),
        )
        self.nav.window.show_screen(self.nav.window.commitment)

    def _on_commitment_confirmed(self) -> None:
        commitment, self._pending_commitment = self._pending_commitment, None
        if commitment is None or self.nav.session.step is not Step.MATERIALS:
            return
        if not self._queue or self._queue[0] != commitment.material_id:
            return
        self._queue.pop(0)
        _zero(self._pending_photo)
        self._pending_photo = None
        self.nav.session.tolerate(commitment)
        log.info("material %s tolerated until %s", commitment.material_id, commitment.deadline)
        self._next()

    def _on_commitment_back_requested(self) -> None:
        self._pending_commitment = None
        if self.nav.session.step is Step.MATERIALS and self._queue:
            self._ask_capture()
