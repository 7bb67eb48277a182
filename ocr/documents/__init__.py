"""Classifying a document from its recognised lines and extracting its fields as typed values.

One module per document type declares its labels, value kinds and classification words
(``resident_id``, ``business_license``, ``lease_contract``, ``food_license``); ``extract`` runs the
layout-independent label search (``layout``) and each type's own pass for prose and ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ocr.documents.base import DocumentType
from ocr.documents.business_license import BUSINESS_LICENSE
from ocr.documents.food_license import FOOD_BUSINESS_LICENSE
from ocr.documents.layout import Found, Layout
from ocr.documents.lease_contract import LEASE_CONTRACT
from ocr.documents.resident_id import BACK as RESIDENT_ID_BACK
from ocr.documents.resident_id import FRONT as RESIDENT_ID_FRONT
from ocr.engine import TextLine
from ocr.text import simplified, squeeze

DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.name: t
    for t in (
        RESIDENT_ID_FRONT,
        RESIDENT_ID_BACK,
        BUSINESS_LICENSE,
        LEASE_CONTRACT,
        FOOD_BUSINESS_LICENSE,
    )
}
UNKNOWN = "unknown"
MIN_CLASS_SCORE = 5
MIN_CONFIDENCE = 0.6
"""A field read with less confidence is reported unreadable rather than guessed."""


@dataclass(frozen=True)
class Extraction:
    """The document type and the fields read from one document's lines.

    ``fields`` holds the values read with at least the threshold confidence; ``unreadable``
    names the fields that were found but read too poorly to trust; ``confidence`` has a score
    for every field in either.
    """

    document_type: str
    fields: dict[str, object] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        """Required fields of the type that were not found at all."""
        spec = DOCUMENT_TYPES.get(self.document_type)
        if spec is None:
            return []
        return [f for f in spec.required if f not in self.fields and f not in self.unreadable]


def classify_text(text: str) -> tuple[str, int]:
    """The best document type for a text and its score (``unknown`` below the minimum)."""
    plain = simplified(squeeze(text))
    best, best_score = UNKNOWN, 0
    for doc in DOCUMENT_TYPES.values():
        score = sum(weight for word, weight in doc.keywords.items() if word in plain)
        if score > best_score:
            best, best_score = doc.name, score
    return (best, best_score) if best_score >= MIN_CLASS_SCORE else (UNKNOWN, best_score)


def classify(lines: Sequence[TextLine]) -> str:
    """The document type of a page's lines, or ``unknown``."""
    return classify_text(" ".join(line.text for line in lines))[0]


def extract(
    lines: Sequence[TextLine],
    document_type: str | None = None,
    *,
    min_confidence: float = MIN_CONFIDENCE,
) -> Extraction:
    """Classify (unless the type is given) and read every field the type has."""
    kind = document_type or classify(lines)
    doc = DOCUMENT_TYPES.get(kind)
    if doc is None:
        return Extraction(UNKNOWN)
    layout = Layout(lines, doc.labels(), doc.strict_labels, doc.inline_labels)
    found: dict[str, Found] = {}
    for spec in doc.fields:
        hit = layout.find(spec)
        if hit is not None:
            found[spec.name] = hit
    if doc.extras is not None:
        for name, hit in doc.extras(layout, found).items():
            found.setdefault(name, hit)
    fields: dict[str, object] = {}
    confidence: dict[str, float] = {}
    unreadable: list[str] = []
    for name, hit in found.items():
        confidence[name] = round(hit.confidence, 3)
        if hit.confidence >= min_confidence:
            fields[name] = hit.value
        else:
            unreadable.append(name)
    return Extraction(kind, fields, confidence, unreadable)


__all__ = [
    "DOCUMENT_TYPES",
    "MIN_CONFIDENCE",
    "UNKNOWN",
    "DocumentType",
    "Extraction",
    "classify",
    "classify_text",
    "extract",
]
