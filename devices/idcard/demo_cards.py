"""The demo residents: the same people the reference hall seeds, for the simulator and the tests.

Every access builds a fresh ``IdCard``, because a journey wipes the card it was handed.
These people are invented; their ID numbers carry valid GB 11643 check characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
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


FACES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples" / "faces"
"""Face photos of the demo (their sources and licences: SOURCES.md there)."""

DEMO_FACES: dict[str, str] = {"adult": "obama-1", "elder": "collins", "elder2": "biden"}
"""Whose face each demo resident's card photo shows (``uninsured`` has none: her card's photo is
the opaque stand-in, so face match meets a photo it cannot decode)."""

DEMO_LIVE_FACES: dict[str, str] = {"adult": "obama-2", "elder": "collins", "elder2": "biden"}
"""The photo the simulated camera shows for each resident: another photo of the same person
where one exists (the adult), else the photo the card photo was cut from."""


def demo_jpeg_photo(key: str) -> bytearray | None:
    """The JPEG card photo of demo resident ``key``, or ``None`` when the resident has no face."""
    name = DEMO_FACES.get(key)
    if name is None:
        return None
    return bytearray((FACES_DIR / f"card-{name}.jpg").read_bytes())


def demo_card(key: str, *, jpeg_photo: bool = False) -> IdCard:
    """Build a fresh ``IdCard`` of demo resident ``key``; ``KeyError`` for an unknown key.

    ``jpeg_photo``: the card carries the simulated reader's JPEG photo of the resident's face
    (``demo_jpeg_photo``) instead of 1024 opaque bytes, when the resident has one.
    """
    person = _PEOPLE[key]
    photo = (demo_jpeg_photo(key) if jpeg_photo else None) or demo_photo(key)
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
        photo=photo,
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


def layout_card(card_type: CardType | str) -> IdCard:
    """A fresh invented card of each layout, for the simulator, the CLI's tests and the demo.

    ``resident`` is the demo's adult; the others are a Hong Kong resident's permit (J) and the
    2017 (I) and 2023 (Y) foreigner's permanent residence cards.
    """
    kind = CardType(card_type)
    if kind is CardType.RESIDENT:
        return demo_card("adult")
    if kind is CardType.GAT_PERMIT:
        return IdCard(
            card_type=kind,
            name="陈大文",
            gender="男",
            ethnicity="",
            birth_date=dt.date(1980, 1, 1),
            address="广东省深圳市罗湖区人民南路1号",
            id_number="810000198001010030",
            issuing_authority="深圳市公安局",
            valid_from=dt.date(2019, 1, 1),
            valid_to=dt.date(2029, 1, 1),
            photo=demo_photo(kind.value),
            extra={"pass_number": "H12345678", "issue_count": "01"},
        )
    if kind is CardType.FOREIGN_PERMANENT_2017:
        return IdCard(
            card_type=kind,
            name="史密斯",
            gender="女",
            ethnicity="",
            birth_date=dt.date(1975, 12, 31),
            id_number="USA310075123101",
            valid_from=dt.date(2017, 6, 1),
            valid_to=dt.date(2027, 6, 1),
            extra={
                "english_name": "SMITH, JANE MARY",
                "chinese_name": "史密斯",
                "nationality": "USA",
                "card_version": "20",
                "authority_code": "1500",
            },
            address="",
            issuing_authority="",
            photo=demo_photo(kind.value),
        )
    return IdCard(
        card_type=kind,
        name="马丁",
        gender="男",
        ethnicity="",
        birth_date=dt.date(1988, 2, 29),
        id_number="933156198802290017",
        valid_from=dt.date(2023, 12, 1),
        valid_to=dt.date(2033, 12, 1),
        extra={
            "english_name": "MARTIN-DUBOIS, JEAN-BAPTISTE ALEXANDRE",
            "renewal_count": "00",
            "nationality": "FRA",
            "previous_number": "",
        },
        address="",
        issuing_authority="",
        photo=demo_photo(kind.value),
    )
