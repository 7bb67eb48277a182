"""Liveness from landmarks over frames: a blink or a head turn, which a held-up photo cannot do.

Measured, not guessed, from dlib's 68 points of each camera frame:

- the eye aspect ratio (Soukupová and Čech, 2016): for each eye the two vertical lid distances
  over twice the corner-to-corner width; about 0.3 open, under 0.2 shut. A blink is the ratio
  falling below ``blink_drop`` of the citizen's own open-eye level and coming back.
- yaw: where the nose tip (point 30) lies between the outer eye corners (36, 45), 0.5 facing
  the camera; a turn is that moving more than ``turn_shift`` from the citizen's own rest
  position and back.

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
    """Where the nose tip lies between the outer eye corners: 0.5 frontal, towards 0 or 1 turned."""
    if points.shape != (68, 2):
        raise ValueError(f"expected 68x2 landmarks, got {points.shape}")
    left, right = float(points[36][0]), float(points[45][0])
    if right == left:
        return 0.5
    return (float(points[30][0]) - left) / (right - left)


@dataclass
class LivenessJudge:
    """Fed one frame's landmarks at a time; ``passed`` once a blink or a turn was seen."""

    blink_drop: float = 0.7
    """A blink: the eye ratio under this share of the open level, then back over 0.9 of it."""
    turn_shift: float = 0.08
    """A turn: the nose's position moves this far from rest, then comes back within half."""
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

    def feed(self, points: npt.NDArray[np.float32], frame_digest: bytes = b"") -> bool:
        """Take one frame's 68 landmarks (and a digest of its pixels); return ``passed``."""
        if self.passed:
            return True
        if frame_digest and frame_digest == self._last:
            self.frozen_frames += 1
            return False
        self._last = frame_digest
        self.frames += 1
        ear = eye_aspect_ratio(points)
        yaw = yaw_position(points)
        open_level = float(np.median(self._open)) if self._open else ear
        rest = float(np.median(self._rest)) if self._rest else yaw
        if ear < open_level * self.blink_drop and len(self._open) >= 2:
            self._closed = True
        elif ear > open_level * 0.9:
            if self._closed:
                self.passed, self.how = True, "blink"
                return True
            self._open = [*self._open, ear][-15:]
        if abs(yaw - rest) > self.turn_shift and len(self._rest) >= 2:
            self._turned = True
        elif abs(yaw - rest) < self.turn_shift / 2:
            if self._turned:
                self.passed, self.how = True, "turn"
                return True
            self._rest = [*self._rest, yaw][-15:]
        return False

    def reset(self) -> None:
        """Start again (a new attempt)."""
        self.passed, self.how = False, ""
        self.frames = self.frozen_frames = 0
        self._open, self._rest = [], []
        self._closed = self._turned = False
        self._last = b""
