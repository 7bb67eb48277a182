"""Hand-built recognised lines for extraction tests, placed on a page as an engine reports them."""

from __future__ import annotations

from ocr.engine import TextLine

CHAR = 24.0
HEIGHT = 30.0


def box(text: str, x: float, y: float, confidence: float = 0.97) -> TextLine:
    """A line of ``text`` with its top-left corner at (x, y), 24 px per character.

    Leading spaces move the box right by one character each (a continuation line).
    """
    indent = len(text) - len(text.lstrip(" "))
    text = text.strip(" ")
    x += CHAR * indent
    width = CHAR * max(len(text), 1)
    return TextLine(
        text, ((x, y), (x + width, y), (x + width, y + HEIGHT), (x, y + HEIGHT)), confidence
    )


def page(*rows: str | tuple[str, ...], gap: float = 45.0, column: float = 300.0) -> list[TextLine]:
    """One line per row; a tuple row is several boxes side by side, ``column`` px apart."""
    lines: list[TextLine] = []
    for i, row in enumerate(rows):
        y = 40 + i * gap
        parts = (row,) if isinstance(row, str) else row
        for j, text in enumerate(parts):
            if text:
                lines.append(box(text, 40 + j * column, y))
    return lines
