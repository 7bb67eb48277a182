"""The document camera's live preview and auto-capture, on a thread of its own.

The thread grabs frames at a steady rate while enabled, judges each with ``AutoCapture`` and
hands the GUI a small RGB copy to paint. The GUI thread only builds a ``QImage`` from it: no
grabbing, resizing or measuring happens there. A frame the GUI has not painted yet is replaced,
never queued, so a busy screen shows the newest picture instead of falling behind.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, Signal

from devices.camera.autocapture import Advice, AutoCapture, AutoCaptureSettings, FrameAssessment
from devices.errors import DeviceError
from devices.ports import Camera

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 960
"""Preview frames are scaled to this width: sharp in a 1080p screen's preview, cheap to paint."""


@dataclass(frozen=True)
class PreviewFrame:
    """One frame for the screen: RGB pixels and what auto-capture made of them."""

    rgb: npt.NDArray[np.uint8]
    assessment: FrameAssessment


class CameraPreview(QObject):
    """Streams preview frames while enabled; emits the full frame when the document is ready."""

    frame_ready = Signal(object)
    """A ``PreviewFrame``; the GUI calls ``frame_painted()`` once it has shown it."""
    document_ready = Signal(object)
    """The full-resolution BGR frame auto-capture chose; the preview has paused itself."""
    preview_failed = Signal(object)
    """A ``DeviceError``; the thread keeps trying about once a second."""

    def __init__(
        self,
        camera: Camera,
        *,
        fps: float = 12.0,
        auto_capture: bool = True,
        settings: AutoCaptureSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Preview ``camera`` at ``fps``; call ``start()``, then ``enable(True)`` to stream."""
        super().__init__(parent)
        self._camera = camera
        self._period = 1.0 / fps
        self.auto_capture = auto_capture
        self._judge = AutoCapture(settings)
        self._enabled = threading.Event()
        self._stop = threading.Event()
        self._painted = threading.Event()
        self._painted.set()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (idle until enabled)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="camera-preview", daemon=True)
        self._thread.start()

    def enable(self, on: bool, *, wait_for_change: bool = False) -> None:
        """Stream (on the capture screen) or rest; each start forgets the earlier frames.

        ``wait_for_change``: no auto-capture until the picture changes (after a refused photo).
        """
        with self._lock:
            self._generation += 1
            self._judge.reset(wait_for_change=wait_for_change)
        self._painted.set()
        if on:
            self._enabled.set()
        else:
            self._enabled.clear()

    @property
    def enabled(self) -> bool:
        """Whether the preview is streaming."""
        return self._enabled.is_set()

    def frame_painted(self) -> None:
        """The GUI has shown the last frame: the next one may be sent."""
        self._painted.set()

    def stop(self) -> None:
        """Stop and join the thread."""
        self._stop.set()
        self._enabled.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            if not self._enabled.is_set():
                self._enabled.wait()
                next_at = time.monotonic()
                continue
            with self._lock:
                generation = self._generation
            try:
                self._grab_and_handle(generation)
            except DeviceError as err:
                self.preview_failed.emit(err)
                self._stop.wait(1.0)
                continue
            # A steady rate: the next frame is due one period after the last was due, not after
            # the work finished; a late loop skips ahead instead of bursting to catch up.
            next_at += self._period
            now = time.monotonic()
            if next_at < now:
                next_at = now
            self._stop.wait(next_at - now)

    def _grab_and_handle(self, generation: int) -> None:
        # The frame is this call's local: a loop variable would keep the last one (9.6 MB of a
        # citizen's papers from the simulated 2000x1600 camera) while the thread rests, into
        # the next session (the soak saw it as a frame-sized step of malloc's in-use bytes).
        frame = self._camera.grab()
        if frame is not None:
            self._handle(frame, generation)

    def _handle(self, frame: npt.NDArray[np.uint8], generation: int) -> None:
        with self._lock:
            if generation != self._generation or not self._enabled.is_set():
                return  # disabled (or restarted) while grabbing: this frame belongs to no one
            assessment = self._judge.feed(frame)
            ready = self.auto_capture and assessment.advice is Advice.READY
            if ready:
                self._generation += 1
                self._judge.reset()
                self._enabled.clear()
        if ready:
            self.document_ready.emit(frame)
            return
        if not self._painted.is_set():
            return  # the GUI is still painting the previous frame: drop this one
        height, width = frame.shape[:2]
        size = (PREVIEW_WIDTH, max(1, round(height * PREVIEW_WIDTH / width)))
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        self._painted.clear()
        self.frame_ready.emit(PreviewFrame(rgb, assessment))
