"""The 好差评 ratings terminals send on the event channel (kind ``rating``), and their table.

A rating says how the citizen found one journey, five levels (5 = 非常满意), with short reason
codes, the item and the case if there is one, and how long the visit took. It never carries an ID
number: every text field is a short code or a case number by pattern, so one cannot be put there.
The daily table (``hall.web.daily``) counts them by level per item and per terminal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall import events
from hall.db import Base, UtcDateTime
from hall.schema import CASE_NUMBER_PATTERN

RATING_KIND = "rating"
LEVELS = (1, 2, 3, 4, 5)
LEVEL_NAMES = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fair"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
"""The five levels of 好差评 (GB/T 39735 "政务服务评价"), best first."""

ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
"""A short reason code such as ``slow`` or ``unclear_steps``: no free text reaches the hall."""


class RatingPayload(BaseModel):
    """The ``rating`` event's payload as the terminal sends it (strict: nothing else accepted)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    level: int = Field(ge=1, le=5)
    """1 (非常不满意) to 5 (非常满意)."""
    reasons: list[ReasonCode] = Field(default_factory=list, max_length=8)
    item_id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{0,63}$")
    """A catalog item id; it starts with a letter, so an ID number cannot pass for one."""
    case_number: str | None = Field(default=None, pattern=CASE_NUMBER_PATTERN)
    journey: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    """Which journey was rated: ``apply``, ``lookup``, ``collect`` ..."""
    visit_seconds: float | None = Field(default=None, ge=0, le=86400)
    """From the citizen's first touch to the rating; ``None`` when the terminal did not measure."""


class Rating(Base):
    """One citizen's rating of one journey, as received from a terminal."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("kiosk_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    """When the citizen rated, by the terminal's clock (the day a rating counts in)."""
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    case_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    journey: Mapped[str] = mapped_column(String(32))
    visit_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


@events.handles(RATING_KIND, RatingPayload)
def handle_rating(
    session: Session, terminal_id: str, event: events.Received[RatingPayload]
) -> None:
    """Keep a ``rating`` event, in the transaction that records its event id (taken once)."""
    record_rating(
        session,
        terminal_id=terminal_id,
        event_id=event.event_id,
        at=event.at,
        payload=event.payload,
    )


def record_rating(
    session: Session,
    *,
    terminal_id: str,
    event_id: str,
    at: dt.datetime,
    payload: RatingPayload,
) -> None:
    """Store one rating in the caller's transaction (the event channel keeps repeats out)."""
    session.add(
        Rating(
            kiosk_id=terminal_id,
            event_id=event_id,
            rated_at=at,
            level=payload.level,
            reasons=list(payload.reasons),
            item_id=payload.item_id,
            case_number=payload.case_number,
            journey=payload.journey,
            visit_seconds=payload.visit_seconds,
        )
    )
