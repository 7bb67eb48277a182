"""Text normalisation for what the engine read: widths, spaces, script forms, dates and money.

OCR of Chinese documents mixes full-width and half-width forms (``：`` and ``:``, ``１`` and
``1``), puts spaces inside spaced-out labels (``姓 名``) and, on older documents, prints names in
traditional characters. Everything that compares or parses text goes through here first.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import zhconv

LONG_TERM = "long-term"
"""How a date field printed as 长期 (no end) is given."""

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s,.;:!?'\"()\[\]{}<>、，。；：！？“”‘’《》（）【】·・\-_/]+")


_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII forms to half-width, one character for one (``：`` -> ``:``).

    Unlike NFKC this never changes the text's length, so positions found in the folded text
    point at the same characters of the text as printed.
    """
    return text.translate(_WIDTH)


def collapse(text: str) -> str:
    """Runs of white space to one space, stripped (the same positions for any width form)."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Full-width forms to half-width (NFKC), and runs of white space to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def squeeze(text: str) -> str:
    """``fold`` without any white space: Chinese text has none that carries meaning."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


@functools.cache
def _load_conversion_table() -> None:
    # zhconv's own loader leaves its packaged table's file open (a ResourceWarning); given the
    # path it reads it under a context manager. Loaded once, on first use.
    zhconv.loaddict(str(Path(zhconv.__file__).with_name("zhcdict.json")))


def simplified(text: str) -> str:
    """Traditional characters to simplified ones (陳 -> 陈), as mainland documents print them."""
    _load_conversion_table()
    return str(zhconv.convert(text, "zh-cn"))


def comparable(text: str) -> str:
    """The form two names or addresses are compared in: folded, simplified, no spaces or marks.

    Upper-cased, so Latin letters in company names compare without regard to case.
    """
    return _PUNCT.sub("", simplified(squeeze(text))).upper()


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same after width, space, mark and script normalisation."""
    return bool(comparable(a)) and comparable(a) == comparable(b)


_ADDRESS_NOISE = re.compile(r"(中华人民共和国|中国)")


def same_address(a: str, b: str) -> bool:
    """Whether two addresses name the same place.

    Equal after normalisation, or one is the other with leading parts left out (a lease may
    write 西湖区文三路90号 where the licence writes 浙江省杭州市西湖区文三路90号): the shorter
    must be the tail of the longer and hold the street number part.
    """
    x = _ADDRESS_NOISE.sub("", comparable(a))
    y = _ADDRESS_NOISE.sub("", comparable(b))
    if not x or not y:
        return False
    if x == y:
        return True
    short, long = sorted((x, y), key=len)
    return len(short) >= 6 and long.endswith(short)


# --- dates ----------------------------------------------------------------------------------------

_DATE_PATTERNS = (
    # 2025年3月1日, 2025年03月01日 (spaces between the parts are common in OCR)
    re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    # 2025.03.01, 2025-3-1, 2025/03/01
    re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})(?!\d)"),
    # 20250301
    re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"),
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in a text, with where it was (``None`` date: it looked like one, not real)."""

    value: dt.date | None
    start: int
    end: int
    parts: tuple[int, int, int] = (0, 0, 0)

    @property
    def iso(self) -> str:
        """``YYYY-MM-DD`` as written, even when it is not a real date (then validators say so)."""
        return "{:04d}-{:02d}-{:02d}".format(*self.parts)


_CN_DIGIT = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def _cn_small(text: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十一 -> 21."""
    if "十" not in text:
        return _CN_DIGIT.get(text, 0)
    tens, _, ones = text.partition("十")
    return _CN_DIGIT.get(tens, 1) * 10 + _CN_DIGIT.get(ones, 0)


def _arabic_dates(text: str) -> str:
    """二〇二五年三月一日 -> 2025年3月1日 (contracts write dates in words too)."""

    def convert(m: re.Match[str]) -> str:
        year = "".join(str(_CN_DIGIT[ch]) for ch in m.group(1))
        return f"{year}年{_cn_small(m.group(2))}月{_cn_small(m.group(3))}日"

    return _CN_DATE.sub(convert, text)


def find_dates(text: str) -> list[DateMatch]:
    """Every date written in ``text``, in order; impossible ones (2月30日) carry ``None``.

    Dates written in Chinese numerals are read too; their positions are then approximate.
    """
    text = _arabic_dates(fold(text))
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            year, month, day = (int(g) for g in m.groups())
            try:
                value: dt.date | None = dt.date(year, month, day)
            except ValueError:
                value = None
            found.append(DateMatch(value, m.start(), m.end(), (year, month, day)))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def parse_date(text: str) -> dt.date | None:
    """The first real date written in ``text``, if any."""
    for match in find_dates(text):
        if match.value is not None:
            return match.value
    return None


def is_long_term(text: str) -> bool:
    """Whether ``text`` says "no end date" (长期, 永久, 无固定期限)."""
    return bool(re.search(r"长期|長期|永久|无固定期限|不约定期限", text))


# --- money ----------------------------------------------------------------------------------------

_DIGIT_GROUPS = (
    "零〇○",
    "壹一",
    "贰貳二两",
    "叁參三",
    "肆四",
    "伍五",
    "陆陸六",
    "柒七",
    "捌八",
    "玖九",
)
_DIGITS = {ch: value for value, group in enumerate(_DIGIT_GROUPS) for ch in group}
_SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def _chinese_number(text: str) -> int | None:
    """壹佰万 -> 1000000, 伍拾万 -> 500000, 一千二百 -> 1200; ``None`` when not a number."""
    total = section = digit = 0
    seen = False
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            seen = True
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
            seen = True
        elif ch in "亿億":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
            seen = True
        elif ch in _BIG_UNITS:
            total += (section + digit) * _BIG_UNITS[ch]
            section = digit = 0
            seen = True
        else:
            return None
    return total + section + digit if seen else None


_ARABIC_MONEY = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(亿|億|万|萬)?\s*元?")
_NUMERALS = "零〇○壹一贰貳二两叁參三肆四伍五陆陸六柒七捌八玖九拾十佰百仟千万萬亿億"
_CHINESE_MONEY = re.compile(rf"(?<![\d.])([{_NUMERALS}]+)\s*元")


_FOREIGN_MONEY = re.compile(r"美元|港元|港币|欧元|日元|英镑|澳元|新台币|USD|HKD|EUR|JPY", re.I)


def parse_money(text: str) -> int | None:
    """An amount of yuan: 壹佰万元整, 100万元人民币, 1,000,000元, 50.5万元 -> whole yuan.

    A foreign-invested firm's capital in another currency (100万美元) is no amount of yuan.
    """
    text = squeeze(text)
    if _FOREIGN_MONEY.search(text):
        return None
    chinese = _CHINESE_MONEY.search(text)
    if chinese:
        value = _chinese_number(chinese.group(1))
        if value is not None:
            return value
    arabic = _ARABIC_MONEY.search(text)
    if arabic and (arabic.group(2) or "元" in text[arabic.end(1) : arabic.end() + 1]):
        amount = float(arabic.group(1).replace(",", ""))
        unit = arabic.group(2)
        if unit in ("万", "萬"):
            amount *= 10_000
        elif unit in ("亿", "億"):
            amount *= 100_000_000
        return round(amount)
    return None
