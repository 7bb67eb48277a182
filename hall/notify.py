"""Telling a citizen their case is decided: a phone number sealed at rest, a gateway port.

A terminal sends the number the citizen typed as a ``case_contact`` event (sealed in its own
queue until delivered). The hall seals it again (AES-GCM, the case number bound as associated
data, a key of its own in ``data_dir``) and, once the case is decided, queues one notification
and hands it to the gateway: :class:`HttpSmsGateway` (a provider's HTTP API) or
:class:`FileGateway` (the demo's and the tests' stand-in, one JSON line per message, the number
masked). A dispatcher thread started with the app delivers what is due; a failed send is retried
with the attempts counted, and logged by case number only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import requests
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall import events
from hall.collect_schema import CaseContactPayload, mask_phone
from hall.db import Base, Database, Submission, UtcDateTime
from hall.events import EventRejected, Received

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class NotifyError(Exception):
    """A gateway could not take a message now."""


class NotifySettings(BaseSettings):
    """``HALL_NOTIFY_*``: which gateway, and how often the dispatcher looks."""

    model_config = SettingsConfigDict(env_prefix="HALL_NOTIFY_")

    gateway: str = "file"
    """``file`` (``file_path``, default ``<data_dir>/notifications.jsonl``) or an ``http(s)://``
    SMS gateway URL taking ``{"to", "text"}`` JSON with ``token`` as a bearer token."""
    file_path: Path | None = None
    token: str = ""
    poll_s: float = 2.0


class Gateway(Protocol):
    """Where a message goes out."""

    def send(self, phone: str, text: str, case_number: str) -> None:
        """Send one message; ``NotifyError`` when it could not be taken now."""
        ...


class FileGateway:
    """The demo's gateway: one JSON line per message, the number masked, fsynced."""

    def __init__(self, path: Path) -> None:
        """Append to ``path``."""
        self.path = path

    def send(self, phone: str, text: str, case_number: str) -> None:
        """Write the message's line."""
        line = {"to": mask_phone(phone), "case": case_number, "text": text}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as err:
            raise NotifyError(f"cannot write {self.path}") from err


class HttpSmsGateway:
    """A provider's HTTP SMS API: ``POST {"to", "text"}`` with a bearer token."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        """Send to ``url``."""
        self.url = url
        self._token = token
        self._timeout = timeout

    def send(self, phone: str, text: str, case_number: str) -> None:
        """Post the message; any non-2xx answer or network failure is a ``NotifyError``."""
        try:
            response = requests.post(
                self.url,
                json={"to": phone, "text": text, "reference": case_number},
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
            )
        except requests.RequestException as err:
            raise NotifyError(type(err).__name__) from err
        if not 200 <= response.status_code < 300:
            raise NotifyError(f"gateway answered HTTP {response.status_code}")


def gateway_from(settings: NotifySettings, data_dir: Path) -> Gateway:
    """The configured gateway."""
    if settings.gateway.startswith(("http://", "https://")):
        return HttpSmsGateway(settings.gateway, settings.token)
    if settings.gateway != "file":
        raise ValueError("HALL_NOTIFY_GATEWAY must be 'file' or an http(s) URL")
    return FileGateway(settings.file_path or data_dir / "notifications.jsonl")


class PhoneSeal:
    """AES-GCM for phone numbers, the case number bound to each; key file made 0600 if missing."""

    def __init__(self, key: bytes) -> None:
        """Use a 32-byte key."""
        self._aead = AESGCM(key)

    @classmethod
    def from_key_file(cls, path: Path) -> PhoneSeal:
        """Load the key, or make one readable by the owner only."""
        try:
            return cls(path.read_bytes())
        except FileNotFoundError:
            pass
        key = AESGCM.generate_key(bit_length=256)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
                handle.flush()
                os.fsync(handle.fileno())
        return cls(path.read_bytes())

    def seal(self, phone: str, case_number: str) -> bytes:
        """Nonce and ciphertext."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, phone.encode(), case_number.encode())

    def open(self, sealed: bytes, case_number: str) -> str:
        """The phone number back."""
        return self._aead.decrypt(sealed[:12], sealed[12:], case_number.encode()).decode()


class CaseContact(Base):
    """A phone number to tell about one case, sealed; its notification's state."""

    __tablename__ = "case_contacts"

    case_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    phone_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), index=True)
    """``waiting`` (case open), ``queued``, ``sent`` or ``failed``."""
    attempts: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


_SEAL: dict[str, PhoneSeal] = {}
"""The running hall's seal (set at start; the event handler runs inside the app)."""


@events.handles("case_contact", CaseContactPayload)
def take_case_contact(
    session: Session, terminal_id: str, event: Received[CaseContactPayload]
) -> None:
    """Keep the number sealed; the dispatcher sends once the case is decided."""
    seal = _SEAL.get("seal")
    if seal is None:
        raise RuntimeError("the notify seal is not loaded")  # the terminal retries
    contact = event.payload
    if session.get(CaseContact, contact.case_number) is not None:
        raise EventRejected("contact_exists")
    session.add(
        CaseContact(
            case_number=contact.case_number,
            phone_sealed=seal.seal(contact.phone, contact.case_number),
            kiosk_id=terminal_id,
            created_at=event.received_at,
            state="waiting",
            attempts=0,
        )
    )
    logger.info("case %s: a contact number was left", contact.case_number)


_TEXTS = {
    "approved": "【政务服务】您的办件{case}已办结，请凭回执或身份证到任一自助机查询、打印。",
    "refused": "【政务服务】您的办件{case}未予批准，原因可凭回执或身份证在自助机查询。",
}


def deliver_due(db: Database, gateway: Gateway, seal: PhoneSeal, now: dt.datetime) -> int:
    """Send what is due: contacts whose case is decided. Returns how many were sent."""
    with db.read() as session:
        rows = session.execute(
            select(CaseContact.case_number, Submission.status)
            .join(Submission, Submission.case_number == CaseContact.case_number)
            .where(CaseContact.state.in_(("waiting", "queued")))
            .where(Submission.status.in_(("approved", "refused")))
        ).all()
    sent = 0
    for case_number, status in rows:
        with db.write() as session:
            # Several ``serve --workers`` processes each run a dispatcher: the row lock (SQLite:
            # the writer lock) lets one of them send it; the others skip it or see it sent.
            contact = session.scalar(
                select(CaseContact)
                .where(CaseContact.case_number == case_number)
                .with_for_update(skip_locked=True)
            )
            if contact is None or contact.state not in ("waiting", "queued"):
                continue
            contact.state = "queued"
            contact.attempts += 1
            try:
                phone = seal.open(contact.phone_sealed, case_number)
            except InvalidTag:
                # Sealed under another key (a lost key file): no retry can read it.
                contact.state = "failed"
                contact.last_error = "sealed under another key"
                logger.error("case %s: contact number unreadable", case_number)
                continue
            try:
                gateway.send(phone, _TEXTS[status].format(case=case_number), case_number)
            except NotifyError as err:
                contact.last_error = str(err)[:200]
                if contact.attempts >= MAX_ATTEMPTS:
                    contact.state = "failed"
                logger.warning("case %s: notification not sent (%s)", case_number, err)
                continue
            contact.state = "sent"
            contact.sent_at = now
            contact.last_error = None
            sent += 1
            logger.info("case %s: decision notified", case_number)
    return sent


class Dispatcher:
    """A thread that delivers due notifications every ``poll_s`` until stopped."""

    def __init__(self, db: Database, gateway: Gateway, seal: PhoneSeal, poll_s: float) -> None:
        """Nothing runs until ``start``."""
        self._db, self._gateway, self._seal, self._poll_s = db, gateway, seal, poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-notify", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop and join it."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                deliver_due(self._db, self._gateway, self._seal, dt.datetime.now(dt.UTC))
            except Exception as err:
                logger.error("notification round failed: %s", type(err).__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    with _dispatching(app):
        yield


@contextlib.contextmanager
def _dispatching(app: FastAPI) -> Iterator[None]:
    data_dir: Path = app.state.data_dir
    settings = NotifySettings()
    seal = PhoneSeal.from_key_file(data_dir / "notify.key")
    _SEAL["seal"] = seal
    dispatcher = Dispatcher(
        app.state.database, gateway_from(settings, data_dir), seal, settings.poll_s
    )
    dispatcher.start()
    try:
        yield
    finally:
        dispatcher.stop()


router = APIRouter(lifespan=_lifespan)
"""No routes: the lifespan runs the dispatcher beside the app (contacts come as events)."""
