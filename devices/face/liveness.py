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
the measure. Two ways round that are closed too:

- Tilting the photo in its own plane moves the nose sideways against the eye corners' x (5
  degrees moved obama-1's position by 0.064, more than a turn): the position is measured along
  the line through the outer eye corners, which a tilt, a shift or a change of size leaves as it
  was.
- Someone else's live head turning, with the card holder's photo shown before and after: the
  movement counts only when it is made by the card's face. Each frame comes with its
  ``Likeness`` to the card photo: the rest before the turn and the way back must match it, the
  turned frames must at least resemble it, and a frame of another face, more than
  ``LOST_FRAMES`` frames in a row with no face, or a face that jumped (its centre moved more
  than its eye span, or its size by a quarter, from one frame to the next: a swap) starts the
  movement again.

What this does not stop: a flat photo swung about its vertical middle, as a head turns. The
five points of a swung photo move as a turned head's do (15 degrees moved them by 0.03-0.08),
and ``python -m bench face`` passes such a photo in about half its tries; nor a video of the
holder played to the camera. Those need a camera that sees depth or infrared, or a trained
presentation-attack model, which no registry package here carries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    _Point = npt.NDArray[np.float64]

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

    ``points`` are dlib's five (5x2: the outer and inner corner of each eye, image-right eye
    first, then the bottom of the nose) or its 68 (68x2: the outer corners 36 and 45, the nose
    tip 30). The nose is projected on the line through the outer corners, so a face (or a photo)
    tilted in its plane, moved or nearer reads the same.
    """
    return _position(*_outer_corners_and_nose(points))


def _outer_corners_and_nose(points: npt.NDArray[np.float32]) -> tuple[_Point, _Point, _Point]:
    """The outer eye corners (image-left first) and the nose, as float64 points."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape == (5, 2):
        a, b, nose = pts[0], pts[2], pts[4]
    elif pts.shape == (68, 2):
        a, b, nose = pts[36], pts[45], pts[30]
    else:
        raise ValueError(f"expected 5x2 or 68x2 landmarks, got {pts.shape}")
    return (a, b, nose) if a[0] <= b[0] else (b, a, nose)


def _position(first: _Point, second: _Point, nose: _Point) -> float:
    axis = second - first
    length = float(axis @ axis)
    if length == 0.0:
        return 0.5
    return float((nose - first) @ axis) / length


class Likeness(enum.Enum):
    """How a frame's face compares with the card photo."""

    MATCHES = "matches"
    """Under the match threshold."""
    RESEMBLES = "resembles"
    """Within ``LIKENESS_MARGIN`` over it: the card's face turned aside."""
    OTHER = "other"
    """Someone else."""


LIKENESS_MARGIN = 0.05
"""How far over the match threshold a turned frame of the card's face may lie. Measured on a
real video (a performer singing, faces about 86 px wide, his card cut from another photo of
him): his frames lay at 0.41-0.60 at every position from 0.13 to 0.64; other people's against
his card at 0.70-0.90, and his against another man's card at 0.64-0.78 (``python -m bench face
--video``)."""
TURN_FRAMES = 2
"""Frames a turn must be held: one stray frame is no turn."""
JUMP_SPANS = 1.0
"""A face whose centre moved more than this many eye spans since the last frame jumped (per
frame: over a gap of frames without a face, that many times more). In the real video of
``python -m bench face --video`` a singer's head moved at most 0.54 of its span per frame."""
SIZE_JUMP = 1.25
"""... or whose eye span grew or shrank by more than this factor."""
LOST_FRAMES = 2
"""Frames in a row without a face that a movement outlasts (the detector loses a head turned far
for a frame or two; a face back after the gap is judged for a jump from where it was)."""


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
    noise on the five sample photos; 0.024 for a seated person in the real video of ``python
    -m bench face --video``); between photos of one person facing the camera and turned a little
    or aside, laid over each other, it moved by 0.09 either way (obama-1 to -3 and -2)."""
    passed: bool = False
    how: str = ""
    """``blink`` or ``turn`` once passed."""
    frames: int = 0
    frozen_frames: int = 0
    restarts: int = 0
    """Times the movement started again: another face, no face, or a jump."""
    _open: list[float] = field(default_factory=list)
    _rest: list[float] = field(default_factory=list)
    _closed = False
    _turned = 0
    _last: bytes = b""
    _where: tuple[_Point, float] | None = None
    _lost = 0

    def feed(
        self,
        points: npt.NDArray[np.float32],
        frame_digest: bytes = b"",
        eyes: npt.NDArray[np.float32] | None = None,
        *,
        likeness: Likeness,
    ) -> bool:
        """Take one frame's landmarks (and a digest of its pixels); return ``passed``.

        ``points``: the face's 5 (or 68) landmarks, for the turn; ``eyes``: its 68 landmarks,
        for the blink when :attr:`blink` is on; ``likeness``: the face against the card photo.
        """
        if self.passed:
            return True
        if frame_digest and frame_digest == self._last:
            self.frozen_frames += 1
            return False
        self._last = frame_digest
        self.frames += 1
        gap, self._lost = self._lost, 0
        if likeness is Likeness.OTHER:
            self._restart()
            return False
        corners_and_nose = _outer_corners_and_nose(points)
        if self._jumped(*corners_and_nose, gap):
            where = self._where
            self._restart()
            self._where = where  # the face's new place is where the next frame is judged from
        matches = likeness is Likeness.MATCHES
        if self.blink and eyes is not None and self._saw_blink(eye_aspect_ratio(eyes), matches):
            self.passed, self.how = True, "blink"
            return True
        yaw = _position(*corners_and_nose)
        rest = float(np.median(self._rest)) if self._rest else yaw
        if abs(yaw - rest) > self.turn_shift and len(self._rest) >= 2:
            self._turned += 1
        elif abs(yaw - rest) < self.turn_shift / 2 and matches:
            if self._turned >= TURN_FRAMES:
                self.passed, self.how = True, "turn"
                return True
            self._turned = 0
            self._rest = [*self._rest, yaw][-15:]
        return False

    def lost(self) -> None:
        """A frame showed no face: after ``LOST_FRAMES`` in a row the movement starts again.

        A photo swapped out of sight is a gap; a detector losing a head turned far, a short one.
        """
        if self.passed:
            return
        self._lost += 1
        if self._lost > LOST_FRAMES:
            self._restart()

    def _jumped(self, first: _Point, second: _Point, nose: _Point, gap: int) -> bool:
        """Whether the face moved too far since the last frame with one (``gap`` frames ago)."""
        centre = (first + second + nose) / 3.0
        span = float(np.linalg.norm(second - first))
        where, self._where = self._where, (centre, span)
        if where is None or span <= 0.0 or where[1] <= 0.0:
            return False
        moved = float(np.linalg.norm(centre - where[0])) / where[1]
        grown = span / where[1]
        return moved > JUMP_SPANS * (1 + gap) or not 1 / SIZE_JUMP <= grown <= SIZE_JUMP

    def _restart(self) -> None:
        if self._rest or self._open or self._turned or self._closed:
            self.restarts += 1
        self._open, self._rest = [], []
        self._closed = False
        self._turned = 0
        self._where = None
        self._lost = 0

    def _saw_blink(self, ear: float, matches: bool) -> bool:
        open_level = float(np.median(self._open)) if self._open else ear
        if ear < open_level * self.blink_drop and len(self._open) >= 2:
            self._closed = True
        elif ear > open_level * 0.9 and matches:
            if self._closed:
                return True
            self._open = [*self._open, ear][-15:]
        return False

    def reset(self) -> None:
        """Start again (a new attempt)."""
        self.passed, self.how = False, ""
        self.frames = self.frozen_frames = self.restarts = 0
        self._open, self._rest = [], []
        self._closed = False
        self._turned = 0
        self._last = b""
        self._where = None
        self._lost = 0
