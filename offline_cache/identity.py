"""The terminal's identity: its Ed25519 key pair, its enrolment record, and request signing.

``terminal-key.pem`` (PKCS#8, 0600) and ``enrolment.json`` (the terminal id the hall gave, the key
id, the hall's URL and its pinned certificate keys) live beside the outbox's field key. ``enrol``
makes the key pair when missing, trades a one-time code for the registration (that call's only
credential is the code) and writes the record. :class:`SignedAuth` signs every request
(``hall.httpsig``) with a timestamp corrected by the terminal's clock offset from the hall.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from pydantic import ValidationError

from hall import httpsig
from hall.schema import ENROLMENTS_PATH, EnrolmentCreate, EnrolmentPublic, ErrorPublic
from offline_cache.crypto import write_secret_file
from offline_cache.errors import CacheError, HallRejectedError, HallUnavailableError

log = logging.getLogger(__name__)

KEY_FILE = "terminal-key.pem"
RECORD_FILE = "enrolment.json"


class NotEnrolledError(CacheError):
    """This terminal has no enrolment record (run ``kiosk enrol``)."""


@dataclass(frozen=True)
class TerminalIdentity:
    """An enrolled terminal: what signs its requests and what it pinned of its hall."""

    kiosk_id: str
    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)
    hall_url: str
    hall_keys: dict[str, bytes]
    site: str | None = None

    def sign(self, method: str, path_url: str, body: bytes, now: float) -> dict[str, str]:
        """Return the signature headers for a request to ``path_url`` (path and query)."""
        parts = urlsplit(path_url)
        return httpsig.sign_request(
            method, parts.path, parts.query, body, self.private_key, self.key_id, now
        )


def identity_dir(outbox_key_file: Path) -> Path:
    """The directory of the terminal's identity files: the outbox key's."""
    return Path(outbox_key_file).parent


def load_or_create_key(directory: Path) -> Ed25519PrivateKey:
    """Load ``terminal-key.pem`` from ``directory``, making it (0600, fsynced) when missing."""
    path = Path(directory) / KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        write_secret_file(path, pem)
        log.info("made a new terminal key pair %s", path)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as err:
        raise CacheError(f"cannot read the terminal key {path}") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise CacheError(f"{path} does not hold an Ed25519 key")
    return key


def load_identity(directory: Path) -> TerminalIdentity:
    """Load the enrolled identity from ``directory``; :class:`NotEnrolledError` if not enrolled."""
    record_path = Path(directory) / RECORD_FILE
    if not record_path.exists():
        raise NotEnrolledError(f"this terminal is not enrolled (no {record_path})")
    key = load_or_create_key(directory)
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        keys = {kid: base64.b64decode(raw) for kid, raw in record["hall_keys"].items()}
        identity = TerminalIdentity(
            kiosk_id=str(record["kiosk_id"]),
            key_id=str(record["key_id"]),
            private_key=key,
            hall_url=str(record["hall_url"]),
            hall_keys=keys,
            site=record.get("site"),
        )
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as err:
        raise CacheError(f"the enrolment record {record_path} is unreadable") from err
    if identity.key_id != httpsig.key_id_for(httpsig.public_key_raw(key)):
        raise NotEnrolledError("the terminal key changed since enrolment: enrol again")
    return identity


def enrol(
    hall_url: str,
    code: str,
    directory: Path,
    *,
    timeout: float = 10.0,
    session: requests.Session | None = None,
) -> TerminalIdentity:
    """Register this terminal's key with a one-time code and keep the record; returns it.

    Raises :class:`HallRejectedError` (e.g. 403 ``enrolment_refused``) or
    :class:`HallUnavailableError`.
    """
    hall_url = hall_url.rstrip("/")
    key = load_or_create_key(directory)
    public = base64.b64encode(httpsig.public_key_raw(key)).decode()
    body = EnrolmentCreate(code=code.strip(), public_key_b64=public).model_dump_json()
    http = session or requests.Session()
    try:
        response = http.post(
            hall_url + ENROLMENTS_PATH,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as err:
        raise HallUnavailableError(f"enrolment: hall unreachable ({type(err).__name__})") from err
    finally:
        if session is None:
            http.close()
    if response.status_code != 201:
        try:
            code_name = ErrorPublic.model_validate_json(response.content).code
        except ValidationError:
            code_name = "unknown"
        if response.status_code >= 500:
            raise HallUnavailableError(f"enrolment: HTTP {response.status_code} {code_name}")
        raise HallRejectedError(response.status_code, code_name)
    try:
        answer = EnrolmentPublic.model_validate_json(response.content)
        keys = {k.kid: base64.b64decode(k.public_key_b64) for k in answer.hall_keys.keys}
    except (ValidationError, binascii.Error) as err:
        raise HallUnavailableError("enrolment: the hall sent a malformed answer") from err
    if answer.key_id != httpsig.key_id_for(httpsig.public_key_raw(key)):
        raise HallUnavailableError("enrolment: the hall registered another key id")
    record = {
        "kiosk_id": answer.kiosk_id,
        "site": answer.site,
        "key_id": answer.key_id,
        "hall_url": hall_url,
        "hall_keys": {kid: base64.b64encode(raw).decode() for kid, raw in keys.items()},
        "enrolled_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    record_path = Path(directory) / RECORD_FILE
    tmp = record_path.with_name(f".{record_path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2), encoding="utf-8")
    tmp.replace(record_path)
    log.info("terminal %s enrolled with key %s", answer.kiosk_id, answer.key_id)
    return TerminalIdentity(answer.kiosk_id, answer.key_id, key, hall_url, keys, answer.site)


class SignedAuth(requests.auth.AuthBase):
    """Sign each prepared request; ``now`` gives the hall's time as this terminal estimates it."""

    def __init__(self, identity: TerminalIdentity, now: Callable[[], float] = time.time) -> None:
        self.identity = identity
        self._now = now

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add ``Content-Digest``, ``Signature-Input`` and ``Signature``."""
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if not isinstance(body, bytes):
            raise CacheError("signed requests need a body in memory")
        signed = self.identity.sign(request.method or "GET", request.path_url, body, self._now())
        request.headers.update(signed)
        return request
