"""The hand-off ticket (无声叫号), without Qt: what the case so far is, and getting a number.

When the terminal cannot finish (a refusal, a hand-off item, "call staff"), the citizen takes a
ticket for the window that continues the case. The ticket says what was read and checked, so the
window does not start again; it never carries an ID number in clear (the masked one, as every
receipt). Online the hall gives the number; offline the terminal prints a local number with its
own prefix and queues the ticket as a ``handoff_ticket`` event, which the hall takes into the
window's queue under that number when the link returns.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from devices.receipt.layout import Receipt
from devices.receipt.ticket import ticket_receipt
from hall.schema import LocalizedText, mask_id_number
from hall.tickets_schema import (
    WINDOWS,
    TicketCheck,
    TicketCreate,
    TicketPublic,
    ticket_qr,
    window_for,
)
from kiosk.services import documents
from kiosk.services.session import Session, base_material
from offline_cache.errors import HallUnavailableError

log = logging.getLogger(__name__)

REASONS = (
    "refused",
    "handoff_item",
    "call_staff",
    "printing_failed",
    "face_mismatch",
    "face_unavailable",
)


_FACE_CHECKS: dict[str, tuple[str, bool | None]] = {
    "passed": ("本人核验通过", True),
    "failed": ("多次核验未通过，请人工核对本人与证件", False),
    "unavailable": ("未能核验（无摄像头或证件照片），请人工核对", None),
    "skipped": ("市民选择跳过", None),
}
"""What the ticket says of face match: the outcome only, never a photo or a score."""


class TicketIssuer(Protocol):
    """The hall's side (``offline_cache.tickets.TicketClient``)."""

    def issue(self, ticket: TicketCreate) -> TicketPublic:
        """The hall's number for the ticket."""
        ...


class EventPoster(Protocol):
    """The durable event queue (``offline_cache.events.EventQueue``)."""

    def post(self, kind: str, payload: dict[str, object]) -> str:
        """Store an event durably for delivery; returns its id."""
        ...


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket as the citizen gets it."""

    ticket: TicketCreate
    number: str
    window: LocalizedText
    waiting_ahead: int | None
    """``None`` offline: the hall's queue is not known here."""
    offline: bool


def ticket_for(
    session: Session, reason: str, kiosk_id: str, now: dt.datetime, *, ticket_id: str = ""
) -> TicketCreate:
    """The ticket for the session as it stands: who was read, what was checked, what to bring.

    Built on the GUI thread from the live session (like a receipt), handed to a worker as a value.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown hand-off reason {reason!r}")
    checks: list[TicketCheck] = []
    holder = id_masked = ""
    card = session.card
    if card is not None:
        holder = documents.mask_name(card.name)
        id_masked = mask_id_number(card.id_number)
        checks.append(TicketCheck(label="身份证（读卡）", value=id_masked, ok=card.trusted))
    elif session.photo_identity:
        checks.append(TicketCheck(label="身份证（拍照）", value="待工作人员核验", ok=None))
    if session.face_match in _FACE_CHECKS:
        value, ok = _FACE_CHECKS[session.face_match]
        checks.append(TicketCheck(label="人证核验", value=value, ok=ok))
    item = session.item
    bring: list[str] = []
    if item is not None:
        held = {base_material(key) for key in session.materials}
        for spec in item.materials:
            if spec.source == "id_card":
                continue
            if spec.id in held:
                checks.append(TicketCheck(label=spec.name.zh[:200], value="已拍照核验", ok=True))
            elif spec.id in session.commitments:
                promise = session.commitments[spec.id]
                value = f"承诺 {promise.deadline.isoformat()} 前补交"
                checks.append(TicketCheck(label=spec.name.zh[:200], value=value, ok=None))
                bring.append(spec.name.zh[:200])
            elif spec.required:
                checks.append(TicketCheck(label=spec.name.zh[:200], value="未提供", ok=None))
                bring.append(spec.name.zh[:200])
    result = session.result
    if result is not None and result.decision is not None and result.decision.reason:
        checks.append(
            TicketCheck(label="审批结果", value=result.decision.reason.zh[:200], ok=False)
        )
    bring.insert(0, "居民身份证原件")
    return TicketCreate(
        ticket_id=ticket_id or uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        item_id=item.id if item is not None else None,
        category=item.category if item is not None and item.category else None,
        reason=reason,
        case_number=session.case_number,
        holder_masked=holder,
        id_masked=id_masked,
        checks=checks[:20],
        bring=bring[:20],
        created_at=now,
    )


class Ticketing:
    """Gets a ticket its number: the hall's, or a local one queued for the hall (blocking)."""

    def __init__(
        self,
        issuer: TicketIssuer | None,
        local_number: Callable[[dt.date], str],
        events: EventPoster | None,
    ) -> None:
        """``local_number(day)`` takes the next durable local number (``K001-L007``)."""
        self._issuer = issuer
        self._local_number = local_number
        self._events = events

    def issue(self, ticket: TicketCreate) -> IssuedTicket:
        """Ask the hall; when it cannot be reached, number the ticket here and queue it.

        Raises ``HallRejectedError`` when the hall refuses the ticket for good, and the store's
        errors when an offline ticket cannot be kept (then no number is printed).
        """
        if self._issuer is not None:
            try:
                answer = self._issuer.issue(ticket)
            except HallUnavailableError as err:
                log.info("ticket: hall unreachable (%s); numbering it here", err)
            else:
                return IssuedTicket(
                    ticket=ticket,
                    number=answer.number,
                    window=answer.window,
                    waiting_ahead=answer.waiting_ahead,
                    offline=False,
                )
        day = ticket.created_at.astimezone().date()
        local = ticket.model_copy(update={"local_number": self._local_number(day)})
        if self._events is not None:
            self._events.post("handoff_ticket", local.model_dump(mode="json"))
        zh, en, _ = WINDOWS[window_for(ticket.item_id, ticket.category)]
        log.info("ticket %s numbered offline", local.local_number)
        return IssuedTicket(
            ticket=local,
            number=local.local_number or "",
            window=LocalizedText(zh=zh, en=en),
            waiting_ahead=None,
            offline=True,
        )


def local_number_from(case_number: str, kiosk_id: str) -> str:
    """``K001-L007`` from a number the outbox's durable counter gave (``K001Q-20261202-00007``)."""
    seq = int(case_number.rsplit("-", 1)[1])
    return f"{kiosk_id}-L{seq:03d}"


def ticket_document(issued: IssuedTicket, *, item_name: str, location: str) -> Receipt:
    """The ticket as the receipt printer prints it."""
    ticket = issued.ticket
    # Words, not check marks: a receipt printer's Chinese font may have no glyph for them.
    verdicts = {True: "（通过）", False: "（未通过）", None: ""}
    checks = [(c.label, c.value + verdicts[c.ok]) for c in ticket.checks]
    if ticket.holder_masked:
        checks.insert(0, ("姓名", ticket.holder_masked))
    if ticket.case_number:
        checks.insert(0, ("办件编号", ticket.case_number))
    return ticket_receipt(
        number=issued.number,
        window=issued.window.zh,
        waiting_ahead=issued.waiting_ahead,
        item=item_name,
        checks=checks,
        bring=ticket.bring,
        qr_data=ticket_qr(ticket.ticket_id),
        issued_at=ticket.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        location=location,
        offline=issued.offline,
    )
