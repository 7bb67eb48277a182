"""The hall's database: typed SQLAlchemy 2.0 models and the engine set-up.

The models use portable column types only, so the same schema runs on SQLite (the embedded
default) and PostgreSQL (a fleet). SQLite specifics (WAL, foreign keys, ``BEGIN IMMEDIATE`` for
writers) live in the engine set-up, not in the models. The schema is made and changed by Alembic
migrations (``hall/migrations``, ``kiosk-hall migrate``), never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    false,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.expression import Executable

from hall import migrations
from hall.settings import DEFAULT_POOL_SIZE

_IMMEDIATE = "hall_begin_immediate"
"""Execution option: this engine's transactions take SQLite's write lock at BEGIN."""


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC; read back aware (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """The hall's declarative base; constraints get stable names so migrations can alter them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Submission(Base):
    """One case as the hall received it; the first result per idempotency key is kept."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    """``accepted``, ``approved`` or ``refused``."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The submission as sent, sealed (``hall.keys``: AES-GCM envelope bound to the case number)."""
    tolerated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Taken under the citizen's commitment (容缺受理); for the daily table, in the clear."""
    holder_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """HMAC of the applicant's ID number (``Sealer.lookup_hash``): finds a holder's cases while
    the payload stays sealed."""
    visit_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    """How long the citizen's visit took at the terminal, when it says (not personal data)."""
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """When the hall finished taking the case in; ``None`` while a request is processing it."""
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """While processing: after this instant a retry may take the unfinished case over."""

    decision: Mapped[Decision | None] = relationship(back_populates="submission")
    certificate: Mapped[Certificate | None] = relationship(back_populates="submission")
    stages: Mapped[list[CaseStage]] = relationship(
        back_populates="submission", order_by="CaseStage.id"
    )


class Decision(Base):
    """The hall's decision on a case."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    submission: Mapped[Submission] = relationship(back_populates="decision")


class Certificate(Base):
    """A certificate issued for an approved case; ``body`` is the ``CertificatePublic`` as sent."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[str] = mapped_column(String(32), unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    kid: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship(back_populates="certificate")


class CaseStage(Base):
    """One stage of a case with its own clock ("环节分段计时")."""

    __tablename__ = "case_stages"
    __table_args__ = (UniqueConstraint("case_number", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("submissions.case_number"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="stages")


class Sequence(Base):
    """Named counters, e.g. the daily certificate serial per id prefix."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class TerminalHeartbeat(Base):
    """The latest heartbeat of each terminal (older ones are overwritten: the dashboard's view)."""

    __tablename__ = "terminal_heartbeats"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The ``HeartbeatCreate`` as sent (no personal data)."""


# --- Terminal identity -------------------------------------------------------------------------


class Terminal(Base):
    """An enrolled terminal: its id, its site, and the Ed25519 key that signs its requests."""

    __tablename__ = "terminals"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site: Mapped[str | None] = mapped_column(String(200), nullable=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class EnrolmentCode(Base):
    """A one-time enrolment code: only its hash is kept; it works once, before ``expires_at``."""

    __tablename__ = "enrolment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    site: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RequestNonce(Base):
    """A signature nonce already seen (replay protection across worker processes)."""

    __tablename__ = "request_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


# --- Shared data ("一网共享") -------------------------------------------------------------------


class Resident(Base):
    """A resident as the household register knows them. Personal data, sealed.

    Keyed by the keyed hash of the ID number (``hall.registers.holder_key``), never the number;
    ``data`` is the ``ResidentFacts`` (ID number, name, sex, birth date, address) as a sealed
    envelope bound to the hash (``hall.registers.resident_context``).
    """

    __tablename__ = "residents"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    insurance_records: Mapped[list[SocialInsuranceRecord]] = relationship(back_populates="resident")


class SocialInsuranceRecord(Base):
    """A person's social insurance enrolment in this district. Personal data, sealed.

    ``data`` holds the enrolment (``insured_since``, ``unit``, ``category`` employee or retiree,
    ``insurance_kinds``, ``months_paid``, ``status`` active, suspended or terminated) as a sealed
    envelope bound to the holder's hash (``hall.registers.insurance_context``).
    """

    __tablename__ = "social_insurance_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_hash: Mapped[str] = mapped_column(ForeignKey("residents.id_hash"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    resident: Mapped[Resident] = relationship(back_populates="insurance_records")


# --- Engine --------------------------------------------------------------------------------------


def make_engine(database_url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Build the engine; on SQLite: WAL, foreign keys, full sync, writers BEGIN IMMEDIATE.

    ``BEGIN IMMEDIATE`` matters because a deferred transaction that reads and then writes can fail
    with "database is locked" at once instead of waiting, when another writer got there first.
    """
    is_sqlite = database_url.startswith("sqlite")
    connect_args: dict[str, Any] = {}
    if is_sqlite:
        # Requests run on a thread pool; the pool hands one connection to one thread at a time.
        connect_args = {"check_same_thread": False, "timeout": 15.0}
    # Parameters hold personal data: keep them out of error messages and tracebacks in logs.
    pooling: dict[str, Any] = {}
    if ":memory:" not in database_url and database_url.rstrip("/") != "sqlite:":
        # One connection per request thread (FastAPI's pool of 40); none beyond, so the
        # database sees a known number per worker process.
        pooling = {"pool_size": pool_size, "max_overflow": 0}
    engine = create_engine(database_url, connect_args=connect_args, hide_parameters=True, **pooling)
    if is_sqlite:
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN out of pysqlite's hands so that the "begin" hook below decides its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # The hall is the record of every case: a power cut must not lose a committed one.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=15000")
        # Deleted rows (personal data among them) are overwritten, not left in free pages; the
        # default of Debian's build, said here for SQLite builds where it is not.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def utc_now() -> dt.datetime:
    """Return the current time, aware, in UTC (the hall's default clock)."""
    return dt.datetime.now(dt.UTC)


def database_now(session: Session) -> dt.datetime:
    """The database server's clock, aware UTC: leases are compared against it, not the hall's.

    A hall restarted with a wrong wall clock then still sees a dead request's claim run out
    within the lease time. SQLite (in-process) reads the same system clock, to the millisecond.
    """
    if session.get_bind().dialect.name == "sqlite":
        text = session.scalar(select(func.strftime("%Y-%m-%d %H:%M:%f", "now")))
        return dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC)
    value = session.scalar(select(func.now()))
    assert isinstance(value, dt.datetime)
    return value.astimezone(dt.UTC)


def insert_or_skip(session: Session, table: type[Base]) -> Any:
    """``INSERT ... ON CONFLICT`` for this session's dialect (SQLite or PostgreSQL).

    Rows made on first sight are upserted in one statement, never read and then inserted: two
    writers that meet on a unique key then wait for each other instead of one failing.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


class Database:
    """The engine plus short read and write sessions, one per unit of work (thread-safe)."""

    def __init__(self, database_url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.engine = make_engine(database_url, pool_size=pool_size)
        self._writer = self.engine.execution_options(**{_IMMEDIATE: True})

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic); a database at head is left alone."""
        migrations.upgrade(self.engine)

    def schema_revision(self) -> str | None:
        """The schema revision the database is at (``None``: never migrated)."""
        return migrations.current_revision(self.engine)

    def schema_problem(self) -> str | None:
        """Why this database cannot be served yet, in one line; ``None`` when it is at head."""
        return migrations.schema_problem(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Open a session for reading; its transaction is rolled back at the end."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Open a session whose transaction commits at the end, or rolls back on an exception."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    def upsert_heartbeats(self) -> Executable:
        """``INSERT ... ON CONFLICT (kiosk_id) DO UPDATE`` of heartbeat rows, for this dialect."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(TerminalHeartbeat)
        return statement.on_conflict_do_update(
            index_elements=[TerminalHeartbeat.kiosk_id],
            set_={"received_at": statement.excluded.received_at, "body": statement.excluded.body},
        )

    def dispose(self) -> None:
        """Close pooled connections (the engine stays usable and reconnects on demand)."""
        self.engine.dispose()

    def count_submissions(
        self, *, case_number: str | None = None, idempotency_key: str | None = None
    ) -> int:
        """Count stored submissions with this case number and/or idempotency key."""
        query = select(func.count()).select_from(Submission)
        if case_number is not None:
            query = query.where(Submission.case_number == case_number)
        if idempotency_key is not None:
            query = query.where(Submission.idempotency_key == idempotency_key)
        with self.read() as session:
            return int(session.scalar(query) or 0)
