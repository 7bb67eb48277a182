"""Quality gates a document photo passes before it is kept.

Sharp enough, lit enough, not empty, no glare, the document big enough and wholly inside the
frame, and, for ID cards, the side that was asked for.

Each failed gate is a stable code with a hint a citizen can act on. The thresholds are for the
long side scaled to 1000 px, so they hold for any camera resolution. The document is told from the
desk by brightness (terminals put it on a dark plate); a photo that is all paper (a scan, or a
rendered page) has no desk to compare with and skips the size and cut-off gates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import numpy.typing as npt

WORKING_SIZE = 1000
MIN_SHARPNESS = 60.0
"""Variance of the Laplacian below which small print smears: the sample contract photo scores
1946 sharp, 107 under a 9 px Gaussian blur (still legible) and 20 under 15 px (illegible)."""
MIN_BRIGHTNESS = 50.0
MAX_BRIGHTNESS = 235.0
MIN_CONTRAST = 20.0
GLARE_AREA = 0.015
"""A washed-out (saturated) patch inside the frame bigger than this share of it is glare."""
GLARE_LEVEL = 250
MIN_COVERAGE = 0.08
"""The document must cover at least this share of the frame (an ID card on a document camera
covers 20-30%)."""
EDGE_TOUCH = 0.04
"""A side of the frame counts as touched by the document when this share of it is document."""
MIN_SEPARATION = 40.0
"""Document and desk must differ this much in mean grey level before size and cut-off are judged."""

HINTS: dict[str, tuple[str, str]] = {
    "blurred": (
        "照片模糊，请把材料放平并保持不动，再拍一次。",
        "The photo is blurred. Lay the document flat, keep it still and try again.",
    ),
    "too_dark": (
        "照片太暗，请把材料放在拍摄区灯光下。",
        "The photo is too dark. Place the document under the camera's light.",
    ),
    "too_bright": (
        "照片反光过亮，请调整材料角度避开反光。",
        "The photo is washed out by glare. Tilt the document away from the light.",
    ),
    "empty": (
        "没有拍到材料，请把材料放进拍摄区。",
        "No document was seen. Place the document in the camera area.",
    ),
    "cut_off": (
        "材料没有拍全，请把材料整个放进拍摄框内。",
        "Part of the document is outside the photo. Move the document fully inside the frame.",
    ),
    "too_small": (
        "材料在照片里太小，请把材料平放在拍摄区中间。",
        "The document is too small in the photo. Lay it flat in the middle of the camera area.",
    ),
    "glare": (
        "材料上有反光，看不清字，请调整材料角度或挡住强光后再拍。",
        "Light glares on the document. Tilt it or shade it from strong light and try again.",
    ),
    "wrong_side": (
        "拍到的是证件的另一面，请把证件翻过来再拍。",
        "This is the other side of the card. Turn the card over and try again.",
    ),
}

OTHER_SIDE = {"resident_id_front": "resident_id_back", "resident_id_back": "resident_id_front"}
"""Document types that are two sides of one card."""


@dataclass(frozen=True)
class QualityReport:
    """The measures of one photo and the gates it failed."""

    sharpness: float
    brightness: float
    contrast: float
    problems: list[str] = field(default_factory=list)
    coverage: float | None = None
    """The share of the frame the document covers; None when it cannot be told from the desk."""
    glare: float = 0.0
    """The share of the frame in the largest washed-out patch."""

    @property
    def ok(self) -> bool:
        """Whether the photo passed every gate."""
        return not self.problems

    def hint(self, language: str) -> str:
        """The citizen-facing hint for the first failed gate ('' when it passed)."""
        if not self.problems:
            return ""
        zh, en = HINTS[self.problems[0]]
        return en if language == "en" else zh

    def with_problem(self, code: str) -> QualityReport:
        """The same report with one more failed gate (a gate judged after recognition)."""
        if code not in HINTS:
            raise ValueError(f"unknown quality gate {code!r}")
        if code in self.problems:
            return self
        return replace(self, problems=[*self.problems, code])


def side_problem(expected: str, found: str) -> str | None:
    """``"wrong_side"`` when the classifier found the other side of the card that was asked for.

    The hook for the classifier: the reader classifies the photo and, when the step asked for
    one side of the ID card, adds this gate with ``QualityReport.with_problem``.
    """
    return "wrong_side" if OTHER_SIDE.get(expected) == found else None


def _document_extent(grey: npt.NDArray[np.uint8]) -> tuple[float, int] | None:
    """The share of the frame the bright document covers and how many frame sides it touches.

    None when no bright document stands out from the desk.
    """
    blurred = cv2.GaussianBlur(grey, (7, 7), 0)
    level, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = blurred[blurred > level]
    dark = blurred[blurred <= level]
    if light.size == 0 or dark.size == 0:
        return None
    if float(light.mean()) - float(dark.mean()) < MIN_SEPARATION:
        return None
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    closed = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    mask = labels == biggest
    coverage = float(stats[biggest, cv2.CC_STAT_AREA]) / mask.size
    sides = (mask[0, :], mask[-1, :], mask[:, 0], mask[:, -1])
    touched = sum(1 for side in sides if float(side.mean()) > EDGE_TOUCH)
    return coverage, touched


def _glare(grey: npt.NDArray[np.uint8]) -> float:
    """The share of the frame in the largest saturated patch that does not reach the frame's edge.

    A patch reaching the edge is paper filling the frame (a scan), not a reflection.
    """
    blurred = cv2.GaussianBlur(grey, (9, 9), 0)
    saturated = (blurred >= GLARE_LEVEL).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(saturated)
    height, width = grey.shape[:2]
    best = 0
    for index in range(1, count):
        x, y, w, h, area = (int(value) for value in stats[index])
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue
        best = max(best, area)
    return best / float(height * width)


def assess(image: npt.NDArray[np.uint8]) -> QualityReport:
    """Measure a BGR or grey photo and say which gates it fails, most telling first."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = WORKING_SIZE / max(grey.shape[:2])
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    brightness = float(grey.mean())
    contrast = float(grey.std())
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    problems: list[str] = []
    coverage: float | None = None
    glare = 0.0
    if brightness < MIN_BRIGHTNESS:
        problems.append("too_dark")
    elif brightness > MAX_BRIGHTNESS:
        problems.append("too_bright")
    elif contrast < MIN_CONTRAST:
        problems.append("empty")
    if not problems:
        extent = _document_extent(np.asarray(grey, np.uint8))
        if extent is not None:
            coverage, touched = extent
            # Touching every side is paper filling the frame: nothing to say about its edges.
            if 1 <= touched <= 3:
                problems.append("cut_off")
            elif touched == 0 and coverage < MIN_COVERAGE:
                problems.append("too_small")
        glare = _glare(np.asarray(grey, np.uint8))
        if glare > GLARE_AREA:
            problems.append("glare")
    if not problems and sharpness < MIN_SHARPNESS:
        problems.append("blurred")
    return QualityReport(sharpness, brightness, contrast, problems, coverage, glare)
