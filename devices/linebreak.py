"""Line breaking for mixed Chinese and Latin text on paper: the receipt and the A4 certificate.

One rule set for both printers, with the measure (columns on a receipt, points on A4) passed in:

- Latin words (runs of narrow characters) move whole to the next line; a word longer than a line
  is cut by character. A space at a break is dropped.
- Chinese characters break between any two, except (避头尾, GB/T 15834 practice) that a
  closing mark (，。、）》 ...) never starts a line and an opening mark (（《“ ...) never ends
  one: marks are glued to their neighbour before breaking.
- No orphan: the last line of a text with several lines is never one lone character or one
  short word (社会保险个人参保证明打 / 印 becomes 社会保险个人参保证明 / 打印).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’%·…‰℃,.;:?!)]}")
"""Marks Chinese typesetting never starts a line with."""
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
"""Opening marks, which never end a line."""

Measure = Callable[[str], float]


def is_wide(char: str) -> bool:
    """Whether ``char`` is a full-width (Chinese) character: a unit of its own when breaking."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def clean_text(text: str) -> str:
    """Replace control characters (tabs, newlines) with spaces: a raw LF would break the layout."""
    return "".join(" " if ord(char) < 0x20 or ord(char) == 0x7F else char for char in text)


def units(text: str) -> list[str]:
    """Split ``text`` into the pieces a line may break between.

    Spaces are units of their own; a Latin word is one unit; a Chinese character is one unit; a
    closing mark is glued to the unit before it and an opening mark to the unit after it.
    """
    raw: list[str] = []
    word = ""
    for char in clean_text(text):
        if char == " " or is_wide(char) or char in NO_LINE_START or char in NO_LINE_END:
            if word:
                raw.append(word)
                word = ""
            raw.append(char)
        else:
            word += char
    if word:
        raw.append(word)
    glued: list[str] = []
    pending_open = ""
    for unit in raw:
        if unit == " ":
            if pending_open:
                glued.append(pending_open)
                pending_open = ""
            glued.append(unit)
        elif unit in NO_LINE_END:
            pending_open += unit
        elif unit in NO_LINE_START and not pending_open and glued and glued[-1] != " ":
            glued[-1] += unit
        else:
            glued.append(pending_open + unit)
            pending_open = ""
    if pending_open:
        if glued and glued[-1] != " ":
            glued[-1] += pending_open
        else:
            glued.append(pending_open)
    return glued


def break_lines(
    text: str, width: float, measure: Measure, *, rest_width: float | None = None
) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (``rest_width`` after the first line).

    Always returns at least one line; lines carry no leading or trailing spaces.
    """
    rest = width if rest_width is None else rest_width
    if min(width, rest) <= 0:
        raise ValueError("line width must be positive")
    lines: list[list[str]] = []
    line: list[str] = []
    room = width

    def close() -> None:
        nonlocal line, room
        lines.append(line)  # with the space it broke at, if any: stripped at the end
        line, room = [], rest

    for unit in units(text):
        if unit == " ":
            if line and line[-1] != " ":
                line.append(unit)
            continue
        if measure("".join([*line, unit]).rstrip(" ")) <= room:
            line.append(unit)
            continue
        if any(u != " " for u in line):
            close()
            if measure(unit) <= room:
                line.append(unit)
                continue
        # Longer than a whole line: cut by character.
        piece = ""
        for char in unit:
            if piece and measure("".join(line) + piece + char) > room:
                # Cut elsewhere than before a closing mark or after an opening one: the last
                # character goes down with the mark (a run of one character cannot).
                carry = ""
                if len(piece) > 1 and (char in NO_LINE_START or piece[-1] in NO_LINE_END):
                    piece, carry = piece[:-1], piece[-1]
                line.append(piece)
                close()
                piece = carry
            piece += char
        if piece:
            line.append(piece)
    close()
    _no_orphan(lines, rest, measure)
    return ["".join(parts).strip(" ") for parts in lines]


def _no_orphan(lines: list[list[str]], rest: float, measure: Measure) -> None:
    """Carry one unit down so the last line is not one lone character or one short word.

    Lines still end with the space they broke at (if any), so the carried unit keeps it.
    """
    if len(lines) < 2:
        return
    last, before = lines[-1], lines[-2]
    words = [u for u in last if u != " "]
    if not words or len(words) > 2:
        return
    word = words[0]
    if len(words) == 2:
        # Two Chinese characters (无效。) are a short last line too, if the one before is long.
        lone = all(is_wide(u[0]) and len(u) <= 2 for u in words)
    else:
        lone = (is_wide(word[0]) and len(word) <= 2) or (
            not is_wide(word[0]) and measure(word) * 4 <= rest
        )
    if not lone:
        return
    gap = [" "] if before and before[-1] == " " else []
    solid = [u for u in before if u != " "]
    if len(solid) < 2 + len(words):
        return
    while before[-1] == " ":
        before.pop()
    candidate = [before[-1], *gap, *last]
    if measure("".join(candidate)) > rest:
        return
    before.pop()
    lines[-1] = candidate
