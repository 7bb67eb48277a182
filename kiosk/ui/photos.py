"""Taking a document's photo on the camera's worker: grab, gate its quality, encode."""

from __future__ import annotations

import cv2
import numpy as np

from devices.errors import DeviceError
from devices.ports import Camera
from ocr.quality import QualityReport, assess


class PhotoRejectedError(Exception):
    """The photo failed a quality gate; ``report.hint(language)`` tells the citizen why."""

    def __init__(self, report: QualityReport) -> None:
        """Keep the report."""
        super().__init__(", ".join(report.problems))
        self.report = report


def photograph(camera: Camera) -> tuple[bytearray, np.ndarray]:
    """Grab a frame, gate its quality, and encode it: JPEG to submit, RGB for the preview."""
    frame = camera.grab()
    if frame is None:
        raise DeviceError("the camera gave no frame")
    return process_photo(frame)


def process_photo(frame: np.ndarray) -> tuple[bytearray, np.ndarray]:
    """Gate a frame's quality and encode it: JPEG to submit, RGB for the preview."""
    report = assess(frame)
    if not report.ok:
        raise PhotoRejectedError(report)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise DeviceError("the frame could not be encoded")
    preview = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return bytearray(encoded.tobytes()), np.ascontiguousarray(preview)
