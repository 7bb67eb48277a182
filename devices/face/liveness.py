"""Liveness from landmarks over frames: a head turn (or a blink), which a held-up photo cannot do.

Measured, not guessed, from the landmarks of each camera frame:

- yaw, from the five points every found face already has (dlib's 5-point model, trained on
  images Davis King annotated and released to the public domain): where the bottom of the nose
  lies between the outermost eye corners, 0.5 facing the camera. A turn is that moving more than
  ``turn_shift`` from the citizen's own rest position and back. This is the default, and needs no
  model beyond the ones that align the face for its embedding.
- a blink, only where the terminal's operator configured a 68-point landmark model
  (``[face] blink_model``): the eye aspect ratio (Soukupová and Čech, 2016), the two vertical lid
  distances over twice the corner-to-corner width of each eye, about 0.3 open and under 0.2
  shut. A blink is the ratio falling below ``blink_drop`` of the citizen's own open-eye level and
  coming back. dlib's own 68-point model is not used by default: it was trained on iBUG 300-W,
  whose licence excludes commercial use, and dlib's model notes say so.

A photo held up repeats one still image: its landmarks do not move, so neither happens. Frames
that are identical to the one before (a frozen or replayed still) are counted and never move
the measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

_RIGHT_EYE = slice(36, 42)
_LEFT_EYE = slice(42, 48)


def eye_aspect_ratio(points: npt.NDArray[np.float32]) -> float:
    """Mean eye aspect ratio of both eyes from 68 landmarks (68x2)."""
    if points.shape != (68, 2):
        raise ValueError(f"expected 68x2 landmarks, got {points.shape}")
    ratios = []
    for eye in (points[_RIGHT_EYE], points[_LEFT_EYE]):
        vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
        width = np.linalg.norm(eye[0] - eye[3])
        ratios.append(float(vertical / (2.0 * width)) if width > 0 else 0.0)
    return float(np.mean(ratios))


def yaw_position(points: npt.NDArray[np.float32]) -> float:
    """Where the nose lies between the outermost eye corners: 0.5 frontal, towards 0 or 1 turned.

    ``points`` are dlib's five (5x2: four eye corners, then the bottom of the nose) or its 68
    (68x2: the outer corners 36 and 45, the nose tip 30).
    """
    if points.shape == (5, 2):
        corners = points[:4, 0]
        left, right, nose = float(corners.min()), float(corners.max()), float(points[4][0])
    elif points.shape == (68, 2):
        left, right, nose = float(points[36][0]), float(points[45][0]), float(points[30][0])
    else:
        raise ValueError(f"expected 5x2 or 68x2 landmarks, got {points.shape}")
    if right == left:
        return 0.5
    return (nose - left) / (right - left)


@dataclass
class LivenessJudge:
    """Fed one frame's landmarks at a time; ``passed`` once a turn (or a blink) was seen."""

    blink: bool = False
    """Whether a blink counts too (68 landmarks come with each frame)."""
    blink_drop: float = 0.7
    """A blink: the eye ratio under this share of the open level, then back over 0.9 of it."""
    turn_shift: float = 0.06
    """A turn: the nose's position moves this far from rest, then comes back within half.

    On the five points a still face's position jitters by up to 0.03 from frame to frame (camera
    noise on the five sample photos); between photos of one person facing the camera and turned
    aside it moved by 0.06 and 0.14 (obama-1 to -3 and -2), about 0.65 of what the 68-point nose
    tip moved."""
    passed: bool = False
    how: str = ""
    """``blink`` or ``turn`` once passed."""
    frames: int = 0
    frozen_frames: int = 0
    _open: list[float] = field(default_factory=list)
    _rest: list[float] = field(default_factory=list)
    _closed = False
    _turned = False
    _last: bytes = b""

    def feed(
        self,
        points: npt.NDArray[np.float32],
        frame_digest: bytes = b"",
        eyes: npt.NDArray[np.float32] | None = None,
    ) -> bool:
        """Take one frame's landmarks (and a digest of its pixels); return ``passed``.

        ``points``: the face's 5 (or 68) landmarks, for the turn; ``eyes``: its 68 landmarks,
        for the blink when :attr:`blink` is on.
        """
        if self.passed:
            return True
        if frame_digest and frame_digest == self._last:
            self.frozen_frames += 1
            return False
        self._last = frame_digest
        self.frames += 1
        if self.blink and eyes is not None and self._saw_blink(eye_aspect_ratio(eyes)):
            self.passed, self.how = True, "blink"
            return True
        yaw = yaw_position(points)
        rest = float(np.median(self._rest)) if self._rest else yaw
        if abs(yaw - rest) > self.turn_shift and len(self._rest) >= 2:
            self._turned = True
        elif abs(yaw - rest) < self.turn_shift / 2:
            if self._turned:
                self.passed, self.how = True, "turn"
                return True
            self._rest = [*self._rest, yaw][-15:]
        return False

    def _saw_blink(self, ear: float) -> bool:
        open_level = float(np.median(self._open)) if self._open else ear
        if ear < open_level * self.blink_drop and len(self._open) >= 2:
            self._closed = True
        elif ear > open_level * 0.9:
            if self._closed:
                return True
            self._open = [*self._open, ear][-15:]
        return False

    def reset(self) -> None:
        """Start again (a new attempt)."""
        self.passed, self.how = False, ""
        self.frames = self.frozen_frames = 0
        self._open, self._rest = [], []
        self._closed = self._turned = False
        self._last = b""
