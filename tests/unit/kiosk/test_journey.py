"""Submitting a session through the real outbox: SQLite on disk, sealed with a real key file."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.idcard.card import LONG_TERM
from devices.idcard.demo_cards import demo_card
from hall.schema import CASE_NUMBER_PATTERN, CatalogPublic
from kiosk.services.journey import Journey, applicant_from_card
from kiosk.services.session import CapturedMaterial, Session, SessionError, Step
from offline_cache.crypto import FieldCipher
from offline_cache.outbox import PENDING, Outbox
from offline_cache.store import Store

NOW = dt.datetime(2026, 3, 14, 2, 30, tzinfo=dt.UTC)


class WakeCounter:
    """The sync worker's wake-up call, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    store = Store(tmp_path / "data" / "outbox.sqlite3")
    try:
        yield Outbox(store, FieldCipher.from_key_file(tmp_path / "data" / "field.key"))
    finally:
        store.close()


@pytest.fixture
def wake() -> WakeCounter:
    return WakeCounter()


@pytest.fixture
def journey(outbox: Outbox, wake: WakeCounter) -> Journey:
    return Journey(kiosk_id="TEST01", outbox=outbox, wake=wake, clock=lambda: NOW)


def _photo() -> bytearray:
    return bytearray(b"\xff\xd8\xff\xe0" + hashlib.sha256(b"lease").digest() * 64 + b"\xff\xd9")


def _complete_session(catalog: CatalogPublic) -> Session:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("sole-proprietor-registration"))
    session.add_material(CapturedMaterial("lease-contract", _photo()))
    return session


def test_build_submission_carries_the_card_and_the_material(
    journey: Journey, catalog: CatalogPublic
) -> None:
    session = _complete_session(catalog)
    submission = journey.build_submission(journey.draft(session), "TEST01-20260314-00007")
    assert submission.case_number == "TEST01-20260314-00007"
    assert submission.kiosk_id == "TEST01"
    assert submission.item_id == "sole-proprietor-registration"
    assert submission.created_at == NOW
    applicant = submission.applicant
    assert applicant is not None
    assert applicant.name == "王秀英"
    assert applicant.id_number == "110105195203141221"
    assert applicant.card_type == "resident"
    assert applicant.birth_date == dt.date(1952, 3, 14)
    assert applicant.valid_to == LONG_TERM
    [material] = submission.materials
    assert material.material_id == "lease-contract"
    assert material.content_type == "image/jpeg"
    assert base64.b64decode(material.data_b64) == bytes(_photo())
    assert material.sha256 == hashlib.sha256(_photo()).hexdigest()


def test_applicant_with_a_dated_card_gives_an_iso_date() -> None:
    applicant = applicant_from_card(demo_card("adult"))
    assert applicant.valid_to == "2035-09-01"


def test_submit_queues_one_sealed_entry_and_wakes_the_worker_once(
    journey: Journey, outbox: Outbox, wake: WakeCounter, catalog: CatalogPublic, tmp_path: Path
) -> None:
    session = _complete_session(catalog)
    case = journey.submit(journey.draft(session))

    assert re.match(CASE_NUMBER_PATTERN, case)
    local_day = NOW.astimezone().date()
    assert case == f"TEST01-{local_day:%Y%m%d}-00001"
    assert wake.calls == 1
    [entry] = outbox.entries()
    assert entry.case_number == case
    assert entry.item_id == "sole-proprietor-registration"
    assert entry.state == PENDING

    stored = outbox.submission(case)
    assert stored is not None
    assert stored.applicant is not None
    assert stored.applicant.name == "王秀英"
    assert stored.applicant.id_number == "110105195203141221"
    [material] = stored.materials
    data = base64.b64decode(material.data_b64)
    assert hashlib.sha256(data).hexdigest() == material.sha256
    assert material.sha256 == hashlib.sha256(bytes(_photo())).hexdigest()

    # Sealed at rest: neither the name nor the ID number is in the database file in clear.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("outbox.sqlite3*"))
    assert "王秀英".encode() not in raw
    assert b"110105195203141221" not in raw


def test_each_submission_gets_a_fresh_case_number(
    journey: Journey, outbox: Outbox, wake: WakeCounter, catalog: CatalogPublic
) -> None:
    first = journey.submit(journey.draft(_complete_session(catalog)))
    second = journey.submit(journey.draft(_complete_session(catalog)))
    assert first != second
    assert second.endswith("-00002")
    assert [e.case_number for e in outbox.entries()] == [first, second]
    assert wake.calls == 2


def test_a_zero_material_item_needs_only_the_card(
    journey: Journey, outbox: Outbox, catalog: CatalogPublic
) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("elder-card"))
    case = journey.submit(journey.draft(session))
    stored = outbox.submission(case)
    assert stored is not None
    assert stored.item_id == "elder-card"
    assert stored.materials == []


def test_missing_material_raises_and_queues_nothing(
    journey: Journey, outbox: Outbox, wake: WakeCounter, catalog: CatalogPublic
) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("sole-proprietor-registration"))
    with pytest.raises(SessionError, match="materials missing: lease-contract"):
        journey.submit(journey.draft(session))
    assert outbox.entries() == []
    assert wake.calls == 0
    # The refused attempt used up no case number: the next good one is still the first.
    assert journey.submit(journey.draft(_complete_session(catalog))).endswith("-00001")


def test_no_item_raises(journey: Journey, outbox: Outbox, wake: WakeCounter) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    with pytest.raises(SessionError, match="no item chosen"):
        journey.submit(journey.draft(session))
    assert outbox.entries() == []
    assert wake.calls == 0


def test_error_messages_hold_no_personal_data(journey: Journey, catalog: CatalogPublic) -> None:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("sole-proprietor-registration"))
    with pytest.raises(SessionError) as caught:
        journey.build_submission(journey.draft(session), "TEST01-20260314-00001")
    assert "王秀英" not in str(caught.value)
    assert "110105195203141221" not in str(caught.value)


def test_a_draft_is_a_copy_the_wipe_cannot_reach(journey: Journey, catalog: CatalogPublic) -> None:
    session = _complete_session(catalog)
    draft = journey.draft(session)
    session.wipe()
    submission = journey.build_submission(draft, "TEST01-20260314-00009")
    assert submission.applicant is not None and submission.applicant.name == "王秀英"
    photo = base64.b64decode(submission.materials[0].data_b64)
    assert any(photo)
    assert hashlib.sha256(photo).hexdigest() == submission.materials[0].sha256


def test_photos_of_an_abandoned_item_do_not_travel_with_the_next(
    journey: Journey, catalog: CatalogPublic
) -> None:
    session = _complete_session(catalog)  # holds the lease photo for the registration item
    photo = session.materials["lease-contract"].image
    assert session.step is Step.GUIDE
    session.back_to_choose()
    session.choose(catalog.item("si-insured-certificate"))
    assert session.materials == {}
    assert not any(photo)
    assert journey.draft(session).materials == []
