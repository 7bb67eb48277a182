"""Hand-off tickets (无声叫号): a queue number for the right window, with the case so far.

A terminal that cannot finish (a refusal, a hand-off item, "call staff") asks for a ticket. The
hall gives it the next number of the window category the item belongs to (``S012`` at the
social-insurance window), idempotently on the client-made ``ticket_id``. A terminal that cannot
reach the hall prints a local number with its own prefix and sends the same ticket later: the
hall takes it into the queue under that local number (``reconciled``), so the citizen's paper
stays right. The window scans the ticket's QR code and continues the case from what it says.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import JSON, Boolean, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall import events
from hall.auth import KIOSK_ID_SCOPE_KEY
from hall.db import Base, Database, Sequence, UtcDateTime, insert_or_skip
from hall.errors import HallError, TerminalMismatchError
from hall.events import EventRejected, Received
from hall.schema import CatalogPublic, LocalizedText
from hall.tickets_schema import (
    TICKET_PATH,
    TICKETS_PATH,
    WINDOWS,
    TicketCasePublic,
    TicketCheck,
    TicketCreate,
    TicketId,
    TicketPublic,
    window_for,
)

logger = logging.getLogger(__name__)


class TicketNotFoundError(HallError):
    """No ticket with this id."""

    status_code = 404
    code = "ticket_not_found"


class TicketConflictError(HallError):
    """A ticket id reused for another terminal's ticket."""

    status_code = 422
    code = "ticket_id_reused"


class HandoffTicket(Base):
    """One ticket in a window's queue."""

    __tablename__ = "handoff_tickets"

    ticket_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    window_code: Mapped[str] = mapped_column(String(4))
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    reconciled: Mapped[bool] = mapped_column(Boolean)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    served_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The ``TicketCreate`` as sent (masked values only)."""


def _next(session: Session, name: str) -> int:
    statement = insert_or_skip(session, Sequence).values(name=name, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[Sequence.name], set_={"value": Sequence.value + 1}
    ).returning(Sequence.value)
    return int(session.scalar(statement))


def _public(session: Session, row: HandoffTicket) -> TicketPublic:
    ahead = session.scalar(
        select(func.count()).where(
            HandoffTicket.window_code == row.window_code,
            HandoffTicket.served_at.is_(None),
            HandoffTicket.issued_at < row.issued_at,
        )
    )
    zh, en, _ = WINDOWS[row.window_code]
    return TicketPublic(
        ticket_id=row.ticket_id,
        number=row.number,
        window=LocalizedText(zh=zh, en=en),
        window_code=row.window_code,
        waiting_ahead=int(ahead or 0),
        issued_at=row.issued_at,
        reconciled=row.reconciled,
    )


def record_ticket(
    session: Session,
    terminal_id: str,
    ticket: TicketCreate,
    now: dt.datetime,
    day: dt.date,
    category: str | None = None,
) -> TicketPublic:
    """Take a ticket into its window's queue inside the caller's write transaction.

    A repeat of the same ``ticket_id`` answers the stored ticket. An offline ticket keeps its
    local number and its place by the time it was printed. Also the event handler's body.
    ``category`` is the item's in the hall's catalog; without it, the ticket's own.
    """
    existing = session.get(HandoffTicket, ticket.ticket_id)
    if existing is not None:
        if existing.kiosk_id != terminal_id:
            raise TicketConflictError("this ticket id belongs to another terminal's ticket")
        return _public(session, existing)
    code = window_for(ticket.item_id, category or ticket.category)
    if ticket.local_number is not None:
        number, issued, reconciled = ticket.local_number, min(ticket.created_at, now), True
    else:
        serial = _next(session, f"ticket-{code}-{day.isoformat()}")
        number, issued, reconciled = f"{code}{serial:03d}", now, False
    row = HandoffTicket(
        ticket_id=ticket.ticket_id,
        number=number,
        window_code=code,
        kiosk_id=terminal_id,
        item_id=ticket.item_id,
        reason=ticket.reason,
        reconciled=reconciled,
        issued_at=issued,
        body=ticket.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    logger.info("ticket %s for window %s (%s)", number, code, ticket.reason)
    return _public(session, row)


def issue(
    db: Database,
    terminal_id: str,
    ticket: TicketCreate,
    now: dt.datetime,
    day: dt.date,
    category: str | None = None,
) -> TicketPublic:
    """Record a ticket in its own transaction; a race on the same id answers the winner's."""
    try:
        with db.write() as session:
            return record_ticket(session, terminal_id, ticket, now, day, category)
    except IntegrityError:
        with db.write() as session:
            return record_ticket(session, terminal_id, ticket, now, day, category)


def ticket_case(db: Database, ticket_id: str) -> TicketCasePublic:
    """The ticket and the case so far, for the window that scanned it."""
    with db.read() as session:
        row = session.get(HandoffTicket, ticket_id)
        if row is None:
            raise TicketNotFoundError("no ticket with this id")
        body = TicketCreate.model_validate(row.body)
        return TicketCasePublic(
            ticket=_public(session, row),
            item_id=body.item_id,
            reason=body.reason,
            case_number=body.case_number,
            holder_masked=body.holder_masked,
            id_masked=body.id_masked,
            checks=[TicketCheck.model_validate(c.model_dump()) for c in body.checks],
            bring=list(body.bring),
        )


def ticket_category(ticket: TicketCreate, catalog: CatalogPublic) -> str | None:
    """The ticket's item's category in ``catalog``; the ticket's own when the item is not there."""
    for item in catalog.items:
        if item.id == ticket.item_id:
            return item.category
    return ticket.category


router = APIRouter()


@router.post(TICKETS_PATH, response_model=TicketPublic, status_code=201)
def post_ticket(request: Request, ticket: TicketCreate) -> TicketPublic:
    """Issue (or answer again) a hand-off ticket's queue number."""
    signer = request.scope.get(KIOSK_ID_SCOPE_KEY)
    if signer != ticket.kiosk_id:
        raise TerminalMismatchError("the request names another terminal than its signer")
    now = request.app.state.clock()
    day = now.astimezone(request.app.state.service.timezone).date()
    return issue(
        request.app.state.database,
        ticket.kiosk_id,
        ticket,
        now,
        day,
        ticket_category(ticket, request.app.state.catalogs.current().catalog),
    )


@router.get(TICKET_PATH, response_model=TicketCasePublic)
def get_ticket(request: Request, ticket_id: TicketId) -> TicketCasePublic:
    """A scanned ticket with the case so far (for the window's own signed client)."""
    return ticket_case(request.app.state.database, ticket_id)


@events.handles("handoff_ticket", TicketCreate)
def take_offline_ticket(session: Session, terminal_id: str, event: Received[TicketCreate]) -> None:
    """A ticket printed while the hall was unreachable: take it into its window's queue now."""
    ticket = event.payload
    if ticket.kiosk_id != terminal_id:
        raise EventRejected("terminal_mismatch")
    if ticket.local_number is None:
        raise EventRejected("local_number_required")
    try:
        record_ticket(session, terminal_id, ticket, event.received_at, event.received_at.date())
    except TicketConflictError:
        raise EventRejected("ticket_id_reused") from None
