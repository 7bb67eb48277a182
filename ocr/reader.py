"""The reading pipeline for one photo: quality gates, page, engine, classification, extraction.

``read_document`` is what the kiosk's worker, the ``kiosk ocr`` command and the benchmark call;
it takes the engine as an argument, so one warmed-up engine serves every photo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocr.documents import DOCUMENT_TYPES, MIN_CONFIDENCE, UNKNOWN, extract
from ocr.documents.reread import reread_missing
from ocr.engine import OcrEngine, TextLine
from ocr.quality import QualityReport, assess

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
else:
    Image = Any

PageFinder = Callable[[Image], Image]
"""Crops and straightens the document in a photo (the page step); identity when not given."""


class ReaderError(Exception):
    """A photo could not be read at all (not an image, empty file)."""


@dataclass
class DocumentReading:
    """What was read from one photo.

    ``fields`` holds typed values (ISO date strings, ``long-term``, whole yuan as ``int``, text);
    ``confidence`` the score of every field found, including the ``unreadable`` ones that scored
    below the threshold and so are not in ``fields``. ``quality`` is the photo's gate report;
    when it failed, nothing was recognised.
    """

    document_type: str = UNKNOWN
    fields: dict[str, object] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    quality: QualityReport | None = None
    seconds: float = 0.0
    lines: list[TextLine] = field(default_factory=list, repr=False)

    @property
    def quality_problems(self) -> list[str]:
        """The failed quality gates (``blurred``, ``too_dark``...)."""
        return list(self.quality.problems) if self.quality is not None else []

    def to_json(self) -> dict[str, object]:
        """The JSON form ``kiosk ocr read`` prints (without ``file``)."""
        quality: dict[str, object] | None = None
        if self.quality is not None:
            quality = {
                "ok": self.quality.ok,
                "problems": list(self.quality.problems),
                "suspect": list(self.quality.suspect),
                "sharpness": round(self.quality.sharpness, 1),
                "brightness": round(self.quality.brightness, 1),
                "contrast": round(self.quality.contrast, 1),
            }
        return {
            "document_type": self.document_type,
            "fields": dict(self.fields),
            "confidence": dict(self.confidence),
            "unreadable": list(self.unreadable),
            "quality": quality,
            "seconds": round(self.seconds, 3),
        }


def read_lines(
    lines: list[TextLine],
    document_type: str | None = None,
    *,
    min_confidence: float = MIN_CONFIDENCE,
) -> DocumentReading:
    """Classify and extract from lines already recognised (tests, other engines' output)."""
    result = extract(lines, document_type, min_confidence=min_confidence)
    return DocumentReading(
        document_type=result.document_type,
        fields=result.fields,
        confidence=result.confidence,
        unreadable=result.unreadable,
        lines=list(lines),
    )


def page_step(engine: OcrEngine) -> PageFinder:
    """The default page step: the document found and flattened (``ocr.page``).

    Engines that cannot turn a page upright themselves get it turned here.
    """
    from ocr.page import flatten, orientation, rotate

    can_turn = callable(getattr(engine, "recognize_upright", None))

    def step(image: Image) -> Image:
        flat = flatten(image)  # found and flattened, or its small skew removed
        if can_turn:
            return flat  # read_document asks the engine to turn it while it reads
        return rotate(flat, orientation(flat, engine))

    return step


def read_document(
    image: Image,
    engine: OcrEngine,
    *,
    document_type: str | None = None,
    page_finder: PageFinder | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    check_quality: bool = True,
) -> DocumentReading:
    """Read one BGR photo: gate its quality, find the page, recognise, classify, extract.

    ``document_type`` skips classification when the caller knows what was asked for;
    ``page_finder`` replaces the default page step (``page_step``).
    """
    started = time.perf_counter()
    report = assess(image) if check_quality else None
    if report is not None and not report.ok:
        return DocumentReading(quality=report, seconds=time.perf_counter() - started)
    page = (page_finder or page_step(engine))(image)
    upright_page = getattr(engine, "recognize_upright_page", None)
    upright = getattr(engine, "recognize_upright", None)
    if callable(upright_page):
        _, page, lines = upright_page(page)
    elif callable(upright):
        # Engines that can turn the page upright first give boxes in reading geometry, which
        # the label search needs (a licence photographed upside down reads right to left).
        _, lines = upright(page)
    else:
        lines = engine.recognize(page)
    reading = read_lines(lines, document_type, min_confidence=min_confidence)
    read_crop = getattr(engine, "recognize_crop", None)
    spec = DOCUMENT_TYPES.get(reading.document_type)
    if (
        spec is not None
        and callable(read_crop)
        and (callable(upright_page) or not callable(upright))
    ):
        # A required value the detector missed or misread is read again where its label says
        # it stands; only a value that passes the field's own check is taken.
        reread_missing(
            spec,
            lines,
            reading.fields,
            reading.confidence,
            reading.unreadable,
            page,
            read_crop,
            min_confidence,
        )
    reading.quality = report
    reading.seconds = time.perf_counter() - started
    return reading


def load_image(source: Path | bytes | bytearray) -> Image:
    """Decode a photo file or its bytes (JPEG, PNG...) to BGR; ``ReaderError`` when it is none."""
    import cv2
    import numpy as np

    name = str(source) if isinstance(source, Path) else "the photo"
    try:
        data = source.read_bytes() if isinstance(source, Path) else bytes(source)
    except OSError as err:
        raise ReaderError(f"cannot read {name}: {err.strerror}") from err
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise ReaderError(f"{name} is not an image OpenCV can decode")
    return image.astype(np.uint8, copy=False)
