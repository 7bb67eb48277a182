"""What the materials and result flows decide, with plain sessions and no Qt: which material is
asked for next, the age a photographed front says, and what a result prints."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.idcard.demo_cards import demo_card
from hall.schema import (
    CatalogPublic,
    CertificatePublic,
    DecisionPublic,
    LocalizedText,
    SubmissionPublic,
)
from kiosk.services.capture import age_from, capture_queue, is_elder_front, material_for
from kiosk.services.materials import commitment_for
from kiosk.services.printout import printout
from kiosk.services.session import CapturedMaterial, Session, Step

TODAY = dt.date(2026, 3, 14)
NOW = dt.datetime(2026, 3, 14, 6, 5, tzinfo=dt.UTC)
CASE = "DEMO01-20260314-00003"


def test_no_item_no_queue() -> None:
    assert capture_queue(Session()) == []


def test_a_card_read_leaves_only_the_camera_materials(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("adult"))
    session.choose(catalog.item("sole-proprietor-registration"))
    assert capture_queue(session) == ["lease-contract"]


def test_photo_identity_asks_for_the_front_then_the_back_first(catalog: CatalogPublic) -> None:
    session = Session()
    session.start_photo_identity()
    item = catalog.item("sole-proprietor-registration")
    session.choose(item)
    queue = capture_queue(session)
    assert queue == ["id-card:front", "id-card:back", "lease-contract"]
    front = material_for(item, queue[0])
    assert front.id == "id-card:front" and front.source == "camera"
    assert material_for(item, "lease-contract").id == "lease-contract"


def test_zero_material_items_go_straight_to_review(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("elder-card"))
    assert capture_queue(session) == []


@pytest.mark.parametrize(
    ("birth", "age"),
    [("1952-03-14", 74), ("1952-03-15", 73), ("", 0), (None, 0), ("14.03.1952", 0)],
)
def test_age_from_a_documents_birth_date(birth: object, age: int) -> None:
    assert age_from(birth, TODAY) == age


def test_only_a_photographed_front_says_elder_mode() -> None:
    assert is_elder_front("id-card:front", {"birth_date": "1952-03-14"}, TODAY) is True
    assert is_elder_front("id-card:front", {"birth_date": "1990-01-01"}, TODAY) is False
    assert is_elder_front("id-card:back", {"birth_date": "1952-03-14"}, TODAY) is None
    assert is_elder_front("lease-contract", {}, TODAY) is None


def _submitted(catalog: CatalogPublic, item: str) -> Session:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item(item))
    session.case_number = CASE
    session.step = Step.SUBMIT
    return session


def test_an_acceptance_prints_the_receipt_alone(catalog: CatalogPublic) -> None:
    out = printout(_submitted(catalog, "elder-card"), None, location="大厅", printed_at=NOW)
    assert out.certificate is None
    assert out.receipt.qr_data == CASE
    assert out.receipt.title == "政务服务受理回执"
    assert dict(out.receipt.rows)["申请人"].count("*") >= 1


def test_an_approval_with_a_certificate_prints_both(catalog: CatalogPublic) -> None:
    certificate = CertificatePublic(
        certificate_id="CERT-2026-000042",
        template="elder-card",
        title=LocalizedText(zh="老年人优待证", en="Senior Citizen Preferential Card"),
        holder_name="王秀英",
        holder_id_masked="110105********1221",
        fields=[],
        issued_at=NOW,
        issuer=LocalizedText(zh="区民政局", en="District Civil Affairs Bureau"),
        qr_payload="ZWCERT1.abc.def",
    )
    result = SubmissionPublic(
        case_number=CASE,
        item_id="elder-card",
        status="approved",
        received_at=NOW,
        decision=DecisionPublic(outcome="approved", decided_at=NOW),
        certificate=certificate,
    )
    out = printout(_submitted(catalog, "elder-card"), result, location="大厅", printed_at=NOW)
    assert out.certificate is not None
    assert out.certificate.certificate_id == "CERT-2026-000042"
    assert out.receipt.title == "政务服务办件回执"


def test_a_promised_material_is_on_the_receipt(catalog: CatalogPublic) -> None:
    item = catalog.item("sole-proprietor-registration")
    session = Session()
    session.identify(demo_card("adult"))
    session.choose(item)
    session.go(Step.MATERIALS)
    spec = material_for(item, "lease-contract")
    session.tolerate(commitment_for(item, spec, TODAY))
    session.case_number = CASE
    rows = printout(session, None, location="大厅", printed_at=NOW).receipt.rows
    assert any(label == "承诺补交" and spec.name.zh in value for label, value in rows)


def test_captured_materials_do_not_change_the_queue(catalog: CatalogPublic) -> None:
    # The flow pops its own queue; the service only says what the item asks for.
    session = Session()
    session.identify(demo_card("adult"))
    session.choose(catalog.item("sole-proprietor-registration"))
    session.go(Step.MATERIALS)
    session.add_material(CapturedMaterial("lease-contract", bytearray(b"jpeg")))
    assert capture_queue(session) == ["lease-contract"]
