"""Submitting a session's work: one path online and offline, through the durable outbox.

``submit`` writes the submission to the outbox in one durable transaction and wakes the sync
worker; the hall's answer arrives later through the worker's callback, whether that is a second
from now or after a day offline.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError

from devices.idcard.card import LONG_TERM, IdCard
from hall.schema import (
    ApplicantCreate,
    CommitmentCreate,
    IdentitySource,
    LocalizedText,
    MaterialCreate,
    SubmissionCreate,
)
from kiosk.services.session import ID_BACK, ID_FRONT, Session, SessionError, base_material


class OutboxWriter(Protocol):
    """The part of the outbox a journey needs."""

    def next_case_number(self, kiosk_code: str, day: dt.date) -> str:
        """A case number never handed out before."""
        ...

    def enqueue(self, submission: SubmissionCreate) -> object:
        """Store the submission durably for delivery."""
        ...


def applicant_from_card(card: IdCard) -> ApplicantCreate:
    """The wire form of the card holder."""
    valid_to = card.valid_to if isinstance(card.valid_to, str) else card.valid_to.isoformat()
    return ApplicantCreate(
        card_type=card.card_type.value,
        name=card.name,
        gender=card.gender,
        ethnicity=card.ethnicity,
        birth_date=card.birth_date,
        address=card.address,
        id_number=card.id_number,
        issuing_authority=card.issuing_authority,
        valid_from=card.valid_from,
        valid_to=LONG_TERM if valid_to == LONG_TERM else valid_to,
    )


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def applicant_from_photos(
    front: dict[str, object], back: dict[str, object]
) -> ApplicantCreate | None:
    """The wire form of the holder read from photos of the card's two sides.

    ``None`` when the name, the ID number or the validity could not be read: the case then goes
    without applicant data and the clerk reads the photos. Birth date and gender follow from a
    checked ID number when the front's own lines were missed.
    """
    name, number = front.get("name"), front.get("id_number")
    valid_from, valid_to = _iso_date(back.get("valid_from")), back.get("valid_to")
    if not isinstance(name, str) or not isinstance(number, str) or len(number) != 18:
        return None
    if valid_from is None or not isinstance(valid_to, str):
        return None
    birth = _iso_date(front.get("birth_date")) or _iso_date(
        f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    )
    if birth is None:
        return None
    gender = front.get("gender")
    if gender not in ("男", "女"):
        gender = "男" if number[16].isdigit() and int(number[16]) % 2 else "女"
    try:
        return _photo_applicant(name, number, str(gender), birth, valid_from, valid_to, front, back)
    except ValidationError:
        # Misread lines (a check character, a date) fail the wire contract's rules: the clerk
        # reads the photos instead of the hall trusting them.
        return None


def _photo_applicant(
    name: str,
    number: str,
    gender: str,
    birth: dt.date,
    valid_from: dt.date,
    valid_to: str,
    front: dict[str, object],
    back: dict[str, object],
) -> ApplicantCreate:
    def text(fields: dict[str, object], name: str) -> str:
        value = fields.get(name)
        return value if isinstance(value, str) else ""

    return ApplicantCreate(
        card_type="resident",
        name=name,
        gender=gender,
        ethnicity=text(front, "ethnicity"),
        birth_date=birth,
        address=text(front, "address"),
        id_number=number,
        issuing_authority=text(back, "issuing_authority"),
        valid_from=valid_from,
        valid_to=LONG_TERM if valid_to == LONG_TERM else valid_to,
    )


@dataclass(frozen=True)
class Draft:
    """A submission without its case number: copied out of the session, owned by the worker."""

    item_id: str
    applicant: ApplicantCreate | None
    materials: list[MaterialCreate] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)
    """The application pre-filled from what was read: ``<material id>.<field>`` -> value."""
    identity: IdentitySource | None = None
    commitments: list[CommitmentCreate] = field(default_factory=list)


class Journey:
    """Builds submissions from sessions and queues them."""

    def __init__(
        self,
        *,
        kiosk_id: str,
        outbox: OutboxWriter,
        wake: Callable[[], None],
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """Wire the journey to the outbox and the sync worker's wake-up call."""
        self._kiosk_id = kiosk_id
        self._outbox = outbox
        self._wake = wake
        self._clock = clock

    @staticmethod
    def check_ready(session: Session) -> None:
        """Raise ``SessionError`` unless the session has an item and all its required materials."""
        if session.item is None:
            raise SessionError("no item chosen")
        missing = session.missing_materials()
        if missing:
            raise SessionError(f"materials missing: {', '.join(missing)}")

    def draft(self, session: Session) -> Draft:
        """A copy of what the session will submit, independent of the session from now on.

        Taken on the GUI thread: the worker that queues it never reads the live session, which
        a wipe may be zeroing at that moment. Only the materials the chosen item asks for go in.
        """
        self.check_ready(session)
        assert session.item is not None
        wanted = {spec.id for spec in session.item.materials if spec.source == "camera"}
        if session.card is None and session.photo_identity:
            # The photographed card's sides go with the case: a clerk verifies them.
            wanted |= {spec.id for spec in session.item.materials if spec.source == "id_card"}
        materials = []
        form: dict[str, str] = {}
        for material in session.materials.values():
            if base_material(material.material_id) not in wanted:
                continue
            for name, value in material.fields.items():
                form[f"{material.material_id}.{name}"] = str(value)
            image = bytes(material.image)
            materials.append(
                MaterialCreate(
                    material_id=material.material_id,
                    content_type=material.content_type,
                    data_b64=base64.b64encode(image).decode("ascii"),
                    sha256=hashlib.sha256(image).hexdigest(),
                )
            )
        applicant = None
        if session.card is not None:
            applicant = applicant_from_card(session.card)
        elif session.photo_identity:
            applicant = applicant_from_photos(
                session.photo_fields(ID_FRONT), session.photo_fields(ID_BACK)
            )
        commitments = [
            CommitmentCreate(
                material_id=c.material_id,
                deadline=c.deadline,
                text=LocalizedText(zh=c.text_zh, en=c.text_en),
            )
            for c in session.commitments.values()
            if c.material_id in wanted
        ]
        return Draft(
            item_id=session.item.id,
            applicant=applicant,
            materials=materials,
            form=form,
            identity=session.identity_source,
            commitments=commitments,
        )

    def build_submission(self, draft: Draft, case_number: str) -> SubmissionCreate:
        """The submission of a draft under its case number."""
        return SubmissionCreate(
            case_number=case_number,
            kiosk_id=self._kiosk_id,
            item_id=draft.item_id,
            created_at=self._clock(),
            applicant=draft.applicant,
            materials=draft.materials,
            form=draft.form,
            commitment=bool(draft.commitments),
            commitments=draft.commitments,
            identity=draft.identity,
        )

    def submit(self, draft: Draft) -> str:
        """Queue a draft durably and wake the sync worker; returns the new case number.

        Blocks on an fsync: call it from a worker thread, never from the UI thread. A case
        number is taken only here, for a complete draft, so the day's sequence has no gaps.
        """
        local_day = self._clock().astimezone().date()
        case_number = self._outbox.next_case_number(self._kiosk_id, local_day)
        self._outbox.enqueue(self.build_submission(draft, case_number))
        self._wake()
        return case_number
