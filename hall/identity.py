"""Terminal identity on the hall's side: enrolment codes, enrolled keys, revocation, nonces.

A code is shown once and only its SHA-256 is stored; it is spent atomically (a conditional
update), so two enrolments racing with the same code cannot both win. Nonces live in the database
(unique), so a replay is refused whichever worker process sees it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from hall import httpsig
from hall.db import Database, EnrolmentCode, RequestNonce, Terminal, utc_now
from hall.errors import EnrolmentRefusedError, HallError

logger = logging.getLogger(__name__)

DEFAULT_CODE_TTL = dt.timedelta(hours=24)
NONCE_RETENTION = dt.timedelta(seconds=2 * httpsig.MAX_SKEW_SECONDS + 60)
"""A nonce older than this is outside any acceptable ``created`` window: safe to forget."""
_PRUNE_EVERY = 200


class UnknownTerminalError(HallError):
    """No terminal with this id (``kiosk-hall terminals revoke``)."""

    status_code = 404
    code = "unknown_terminal"


@dataclass(frozen=True)
class EnrolledTerminal:
    """What the hall knows of one terminal."""

    kiosk_id: str
    site: str | None
    key_id: str
    public_key: bytes
    enrolled_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def revoked(self) -> bool:
        """Whether the terminal has been revoked."""
        return self.revoked_at is not None


def hash_code(code: str) -> str:
    """Return the stored form of an enrolment code (whitespace and dashes ignored, any case)."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(b"gov-kiosk enrolment code\x00" + normal.encode()).hexdigest()


def parse_ttl(text: str) -> dt.timedelta:
    """Parse ``90s``, ``30m``, ``24h`` or ``7d``; raises ``ValueError``."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"not a duration like 24h or 30m: {text!r}")
    seconds = int(text[:-1]) * units[text[-1]]
    if seconds <= 0:
        raise ValueError("the duration must be positive")
    return dt.timedelta(seconds=seconds)


def _public(row: Terminal) -> EnrolledTerminal:
    return EnrolledTerminal(
        row.kiosk_id, row.site, row.key_id, row.public_key, row.enrolled_at, row.revoked_at
    )


class IdentityService:
    """Enrolment, lookup by key id, revocation and nonce bookkeeping over the hall's database."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._db = db
        self._clock = clock
        self._inserted = 0

    def create_code(
        self, kiosk_id: str, *, site: str | None = None, ttl: dt.timedelta = DEFAULT_CODE_TTL
    ) -> str:
        """Make a one-time enrolment code for ``kiosk_id``; the code itself is never stored."""
        if not kiosk_id or len(kiosk_id) > 64:
            raise ValueError("a kiosk id has 1 to 64 characters")
        raw = secrets.token_bytes(10)
        code = base64.b32encode(raw).decode()  # 16 characters of A-Z2-7
        code = "-".join(code[i : i + 4] for i in range(0, 16, 4))
        now = self._clock()
        with self._db.write() as session:
            session.add(
                EnrolmentCode(
                    code_hash=hash_code(code),
                    kiosk_id=kiosk_id,
                    site=site,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
        logger.info("enrolment code made for terminal %s", kiosk_id)
        return code

    def enrol(self, code: str, public_key_b64: str) -> EnrolledTerminal:
        """Spend ``code`` and register the key for its terminal (replacing an older key).

        Raises ``EnrolmentRefusedError`` for an unknown, used or expired code or a bad key.
        """
        try:
            public_key = base64.b64decode(public_key_b64, validate=True)
            Ed25519PublicKey.from_public_bytes(public_key)
        except (binascii.Error, ValueError) as err:
            raise EnrolmentRefusedError("the public key is not a raw Ed25519 key") from err
        key_id = httpsig.key_id_for(public_key)
        now = self._clock()
        digest = hash_code(code)
        with self._db.write() as session:
            spent = session.execute(
                update(EnrolmentCode)
                .where(
                    EnrolmentCode.code_hash == digest,
                    EnrolmentCode.used_at.is_(None),
                    EnrolmentCode.expires_at > now,
                )
                .values(used_at=now)
            )
            if spent.rowcount != 1:  # type: ignore[attr-defined]
                raise EnrolmentRefusedError("the enrolment code is unknown, used or expired")
            grant = session.get(EnrolmentCode, digest)
            assert grant is not None
            row = session.get(Terminal, grant.kiosk_id)
            if row is None:
                row = Terminal(kiosk_id=grant.kiosk_id, public_key=public_key, key_id=key_id)
                session.add(row)
            row.site = grant.site
            row.public_key = public_key
            row.key_id = key_id
            row.enrolled_at = now
            row.revoked_at = None
            session.flush()
            enrolled = _public(row)
        logger.info("terminal %s enrolled with key %s", enrolled.kiosk_id, key_id)
        return enrolled

    def by_key_id(self, key_id: str) -> EnrolledTerminal | None:
        """The terminal whose current key has this id, if any."""
        with self._db.read() as session:
            row = session.scalar(select(Terminal).where(Terminal.key_id == key_id))
            return None if row is None else _public(row)

    def terminals(self) -> list[EnrolledTerminal]:
        """Every enrolled terminal, by id."""
        with self._db.read() as session:
            return [_public(row) for row in session.scalars(select(Terminal).order_by("kiosk_id"))]

    def revoke(self, kiosk_id: str) -> EnrolledTerminal:
        """Revoke a terminal: its next request is refused. Raises ``UnknownTerminalError``."""
        with self._db.write() as session:
            row = session.get(Terminal, kiosk_id)
            if row is None:
                raise UnknownTerminalError(f"no terminal {kiosk_id}")
            if row.revoked_at is None:
                row.revoked_at = self._clock()
            session.flush()
            revoked = _public(row)
        logger.info("terminal %s revoked", kiosk_id)
        return revoked

    def use_nonce(self, nonce: str, key_id: str) -> bool:
        """Record a nonce; ``False`` when it was seen before (a replay)."""
        now = self._clock()
        try:
            with self._db.write() as session:
                session.add(RequestNonce(nonce=nonce, key_id=key_id, seen_at=now))
        except IntegrityError:
            return False
        self._inserted += 1
        if self._inserted % _PRUNE_EVERY == 0:
            self.prune_nonces()
        return True

    def prune_nonces(self) -> int:
        """Forget nonces older than the signature window; returns how many."""
        cutoff = self._clock() - NONCE_RETENTION
        with self._db.write() as session:
            result = session.execute(delete(RequestNonce).where(RequestNonce.seen_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]
