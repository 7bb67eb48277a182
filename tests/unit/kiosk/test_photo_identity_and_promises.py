"""The photographed ID card and the promised material (容缺受理) in the session, the draft, the
wire and the receipt: plain services, no Qt."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from devices.idcard.demo_cards import demo_card
from hall.schema import CatalogPublic, canonical_json, payload_hash
from kiosk.services import documents
from kiosk.services.journey import Journey, applicant_from_photos
from kiosk.services.materials import commitment_for, photo_id_spec, side_spec
from kiosk.services.session import CapturedMaterial, Session, SessionError, Step

NOW = dt.datetime(2026, 3, 14, 2, 30, tzinfo=dt.UTC)
FRONT = {
    "name": "王秀英",
    "gender": "女",
    "ethnicity": "汉",
    "birth_date": "1952-03-14",
    "address": "北京市朝阳区建国路88号",
    "id_number": "110105195203141221",
}
BACK = {
    "issuing_authority": "北京市公安局朝阳分局",
    "valid_from": "2016-05-10",
    "valid_to": "long-term",
}


class NoOutbox:
    """A journey that only drafts and builds never queues."""

    def next_case_number(self, kiosk_code: str, day: dt.date) -> str:
        raise AssertionError("not queued in these tests")

    def enqueue(self, submission: object) -> object:
        raise AssertionError("not queued in these tests")


def _journey() -> Journey:
    return Journey(kiosk_id="TEST01", outbox=NoOutbox(), wake=lambda: None, clock=lambda: NOW)


def _photo(tag: bytes) -> bytearray:
    return bytearray(b"\xff\xd8" + hashlib.sha256(tag).digest() * 40 + b"\xff\xd9")


def _photo_session(catalog: CatalogPublic) -> Session:
    session = Session()
    session.start_photo_identity()
    assert session.step is Step.CHOOSE
    session.choose(catalog.item("sole-proprietor-registration"))
    assert session.step is Step.GUIDE, "no card is awaited once photos were chosen"
    session.add_material(CapturedMaterial("id-card:front", _photo(b"front"), fields=dict(FRONT)))
    session.add_material(CapturedMaterial("id-card:back", _photo(b"back"), fields=dict(BACK)))
    return session


def test_only_items_that_list_the_cards_sides_accept_photos(catalog: CatalogPublic) -> None:
    assert photo_id_spec(catalog.item("si-insured-certificate")) is None  # instant
    assert photo_id_spec(catalog.item("elder-card")) is None
    spec = photo_id_spec(catalog.item("sole-proprietor-registration"))
    assert spec is not None and spec.id == "id-card"
    front = side_spec(spec, "front")
    assert front.id == "id-card:front" and front.document_types == ["resident_id_front"]
    assert front.source == "camera" and "人像面" in front.name.zh


def test_photographed_front_names_the_applicant(catalog: CatalogPublic) -> None:
    session = _photo_session(catalog)
    assert session.identity_source == "photo"
    assert session.applicant() == {"name": "王秀英", "id_number": "110105195203141221"}
    assert session.masked_id_number == "110105********1221"
    assert session.missing_materials() == ["lease-contract"]


def test_one_side_is_not_enough(catalog: CatalogPublic) -> None:
    session = Session()
    session.start_photo_identity()
    session.choose(catalog.item("sole-proprietor-registration"))
    session.add_material(CapturedMaterial("id-card:front", _photo(b"front"), fields=dict(FRONT)))
    assert session.missing_materials() == ["id-card", "lease-contract"]


def test_a_card_read_after_all_replaces_the_photos(catalog: CatalogPublic) -> None:
    session = _photo_session(catalog)
    front = session.materials["id-card:front"]
    session.identify(demo_card("adult"))
    assert session.identity_source == "card_reader" and not session.photo_identity
    assert "id-card:front" not in session.materials and not any(front.image)


def test_photo_identity_is_refused_mid_journey(catalog: CatalogPublic) -> None:
    session = _photo_session(catalog)
    session.go(Step.MATERIALS)
    with pytest.raises(SessionError):
        session.start_photo_identity()


def test_draft_marks_photo_identity_and_sends_the_sides(catalog: CatalogPublic) -> None:
    session = _photo_session(catalog)
    session.add_material(CapturedMaterial("lease-contract", _photo(b"lease")))
    submission = _journey().build_submission(_journey().draft(session), "TEST01-20260314-00001")
    assert submission.identity == "photo"
    assert submission.applicant is not None and submission.applicant.name == "王秀英"
    assert submission.applicant.valid_to == "long-term"
    assert submission.applicant.birth_date == dt.date(1952, 3, 14)
    assert sorted(m.material_id for m in submission.materials) == [
        "id-card:back",
        "id-card:front",
        "lease-contract",
    ]
    assert submission.form["id-card:front.name"] == "王秀英"
    assert not submission.commitment and submission.commitments == []


def test_applicant_from_photos_needs_name_number_and_validity() -> None:
    assert applicant_from_photos({"name": "王秀英"}, BACK) is None
    assert applicant_from_photos(FRONT, {"valid_to": "long-term"}) is None
    # Birth date and gender follow from the checked number when their lines were missed.
    front = {"name": "王秀英", "id_number": "110105195203141221"}
    applicant = applicant_from_photos(front, BACK)
    assert applicant is not None
    assert applicant.birth_date == dt.date(1952, 3, 14) and applicant.gender == "女"


def test_photos_read_against_the_wire_rules_go_without_applicant_data() -> None:
    # A wrong check character or an impossible validity: the clerk reads the photos instead.
    wrong_check = {"name": "王秀英", "id_number": "110105195203141222"}
    assert applicant_from_photos(wrong_check, BACK) is None
    front = {"name": "王秀英", "id_number": "110105195203141221"}
    assert applicant_from_photos(front, {**BACK, "valid_to": "2016-13-40"}) is None


def test_a_promise_stands_for_the_lease_until_a_photo_replaces_it(
    catalog: CatalogPublic,
) -> None:
    item = catalog.item("sole-proprietor-registration")
    lease = item.materials[1]
    assert lease.tolerance_days == 5
    promise = commitment_for(item, lease, dt.date(2026, 12, 29))
    assert promise.deadline == dt.date(2027, 1, 3)
    assert "2027年1月3日" in promise.text_zh and "退回" in promise.text_zh
    assert "03 January 2027" in promise.text_en and "returned" in promise.text_en

    session = Session()
    session.identify(demo_card("elder"))
    session.choose(item)
    session.tolerate(promise)
    assert session.missing_materials() == []
    submission = _journey().build_submission(_journey().draft(session), "TEST01-20260314-00002")
    assert submission.identity == "card_reader" and submission.commitment
    (sent,) = submission.commitments
    assert sent.material_id == "lease-contract" and sent.deadline == dt.date(2027, 1, 3)
    assert sent.text.zh == promise.text_zh

    session.add_material(CapturedMaterial("lease-contract", _photo(b"lease")))
    assert session.commitments == {} and promise.text_zh == ""


def test_wipe_drops_photos_fields_and_promises(catalog: CatalogPublic) -> None:
    session = _photo_session(catalog)
    item = catalog.item("sole-proprietor-registration")
    session.tolerate(commitment_for(item, item.materials[1], dt.date(2026, 3, 14)))
    front = session.materials["id-card:front"]
    image, fields = front.image, front.fields
    session.wipe()
    assert not session.holds_personal_data()
    assert not session.photo_identity and session.commitments == {}
    assert not any(image) and fields == {}
    assert session.applicant() is None


def test_older_submissions_keep_their_payload_hash(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("sole-proprietor-registration"))
    session.add_material(CapturedMaterial("lease-contract", _photo(b"lease")))
    submission = _journey().build_submission(_journey().draft(session), "TEST01-20260314-00003")
    old_shape = submission.model_copy(update={"identity": None}).model_dump(mode="json")
    del old_shape["identity"], old_shape["commitments"]
    if old_shape.get("visit_seconds") is None:
        del old_shape["visit_seconds"]  # newer still than the identity source
    old_hash = hashlib.sha256(canonical_json(old_shape)).hexdigest()
    assert payload_hash(submission.model_copy(update={"identity": None})) == old_hash
    assert payload_hash(submission) != old_hash, "the identity source is part of the hash"


def test_receipt_prints_the_promise_and_the_photo_identity(catalog: CatalogPublic) -> None:
    item = catalog.item("sole-proprietor-registration")
    receipt = documents.receipt(
        item=item,
        case_number="TEST01-20260314-00004",
        applicant_name="王秀英",
        applicant_id_number="110105195203141221",
        result=None,
        printed_at=NOW,
        location="区政务服务中心",
        promises=[("经营场所租赁合同", dt.date(2026, 3, 19))],
        identity_photo=True,
    )
    assert ("承诺补交", "经营场所租赁合同，2026年3月19日前") in receipt.rows
    assert ("身份核验", "身份证照片，待工作人员核验") in receipt.rows
    assert any("逾期未补交" in line for line in receipt.footer)
