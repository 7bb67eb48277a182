"""Check characters, repairs and date sanity."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from ocr.text import parse_money, same_address, same_name
from ocr.validators import (
    check_fields,
    check_id_card_pair,
    id_checksum_ok,
    repair_id_number,
    repair_uscc,
    uscc_checksum_ok,
    validity_span_ok,
)

TODAY = dt.date(2026, 11, 22)


def test_check_characters_agree_with_python_stdnum() -> None:
    for body in ("11010519491231002", "44030619900307123", "33010620000101456"):
        number = body + ric.calc_check_digit(body + "0")
        assert id_checksum_ok(number)
        wrong = body + ("0" if number[-1] != "0" else "1")
        assert not id_checksum_ok(wrong)
    code = "91110000600037341" + uscc.calc_check_digit("91110000600037341")
    assert uscc_checksum_ok(code)
    assert not uscc_checksum_ok(code[:-1] + ("A" if code[-1] != "A" else "B"))


def test_repairs_only_when_the_check_then_agrees() -> None:
    assert repair_id_number("11O1O519491231002x") == "11010519491231002X"
    assert repair_id_number("I10105I9491231002X") == "11010519491231002X"
    # A real misprint (wrong check) stays wrong: it is not made to look valid.
    assert not id_checksum_ok(repair_id_number("110105194912310021"))
    assert repair_uscc("9111OOOO6OOO37341L") == "91110000600037341L"
    assert not uscc_checksum_ok(repair_uscc("91110000600037341A"))


def test_expired_and_impossible_dates() -> None:
    lease = {
        "lessor": "张三",
        "lessee": "李四",
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
    }
    assert check_fields("lease_contract", lease, TODAY) == ["expired"]
    lease["end_date"] = "2027-02-30"
    assert "date_invalid" in check_fields("lease_contract", lease, TODAY)
    lease["end_date"] = "2022-12-31"
    assert "date_invalid" in check_fields("lease_contract", lease, TODAY)
    ok = {"start_date": "2026-01-01", "end_date": "2028-12-31"}
    assert check_fields("lease_contract", ok, TODAY) == []


def test_id_front_number_must_agree_with_birth_date_and_gender() -> None:
    front = {"birth_date": "1949-12-31", "gender": "女", "id_number": "11010519491231002X"}
    assert check_fields("resident_id_front", front, TODAY) == []
    assert check_fields("resident_id_front", {**front, "birth_date": "1950-01-01"}, TODAY) == [
        "id_birth_mismatch"
    ]
    assert check_fields("resident_id_front", {**front, "gender": "男"}, TODAY) == [
        "id_gender_mismatch"
    ]
    assert check_fields(
        "resident_id_front", {**front, "id_number": "110105194912310021"}, TODAY
    ) == ["id_checksum"]


@pytest.mark.parametrize(
    ("birth", "start", "end", "ok"),
    [
        ("2015-06-01", "2020-01-10", "2025-01-10", True),  # 4 years old: 5 years
        ("2000-06-01", "2020-01-10", "2030-01-10", True),  # 19: 10 years
        ("1990-06-01", "2020-01-10", "2040-01-10", True),  # 29: 20 years
        ("1960-06-01", "2020-01-10", "long-term", True),  # 59: long-term
        ("1990-06-01", "2020-01-10", "long-term", False),  # 29 cannot have long-term
        ("1990-06-01", "2020-01-10", "2030-01-10", False),  # 29 gets 20 years, not 10
        ("1990-06-01", "2020-01-10", "2040-01-11", False),  # not the same day
    ],
)
def test_id_validity_span_fits_the_age(birth: str, start: str, end: str, ok: bool) -> None:
    assert validity_span_ok(dt.date.fromisoformat(start), end, dt.date.fromisoformat(birth)) is ok
    front, back = {"birth_date": birth}, {"valid_from": start, "valid_to": end}
    assert (check_id_card_pair(front, back) == []) is ok


def test_card_issued_before_birth_is_invalid() -> None:
    assert check_id_card_pair(
        {"birth_date": "2000-01-01"}, {"valid_from": "1999-01-01", "valid_to": "2004-01-01"}
    ) == ["date_invalid"]


def test_names_and_addresses_compare_after_normalisation() -> None:
    assert same_name("陳 大文", "陈大文")
    assert same_name("ＡＢＣ商店", "abc商店")
    assert not same_name("张三", "张山")
    assert same_address("浙江省杭州市西湖区文三路90号", "杭州市西湖区文三路９０号")
    assert not same_address("杭州市西湖区文三路90号", "杭州市西湖区文三路91号")


def test_money_forms() -> None:
    assert parse_money("壹佰万元整") == 1_000_000
    assert parse_money("100万元人民币") == 1_000_000
    assert parse_money("伍拾万元") == 500_000
    assert parse_money("1,200,000元") == 1_200_000
    assert parse_money("没有金额") is None
