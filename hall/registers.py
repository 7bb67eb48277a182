"""The shared-data registers ("一网共享") that instant decisions read, by name.

Each department's register holds at most one record per person: a JSON object of facts
(``{"status": "normal", "unit": ...}``). An item's catalog entry names the registers it looks up
(``decision.lookups``); adding a register is data (rows with a new ``register`` name), not code.
The social insurance register predates this table and is read from its own
(``social_insurance_records``) under the name ``social_insurance``.

Also the per-member results of bundle cases ("一件事一次办"), which have no other table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall.db import Base, SocialInsuranceRecord

SOCIAL_INSURANCE = "social_insurance"
"""The register kept in ``social_insurance_records``."""

REGISTER_NAME_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"

Facts = dict[str, Any]
"""One register record as the decision rules see it: JSON values by field name."""


class RegisterRecord(Base):
    """One person's record in one shared-data register. Personal data."""

    __tablename__ = "register_records"
    __table_args__ = (UniqueConstraint("register", "id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BundleMemberResult(Base):
    """One member item's result in a bundle case; ``body`` is its ``MemberResultPublic``."""

    __tablename__ = "bundle_member_results"
    __table_args__ = (UniqueConstraint("submission_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


def _social_insurance(session: Session, id_number: str) -> Facts | None:
    records = session.scalars(
        select(SocialInsuranceRecord)
        .where(SocialInsuranceRecord.id_number == id_number)
        .order_by(SocialInsuranceRecord.id)
    ).all()
    if not records:
        return None
    record = next((r for r in records if r.status == "active"), records[0])
    return {
        "unit": record.unit,
        "category": record.category,
        "status": record.status,
        "months_paid": record.months_paid,
        "insured_since": f"{record.insured_since:%Y-%m}",
        "insurance_kinds": "、".join(record.insurance_kinds),
    }


def lookup(session: Session, registers: Iterable[str], id_number: str) -> dict[str, Facts | None]:
    """Each named register's record for ``id_number`` (``None``: the register has none)."""
    names = list(dict.fromkeys(registers))
    found: dict[str, Facts | None] = dict.fromkeys(names)
    generic = [name for name in names if name != SOCIAL_INSURANCE]
    if SOCIAL_INSURANCE in found:
        found[SOCIAL_INSURANCE] = _social_insurance(session, id_number)
    if generic:
        rows = session.scalars(
            select(RegisterRecord).where(
                RegisterRecord.id_number == id_number, RegisterRecord.register.in_(generic)
            )
        ).all()
        for row in rows:
            found[row.register] = dict(row.data)
    return found


def put(session: Session, register: str, id_number: str, data: Facts | None) -> int:
    """Make the person's record in ``register`` be ``data`` (``None``: none); 1 when it changed."""
    row = session.scalar(
        select(RegisterRecord).where(
            RegisterRecord.register == register, RegisterRecord.id_number == id_number
        )
    )
    if data is None:
        if row is None:
            return 0
        session.delete(row)
        return 1
    if row is None:
        session.add(RegisterRecord(register=register, id_number=id_number, data=dict(data)))
        return 1
    if row.data == data:
        return 0
    row.data = dict(data)
    return 1


def iso(day: dt.date) -> str:
    """A date as registers store it."""
    return day.isoformat()
