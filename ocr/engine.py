"""The OCR engine port: an image in, recognised text lines with their boxes and confidences out.

Engines (PP-OCR through onnxruntime, paddleocr, Tesseract) implement ``OcrEngine``; page finding,
classification and field extraction work only on ``TextLine`` lists, so they never depend on one
engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLine:
    """One recognised line of text.

    ``box`` holds the four corners clockwise from the top left, in pixels of the image that was
    recognised; ``confidence`` is the engine's score in 0..1.
    """

    text: str
    box: tuple[Point, Point, Point, Point]
    confidence: float

    @property
    def left(self) -> float:
        """The smallest x of the box."""
        return min(p[0] for p in self.box)

    @property
    def top(self) -> float:
        """The smallest y of the box."""
        return min(p[1] for p in self.box)

    @property
    def right(self) -> float:
        """The largest x of the box."""
        return max(p[0] for p in self.box)

    @property
    def bottom(self) -> float:
        """The largest y of the box."""
        return max(p[1] for p in self.box)


@runtime_checkable
class OcrEngine(Protocol):
    """Recognises the text lines in a BGR image."""

    name: str

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[TextLine]:
        """Every text line found, in reading order (top to bottom, then left to right)."""
        ...
