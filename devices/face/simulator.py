"""The simulated face camera: a face photo "standing" in front of the terminal.

``show(image, moving=True)`` plays a person: now and then the head turns a little and back
(the nose, which stands out of the face, moves sideways against the eye corners, which is what
a real turn does to the landmarks; the rest of the picture stays), with a camera's sensor noise
on every frame. ``moving=False`` is a photo held up to the camera: the same still with noise,
which no liveness step may pass.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import cv2
import numpy as np

from devices.errors import DeviceUnavailableError
from devices.face.engine import DlibFaceEngine, largest_face

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

_CYCLE = ("rest", "rest", "rest", "turned", "turned", "rest", "rest", "rest")


class SimulatedFaceCamera:
    """A ``Camera`` showing a face, moving or held still; ``clear`` leaves nobody there."""

    def __init__(self, engine: DlibFaceEngine | None = None, *, seed: int = 7) -> None:
        """Empty; ``engine`` finds the nose of a moving face (built when first needed)."""
        self._lock = threading.Lock()
        self._engine = engine
        self._frames: list[npt.NDArray[np.uint8]] = []
        self._pending: npt.NDArray[np.uint8] | None = None
        self._index = 0
        self._rng = np.random.default_rng(seed)

    def show(self, image: npt.NDArray[np.uint8], *, moving: bool = True) -> None:
        """Put ``image`` (BGR) in front of the camera, as a moving person or a held-up photo.

        A moving person's frames are made at the next ``grab`` (on the worker that grabs: finding
        the nose takes the face engine), so a sim panel's click never waits for it.
        """
        with self._lock:
            self._frames = [image]
            self._pending = image if moving else None
            self._index = 0

    def _moving_frames(self, image: npt.NDArray[np.uint8]) -> list[npt.NDArray[np.uint8]]:
        if self._engine is None:
            self._engine = DlibFaceEngine()
        points = np.asarray(largest_face(self._engine, image).points, dtype=np.float32)
        return [image if phase == "rest" else _turned(image, points) for phase in _CYCLE]

    def show_file(self, path: Path, *, moving: bool = True) -> None:
        """Put an image file in front of the camera."""
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceUnavailableError(f"cannot read image file {path.name}")
        self.show(np.asarray(image, dtype=np.uint8), moving=moving)

    def clear(self) -> None:
        """Nobody in front of the camera."""
        with self._lock:
            self._frames = []
            self._pending = None

    def grab(self) -> npt.NDArray[np.uint8] | None:
        """The next frame, with sensor noise, or ``None`` when nobody is there."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            frames = self._moving_frames(pending)
            with self._lock:
                if self._frames and self._frames[0] is pending:
                    self._frames = frames
        with self._lock:
            if not self._frames:
                return None
            frame = self._frames[self._index % len(self._frames)]
            self._index += 1
            noise = self._rng.normal(0.0, 2.0, frame.shape)
        return np.asarray(np.clip(frame + noise, 0, 255), dtype=np.uint8)

    def close(self) -> None:
        """Nothing to release."""


def _turned(image: npt.NDArray[np.uint8], points: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """``image`` with the nose moved sideways against the eyes, as a head turned a little.

    ``points`` are the face's five: the eye corners, then the bottom of the nose.
    """
    span = float(points[:4, 0].max() - points[:4, 0].min())
    nose_x, nose_y = (float(v) for v in points[4])
    sigma = 0.28 * span
    shift = 0.2 * span
    h, w = image.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    bump = np.exp(-((xs - nose_x) ** 2 + (ys - nose_y) ** 2) / (2 * sigma**2))
    map_x = (xs - shift * bump).astype(np.float32)
    out = cv2.remap(image, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.uint8)
