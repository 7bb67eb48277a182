"""Finding a field's value from its label, whatever the document's layout.

A value is found by meaning, never by pixel position: a label (one of its synonyms) is found in
the recognised lines, then its value is taken from the same text after the label (``姓名张三``,
``名称：某某店``), else from the nearest box to its right on the same row (two-column tables,
label and value recognised apart), else from the box right below it (label above value). A value
that runs on over several lines (addresses, business scope) takes the lines under it that start
where it started. Every candidate must parse as the field's kind of value, so a label that is
followed by something else (another label, a signature line) does not give a wrong value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ocr.engine import TextLine
from ocr.text import collapse, fold_width

Parser = Callable[[str], object | None]


@dataclass(frozen=True)
class FieldSpec:
    """How one field is labelled and what its value looks like."""

    name: str
    labels: tuple[str, ...]
    parse: Parser
    multiline: bool = False
    complete: Callable[[str], bool] | None = None
    """Says a value needs no further line (a firm's name ending in 公司): a full line above a
    new sentence must not run on into it."""


@dataclass(frozen=True)
class Found:
    """A value read for a field, its confidence and the lines it came from."""

    value: object
    confidence: float
    lines: tuple[int, ...] = ()


@dataclass
class Line:
    """One recognised line in reading order, its text folded to half-width."""

    index: int
    text: str
    """Width-folded (``：`` -> ``:``), for finding labels and marks."""
    raw: str
    """As recognised (white space collapsed), the same length as ``text``: values come from it."""
    confidence: float
    left: float
    top: float
    right: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)
    parts: list[tuple[int, float, float]] = field(default_factory=list)
    """For a line joined from boxes: where each box starts in the text, its left and right."""

    @property
    def height(self) -> float:
        """The box's height (at least 1)."""
        return max(self.bottom - self.top, 1.0)

    def x_at(self, position: int) -> float:
        """Where character ``position`` of the text sits, assuming even spacing."""
        if not self.text:
            return self.left
        # A joined line is spaced evenly only within each of its boxes (名 … 称南宁市…).
        bounds = self.parts or [(0, self.left, self.right)]
        for i, (start, left, right) in enumerate(bounds):
            end = bounds[i + 1][0] if i + 1 < len(bounds) else len(self.text)
            if position < end or i + 1 == len(bounds):
                return left + (right - left) * (position - start) / max(end - start, 1)
        return self.left


@dataclass
class Segment:
    """A part of a line: a label and the text after it up to the next label, or plain text."""

    label: str | None
    text: str
    start: int
    colon: bool


_UNKNOWN_LABEL = re.compile(r"^[^\s:\d]{2,8}\s*(\([^()]{1,8}\))?\s*:")
_BEFORE_LABEL = " ,;。、|()"
_TAIL_LABEL = re.compile(r"^(\S)\s*:")


def _label_pattern(label: str) -> str:
    # Spaced-out labels (名    称) come back from OCR with spaces between the characters.
    return r"\s*".join(re.escape(ch) for ch in label)


class Layout:
    """The recognised lines of one document, segmented by the labels this document type uses."""

    def __init__(
        self,
        lines: Sequence[TextLine],
        labels: Sequence[str],
        strict: Sequence[str] = (),
        inline: Sequence[str] = (),
    ):
        """Order the lines into rows and find every label in them.

        ``strict`` labels (short words that prose also uses, like 甲方) count only when a colon
        follows or when they stand alone in their box.
        """
        ordered = _reading_order(lines)
        self.lines = [
            Line(
                i,
                collapse(fold_width(t.text)),
                collapse(t.text),
                t.confidence,
                t.left,
                t.top,
                t.right,
                t.bottom,
            )
            for i, t in enumerate(ordered)
        ]
        self.strict = set(strict)
        self.inline = set(inline)
        unique = sorted(set(labels), key=len, reverse=True)
        self._pattern = re.compile(
            "(" + "|".join(_label_pattern(label) for label in unique) + r")"
            r"(\s*\([^()]{1,10}\))?(\s*:)?"
        )
        self._canonical = {re.sub(r"\s", "", label): label for label in unique}
        # Two-character labels are printed spaced out (名    称); a detector can miss the lone
        # first character and return only "称：…". A line that starts with such a tail and a
        # colon is that label, when the tail belongs to one label only.
        tails: dict[str, list[str]] = {}
        for label in unique:
            bare = re.sub(r"\s", "", label)
            if len(bare) == 2:
                tails.setdefault(bare[1], []).append(label)
        self._tails = {ch: found[0] for ch, found in tails.items() if len(found) == 1}
        # The other way round: the detector kept the first character alone in its box and lost
        # the far second one (名 …… 成都某某公司). A box holding only that character is the label.
        heads: dict[str, list[str]] = {}
        for label in unique:
            bare = re.sub(r"\s", "", label)
            if len(bare) == 2:
                heads.setdefault(bare[0], []).append(label)
        self._heads = {ch: found[0] for ch, found in heads.items() if len(found) == 1}
        self.lines = self._join_split_labels(self.lines, unique)
        for line in self.lines:
            line.segments = self._segment(line.text, line.raw)
        self.right_margin = max((line.right for line in self.lines), default=0.0)
        """Where the longest lines end: a line reaching it may wrap onto the next."""
        self.text = "".join(line.text.replace(" ", "") for line in self.lines)
        """All the text in reading order without spaces, for prose patterns."""
        self._owner: list[int] = []
        for line in self.lines:
            self._owner.extend([line.index] * len(line.text.replace(" ", "")))

    @staticmethod
    def _join_split_labels(lines: list[Line], labels: Sequence[str]) -> list[Line]:
        """Join a spaced-out label the engine cut in boxes (``住`` | ``所：``; 负 | 责 | 人).

        Licences justify short labels to the width of the longest (名　　　称 as wide as
        法定代表人), so the gap between a label's characters can be three characters wide.
        """
        starts = tuple(re.sub(r"\s", "", label) for label in labels)
        out: list[Line] = []
        for line in lines:
            prev = out[-1] if out else None
            joined = (prev.text + line.text).replace(" ", "") if prev is not None else ""
            if (
                prev is not None
                and len(prev.text.replace(" ", "")) <= 2
                and min(prev.bottom, line.bottom) - max(prev.top, line.top)
                >= 0.5 * min(prev.height, line.height)
                and -0.5 * prev.height <= line.left - prev.right <= 3.5 * prev.height
                and (
                    joined.startswith(starts)
                    # the middle of a label spaced over three boxes (负 | 责 | 人杨丽)
                    or any(len(joined) < len(s) and s.startswith(joined) for s in starts)
                )
                and not prev.text.replace(" ", "").startswith(starts)
            ):
                parts = prev.parts or [(0, prev.left, prev.right)]
                out[-1] = Line(
                    prev.index,
                    prev.text + " " + line.text,
                    prev.raw + " " + line.raw,
                    min(prev.confidence, line.confidence),
                    prev.left,
                    min(prev.top, line.top),
                    line.right,
                    max(prev.bottom, line.bottom),
                    parts=[*parts, (len(prev.text) + 1, line.left, line.right)],
                )
                continue
            out.append(line)
        for i, line in enumerate(out):
            line.index = i
        return out

    def _segment(self, text: str, raw: str) -> list[Segment]:
        cuts: list[tuple[int, int, str, bool]] = []
        for m in self._pattern.finditer(text):
            label = self._canonical[re.sub(r"\s", "", m.group(1))]
            colon = m.group(3) is not None
            at_start = m.start() == 0 or text[m.start() - 1] in _BEFORE_LABEL
            alone = not text[m.end() :].strip()
            if label in self.strict and not (colon or (alone and m.start() == 0)):
                continue
            if not (at_start or colon or label in self.inline):
                continue
            cuts.append((m.start(), m.end(), label, colon))
        if not cuts and text.strip(" :") in self._heads:
            cuts.append((0, len(text), self._heads[text.strip(" :")], ":" in text))
        if not cuts or cuts[0][0] > 0:
            fragment = _TAIL_LABEL.match(text)
            if fragment is not None and fragment.group(1) in self._tails:
                cuts.insert(0, (0, fragment.end(), self._tails[fragment.group(1)], True))
        segments: list[Segment] = []
        if not cuts or cuts[0][0] > 0:
            end = cuts[0][0] if cuts else len(text)
            if text[:end].strip():
                segments.append(Segment(None, raw[:end].strip(), 0, False))
        for i, (_, end, label, colon) in enumerate(cuts):
            stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
            value = text[end:stop]
            lead = len(value) - len(value.lstrip(" :"))
            tail = len(value.rstrip(" :"))
            segments.append(Segment(label, raw[end + lead : end + tail], end + lead, colon))
        return segments

    def is_labelled(self, line: Line) -> bool:
        """Whether the line starts with a label."""
        return bool(line.segments) and line.segments[0].label is not None

    def _row_labelled(self, line: Line, own_label: Line) -> bool:
        """Whether the line, or a box beside it on its row, starts with a label.

        The field's own label does not count: on a tilted card it sits between the value's
        first and second line; nor do labels of a column to its left or right (two-column tables).
        """
        for other in self.lines:
            if other is own_label or other.right < own_label.left - own_label.height:
                continue  # a label of a column further left belongs to another field
            if other is not line and other.left > line.left:
                continue  # nor does one of a column to the right
            overlap = min(line.bottom, other.bottom) - max(line.top, other.top)
            if overlap >= 0.5 * min(line.height, other.height) and self.is_labelled(other):
                return True
        return False

    def _row_headed(self, line: Line, own_label: Line, used: Sequence[Line]) -> bool:
        """Whether a box stands left of the line on its row, in the label's column.

        In a table each row's label cell sits there (建筑面积 | 86.5平方米), whether or not this
        type knows the label; a value that runs on has nothing left of its next line but its
        own label. Boxes of a column further left (two-column licences) do not count.
        """
        for other in self.lines:
            if other is line or other is own_label or other in used:
                continue
            if other.left < own_label.left - own_label.height or other.left >= line.left:
                continue
            overlap = min(line.bottom, other.bottom) - max(line.top, other.top)
            if overlap >= 0.5 * min(line.height, other.height):
                return True
        return False

    def _right_of(self, line: Line) -> Line | None:
        best: Line | None = None
        for other in self.lines:
            if other is line or other.left < line.right - line.height * 0.5:
                continue
            overlap = min(line.bottom, other.bottom) - max(line.top, other.top)
            if overlap < 0.5 * min(line.height, other.height):
                continue
            if best is None or other.left < best.left:
                best = other
        return best

    def near(self, line: Line) -> Line | None:
        """The unlabelled box closest under or beside a label that stands alone.

        Closeness is from the label's top-right corner (value beside it) or its bottom-left
        corner (value under it) to the box's top-left corner; a tilted photo makes boxes taller
        and shifts their corners, so no box is required to be strictly right or below.
        """
        best: tuple[float, Line] | None = None
        for other in self.lines:
            if other is line or self.is_labelled(other):
                continue
            if (other.top + other.bottom) / 2 < line.top or other.right < line.left:
                continue
            beside = math.dist((line.right, line.top), (other.left, other.top))
            under = math.dist((line.left, line.bottom), (other.left, other.top))
            d = min(beside, under)
            if d < 2.5 * line.height and (best is None or d < best[0]):
                best = (d, other)
        return best[1] if best is not None else None

    def find(self, spec: FieldSpec) -> Found | None:
        """The first parseable value for ``spec``, trying its labels in order of preference."""
        for label in spec.labels:
            for line in self.lines:
                for seg in line.segments:
                    if seg.label != label:
                        continue
                    found = self._value_after(line, seg, spec)
                    if found is not None:
                        return found
        return None

    def _value_after(self, line: Line, seg: Segment, spec: FieldSpec) -> Found | None:
        candidates: list[tuple[Line, str, float]] = []
        if seg.text:
            candidates.append((line, seg.text, line.x_at(seg.start)))
        last = line.segments[-1] is seg
        if last:
            right = self._right_of(line)
            if right is not None and right.segments and right.segments[0].label is None:
                candidates.append((right, _clear_of(line, right), right.left))
            if not seg.text:
                below = self.near(line)
                if below is not None and below.segments and below.segments[0].label is None:
                    candidates.append((below, _clear_of(line, below), below.left))
        for source, text, x in candidates:
            value = spec.parse(text)
            if value is None:
                continue
            used = [source]
            # A value may run on below when nothing follows it on its line, or when what
            # follows is a distinctive label: two columns the detector ran into one box.
            after = source.segments.index(seg) + 1 if source is line else 1
            column_break = (
                after < len(source.segments) and source.segments[after].label in self.inline
            )
            if (
                spec.multiline
                and isinstance(value, str)
                and (source.segments[-1].label in (None, seg.label) or column_break)
            ):
                value, used = self._continue(source, value, x, spec, line)
            confidence = min(u.confidence for u in used)
            return Found(value, confidence, tuple(u.index for u in used))
        return None

    def _continue(
        self, first: Line, value: str, x: float, spec: FieldSpec, label_line: Line
    ) -> tuple[object, list[Line]]:
        used = [first]
        current = first
        text = value
        while True:
            nxt = None
            for other in self.lines:
                if other.index <= current.index or other in used:
                    continue
                gap = other.top - current.bottom
                if gap < -0.3 * current.height or gap > 1.2 * current.height:
                    continue
                aligned = abs(other.left - x) <= 1.5 * current.height
                # A paragraph wraps back to its margin, and only when the line above is full.
                wrapped = (
                    abs(other.left - first.left) <= 1.5 * current.height
                    and current.right >= self.right_margin - 1.5 * current.height
                )
                if not (aligned or wrapped):
                    continue
                nxt = other
                break
            if (
                nxt is None
                or len(nxt.segments) != 1
                or self._row_labelled(nxt, label_line)
                or self._row_headed(nxt, label_line, used)
            ):
                break
            if spec.complete is not None and spec.complete(text):
                break
            if _UNKNOWN_LABEL.match(nxt.text):
                break  # "建筑面积：..." – a label this type does not know still ends the value
            joined = spec.parse(text + nxt.segments[0].text)
            if not isinstance(joined, str):
                break
            text = joined
            used.append(nxt)
            current = nxt
        return text, used

    def search(self, pattern: re.Pattern[str], group: int = 1) -> tuple[str, float] | None:
        """A prose pattern over the whole text: the group matched and its lines' confidence."""
        m = pattern.search(self.text)
        if m is None:
            return None
        return m.group(group), self.confidence_of(m.start(group), m.end(group))

    def confidence_of(self, start: int, end: int) -> float:
        """The lowest confidence of the lines holding ``self.text[start:end]``."""
        owners = {self._owner[i] for i in range(start, min(end, len(self._owner)))}
        if not owners:
            return 0.0
        return min(self.lines[i].confidence for i in owners)


def _clear_of(label: Line, box: Line) -> str:
    """The text of a value's box without what it shares with its label's box on the row.

    The detector can start a value's box inside its label's (主要经营场所 | 斤深圳市…): the
    recogniser then reads the label's last character again, cut in half, as another. Boxes that
    only touch share less than most of a character and keep all their text.
    """
    text = box.segments[0].text
    overlap = min(label.bottom, box.bottom) - max(label.top, box.top)
    if not text or not box.text or overlap < 0.5 * min(label.height, box.height):
        return text
    width = (box.right - box.left) / len(box.text)
    shared = int((label.right - box.left) / max(width, 1.0) + 0.3)
    return text[shared:] if 0 < shared < len(text) else text


def _reading_order(lines: Sequence[TextLine]) -> list[TextLine]:
    """Top to bottom by rows (boxes whose middles are within half a line), left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda t: (t.top + t.bottom) / 2):
        middle = (line.top + line.bottom) / 2
        height = max(line.bottom - line.top, 1.0)
        if rows:
            last = rows[-1][0]
            if abs((last.top + last.bottom) / 2 - middle) < 0.5 * min(
                height, max(last.bottom - last.top, 1.0)
            ):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda t: t.left)]
