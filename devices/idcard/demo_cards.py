"""The demo residents: the same people the reference hall seeds, for the simulator and the tests.

Every access builds a fresh ``IdCard``, because a journey wipes the card it was handed.
These people are invented; their ID numbers carry valid GB 11643 check characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from devices.idcard.card import LONG_TERM, CardType, IdCard

PHOTO_SIZE = 1024
"""Bytes of the WLT photo in a ``30 01`` reply."""


class _Person(NamedTuple):
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    address: str
    id_number: str
    issuing_authority: str
    valid_from: dt.date
    valid_to: dt.date | str


_PEOPLE: dict[str, _Person] = {
    "elder": _Person(
        "王秀英",
        "女",
        "汉",
        dt.date(1952, 3, 14),
        "北京市朝阳区建国路88号院3号楼2单元501室",
        "110105195203141221",
        "北京市公安局朝阳分局",
        dt.date(2018, 5, 20),
        LONG_TERM,
    ),
    "adult": _Person(
        "李建国",
        "男",
        "汉",
        dt.date(1990, 8, 21),
        "北京市海淀区中关村大街27号",
        "110108199008213012",
        "北京市公安局海淀分局",
        dt.date(2015, 9, 1),
        dt.date(2035, 9, 1),
    ),
    "uninsured": _Person(
        "陈美玲",
        "女",
        "壮",
        dt.date(1985, 11, 7),
        "广东省深圳市福田区福华路100号",
        "440306198511074021",
        "深圳市公安局福田分局",
        dt.date(2020, 1, 10),
        dt.date(2040, 1, 10),
    ),
    "elder2": _Person(
        "赵德明",
        "男",
        "回",
        dt.date(1948, 6, 5),
        "上海市浦东新区世纪大道200号",
        "310115194806052530",
        "上海市公安局浦东分局",
        dt.date(2010, 3, 1),
        LONG_TERM,
    ),
}

DEMO_KEYS: tuple[str, ...] = tuple(_PEOPLE)
"""The demo residents' keys, in a stable order."""


def demo_photo(key: str) -> bytearray:
    """1024 deterministic opaque bytes standing in for a WLT photo (nobody can decode it anyway)."""
    out = bytearray()
    counter = 0
    while len(out) < PHOTO_SIZE:
        out += hashlib.sha256(f"demo-photo:{key}:{counter}".encode()).digest()
        counter += 1
    return out[:PHOTO_SIZE]


def demo_card(key: str) -> IdCard:
    """Build a fresh ``IdCard`` of demo resident ``key``; ``KeyError`` for an unknown key."""
    person = _PEOPLE[key]
    return IdCard(
        card_type=CardType.RESIDENT,
        name=person.name,
        gender=person.gender,
        ethnicity=person.ethnicity,
        birth_date=person.birth_date,
        address=person.address,
        id_number=person.id_number,
        issuing_authority=person.issuing_authority,
        valid_from=person.valid_from,
        valid_to=person.valid_to,
        photo=demo_photo(key),
    )


class _DemoCards(Mapping[str, IdCard]):
    """A read-only mapping that hands out a fresh card on every lookup."""

    def __getitem__(self, key: str) -> IdCard:
        return demo_card(key)

    def __iter__(self) -> Iterator[str]:
        return iter(DEMO_KEYS)

    def __len__(self) -> int:
        return len(DEMO_KEYS)


DEMO_CARDS: Mapping[str, IdCard] = _DemoCards()
"""Demo residents by key; ``DEMO_CARDS["elder"]`` is a new object each time."""
