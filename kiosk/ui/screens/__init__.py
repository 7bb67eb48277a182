"""The citizen's screens, one module each; views only, the controller drives them."""

from __future__ import annotations

from hall.schema import LocalizedText


def loc(text: LocalizedText | None, language: str) -> str:
    """The text in the screen's language."""
    if text is None:
        return ""
    return text.en if language == "en" else text.zh
