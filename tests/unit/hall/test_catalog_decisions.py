"""Declared instant decisions and bundles, through the real service on SQLite and PostgreSQL.

Every instant item of the shipped catalog is decided for the four seeded demo people; the
expected outcome comes from the seeded registers (``hall.seed.DEMO_REGISTERS``), and a refusal
names the condition that failed in plain words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from assets import load_catalog
from hall import registers
from hall.certificates import SigningKey
from hall.db import Database
from hall.decisions import evaluate, placeholders
from hall.errors import UnknownItemError
from hall.schema import BUILTIN_FACTS, CatalogPublic, verify_certificate_qr
from hall.seed import seed_demo_data
from hall.service import HallService, process_sealer
from tests.fixtures.hall import demo_applicant, make_submission

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 22)

# (item, person) -> "approved" or the refusal's reason_code, from the seeded registers.
EXPECTED: dict[tuple[str, str], str] = {
    ("si-insured-certificate", "李建国"): "approved",
    ("si-insured-certificate", "陈美玲"): "no_insurance_record",
    ("pension-payment-certificate", "王秀英"): "approved",
    ("pension-payment-certificate", "李建国"): "not_retired",
    ("pension-payment-certificate", "陈美玲"): "no_insurance_record",
    ("medical-insurance-certificate", "赵德明"): "approved",
    ("medical-insurance-certificate", "陈美玲"): "no_medical_insurance",
    ("medical-referral-filing", "李建国"): "approved",
    ("housing-fund-deposit-certificate", "李建国"): "approved",
    ("housing-fund-deposit-certificate", "王秀英"): "housing_fund_not_paying",
    ("housing-fund-deposit-certificate", "陈美玲"): "no_housing_fund",
    ("property-record-certificate", "王秀英"): "approved",
    ("property-record-certificate", "李建国"): "approved",
    ("marriage-record-certificate", "王秀英"): "approved",
    ("marriage-record-certificate", "李建国"): "no_marriage_record",
    ("residence-permit-endorsement", "陈美玲"): "approved",
    ("residence-permit-endorsement", "李建国"): "no_residence_permit",
    ("no-criminal-record-certificate", "李建国"): "approved",
    ("household-registration-certificate", "李建国"): "approved",
    ("household-registration-certificate", "陈美玲"): "household_elsewhere",
    ("tax-payment-certificate", "陈美玲"): "approved",
    ("tax-payment-certificate", "王秀英"): "no_tax_record",
    ("elder-card", "王秀英"): "approved",
    ("elder-card", "李建国"): "under_age",
    ("elder-allowance", "赵德明"): "under_80",
    ("disability-subsidy", "赵德明"): "approved",
    ("disability-subsidy", "王秀英"): "no_disability_certificate",
}


@pytest.fixture(scope="module")
def catalog() -> CatalogPublic:
    return load_catalog()


@pytest.fixture
def db(hall_database_url: str) -> Iterator[Database]:
    database = Database(hall_database_url)
    database.migrate()
    seed_demo_data(database, process_sealer())
    yield database
    database.dispose()


@pytest.fixture
def service(db: Database, catalog: CatalogPublic) -> HallService:
    def clock() -> dt.datetime:
        return dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)

    return HallService(db, catalog, SigningKey.generate(), timezone=SHANGHAI, clock=clock)


def test_every_instant_item_declares_its_decision_and_is_in_the_table(
    catalog: CatalogPublic,
) -> None:
    instant = {item.id for item in catalog.items if item.kind == "instant"}
    assert len(instant) >= 12
    for item_id in instant:
        item = catalog.item(item_id)
        assert item.decision is not None, item_id
        assert item.certificate is not None or item.certificate_template is not None, item_id
        assert {i for i, _ in EXPECTED} >= {item_id} or item_id == "no-criminal-record-certificate"
        if item.certificate is not None:
            known = set(item.decision.lookups) | set(BUILTIN_FACTS)
            for line in item.certificate.lines:
                assert all(p.split(".")[0] in known for p in placeholders(line.value)), item_id
    assert instant <= {item_id for item_id, _ in EXPECTED}


@pytest.mark.parametrize(("item_id", "person"), sorted(EXPECTED))
def test_the_demo_people_are_decided_as_their_registers_say(
    service: HallService, catalog: CatalogPublic, item_id: str, person: str
) -> None:
    answer, _ = service.submit(
        make_submission(item_id, demo_applicant(person)), f"k-{item_id}-{person}"
    )
    expected = EXPECTED[(item_id, person)]
    assert answer.decision is not None
    if expected == "approved":
        assert answer.status == "approved"
        assert answer.certificate is not None
        values = " ".join(field.value for field in answer.certificate.fields)
        assert person in values or answer.certificate.holder_name == person
        assert "—" not in values  # every line found its fact
        assert demo_applicant(person).id_number not in values  # masked, never the number
        check = verify_certificate_qr(
            answer.certificate.qr_payload, {service.key.kid: service.key.public_key_raw}, TODAY
        )
        assert check.status == "genuine"
        assert check.claims is not None and check.claims.item == item_id
    else:
        assert answer.status == "refused"
        assert answer.decision.reason_code == expected
        assert answer.certificate is None
        # The refusal is the failing condition's own words, in both languages.
        item = catalog.item(item_id)
        assert item.decision is not None
        [condition] = [c for c in item.decision.conditions if c.code == expected]
        reason = answer.decision.reason
        assert reason is not None
        if "{" not in condition.refusal.zh:
            assert reason == condition.refusal
        assert "{" not in reason.zh and "{" not in reason.en  # every place filled


def test_a_criminal_record_refuses_the_certificate_with_what_to_do(
    service: HallService, db: Database
) -> None:
    applicant = demo_applicant("李建国")
    with db.write() as session:
        registers.put(
            session, process_sealer(), "criminal_record", applicant.id_number, {"found": True}
        )
    answer, _ = service.submit(make_submission("no-criminal-record-certificate", applicant), "k-cr")
    assert answer.status == "refused"
    assert answer.decision is not None and answer.decision.reason is not None
    assert answer.decision.reason_code == "criminal_record_found"
    assert "派出所" in answer.decision.reason.zh


def test_property_search_prints_no_home_when_the_register_has_none(service: HallService) -> None:
    answer, _ = service.submit(
        make_submission("property-record-certificate", demo_applicant("李建国")), "k-prop"
    )
    assert answer.certificate is not None
    values = {field.label.zh: field.value for field in answer.certificate.fields}
    assert values["登记套数"] == "0"
    assert "无登记记录" in values["坐落"]


def test_an_expired_card_is_refused_before_any_condition(service: HallService) -> None:
    applicant = demo_applicant("李建国", valid_from=dt.date(2005, 1, 1), valid_to="2025-01-01")
    answer, _ = service.submit(
        make_submission("housing-fund-deposit-certificate", applicant), "k-ex"
    )
    assert answer.status == "refused"
    assert answer.decision is not None and answer.decision.reason_code == "card_expired"


def test_a_bundle_decides_each_member_in_one_case(service: HallService) -> None:
    answer, _ = service.submit(make_submission("new-job-bundle", demo_applicant("李建国")), "k-b1")
    assert [m.item_id for m in answer.members] == [
        "si-insured-certificate",
        "tax-payment-certificate",
        "no-criminal-record-certificate",
    ]
    assert [m.status for m in answer.members] == ["approved"] * 3
    assert all(m.certificate is not None for m in answer.members)
    ids = {m.certificate.certificate_id for m in answer.members if m.certificate}
    assert len(ids) == 3
    assert answer.status == "approved"
    # The same key again is the same case, members and all: nothing decided twice.
    again = make_submission("new-job-bundle", demo_applicant("李建国"))
    again = again.model_copy(update={"case_number": answer.case_number})
    replay, created = service.submit(again, "k-b1")
    assert not created and replay == answer


def test_a_bundle_with_a_refused_member_says_which_and_why(service: HallService) -> None:
    answer, _ = service.submit(make_submission("elder-benefits", demo_applicant("赵德明")), "k-b2")
    card, allowance = answer.members
    assert (card.status, allowance.status) == ("approved", "refused")
    assert allowance.decision is not None and allowance.decision.reason_code == "under_80"
    assert answer.status == "approved"
    assert answer.decision is not None and answer.decision.reason is not None
    assert "高龄" in answer.decision.reason.zh and "80" in answer.decision.reason.zh


def test_a_bundle_of_materials_items_waits_for_a_clerk_per_member(service: HallService) -> None:
    answer, _ = service.submit(make_submission("open-restaurant", demo_applicant("陈美玲")), "k-b3")
    assert [(m.item_id, m.status) for m in answer.members] == [
        ("sole-proprietor-registration", "accepted"),
        ("food-business-license", "accepted"),
    ]
    assert answer.status == "accepted" and answer.decision is None


def test_services_and_handoff_items_take_no_submission(service: HallService) -> None:
    for item_id in ("case-progress", "certificate-collect", "unemployment-benefit"):
        with pytest.raises(UnknownItemError):
            service.submit(make_submission(item_id, demo_applicant("李建国")), f"k-{item_id}")


def test_evaluate_reads_only_what_the_item_looks_up(catalog: CatalogPublic) -> None:
    item = catalog.item("medical-insurance-certificate")
    assert item.decision is not None
    from hall.decisions import ResidentFacts

    applicant = demo_applicant("李建国")
    resident = ResidentFacts(
        id_number=applicant.id_number,
        name=applicant.name,
        gender=applicant.gender,
        birth_date=applicant.birth_date,
        household_address=applicant.address,
    )
    result, facts = evaluate(
        item.decision,
        applicant,
        today=TODAY,
        resident=resident,
        registers={"medical_insurance": {"status": "suspended"}, "tax": {"year": 2025}},
    )
    assert result.reason_code == "medical_insurance_inactive"
    assert "tax" not in facts
