"""The camera's threads keep no frame while they rest.

A frame held in a thread's loop stays in memory until that thread grabs again, which may be in
the next citizen's session: a picture of the last citizen's papers (9.6 MB for the simulated
document camera's), and a frame-sized step in the soak's malloc figures.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
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


def _preview(camera: WatchedCamera) -> CameraPreview:
    preview = CameraPreview(camera, fps=50.0, auto_capture=False)
    preview.frame_ready.connect(lambda _frame: preview.frame_painted())
    return preview


def _code_scanner(camera: WatchedCamera) -> CodeScanner:
    return CodeScanner(camera, DecoderChain.from_names(gated=True), interval=0.01)


@pytest.mark.parametrize("build", [_preview, _code_scanner], ids=["preview", "code-scanner"])
def test_a_camera_thread_lets_its_last_frame_go_once_disabled(
    qtbot: QtBot, build: Callable[[WatchedCamera], CameraPreview | CodeScanner]
) -> None:
    camera = WatchedCamera()
    thread = build(camera)
    thread.start()
    try:
        thread.enable(True)
        qtbot.waitUntil(lambda: camera.grabs >= 3, timeout=5000)
        thread.enable(False)
        qtbot.waitUntil(lambda: camera.alive == 0, timeout=5000)
        assert not thread.enabled
    finally:
        thread.stop()
