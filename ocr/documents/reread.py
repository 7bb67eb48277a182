"""Reading a required value again where its label says it must be, when the first pass missed it.

The text detector sometimes finds no box for a value (a lone 回 beside 民族) or the recogniser
drops a character from one (a 17-character credit code). The label was read, so its box tells
where the value stands: to its right on the same row, or under it. That region is cut from the
upright page and handed to the recogniser alone (no detection), with two margins. A value read
there counts only if it parses as the field's kind and passes the field's own check (the 56
nations, the ID number's and the credit code's check characters), and only at the usual
confidence: below it the field is reported unreadable, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec
from ocr.engine import TextLine
from ocr.text import fold_width
from ocr.validators import id_checksum_ok, uscc_checksum_ok

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
else:
    Image = Any

CropReader = Callable[[Image, tuple[float, float, float, float]], "tuple[str, float] | None"]
"""An engine's ``recognize_crop``: the text in a region and its score, or None."""

VALUE_WIDTH = {"gender": 3.0, "ethnicity": 4.5}
"""How far right of its label (in line heights) a short value can stand; a wider region would
take in the portrait or the next column. Other values may run 16 line heights."""
DEFAULT_WIDTH = 16.0
MARGINS = (0.2, 0.45)
"""Vertical margins tried around the label's row, in line heights."""

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


def _regions(
    line: TextLine, end: float, width: float, size: tuple[int, int]
) -> list[tuple[float, float, float, float]]:
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
            for region in _regions(line, end, width, size):
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
