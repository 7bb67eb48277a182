"""A camera stand-in that shows whatever image is laid in front of it.

The demo's simulator panel and the tests "hold" a document or a receipt's QR code up to it;
the frames go through the same decoding and capture code as a real camera's.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from devices.errors import DeviceUnavailableError


class StillCamera:
    """Returns the current image on every ``grab``; ``show`` swaps it, ``clear`` empties it."""

    def __init__(self, image: npt.NDArray[np.uint8] | None = None) -> None:
        """Start with ``image`` (BGR) or an empty table."""
        self._lock = threading.Lock()
        self._image = image

    def show(self, image: npt.NDArray[np.uint8]) -> None:
        """Lay a BGR image in front of the camera."""
        with self._lock:
            self._image = image

    def show_file(self, path: Path) -> None:
        """Lay an image file in front of the camera."""
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceUnavailableError(f"cannot read image file {path.name}")
        self.show(np.asarray(image, dtype=np.uint8))

    def clear(self) -> None:
        """Take the image away."""
        with self._lock:
            self._image = None

    def grab(self) -> npt.NDArray[np.uint8] | None:
        """The image in front of the camera, as a fresh copy, or ``None``."""
        with self._lock:
            return None if self._image is None else self._image.copy()

    def close(self) -> None:
        """Nothing to release."""


def receipt_qr_photo(bitmap: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """What a camera sees of a printed raster (1 = a black dot): black on white paper, scaled."""
    paper = ((1 - np.clip(bitmap, 0, 1)) * 255).astype(np.uint8)
    framed = cv2.copyMakeBorder(paper, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    scaled = cv2.resize(framed, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    return np.asarray(cv2.cvtColor(scaled, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
