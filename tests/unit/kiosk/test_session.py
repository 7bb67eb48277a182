"""The citizen session: its state machine, its materials and the wipe that ends it."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.idcard.demo_cards import demo_card
from hall.schema import CatalogPublic, SubmissionPublic
from kiosk.services.session import CapturedMaterial, Session, SessionError, Step

ELDER_ID = "110105195203141221"


def _photo(size: int = 4096, fill: int = 0xA5) -> bytearray:
    return bytearray([fill]) * size


def _answer() -> SubmissionPublic:
    return SubmissionPublic(
        case_number="DEMO01-20260101-00001",
        item_id="elder-card",
        status="accepted",
        received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_a_new_session_waits_on_the_attract_screen() -> None:
    session = Session()
    assert session.step is Step.ATTRACT
    assert not session.holds_personal_data()
    assert session.missing_materials() == []
    assert session.masked_id_number == ""
    assert Session().id != session.id


@pytest.mark.parametrize(
    ("path"),
    [
        [Step.IDENTIFY, Step.CHOOSE, Step.GUIDE, Step.MATERIALS, Step.MATERIALS, Step.REVIEW],
        [Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.SUBMIT, Step.RESULT, Step.PRINT, Step.RATE],
        [Step.CHOOSE, Step.GUIDE, Step.MATERIALS, Step.GUIDE, Step.CHOOSE, Step.IDENTIFY],
        [Step.PROGRESS, Step.CHOOSE, Step.PROGRESS],
        [Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.MATERIALS, Step.REVIEW, Step.GUIDE],
        [Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.SUBMIT, Step.RESULT, Step.RATE],
    ],
)
def test_allowed_transitions(path: list[Step]) -> None:
    session = Session()
    for step in path:
        session.go(step)
        assert session.step is step


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], Step.REVIEW),
        ([], Step.SUBMIT),
        ([], Step.GUIDE),
        ([Step.CHOOSE], Step.SUBMIT),
        ([Step.CHOOSE, Step.GUIDE], Step.SUBMIT),
        ([Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.SUBMIT], Step.REVIEW),
        ([Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.SUBMIT], Step.PRINT),
        ([Step.CHOOSE, Step.GUIDE, Step.REVIEW, Step.SUBMIT, Step.RESULT, Step.RATE], Step.PRINT),
        ([Step.PROGRESS], Step.GUIDE),
    ],
)
def test_refused_transitions_leave_the_step_alone(path: list[Step], refused: Step) -> None:
    session = Session()
    for step in path:
        session.go(step)
    before = session.step
    with pytest.raises(SessionError, match=f"cannot go from {before.value} to {refused.value}"):
        session.go(refused)
    assert session.step is before


@pytest.mark.parametrize("step", list(Step))
def test_any_step_may_return_to_attract(step: Step) -> None:
    session = Session(step=step)
    session.go(Step.ATTRACT)
    assert session.step is Step.ATTRACT


def test_card_first_then_an_item_needing_it_goes_straight_to_the_guide(
    catalog: CatalogPublic,
) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    assert session.step is Step.CHOOSE
    session.choose(catalog.item("elder-card"))
    assert session.step is Step.GUIDE
    assert session.missing_materials() == []


def test_item_needing_the_card_asks_for_it_then_guides(catalog: CatalogPublic) -> None:
    session = Session()
    session.go(Step.CHOOSE)
    session.choose(catalog.item("elder-card"))
    assert session.step is Step.IDENTIFY
    assert session.missing_materials() == ["id-card"]
    session.identify(demo_card("elder"))
    assert session.step is Step.GUIDE
    assert session.item is not None and session.item.id == "elder-card"
    assert session.missing_materials() == []


def test_choose_from_attract_passes_through_choose(catalog: CatalogPublic) -> None:
    session = Session()
    session.choose(catalog.item("sole-proprietor-registration"))
    assert session.step is Step.IDENTIFY


def test_identify_at_identify_without_an_item_goes_to_choose() -> None:
    session = Session()
    session.go(Step.IDENTIFY)
    session.identify(demo_card("adult"))
    assert session.step is Step.CHOOSE


def test_a_refused_choice_changes_nothing(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("elder-card"))
    session.go(Step.REVIEW)
    session.go(Step.SUBMIT)
    with pytest.raises(SessionError, match="cannot choose an item at step submit"):
        session.choose(catalog.item("sole-proprietor-registration"))
    assert session.step is Step.SUBMIT
    assert session.item is not None and session.item.id == "elder-card"


@pytest.mark.parametrize("step", [Step.SUBMIT, Step.RESULT, Step.PRINT, Step.RATE, Step.PROGRESS])
def test_a_card_is_refused_once_submitting(step: Step) -> None:
    session = Session(step=step)
    card = demo_card("elder")
    with pytest.raises(SessionError, match=step.value):
        session.identify(card)
    assert session.card is None
    assert card.name == "王秀英"  # a refused card is the caller's to drop, untouched here


def test_a_second_card_replaces_and_wipes_the_first() -> None:
    session = Session()
    first = demo_card("elder")
    first_photo = first.photo
    session.identify(first)
    session.identify(first)  # the same card read twice is kept as it is
    assert first.name == "王秀英"
    second = demo_card("adult")
    session.identify(second)
    assert session.card is second
    assert first.name == "" and first.id_number == ""
    assert set(first_photo) == {0}


def test_missing_materials_names_the_camera_documents(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("adult"))
    session.choose(catalog.item("sole-proprietor-registration"))
    assert session.step is Step.GUIDE
    assert session.missing_materials() == ["lease-contract"]
    session.add_material(CapturedMaterial("lease-contract", _photo()))
    assert session.missing_materials() == []


def test_missing_materials_without_a_card_lists_both(catalog: CatalogPublic) -> None:
    session = Session()
    session.go(Step.CHOOSE)
    session.choose(catalog.item("sole-proprietor-registration"))
    assert session.missing_materials() == ["id-card", "lease-contract"]


def test_a_retaken_photo_wipes_the_first(catalog: CatalogPublic) -> None:
    session = Session()
    first = CapturedMaterial("lease-contract", _photo(fill=1))
    first_bytes = first.image
    session.add_material(first)
    session.add_material(first)  # accepting the same photo twice keeps it
    assert set(session.materials["lease-contract"].image) == {1}
    second = CapturedMaterial("lease-contract", _photo(fill=2))
    session.add_material(second)
    assert session.materials["lease-contract"] is second
    assert set(first_bytes) == {0}
    assert first.image == bytearray()


def test_wipe_zeroes_the_buffers_in_place_and_drops_everything(catalog: CatalogPublic) -> None:
    session = Session()
    card = demo_card("elder")
    photo = card.photo
    assert any(photo)
    session.identify(card)
    session.choose(catalog.item("elder-card"))
    material = CapturedMaterial("lease-contract", _photo())
    image = material.image
    session.add_material(material)
    session.case_number = "DEMO01-20260101-00001"
    session.result = _answer()
    session.rating = 5
    assert session.holds_personal_data()

    session.wipe()

    assert len(photo) == 1024 and set(photo) == {0}
    assert len(image) == 4096 and set(image) == {0}
    assert card.name == card.id_number == card.address == ""
    assert session.card is None
    assert session.materials == {}
    assert session.item is None
    assert session.result is None
    assert session.case_number is None
    assert session.rating is None
    assert session.step is Step.ATTRACT
    assert session.wiped
    assert not session.holds_personal_data()
    assert session.masked_id_number == ""


def test_repr_names_no_personal_data(catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("elder-card"))
    session.add_material(CapturedMaterial("lease-contract", _photo()))
    text = repr(session) + str(session) + f"{session}"
    assert session.id[:8] in text
    assert "guide" in text
    for personal in ("王秀英", ELDER_ID, "1221", "朝阳", "1952"):
        assert personal not in text
    assert session.masked_id_number == "110105********1221"
