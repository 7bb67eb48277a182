"""The reader on documents it was not tuned on: every field exact, on held-out layouts and photos.

The cases (``tests/heldout/render.py``) are drawn by a renderer that shares nothing with
bench/docgen: other label wordings (经营者, 负责人, 执行事务合伙人, 出资额, 营业场所, 主要经营场所,
合伙期限, 甲方/乙方 alone, 出租方（以下简称甲方）), letter-spaced labels justified to
法定代表人's width, two-column licences with a QR code, tables, numbered clauses, dates as
2025.3.1, 2025-03-01 and 二〇二五年三月一日, compound and five-character names, other fonts and
photos with a shadow and a lower JPEG quality. Each case is read through the whole pipeline
(quality gates, page, engine, extraction, re-read) and every expected field must come out exact.
"""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from bench.ocr import CORE_FIELDS
from ocr.checks import check_document
from ocr.engine import OcrEngine
from ocr.reader import read_document
from tests.heldout.render import CASES, Case, fonts_installed

pytestmark = pytest.mark.skipif(not fonts_installed(), reason="the CJK fonts are not installed")

FIXED_FIELDS = {
    kind: set(fields) | ({"term_from", "term_to"} if kind == "business_license" else set())
    for kind, fields in CORE_FIELDS.items()
}
"""The fields the JSON gives per type: one a document does not print must not be read either
(a sole proprietor's licence has no capital, a capital in 美元 is no amount of yuan)."""

TODAY = dt.date(2025, 12, 1)
"""A day every held-out document is valid on (the earliest lease ends in February 2026)."""


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_field_is_read_exactly(case: Case, ocr_engine: OcrEngine) -> None:
    reading = read_document(case.image(), ocr_engine)
    assert reading.quality_problems == []
    assert reading.document_type == case.document_type
    wrong = {
        name: (expected, reading.fields.get(name))
        for name, expected in case.fields.items()
        if reading.fields.get(name) != expected
    }
    assert wrong == {}, f"(expected, read) per wrong field: {wrong}"
    invented = {
        name: reading.fields[name]
        for name in FIXED_FIELDS[case.document_type] - set(case.fields)
        if name in reading.fields
    }
    assert invented == {}, "fields the document does not print"
    # Every held-out document is genuine: the checks must find nothing wrong with it.
    assert check_document(reading, today=TODAY) == []


def test_the_cases_are_genuine_and_cover_every_type_with_several_layouts() -> None:
    kinds: dict[str, int] = {}
    for case in CASES:
        kinds[case.document_type] = kinds.get(case.document_type, 0) + 1
        number = case.fields.get("id_number")
        if isinstance(number, str):
            assert ric.is_valid(number), case.name
            assert ric.get_birth_date(number).isoformat() == case.fields["birth_date"]
            assert "男女"[int(number[16]) % 2 == 0] == case.fields["gender"], case.name
        code = case.fields.get("uscc")
        if isinstance(code, str):
            assert uscc.is_valid(code), case.name
    assert set(kinds) == {
        "resident_id_front",
        "resident_id_back",
        "business_license",
        "lease_contract",
        "food_business_license",
    }
    assert min(kinds.values()) >= 2
    assert len({case.name for case in CASES}) == len(CASES)
