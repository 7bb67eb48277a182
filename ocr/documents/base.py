"""What every document type declares: its field specs, its classification words, its extras."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ocr.documents.layout import FieldSpec, Found, Layout

Extras = Callable[[Layout, dict[str, Found]], dict[str, Found]]
"""A document-specific pass for fields labels alone do not give (prose, date ranges)."""


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: how to recognise it and how to read its fields."""

    name: str
    keywords: dict[str, int]
    """Words in the text and the weight each adds to this type's score."""
    fields: tuple[FieldSpec, ...]
    required: tuple[str, ...]
    """Fields a complete document of this type always has."""
    stop_labels: tuple[str, ...] = ()
    """Labels of other things on the document, so a value stops where they begin."""
    strict_labels: tuple[str, ...] = ()
    inline_labels: tuple[str, ...] = ()
    """Labels distinctive enough to count even run together with the text before them
    (``姓名张三性别女``)."""
    extras: Extras | None = None
    optional: tuple[str, ...] = field(default=())

    def labels(self) -> list[str]:
        """Every label this type uses, its fields' and its stop labels."""
        return [label for spec in self.fields for label in spec.labels] + list(self.stop_labels)
