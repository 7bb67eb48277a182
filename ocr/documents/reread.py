"""Reading a required value again where its label says it must be, when the first pass missed it.

The text detector sometimes finds no box for a value (a lone 回 beside 民族) or the recogniser
drops a character from one (a 17-character credit code). The label was read, so its box tells
where the value stands: to its right on the same row, or under it. That region is cut from the
upright page and handed to the recogniser alone (no detection), with two margins. A value read
there counts only if it parses as the field's kind and passes the field's own check (the 56
nations, the ID number's and the credit code's check characters), and only at the usual
confidence: below it the field is reported unreadable, never guessed.

Each region is first cut down to the print in it (``ink_region``). The recogniser was trained on
line crops that end where their print ends; a lone character with two or three of its widths of
blank paper beside it is read as something else (PP-OCRv4 reads such a lone 壮 as 并 at 0.78,
and as 壮 at 0.998 once the blank is cut to a quarter of its height).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec
from ocr.engine import TextLine
from ocr.text import fold_width
from ocr.validators import id_checksum_ok, uscc_checksum_ok

if TYPE_CHECKING:
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
else:
    Image = Any

Region = tuple[float, float, float, float]
"""A page region: left, top, right, bottom in pixels."""

CropReader = Callable[[Image, Region], "tuple[str, float] | None"]
"""An engine's ``recognize_crop``: the text in a region and its score, or None."""

VALUE_WIDTH = {"gender": 3.0, "ethnicity": 4.5}
"""How far right of its label (in line heights) a short value can stand; a wider region would
take in the portrait or the next column. Other values may run 16 line heights."""
DEFAULT_WIDTH = 16.0
MARGINS = (0.2, 0.45)
"""Vertical margins tried around the label's row, in line heights."""
INK_MARGIN = (0.25, 0.2)
"""Blank kept round the print of a region cut down to it, across and up-down, in its height."""
MIN_INK_CONTRAST = 48
"""A region whose darkest and lightest pixels lie closer than this (of 255) has no print."""

CHECKS: dict[str, Callable[[str], bool]] = {
    "id_number": id_checksum_ok,
    "uscc": uscc_checksum_ok,
}
"""Fields whose value carries its own check: a re-read value must pass it."""

CLOSED_KINDS = (
    v.gender,
    v.ethnicity,
    v.id_number,
    v.uscc,
    v.date_value,
    v.end_date,
    v.licence_number,
)
"""Value kinds with a closed form (a list, a pattern, a check): only these are re-read, so a
stray region can never pass as a name or an address."""


def _label_end(line: TextLine, labels: Sequence[str]) -> float | None:
    """The x where a label in ``line`` ends (even character spacing), or None."""
    text = fold_width(line.text)
    for label in sorted(labels, key=len, reverse=True):
        match = re.search(r"\s*".join(re.escape(ch) for ch in label), text)
        if match is not None and text:
            return line.left + (line.right - line.left) * match.end() / len(text)
    return None


def _regions(line: TextLine, end: float, width: float, size: tuple[int, int]) -> list[Region]:
    """Candidate regions for the value of the label in ``line`` ending at ``end``."""
    height = max(line.bottom - line.top, 1.0)
    page_h, page_w = size
    regions = []
    right = min(page_w, end + width * height)
    for margin in MARGINS:
        regions.append(
            (end + 0.3 * height, line.top - margin * height, right, line.bottom + margin * height)
        )
    # Label above its value.
    regions.append(
        (
            line.left - 0.3 * height,
            line.bottom,
            min(page_w, line.left + (width + 2) * height),
            min(page_h, line.bottom + 1.6 * height),
        )
    )
    return regions


def ink_region(image: Image, region: Region) -> Region | None:
    """``region`` (left, top, right, bottom) cut down to the print of its row, or None.

    The row is the middle three fifths of the region: print whose middle lies there is kept,
    strokes of the lines above and below that the region's margins take in are not. The print's
    box is widened by ``INK_MARGIN`` of its height, as a detector's box stands round its line.
    None when the region holds no print (too little contrast, nothing in the row) or when
    cutting would change nothing.
    """
    height, width = image.shape[:2]
    left, top = max(int(region[0]), 0), max(int(region[1]), 0)
    right, bottom = min(int(np.ceil(region[2])), width), min(int(np.ceil(region[3])), height)
    if right - left < 4 or bottom - top < 8:
        return None
    crop = image[top:bottom, left:right]
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    if int(gray.max()) - int(gray.min()) < MIN_INK_CONTRAST:
        return None
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    rows = bottom - top
    band = (0.2 * rows, 0.8 * rows)
    kept = [
        stats[i]
        for i in range(1, count)
        if stats[i][cv2.CC_STAT_AREA] >= 3 and band[0] <= centroids[i][1] <= band[1]
    ]
    if not kept:
        return None
    x0 = min(int(s[cv2.CC_STAT_LEFT]) for s in kept)
    y0 = min(int(s[cv2.CC_STAT_TOP]) for s in kept)
    x1 = max(int(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH]) for s in kept)
    y1 = max(int(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT]) for s in kept)
    size = max(y1 - y0, 1)
    across, up = INK_MARGIN[0] * size, INK_MARGIN[1] * size
    cut = (
        max(float(left), left + x0 - across),
        max(0.0, top + y0 - up),
        min(float(right), left + x1 + across),
        min(float(height), top + y1 + up),
    )
    if cut[2] - cut[0] >= (right - left) - 1 and cut[3] - cut[1] >= rows - 1:
        return None
    return cut


def _value(spec: FieldSpec, text: str) -> object | None:
    """The field's value in a re-read text (its label stripped if the region caught it)."""
    folded = fold_width(text).strip(" :")
    for label in spec.labels:
        if folded.startswith(label):
            folded = folded[len(label) :].strip(" :")
    value = spec.parse(folded)
    check = CHECKS.get(spec.name)
    if value is not None and check is not None and not (isinstance(value, str) and check(value)):
        return None
    return value


def _tries(image: Image, regions: Sequence[Region]) -> Iterator[Region]:
    """Each region cut down to its print first (when that changes it), then as it is.

    Cut as they are asked for: the first region read well ends the search.
    """
    for region in regions:
        cut = ink_region(image, region)
        if cut is not None:
            yield cut
        yield region


def reread_missing(
    doc: DocumentType,
    lines: Sequence[TextLine],
    fields: dict[str, object],
    confidence: dict[str, float],
    unreadable: list[str],
    image: Image,
    read_crop: CropReader,
    min_confidence: float,
) -> list[str]:
    """Fill missing required fields from a re-read of their place; returns the fields filled.

    ``fields``, ``confidence`` and ``unreadable`` are updated in place. A field re-read with a
    valid value below ``min_confidence`` becomes unreadable (if it was not already).
    """
    filled: list[str] = []
    size = (int(image.shape[0]), int(image.shape[1]))
    specs = {spec.name: spec for spec in doc.fields}
    for name in doc.required:
        spec = specs.get(name)
        if spec is None or name in fields or spec.parse not in CLOSED_KINDS:
            continue
        best: tuple[object, float] | None = None
        for line in lines:
            end = _label_end(line, spec.labels)
            if end is None:
                continue
            width = VALUE_WIDTH.get(name, DEFAULT_WIDTH)
            for region in _tries(image, _regions(line, end, width, size)):
                read = read_crop(image, region)
                if read is None:
                    continue
                value = _value(spec, read[0])
                if value is None:
                    continue
                if best is None or read[1] > best[1]:
                    best = (value, read[1])
                if read[1] >= min_confidence:
                    break
            if best is not None and best[1] >= min_confidence:
                break
        if best is None:
            continue
        confidence[name] = round(best[1], 3)
        if best[1] >= min_confidence:
            fields[name] = best[0]
            if name in unreadable:
                unreadable.remove(name)
            filled.append(name)
        elif name not in unreadable:
            unreadable.append(name)
    return filled
