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
from hall.service import HallService


def holder_case_numbers(db: Database, id_number: str) -> list[str]:
    """The holder's most recent case numbers, newest first."""
    # The applicant lives in the stored payload (JSON on both databases).
    holder = Submission.payload["applicant"]["id_number"].as_string()
    with db.read() as session:
        return list(
            session.scalars(
                select(Submission.case_number)
                .where(holder == id_number)
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
    numbers = holder_case_numbers(request.app.state.database, query.id_number)
    return HolderCasesPublic(cases=[service.progress(number) for number in numbers])
