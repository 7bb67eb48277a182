"""Auto-capture for the document camera: take the photo once the document lies still and sharp.

Each preview frame is fed to ``AutoCapture.feed``. It compares the frame with the previous one
(mean absolute difference of small, lightly blurred grey images, so sensor noise and compression
flicker do not count as motion) and measures sharpness (variance of the Laplacian at a fixed
working width, so the figure does not depend on the camera's resolution). A document that has
lain still for ``still_frames`` frames in a row while sharp enough is ``READY``: the caller takes
that frame as the photo. Every other frame gets advice the capture screen turns into guidance.

The thresholds are on 0-255 grey levels at ``WORKING_WIDTH`` pixels; the defaults hold for the
generated and sample documents in the tests and for the usual 1080p document cameras, and each
can be set in the configuration for a camera that needs it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

WORKING_WIDTH = 480
"""Motion and light are measured at this width: cheap, and blind to sensor noise."""
SHARPNESS_SIZE = 1000
"""Sharpness is measured with the long side at this size, as ``ocr.quality`` gates photos, so a
frame auto-capture finds sharp is one the quality gate accepts."""


class Advice(enum.StrEnum):
    """What the citizen should do next, judged from the latest frame."""

    NO_DOCUMENT = "no_document"
    """The camera sees an empty, flat field (nothing laid down, or the lid is shut)."""
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    HOLD_STILL = "hold_still"
    """The document (or a hand) is moving."""
    TOO_BLURRED = "too_blurred"
    """Still, but not sharp: out of focus, or a crumpled page."""
    STEADYING = "steadying"
    """Still and sharp, counting the frames before the photo is taken."""
    READY = "ready"


@dataclass(frozen=True)
class FrameAssessment:
    """The measures of one frame and the advice they lead to."""

    advice: Advice
    motion: float
    """Mean absolute grey-level difference from the previous frame (0-255)."""
    sharpness: float
    """Variance of the Laplacian with the long side at ``SHARPNESS_SIZE``."""
    brightness: float
    contrast: float
    still_frames: int
    """Frames in a row that were still and sharp, this one included."""


@dataclass(frozen=True)
class AutoCaptureSettings:
    """Thresholds of the auto-capture; see the module docstring for their units."""

    still_frames: int = 5
    max_motion: float = 2.5
    min_sharpness: float = 60.0
    min_contrast: float = 18.0
    min_brightness: float = 45.0
    max_brightness: float = 235.0


class AutoCapture:
    """Decides, frame by frame, whether the document is ready to be photographed."""

    def __init__(self, settings: AutoCaptureSettings | None = None) -> None:
        """Start with no history; ``settings`` defaults to ``AutoCaptureSettings()``."""
        self.settings = settings or AutoCaptureSettings()
        self._previous: npt.NDArray[np.uint8] | None = None
        self._still = 0
        self._armed = True

    def reset(self, *, wait_for_change: bool = False) -> None:
        """Forget the history: call when a new material is asked for or a photo was taken.

        With ``wait_for_change`` nothing is ``READY`` until the picture has changed (moved, or
        the document was taken away): after a photo was refused, the same still picture would
        otherwise be taken and refused again and again.
        """
        self._previous = None
        self._still = 0
        self._armed = not wait_for_change

    def feed(self, frame: npt.NDArray[np.uint8]) -> FrameAssessment:
        """Measure one BGR (or grey) frame and say what it means."""
        s = self.settings
        grey = np.asarray(
            frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.uint8
        )
        sharpness = _sharpness(grey)
        height, width = grey.shape[:2]
        if width != WORKING_WIDTH:
            size = (WORKING_WIDTH, max(1, round(height * WORKING_WIDTH / width)))
            interpolation = cv2.INTER_AREA if width > WORKING_WIDTH else cv2.INTER_LINEAR
            grey = np.asarray(cv2.resize(grey, size, interpolation=interpolation), np.uint8)
        brightness = float(grey.mean())
        contrast = float(grey.std())
        # Motion on a further blurred copy: print strokes that shift by a pixel through sensor
        # noise would otherwise look like movement.
        smooth = np.asarray(cv2.GaussianBlur(grey, (5, 5), 0), dtype=np.uint8)
        previous, self._previous = self._previous, smooth
        motion = (
            float(cv2.absdiff(smooth, previous).mean())
            if previous is not None and previous.shape == smooth.shape
            else float("inf")
        )
        if brightness < s.min_brightness:
            advice = Advice.TOO_DARK
        elif brightness > s.max_brightness:
            advice = Advice.TOO_BRIGHT
        elif contrast < s.min_contrast:
            advice = Advice.NO_DOCUMENT
        elif motion > s.max_motion:
            advice = Advice.HOLD_STILL
        elif sharpness < s.min_sharpness:
            advice = Advice.TOO_BLURRED
        else:
            advice = Advice.STEADYING
        if advice in (Advice.HOLD_STILL, Advice.NO_DOCUMENT) and previous is not None:
            self._armed = True
        if advice is Advice.STEADYING and self._armed:
            self._still += 1
            if self._still >= s.still_frames:
                advice = Advice.READY
        else:
            self._still = 0
        return FrameAssessment(advice, motion, sharpness, brightness, contrast, self._still)


def _sharpness(grey: npt.NDArray[np.uint8]) -> float:
    scale = SHARPNESS_SIZE / max(grey.shape[:2])
    if scale < 1:
        grey = np.asarray(
            cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
        )
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())
