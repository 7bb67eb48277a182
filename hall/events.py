"""Events from terminals: one signed route, a registry of kinds, each delivery taken once.

A module that owns a kind declares it with :func:`handles`::

    class RatingPayload(BaseModel):
        model_config = ConfigDict(extra="forbid")
        level: int = Field(ge=1, le=5)

    @events.handles("rating", RatingPayload)
    def record_rating(session: Session, terminal_id: str, event: Received[RatingPayload]) -> None:
        session.add(Rating(...))

and is imported by :mod:`hall.event_kinds`, so the kind exists wherever the app does. The handler
runs in the same write transaction that records ``(terminal, event_id)``, so a re-delivered event
is answered ``duplicate`` without running it again, and a handler that fails leaves no record
(the terminal retries). A handler refuses an event for good by raising :class:`EventRejected`.
Each event has its own transaction: one bad event never sinks the rest of its batch.

The hall keeps no payload here: a handler stores what its kind needs. Log lines name the
terminal, the kind and the event id only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall.db import Base, Database, UtcDateTime
from hall.schema import (
    EventBatchCreate,
    EventBatchPublic,
    EventCreate,
    EventResultPublic,
    storable_text_problem,
)

log = logging.getLogger(__name__)

P = TypeVar("P", bound=BaseModel)


class TerminalEvent(Base):
    """That a terminal's event was taken: who, which, what kind, when (no payload)."""

    __tablename__ = "terminal_events"
    __table_args__ = (UniqueConstraint("kiosk_id", "event_id", name="uq_terminal_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


@dataclasses.dataclass(frozen=True)
class Received(Generic[P]):
    """One event as a handler sees it: validated payload, the terminal's time, the hall's."""

    event_id: str
    at: dt.datetime
    received_at: dt.datetime
    payload: P


class EventRejected(Exception):
    """Raised by a handler: this event can never be taken (``code`` goes back to the terminal)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _AlreadyTaken(Exception):
    """The event's record exists: roll back this attempt and answer ``duplicate``."""


Handler = Callable[[Session, str, Received[Any]], None]


@dataclasses.dataclass(frozen=True)
class _Kind:
    model: type[BaseModel]
    handler: Handler


_REGISTRY: dict[str, _Kind] = {}


def handles(
    kind: str, model: type[P]
) -> Callable[
    [Callable[[Session, str, Received[P]], None]], Callable[[Session, str, Received[P]], None]
]:
    """Register the decorated function as ``kind``'s handler; ``model`` checks the payload."""

    def register(
        handler: Callable[[Session, str, Received[P]], None],
    ) -> Callable[[Session, str, Received[P]], None]:
        existing = _REGISTRY.get(kind)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"event kind {kind!r} is registered twice")
        _REGISTRY[kind] = _Kind(model, handler)
        return handler

    return register


def unregister(kind: str) -> None:
    """Forget a kind (tests that register their own)."""
    _REGISTRY.pop(kind, None)


def kinds() -> frozenset[str]:
    """The kinds this hall takes."""
    return frozenset(_REGISTRY)


def _payload_problem(value: object, depth: int = 0) -> str | None:
    """Why a payload cannot be stored (NUL, lone surrogates, nesting), or ``None``."""
    if depth > 8:
        return "nested too deeply"
    if isinstance(value, str):
        return storable_text_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = storable_text_problem(key) or _payload_problem(item, depth + 1)
            if problem:
                return problem
    if isinstance(value, list):
        for item in value:
            problem = _payload_problem(item, depth + 1)
            if problem:
                return problem
    return None


class EventService:
    """Take batches of events for the terminal that signed them."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock

    def take(self, terminal_id: str, batch: EventBatchCreate) -> EventBatchPublic:
        """Record and handle each event once; one result per event, in order."""
        return EventBatchPublic(results=[self._take(terminal_id, e) for e in batch.events])

    def _take(self, terminal_id: str, event: EventCreate) -> EventResultPublic:
        def refuse(code: str) -> EventResultPublic:
            log.warning(
                "terminal %s: %s event %s refused (%s)",
                terminal_id,
                event.kind,
                event.event_id,
                code,
            )
            return EventResultPublic(event_id=event.event_id, status="rejected", code=code)

        kind = _REGISTRY.get(event.kind)
        if kind is None:
            return refuse("unknown_kind")
        if _payload_problem(event.payload) is not None:
            return refuse("invalid_payload")
        try:
            payload = kind.model.model_validate(event.payload)
        except ValidationError:
            return refuse("invalid_payload")
        try:
            with self._db.write() as session:
                seen = session.scalar(
                    select(TerminalEvent.id).where(
                        TerminalEvent.kiosk_id == terminal_id,
                        TerminalEvent.event_id == event.event_id,
                    )
                )
                if seen is not None:
                    return EventResultPublic(event_id=event.event_id, status="duplicate")
                now = self._clock()
                session.add(
                    TerminalEvent(
                        kiosk_id=terminal_id,
                        event_id=event.event_id,
                        kind=event.kind,
                        at=event.at,
                        received_at=now,
                    )
                )
                try:
                    session.flush()
                except IntegrityError:
                    # The same event raced in on another connection, which recorded it first.
                    raise _AlreadyTaken from None
                kind.handler(
                    session,
                    terminal_id,
                    Received(
                        event_id=event.event_id, at=event.at, received_at=now, payload=payload
                    ),
                )
        except EventRejected as err:
            return refuse(err.code)
        except _AlreadyTaken:
            return EventResultPublic(event_id=event.event_id, status="duplicate")
        log.info("terminal %s: %s event %s taken", terminal_id, event.kind, event.event_id)
        return EventResultPublic(event_id=event.event_id, status="accepted")
