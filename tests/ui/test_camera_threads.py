"""The camera's threads keep no frame while they rest.

A frame held in a thread's loop stays in memory until that thread grabs again, which may be in
the next citizen's session: a picture of the last citizen's papers (9.6 MB for the simulated
document camera's), and a frame-sized step in the soak's malloc figures.
"""

from __future__ import annotations

import weakref

import numpy as np
import numpy.typing as npt
from pytestqt.qtbot import QtBot

from devices.camera.qr import DecoderChain
from kiosk.ui.preview import CameraPreview
from kiosk.ui.workers import CodeScanner


class WatchedCamera:
    """A camera whose every frame is new and watched: ``alive`` counts those still referenced."""

    def __init__(self) -> None:
        self._frames: list[weakref.ref[npt.NDArray[np.uint8]]] = []

    @property
    def grabs(self) -> int:
        return len(self._frames)

    @property
    def alive(self) -> int:
        return sum(1 for frame in self._frames if frame() is not None)

    def grab(self) -> npt.NDArray[np.uint8]:
        frame = np.full((120, 160, 3), 200, dtype=np.uint8)
        self._frames.append(weakref.ref(frame))
        return frame

    def close(self) -> None:
        """Nothing to release."""


def test_the_preview_lets_its_last_frame_go_once_disabled(qtbot: QtBot) -> None:
    camera = WatchedCamera()
    preview = CameraPreview(camera, fps=50.0, auto_capture=False)
    preview.frame_ready.connect(lambda _frame: preview.frame_painted())
    preview.start()
    try:
        preview.enable(True)
        qtbot.waitUntil(lambda: camera.grabs >= 3, timeout=5000)
        preview.enable(False)
        qtbot.waitUntil(lambda: camera.alive == 0, timeout=5000)
        assert not preview.enabled
    finally:
        preview.stop()


def test_the_code_scanner_lets_its_last_frame_go_once_disabled(qtbot: QtBot) -> None:
    camera = WatchedCamera()
    scanner = CodeScanner(camera, DecoderChain.from_names(gated=True), interval=0.01)
    scanner.start()
    try:
        scanner.enable(True)
        qtbot.waitUntil(lambda: camera.grabs >= 3, timeout=5000)
        scanner.enable(False)
        qtbot.waitUntil(lambda: camera.alive == 0, timeout=5000)
        assert not scanner.enabled
    finally:
        scanner.stop()
