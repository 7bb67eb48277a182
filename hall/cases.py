"""Progress without the receipt: the cases of the person whose card is on a terminal's reader.

The terminal sends the ID number in a signed request body; the hall answers the holder's most
recent cases (:data:`HOLDER_CASES_LIMIT`), each with its stages as the receipt's query shows them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from hall.auth import KIOSK_ID_SCOPE_KEY
from hall.collect_schema import (
    CASES_BY_HOLDER_PATH,
    HOLDER_CASES_LIMIT,
    HolderCasesPublic,
    HolderCasesQueryCreate,
)
from hall.db import Database, Submission
from hall.errors import TerminalMismatchError
from hall.keys import Sealer
from hall.service import HOLDER_HASH_PURPOSE, HallService


def holder_case_numbers(db: Database, sealer: Sealer, id_number: str) -> list[str]:
    """The holder's most recent case numbers, newest first.

    The applicant is sealed in the payload; the row keeps a keyed hash of the ID number
    (``Submission.holder_hash``) for exactly this lookup.
    """
    holder = sealer.lookup_hash(id_number, HOLDER_HASH_PURPOSE)
    with db.read() as session:
        return list(
            session.scalars(
                select(Submission.case_number)
                .where(Submission.holder_hash == holder)
                .order_by(Submission.received_at.desc())
                .limit(HOLDER_CASES_LIMIT)
            )
        )


router = APIRouter()


@router.post(CASES_BY_HOLDER_PATH, response_model=HolderCasesPublic)
def post_cases_by_holder(request: Request, query: HolderCasesQueryCreate) -> HolderCasesPublic:
    """The card holder's recent cases with their stages."""
    if request.scope.get(KIOSK_ID_SCOPE_KEY) != query.kiosk_id:
        raise TerminalMismatchError("the request names another terminal than its signer")
    service: HallService = request.app.state.service
    numbers = holder_case_numbers(request.app.state.database, service.sealer, query.id_number)
    return HolderCasesPublic(cases=[service.progress(number) for number in numbers])
