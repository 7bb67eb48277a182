"""The hall's staff: accounts, password hashes, login sessions and login throttling.

These are for people at the dashboard, never for terminals: a staff session is a cookie checked
against a server-side row, a terminal is an Ed25519 key (``hall.auth``), and neither is accepted
in place of the other. Passwords are hashed with scrypt (RFC 7914) and a per-account salt; a
session token and the CSRF token are random, and only the session token's SHA-256 is stored, so a
copy of the database opens no session. Log lines name staff accounts, never passwords or tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hall.db import Base, Database, UtcDateTime, utc_now

logger = logging.getLogger(__name__)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A staff account's name: what the login form and ``kiosk-hall staff add NAME`` take."""
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
SESSION_LIFETIME = dt.timedelta(hours=12)
"""A session lasts one shift at most, however active."""
SESSION_IDLE = dt.timedelta(hours=2)
"""A session unused for this long ends (the wall display refreshes well within it)."""
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5
"""Failed logins per account name, and per client address, within the window before refusal."""

# scrypt's cost: N=2**15, r=8, p=1 takes 32 MiB (128 * r * N bytes) and about 0.1 s per hash on
# one core, enough to make a stolen hash costly while a login stays quick.
_SCRYPT_N = 2**15
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


class StaffError(Exception):
    """The root of the staff module's errors."""


class InvalidStaffInputError(StaffError):
    """A name or password that does not meet the rules (the message says which)."""


class StaffExistsError(StaffError):
    """An account with this name exists already."""


class LoginRefusedError(StaffError):
    """Wrong name or password (the message never says which)."""


class LoginThrottledError(StaffError):
    """Too many failed logins for this name or address: wait, then try again."""

    def __init__(self, retry_after: dt.timedelta) -> None:
        super().__init__("too many failed logins; try again later")
        self.retry_after = retry_after


class StaffMember(Base):
    """A person who may log in to the dashboard."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A logged-in browser: the SHA-256 of its cookie's token, its CSRF token, its expiry."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class LoginFailure(Base):
    """One failed login, by account name (``name:...``) and by client address (``addr:...``)."""

    __tablename__ = "staff_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a fresh salt: ``scrypt$N$r$p$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a hash made by :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFKC so the same password typed on another keyboard layout (full-width digits) matches.
    data = unicodedata.normalize("NFKC", password).encode()
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY_HASH = (
    "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)
"""Checked against for an unknown name, so that a missing account costs the same time."""


def check_name(name: str) -> str:
    """Return the name when it is a valid account name; ``InvalidStaffInputError`` otherwise."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise InvalidStaffInputError(
            "a staff name is 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    """Return the password when it is long enough and printable; ``InvalidStaffInputError``."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidStaffInputError(
            f"a staff password has at least {PASSWORD_MIN_LENGTH} characters"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidStaffInputError(
            f"a staff password has at most {PASSWORD_MAX_LENGTH} characters"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in password):
        raise InvalidStaffInputError("a staff password has no control characters")
    return password


@dataclass(frozen=True)
class ActiveSession:
    """A valid staff session as a request sees it."""

    staff_name: str
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class NewSession:
    """A session just opened: the cookie's token (never stored) and the session's facts."""

    token: str
    session: ActiveSession


class StaffService:
    """Accounts, logins and sessions over the hall's database (thread-safe, no state of its own)."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._db = db
        self._clock = clock

    def add(self, name: str, password: str) -> None:
        """Create an account; ``StaffExistsError`` when the name is taken."""
        check_name(name)
        check_password(password)
        hashed = hash_password(password)
        try:
            with self._db.write() as session:
                session.add(StaffMember(name=name, password_hash=hashed, created_at=self._clock()))
        except IntegrityError:
            raise StaffExistsError(f"a staff account named {name} exists already") from None
        logger.info("staff account %s added", name)

    def set_password(self, name: str, password: str) -> None:
        """Replace an account's password and end its sessions."""
        check_password(password)
        hashed = hash_password(password)
        with self._db.write() as session:
            member = session.scalar(select(StaffMember).where(StaffMember.name == name))
            if member is None:
                raise InvalidStaffInputError(f"no staff account named {name}")
            member.password_hash = hashed
            session.execute(delete(StaffSession).where(StaffSession.staff_id == member.id))
        logger.info("staff account %s: password changed, sessions ended", name)

    def names(self) -> list[str]:
        """Every account's name, sorted."""
        with self._db.read() as session:
            return list(session.scalars(select(StaffMember.name).order_by(StaffMember.name)))

    def login(self, name: str, password: str, *, client: str) -> NewSession:
        """Open a session for a right name and password.

        Refused with ``LoginThrottledError`` when the name or the client address has had
        :data:`THROTTLE_MAX_FAILURES` failures within :data:`THROTTLE_WINDOW` (checked before the
        password, so a guesser learns nothing more), and with ``LoginRefusedError`` otherwise.
        """
        now = self._clock()
        keys = [f"name:{name[:64].lower()}", f"addr:{client[:64]}"]
        with self._db.read() as session:
            since = now - THROTTLE_WINDOW
            for key in keys:
                failures = session.scalars(
                    select(LoginFailure.failed_at)
                    .where(LoginFailure.key == key, LoginFailure.failed_at > since)
                    .order_by(LoginFailure.failed_at)
                ).all()
                if len(failures) >= THROTTLE_MAX_FAILURES:
                    retry = failures[-THROTTLE_MAX_FAILURES] + THROTTLE_WINDOW - now
                    logger.warning("staff login throttled (%s)", key.split(":")[0])
                    raise LoginThrottledError(max(retry, dt.timedelta(seconds=1)))
            member = session.scalar(select(StaffMember).where(StaffMember.name == name))
        stored = member.password_hash if member is not None else _DUMMY_HASH
        good = verify_password(password, stored) and member is not None
        if not good or member is None:
            with self._db.write() as session:
                session.add_all(LoginFailure(key=key, failed_at=now) for key in keys)
                session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= since))
            logger.info("staff login refused")
            raise LoginRefusedError("wrong name or password")
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        with self._db.write() as session:
            session.add(
                StaffSession(
                    token_hash=_token_hash(token),
                    staff_id=member.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
            )
            session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
            session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        logger.info("staff %s logged in", member.name)
        return NewSession(token, ActiveSession(member.name, csrf, expires))

    def session(self, token: str | None) -> ActiveSession | None:
        """The live session this cookie token opens, touched; ``None`` when none or expired."""
        if not token or len(token) > 128:
            return None
        now = self._clock()
        with self._db.write() as session:
            row = session.get(StaffSession, _token_hash(token))
            if row is None:
                return None
            if row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now:
                session.delete(row)
                return None
            name = session.scalar(select(StaffMember.name).where(StaffMember.id == row.staff_id))
            if name is None:
                return None
            # Touch at most once a minute: a page's assets do not each cost a write.
            if now - row.last_seen_at > dt.timedelta(minutes=1):
                row.last_seen_at = now
            return ActiveSession(name, row.csrf_token, row.expires_at)

    def logout(self, token: str | None) -> None:
        """End the session of this cookie token (nothing when there is none)."""
        if not token:
            return
        with self._db.write() as session:
            session.execute(
                delete(StaffSession).where(StaffSession.token_hash == _token_hash(token))
            )

    def count_sessions(self) -> int:
        """Sessions stored (live or not yet pruned)."""
        with self._db.read() as session:
            return int(session.scalar(select(func.count()).select_from(StaffSession)) or 0)
