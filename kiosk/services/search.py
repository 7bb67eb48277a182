"""Finding a service item the way a citizen asks for it: words, pinyin, initials, English.

The matcher knows no item: every synonym and everyday phrasing ("我要开餐馆", "良民证") is data in
the item's ``keywords``, next to its names. A query is folded first (full width, case,
traditional characters to simplified, the filler of spoken requests such as 我要 / 怎么办 dropped),
then scored against each of an item's phrases:

- Chinese: the whole query inside a phrase or a phrase inside the query, else the share of
  character pairs (bigrams) they have in common;
- Latin letters: as pinyin initials (``jzz`` for 居住证), as whole pinyin (``juzhuzheng``,
  spaces ignored) and as English words of the titles and keywords.

An item scores its best phrase; ties go to the more used item. Plain Python: the choose screen
calls it on each key of the letter pad, so it is kept to microseconds per item.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from hall.schema import CatalogPublic, ServiceItem
from ocr.text import simplified

FILLERS = (
    "我想要",
    "我想",
    "我要",
    "我需要",
    "我得",
    "帮我",
    "请问",
    "怎么办理",
    "怎么办",
    "怎么",
    "如何",
    "在哪里",
    "在哪",
    "哪里",
    "可以",
    "能不能",
    "需要",
    "一下",
    "办理",
    "申请",
    "开具",
    "想",
    "要",
    "办",
    "的",
    "了",
    "吗",
    "呢",
    "个",
)
"""Words of a spoken request that say nothing about the item (longest first where they nest)."""

_ENGLISH_STOP = {"i", "my", "a", "an", "the", "to", "for", "of", "me", "want", "need", "get", "how"}
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
_LATIN = re.compile(r"^[a-z ]+$")
MIN_SCORE = 30.0
"""Below this an item is not offered at all."""


def _han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def fold(text: str) -> str:
    """A query or phrase as compared: NFKC, lower case, simplified characters, no punctuation."""
    text = simplified(unicodedata.normalize("NFKC", text)).lower()
    return _PUNCTUATION.sub(" ", text).strip()


def strip_fillers(text: str) -> str:
    """Drop the filler words of a Chinese request (我要, 怎么办 ...), keeping the rest."""
    core = text.replace(" ", "")
    for word in FILLERS:
        core = core.replace(word, "")
    return core or text.replace(" ", "")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


@dataclass(frozen=True)
class _Phrase:
    han: str
    """Folded Chinese text, no spaces (empty for an English phrase)."""
    latin: str
    """Folded English text (empty for a Chinese phrase)."""
    pinyin: str
    initials: str


def _phrase(text: str) -> _Phrase:
    folded = fold(text)
    if _han(folded):
        han = folded.replace(" ", "")
        syllables = lazy_pinyin(han, errors="ignore")
        initials = "".join(
            s[0] for s in lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore") if s
        )
        return _Phrase(han=han, latin="", pinyin="".join(syllables), initials=initials)
    return _Phrase(han="", latin=folded, pinyin="", initials="")


@dataclass(frozen=True)
class Hit:
    """One item found, with its score (higher is better)."""

    item: ServiceItem
    score: float


def _han_score(query: str, phrase: str) -> float:
    if not phrase:
        return 0.0
    if query == phrase:
        return 100.0
    if len(query) >= 2 and query in phrase:
        return 80.0 + 10.0 * len(query) / len(phrase)
    if len(phrase) >= 2 and phrase in query:
        return 70.0 + 10.0 * len(phrase) / len(query)
    q, p = _bigrams(query), _bigrams(phrase)
    dice = 2 * len(q & p) / (len(q) + len(p))
    chars = len(set(query) & set(phrase)) / max(len(set(query)), 1)
    return 60.0 * dice + 15.0 * chars


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _latin_score(query: str, phrase: _Phrase) -> float:
    squeezed = query.replace(" ", "")
    best = 0.0
    if phrase.initials:
        if squeezed == phrase.initials:
            best = 95.0
        elif len(squeezed) >= 2 and phrase.initials.startswith(squeezed):
            best = 70.0 + 20.0 * len(squeezed) / len(phrase.initials)
        if len(squeezed) >= 3 and squeezed == phrase.pinyin:
            best = max(best, 98.0)
        elif len(squeezed) >= 4 and phrase.pinyin.startswith(squeezed):
            best = max(best, 80.0 + 10.0 * len(squeezed) / len(phrase.pinyin))
        elif len(squeezed) >= 5 and squeezed in phrase.pinyin:
            best = max(best, 70.0)
    if phrase.latin:
        words = {_stem(w) for w in query.split() if w not in _ENGLISH_STOP}
        target = {_stem(w) for w in phrase.latin.split() if w not in _ENGLISH_STOP}
        if len(query) >= 3 and query in phrase.latin:
            best = max(best, 75.0 + 15.0 * len(query) / len(phrase.latin))
        if words and target:
            common = len(words & target)
            prefix = sum(
                1 for w in words - target if len(w) >= 3 and any(t.startswith(w) for t in target)
            )
            best = max(
                best,
                70.0 * (common + 0.7 * prefix) / len(words) * (0.8 + 0.2 * common / len(target)),
            )
    return best


class CatalogSearch:
    """An index of one catalog's items for :meth:`search`; build it again for a new catalog."""

    def __init__(self, catalog: CatalogPublic) -> None:
        """Fold every item's names and keywords once."""
        self.catalog = catalog
        self._index: list[tuple[ServiceItem, list[_Phrase]]] = []
        for item in catalog.items:
            texts = [item.name.zh, item.name.en, *item.keywords]
            if item.short_name is not None:
                texts += [item.short_name.zh, item.short_name.en]
            self._index.append((item, [_phrase(text) for text in texts if text.strip()]))

    def search(self, query: str, *, limit: int = 10) -> list[Hit]:
        """The items that match ``query``, best first (at most ``limit``); none for blank."""
        folded = fold(query)
        if not folded:
            return []
        if _han(folded):
            core = strip_fillers(folded)
            latin = ""
        else:
            core = ""
            latin = folded if _LATIN.match(folded) else ""
            if not latin:
                return []
        hits = []
        for item, phrases in self._index:
            if core:
                score = max(_han_score(core, p.han) for p in phrases)
            else:
                score = max(_latin_score(latin, p) for p in phrases)
            if score >= MIN_SCORE:
                hits.append(Hit(item, score))
        hits.sort(key=lambda hit: (-hit.score, hit.item.usage_rank, hit.item.order))
        return hits[:limit]

    def suggestions(self, count: int = 6) -> list[str]:
        """Phrases to offer before anything is typed: the first keyword of the most used items."""
        ranked = sorted(self.catalog.items, key=lambda item: (item.usage_rank, item.order))
        return [item.keywords[0] for item in ranked if item.keywords][:count]


def catalog_entry(item: ServiceItem) -> dict[str, object]:
    """An item as ``kiosk catalog list --json`` prints it."""
    return {
        "id": item.id,
        "title": {"zh": item.name.zh, "en": item.name.en},
        "category": item.category,
        "kind": item.kind,
        "bundle_of": list(item.bundle_of),
    }
