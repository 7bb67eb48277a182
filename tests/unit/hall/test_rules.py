"""The wire contract's field rules: the same checks on the terminal and in the hall."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum.cn import ric

from hall import rules
from hall.schema import ApplicantCreate, MaterialCreate, SubmissionCreate

GOOD: dict[str, Any] = {
    "card_type": "resident",
    "name": "王秀英",
    "gender": "女",
    "ethnicity": "汉",
    "birth_date": dt.date(1952, 3, 14),
    "address": "北京市朝阳区建国路88号院3号楼2单元501室",
    "id_number": "110105195203141221",
    "issuing_authority": "北京市公安局朝阳分局",
    "valid_from": dt.date(2018, 5, 20),
    "valid_to": "long-term",
}


def test_a_real_card_passes() -> None:
    applicant = ApplicantCreate(**GOOD)
    assert applicant.valid_until is None
    dated = ApplicantCreate(**{**GOOD, "valid_to": "2038-05-20"})
    assert dated.valid_until == dt.date(2038, 5, 20)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "1"),
        ("id_number", "1" * 10_000),
        ("id_number", "110105195203141222"),  # wrong check character
        ("name", ""),
        ("name", "   "),
        ("name", "王" * 65),
        ("gender", "x"),
        ("card_type", "passport"),
        ("valid_to", "garbage"),
        ("valid_to", "2030-02-30"),
        ("valid_to", "2010-01-01"),  # before valid_from
        ("birth_date", dt.date(2999, 1, 1)),
        ("birth_date", dt.date(1800, 1, 1)),
        ("address", "路" * 201),
    ],
)
def test_impossible_cards_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        ApplicantCreate(**{**GOOD, field: value})


def test_foreign_permits_follow_their_own_number_rules() -> None:
    ApplicantCreate(
        **{**GOOD, "card_type": "foreign_permanent_2017", "id_number": "USA123456789012"}
    )
    with pytest.raises(ValidationError):
        ApplicantCreate(**{**GOOD, "card_type": "foreign_permanent_2023"})  # not starting 9


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_gb11643_agrees_with_python_stdnum(body: str) -> None:
    check = ric.calc_check_digit(body + "0")
    assert rules.id_number_ok(body + check)
    wrong = next(c for c in "0123456789X" if c != check)
    assert not rules.id_number_ok(body + wrong)


@given(st.text(max_size=40))
def test_valid_to_is_long_term_or_an_iso_date(text: str) -> None:
    try:
        end = rules.parse_valid_to(text)
    except ValueError:
        return
    assert text == rules.LONG_TERM or (end is not None and end.isoformat() == text)


def test_submission_bounds() -> None:
    base: dict[str, Any] = {
        "case_number": "K001-20261122-00001",
        "kiosk_id": "kiosk-001",
        "item_id": "elder-card",
        "created_at": dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
    }
    SubmissionCreate(**base)
    with pytest.raises(ValidationError):
        SubmissionCreate(**{**base, "kiosk_id": "k" * 10_000})
    with pytest.raises(ValidationError):
        SubmissionCreate(**{**base, "kiosk_id": ""})
    with pytest.raises(ValidationError):
        MaterialCreate(material_id="m", content_type="image/png", data_b64="", sha256="XYZ")
