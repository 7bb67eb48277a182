"""Instant decision rules: ages on the boundary, identity cross-checks, insurance records."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hall.decisions import (
    InsuranceFacts,
    ResidentFacts,
    age_on,
    birth_date_in_id_number,
    check_identity,
    decide,
    decide_elder_age_60,
    decide_social_insurance_record,
    normalise_name,
)
from hall.schema import ApplicantCreate

BIRTH = dt.date(1966, 11, 22)
ID_NUMBER = "110105196611221233"


def applicant(birth_date: dt.date = BIRTH, id_number: str = ID_NUMBER) -> ApplicantCreate:
    return ApplicantCreate(
        card_type="resident",
        name="测试人",
        gender="女",
        ethnicity="汉",
        birth_date=birth_date,
        address="北京市朝阳区测试路1号",
        id_number=id_number,
        issuing_authority="北京市公安局朝阳分局",
        valid_from=dt.date(2016, 1, 1),
        valid_to="long-term",
    )


def resident(birth_date: dt.date = BIRTH) -> ResidentFacts:
    return ResidentFacts(
        id_number=ID_NUMBER,
        name="测试人",
        gender="女",
        birth_date=birth_date,
        household_address="北京市朝阳区测试路1号",
    )


def insurance(status: str = "active") -> InsuranceFacts:
    return InsuranceFacts(
        id_number=ID_NUMBER,
        insured_since=dt.date(1990, 7, 1),
        unit="测试单位",
        category="employee",
        insurance_kinds=("企业职工基本养老保险",),
        months_paid=400,
        status=status,
    )


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(1966, 11, 22), dt.date(2026, 11, 22), 60),  # the 60th birthday itself
        (dt.date(1966, 11, 22), dt.date(2026, 11, 21), 59),  # 59 years and 364 days
        (dt.date(1966, 11, 22), dt.date(2026, 11, 23), 60),
        (dt.date(1964, 2, 29), dt.date(2024, 2, 28), 59),
        (dt.date(1964, 2, 29), dt.date(2024, 2, 29), 60),
        (dt.date(1964, 2, 29), dt.date(2025, 2, 28), 60),  # turns 61 on 1 March in a common year
        (dt.date(1964, 2, 29), dt.date(2025, 3, 1), 61),
        (dt.date(2000, 1, 1), dt.date(2000, 1, 1), 0),
    ],
)
def test_age_on_counts_whole_years(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_on(birth, day) == age


def test_birth_date_in_id_number() -> None:
    assert birth_date_in_id_number("110105195203141221") == dt.date(1952, 3, 14)
    assert birth_date_in_id_number("110105195213141221") is None  # month 13
    assert birth_date_in_id_number("H01234567") is None  # a permit number, no date inside


def test_elder_card_approved_on_the_60th_birthday() -> None:
    result = decide_elder_age_60(applicant(), resident(), dt.date(2026, 11, 22))
    assert result.approved
    assert result.reason_code is None
    assert result.reason is None


def test_elder_card_refused_at_59_years_364_days() -> None:
    result = decide_elder_age_60(applicant(), resident(), dt.date(2026, 11, 21))
    assert result.outcome == "refused"
    assert result.reason_code == "under_age"
    assert result.reason is not None
    assert result.reason.zh == "申请人未满60周岁（当前59周岁），暂不符合申领条件。"
    assert "under 60" in result.reason.en
    assert "59" in result.reason.en


def test_elder_card_refusal_states_the_current_age() -> None:
    young = applicant(dt.date(1968, 1, 10), "110105196801101232")
    result = decide_elder_age_60(young, None, dt.date(2026, 11, 22))
    assert result.reason_code == "under_age"
    assert result.reason is not None
    assert result.reason.zh == "申请人未满60周岁（当前58周岁），暂不符合申领条件。"


def test_elder_card_without_register_entry_uses_the_card() -> None:
    assert decide_elder_age_60(applicant(), None, dt.date(2030, 1, 1)).approved


def test_elder_card_refused_when_register_disagrees_with_card() -> None:
    # The card claims 60, the household register says the person is younger.
    result = decide_elder_age_60(
        applicant(), resident(dt.date(1970, 11, 22)), dt.date(2026, 11, 22)
    )
    assert result.outcome == "refused"
    assert result.reason_code == "identity_mismatch"
    assert result.reason is not None
    assert result.reason.zh
    assert result.reason.en


def test_elder_card_refused_when_id_number_disagrees_with_birth_date() -> None:
    forged = applicant(dt.date(1950, 1, 1))  # ID number still says 1966-11-22
    result = decide_elder_age_60(forged, None, dt.date(2026, 11, 22))
    assert result.reason_code == "identity_mismatch"


def test_social_insurance_approved_with_active_record() -> None:
    result = decide_social_insurance_record(applicant(), insurance())
    assert result.approved


def test_social_insurance_refused_without_record() -> None:
    result = decide_social_insurance_record(applicant(), None)
    assert result.outcome == "refused"
    assert result.reason_code == "no_insurance_record"
    assert result.reason is not None
    assert "参保记录" in result.reason.zh
    assert "social insurance record" in result.reason.en


def test_social_insurance_refused_with_inactive_record() -> None:
    result = decide_social_insurance_record(applicant(), insurance("terminated"))
    assert result.reason_code == "no_insurance_record"
    assert result.reason is not None
    assert "not currently active" in result.reason.en


def test_social_insurance_ignores_a_record_of_someone_else() -> None:
    other = dataclasses.replace(insurance(), id_number="110105196611229999")
    assert not decide_social_insurance_record(applicant(), other).approved


def test_decide_dispatches_by_rule() -> None:
    day = dt.date(2026, 11, 21)
    by_age = decide(
        "elder_age_60", applicant(), today=day, resident=resident(), insurance=insurance()
    )
    by_record = decide(
        "social_insurance_record",
        applicant(),
        today=day,
        resident=resident(),
        insurance=insurance(),
    )
    assert by_age.reason_code == "under_age"
    assert by_record.approved


def test_nothing_is_decided_for_someone_the_register_does_not_know() -> None:
    day = dt.date(2030, 1, 1)
    for rule in ("elder_age_60", "social_insurance_record"):
        result = decide(rule, applicant(), today=day, resident=None, insurance=insurance())
        assert result.reason_code == "not_on_register"


def test_a_name_that_is_not_the_registers_is_refused() -> None:
    other = applicant().model_copy(update={"name": "张三"})
    result = decide(
        "social_insurance_record",
        other,
        today=dt.date(2026, 11, 21),
        resident=resident(),
        insurance=insurance(),
    )
    assert result.reason_code == "identity_mismatch"


def test_width_and_spaces_do_not_make_a_mismatch() -> None:
    spaced = applicant().model_copy(update={"name": "测 试人"})
    assert check_identity(spaced, resident(), dt.date(2026, 1, 1)) is None
    assert normalise_name("Ａｌｉ・Ｋｈａｎ") == normalise_name("Ali Khan")


def test_an_expired_card_is_refused_with_the_reason() -> None:
    expired = applicant().model_copy(update={"valid_to": "2026-01-01"})
    result = check_identity(expired, resident(), dt.date(2026, 1, 2))
    assert result is not None
    assert result.reason_code == "card_expired"
    assert result.reason is not None
    assert "过有效期" in result.reason.zh
    assert "expired" in result.reason.en
    # Valid through its last day.
    assert check_identity(expired, resident(), dt.date(2026, 1, 1)) is None
