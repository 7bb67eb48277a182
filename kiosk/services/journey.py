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
from typing import Protocol

from devices.idcard.card import LONG_TERM, IdCard
from hall.schema import ApplicantCreate, MaterialCreate, SubmissionCreate
from kiosk.services.session import Session, SessionError


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

    def build_submission(self, session: Session, case_number: str) -> SubmissionCreate:
        """The submission for the session's item, card and captured materials."""
        self.check_ready(session)
        assert session.item is not None
        materials = [
            MaterialCreate(
                material_id=m.material_id,
                content_type=m.content_type,
                data_b64=base64.b64encode(bytes(m.image)).decode("ascii"),
                sha256=hashlib.sha256(m.image).hexdigest(),
            )
            for m in session.materials.values()
        ]
        return SubmissionCreate(
            case_number=case_number,
            kiosk_id=self._kiosk_id,
            item_id=session.item.id,
            created_at=self._clock(),
            applicant=applicant_from_card(session.card) if session.card else None,
            materials=materials,
        )

    def submit(self, submission_source: Session) -> str:
        """Queue the session's submission durably and wake the sync worker; returns the case number.

        Blocks on an fsync: call it from a worker thread, never from the UI thread.
        """
        # An incomplete session must not use up a case number: the day's sequence has no gaps.
        self.check_ready(submission_source)
        local_day = self._clock().astimezone().date()
        case_number = self._outbox.next_case_number(self._kiosk_id, local_day)
        submission = self.build_submission(submission_source, case_number)
        self._outbox.enqueue(submission)
        self._wake()
        return case_number
