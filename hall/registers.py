"""The shared-data registers ("一网共享") that instant decisions read, by name.

Each department's register holds at most one record per person: a JSON object of facts
(``{"status": "normal", "unit": ...}``). An item's catalog entry names the registers it looks up
(``decision.lookups``); adding a register is data (rows with a new ``register`` name), not code.
The social insurance register predates this table and is read from its own
(``social_insurance_records``) under the name ``social_insurance``; the household register
(``residents``) is read here too, for the rules that compare the applicant with it.

No register keeps an ID number or a name in clear: rows are keyed by a keyed hash of the ID
number (``holder_key``) and their facts are sealed (``hall.keys``, AES-GCM bound to the row), so
a copy of the database lists no one. Rows an older hall kept in clear are sealed at the next
start (``seal_legacy_registers``).

Also the per-member results of bundle cases ("一件事一次办"), which have no other table.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall.db import Base, Database, Resident, SocialInsuranceRecord, insert_or_skip
from hall.decisions import InsuranceFacts, ResidentFacts
from hall.keys import Sealer

logger = logging.getLogger(__name__)

SOCIAL_INSURANCE = "social_insurance"
"""The register kept in ``social_insurance_records``."""

REGISTER_NAME_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"

Facts = dict[str, Any]
"""One register record as the decision rules see it: JSON values by field name."""


class RegisterRecord(Base):
    """One person's record in one shared-data register. Personal data, sealed.

    ``id_hash`` is the keyed hash of the ID number (``holder_key``); ``data`` the record's facts
    as a sealed envelope bound to the register and the hash (``record_context``).
    """

    __tablename__ = "register_records"
    __table_args__ = (UniqueConstraint("register", "id_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register: Mapped[str] = mapped_column(String(32))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
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


HOLDER_PURPOSE = "registers.id_number"
"""What the registers' keyed hash of an ID number is for (``Sealer.lookup_hash``).

One purpose for the three register tables, so a resident's insurance records point at their
row; a different one from the submissions' ``holder_hash``, so the two cannot be joined without
the key. The lookup key is not rotated with the data keys (``hall.keys``): the hashes stay.
"""


def holder_key(sealer: Sealer, id_number: str) -> str:
    """The keyed hash the registers store instead of ``id_number``."""
    return sealer.lookup_hash(id_number, HOLDER_PURPOSE)


def resident_context(id_hash: str) -> str:
    """The associated data a resident's sealed row is bound to."""
    return f"residents.data:{id_hash}"


def insurance_context(id_hash: str) -> str:
    """The associated data a social insurance record's sealed facts are bound to."""
    return f"social_insurance_records.data:{id_hash}"


def record_context(register: str, id_hash: str) -> str:
    """The associated data a register record's sealed facts are bound to."""
    return f"register_records.data:{register}:{id_hash}"


# --- Residents and social insurance ---------------------------------------------------------------


def _resident_value(facts: ResidentFacts) -> Facts:
    return {
        "id_number": facts.id_number,
        "name": facts.name,
        "gender": facts.gender,
        "birth_date": facts.birth_date.isoformat(),
        "household_address": facts.household_address,
    }


def _insurance_value(facts: InsuranceFacts) -> Facts:
    return {
        "insured_since": facts.insured_since.isoformat(),
        "unit": facts.unit,
        "category": facts.category,
        "insurance_kinds": list(facts.insurance_kinds),
        "months_paid": facts.months_paid,
        "status": facts.status,
    }


def resident(session: Session, sealer: Sealer, id_number: str) -> ResidentFacts | None:
    """What the household register says about ``id_number`` (``None``: not a resident here)."""
    id_hash = holder_key(sealer, id_number)
    row = session.get(Resident, id_hash)
    if row is None:
        return None
    value = sealer.open(row.data, resident_context(id_hash))
    return ResidentFacts(
        id_number=str(value["id_number"]),
        name=str(value["name"]),
        gender=str(value["gender"]),
        birth_date=dt.date.fromisoformat(value["birth_date"]),
        household_address=str(value["household_address"]),
    )


def put_resident(session: Session, sealer: Sealer, facts: ResidentFacts) -> int:
    """Make the register's row for ``facts.id_number`` say ``facts``; 1 when it changed."""
    id_hash = holder_key(sealer, facts.id_number)
    value = _resident_value(facts)
    row = session.get(Resident, id_hash)
    if row is None:
        session.add(Resident(id_hash=id_hash, data=sealer.seal(value, resident_context(id_hash))))
        session.flush()  # insurance records point at it
        return 1
    if sealer.open(row.data, resident_context(id_hash)) == value:
        return 0
    row.data = sealer.seal(value, resident_context(id_hash))
    return 1


def insurance_records(session: Session, sealer: Sealer, id_number: str) -> list[InsuranceFacts]:
    """The person's social insurance records in this district, oldest first."""
    id_hash = holder_key(sealer, id_number)
    rows = session.scalars(
        select(SocialInsuranceRecord)
        .where(SocialInsuranceRecord.id_hash == id_hash)
        .order_by(SocialInsuranceRecord.id)
    ).all()
    return [
        _insurance_facts(id_number, sealer.open(r.data, insurance_context(id_hash))) for r in rows
    ]


def _insurance_facts(id_number: str, value: Facts) -> InsuranceFacts:
    return InsuranceFacts(
        id_number=id_number,
        insured_since=dt.date.fromisoformat(value["insured_since"]),
        unit=str(value["unit"]),
        category=str(value["category"]),
        insurance_kinds=tuple(str(kind) for kind in value["insurance_kinds"]),
        months_paid=int(value["months_paid"]),
        status=str(value["status"]),
    )


def insurance(session: Session, sealer: Sealer, id_number: str) -> InsuranceFacts | None:
    """The record decisions read: the active one, else the oldest (``None``: no record)."""
    records = insurance_records(session, sealer, id_number)
    if not records:
        return None
    return next((r for r in records if r.active), records[0])


def put_insurance(
    session: Session, sealer: Sealer, id_number: str, facts: InsuranceFacts | None
) -> int:
    """Make the person's one insurance record be ``facts`` (``None``: none); rows changed.

    The person must be in the household register already (``put_resident``).
    """
    id_hash = holder_key(sealer, id_number)
    context = insurance_context(id_hash)
    rows = session.scalars(
        select(SocialInsuranceRecord)
        .where(SocialInsuranceRecord.id_hash == id_hash)
        .order_by(SocialInsuranceRecord.id)
    ).all()
    keep = rows[:1] if facts is not None else []
    changed = 0
    for extra in rows[len(keep) :]:
        session.delete(extra)
        changed += 1
    if facts is None:
        return changed
    value = _insurance_value(facts)
    if not keep:
        session.add(SocialInsuranceRecord(id_hash=id_hash, data=sealer.seal(value, context)))
        return changed + 1
    if sealer.open(keep[0].data, context) != value:
        keep[0].data = sealer.seal(value, context)
        changed += 1
    return changed


def _social_insurance(session: Session, sealer: Sealer, id_number: str) -> Facts | None:
    record = insurance(session, sealer, id_number)
    if record is None:
        return None
    return {
        "unit": record.unit,
        "category": record.category,
        "status": record.status,
        "months_paid": record.months_paid,
        "insured_since": f"{record.insured_since:%Y-%m}",
        "insurance_kinds": "、".join(record.insurance_kinds),
    }


# --- The generic registers ------------------------------------------------------------------------


def lookup(
    session: Session, sealer: Sealer, registers: Iterable[str], id_number: str
) -> dict[str, Facts | None]:
    """Each named register's record for ``id_number`` (``None``: the register has none)."""
    names = list(dict.fromkeys(registers))
    found: dict[str, Facts | None] = dict.fromkeys(names)
    generic = [name for name in names if name != SOCIAL_INSURANCE]
    if SOCIAL_INSURANCE in found:
        found[SOCIAL_INSURANCE] = _social_insurance(session, sealer, id_number)
    if generic:
        id_hash = holder_key(sealer, id_number)
        rows = session.scalars(
            select(RegisterRecord).where(
                RegisterRecord.id_hash == id_hash, RegisterRecord.register.in_(generic)
            )
        ).all()
        for row in rows:
            found[row.register] = dict(sealer.open(row.data, record_context(row.register, id_hash)))
    return found


def put(session: Session, sealer: Sealer, register: str, id_number: str, data: Facts | None) -> int:
    """Make the person's record in ``register`` be ``data`` (``None``: none); 1 when it changed."""
    id_hash = holder_key(sealer, id_number)
    context = record_context(register, id_hash)
    row = session.scalar(
        select(RegisterRecord).where(
            RegisterRecord.register == register, RegisterRecord.id_hash == id_hash
        )
    )
    if data is None:
        if row is None:
            return 0
        session.delete(row)
        return 1
    if row is None:
        session.add(
            RegisterRecord(
                register=register, id_hash=id_hash, data=sealer.seal(dict(data), context)
            )
        )
        return 1
    if sealer.open(row.data, context) == data:
        return 0
    row.data = sealer.seal(dict(data), context)
    return 1


# --- Registers from before sealing ----------------------------------------------------------------

LEGACY_TABLES = (
    "legacy_residents",
    "legacy_social_insurance_records",
    "legacy_register_records",
)
"""Where migration 0010 left the clear rows of an older hall, for the next start to seal."""

_LEGACY_LOCK = 0x6B696F736B726567
"""PostgreSQL advisory lock id: one process converts the legacy tables, the others wait."""


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_json(value: Any) -> Any:
    """A JSON column's value read with plain SQL: SQLite gives its text, PostgreSQL the value."""
    return json.loads(value) if isinstance(value, str | bytes) else value


LegacyConverter = Callable[[Session, Sealer, set[str]], int]
"""Seals the rows of the ``legacy_*`` tables present (given) into their new home; rows done."""


def convert_legacy(
    db: Database, sealer: Sealer, tables: Iterable[str], convert: LegacyConverter, what: str
) -> int:
    """Run ``convert`` over the ``legacy_*`` tables of ``tables`` still there, then drop them.

    One write transaction converts and drops, so a crash leaves them whole for the next start,
    and two processes starting at once convert them once (on PostgreSQL an advisory lock, on
    SQLite the write lock). On SQLite the file is then vacuumed and its write-ahead log emptied,
    so no page of the clear rows stays in either. Returns the rows converted.
    """
    wanted = set(tables)
    if not any(inspect(db.engine).has_table(table) for table in wanted):
        return 0
    with db.write() as session:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LEGACY_LOCK})
        present = set(inspect(connection).get_table_names()) & wanted
        converted = convert(session, sealer, present) if present else 0
        session.flush()
        for table in sorted(present):
            connection.execute(text(f"DROP TABLE {table}"))
    if not present:
        return 0  # another process converted them meanwhile
    if db.engine.dialect.name == "sqlite":
        _vacuum(db)
    logger.info("sealed %d %s left in clear by an older hall", converted, what)
    return converted


def seal_legacy_registers(db: Database, sealer: Sealer) -> int:
    """Seal the clear register rows an older hall left (migration 0010); rows converted."""
    return convert_legacy(db, sealer, LEGACY_TABLES, _convert_registers, "register rows")


_CONVERT_BATCH = 1000
"""Legacy rows read and written per statement while converting."""


def _pages(connection: Any, table: str, key: str, columns: str) -> Iterator[Sequence[Any]]:
    """The rows of a legacy table in pages of ``_CONVERT_BATCH``, by ``key`` (first column)."""
    last: Any = None
    while True:
        where = "" if last is None else f" WHERE {key} > :last"
        # The names are this module's constants, never input.
        query = f"SELECT {key}, {columns} FROM {table}{where}"  # noqa: S608
        query += f" ORDER BY {key} LIMIT {_CONVERT_BATCH}"
        rows = connection.execute(text(query), {"last": last}).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _convert_registers(session: Session, sealer: Sealer, present: set[str]) -> int:
    """Bulk inserts, a page at a time (a district's register is hundreds of thousands of rows)."""
    connection = session.connection()
    converted = 0
    if "legacy_residents" in present:
        statement = insert_or_skip(session, Resident).on_conflict_do_nothing(
            index_elements=[Resident.id_hash]
        )
        for rows in _pages(
            connection,
            "legacy_residents",
            "id_number",
            "name, gender, birth_date, household_address",
        ):
            values = []
            for number, name, gender, born, address in rows:
                resident = ResidentFacts(
                    str(number), str(name), str(gender), _as_date(born), str(address)
                )
                id_hash = holder_key(sealer, resident.id_number)
                value = sealer.seal(_resident_value(resident), resident_context(id_hash))
                values.append({"id_hash": id_hash, "data": value})
            connection.execute(statement, values)
            converted += len(rows)
    if "legacy_social_insurance_records" in present:
        columns = "id_number, insured_since, unit, category, insurance_kinds, months_paid, status"
        for rows in _pages(connection, "legacy_social_insurance_records", "id", columns):
            values = []
            for _id, number, since, unit, category, kinds, months, status in rows:
                id_hash = holder_key(sealer, str(number))
                facts = InsuranceFacts(
                    id_number=str(number),
                    insured_since=_as_date(since),
                    unit=str(unit),
                    category=str(category),
                    insurance_kinds=tuple(as_json(kinds)),
                    months_paid=int(months),
                    status=str(status),
                )
                value = sealer.seal(_insurance_value(facts), insurance_context(id_hash))
                values.append({"id_hash": id_hash, "data": value})
            connection.execute(insert(SocialInsuranceRecord), values)
            converted += len(rows)
    if "legacy_register_records" in present:
        statement = insert_or_skip(session, RegisterRecord).on_conflict_do_nothing(
            index_elements=[RegisterRecord.register, RegisterRecord.id_hash]
        )
        for rows in _pages(
            connection, "legacy_register_records", "id", "register, id_number, data"
        ):
            values = []
            for _id, register, number, data in rows:
                id_hash = holder_key(sealer, str(number))
                value = sealer.seal(dict(as_json(data)), record_context(str(register), id_hash))
                values.append({"register": str(register), "id_hash": id_hash, "data": value})
            connection.execute(statement, values)
            converted += len(rows)
    return converted


def _vacuum(db: Database) -> None:
    """Rebuild the SQLite file (freed pages still hold the clear rows) and empty its log."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()  # autocommit: the hall's connections leave BEGIN to SQLAlchemy
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except sqlite3.OperationalError as err:
        # Another worker kept the file busy past the busy timeout. The deleted rows were
        # overwritten already (secure_delete); the vacuum only makes sure of it.
        logger.warning("could not vacuum the database after sealing its registers: %s", err)
    finally:
        raw.close()


def iso(day: dt.date) -> str:
    """A date as registers store it."""
    return day.isoformat()
