"""Personal data at rest at the hall: AES-256-GCM sealing through a key provider port.

What a table holds of a person (a submission's applicant, materials and photos; a certificate's
holder) is stored as a sealed envelope, a JSON object::

    {"sealed": "aes-256-gcm", "kid": "<data key id>", "nonce": "<b64 12 bytes>", "ct": "<b64>"}

``ct`` is the AES-GCM ciphertext and tag of the value's JSON; the associated data binds it to its
row (``submissions.payload:<case number>``), so a sealed value copied into another row does not
open. The key id names the data key that sealed it: after ``rotate`` new rows use the new key and
old rows still open with theirs until ``reseal`` moves them over.

Keys come from a ``KeyProvider`` (the port: a KMS can stand behind it). ``FileKeyProvider`` keeps
them in one JSON file, 0600, written atomically::

    {"version": 1, "current": "<kid>", "keys": {"<kid>": "<b64 32 bytes>", ...},
     "lookup": "<b64 32 bytes>"}

``lookup`` is the HMAC key for equality lookups on sealed values (``Sealer.lookup_hash``); it is
not rotated with the data keys, since every stored hash would change with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import threading
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

logger = logging.getLogger(__name__)

SEALED_MARK = "aes-256-gcm"
"""The ``sealed`` field of an envelope: the algorithm, and the sign that a value is sealed."""
_NONCE_BYTES = 12
_KEY_BYTES = 32


class DataKeyError(Exception):
    """Base of this module's errors (no key material or data in messages)."""


class KeyFileError(DataKeyError):
    """The key file cannot be read, parsed or written."""


class UnknownDataKeyError(DataKeyError):
    """A sealed value names a data key the provider does not hold."""


class SealedDataError(DataKeyError):
    """A sealed value does not open: tampered with, moved to another row, or malformed."""


class KeyProvider(Protocol):
    """Where the data keys come from (a key file, or a KMS)."""

    @property
    def current_kid(self) -> str:
        """The id of the key new values are sealed with."""
        ...

    def data_key(self, kid: str) -> bytes:
        """The 32-byte key with this id; ``UnknownDataKeyError`` when there is none."""
        ...

    def lookup_key(self) -> bytes:
        """The HMAC key for equality lookups on sealed values."""
        ...

    def kids(self) -> list[str]:
        """Every key id held, oldest first."""
        ...


def data_key_id(key: bytes) -> str:
    """A data key's id: 16 hex digits of a hash of the key (names it, reveals nothing)."""
    return hashlib.sha256(b"gov-kiosk hall data key\x00" + key).hexdigest()[:16]


class FileKeyProvider:
    """Data keys in one 0600 JSON file (see the module's docstring); thread-safe."""

    def __init__(self, path: Path, current: str, keys: dict[str, bytes], lookup: bytes) -> None:
        self.path = path
        self._current = current
        self._keys = dict(keys)
        self._lookup = lookup
        self._lock = threading.Lock()

    @classmethod
    def load_or_create(cls, path: Path) -> FileKeyProvider:
        """Load the key file; make one with a fresh key (0600) when missing.

        Raises ``KeyFileError`` when it cannot be read, parsed or written.
        """
        path = Path(path)
        try:
            return cls.load(path)
        except FileNotFoundError:
            pass
        key = secrets.token_bytes(_KEY_BYTES)
        kid = data_key_id(key)
        provider = cls(path, kid, {kid: key}, secrets.token_bytes(_KEY_BYTES))
        try:
            _write_atomically(path, provider._serialise(), exclusive=True)
        except FileExistsError:
            return cls.load(path)  # another process made it first: use theirs
        except OSError as err:
            raise KeyFileError(f"cannot write the data key file {path}") from err
        logger.info("created data key %s at %s", kid, path)
        return provider

    @classmethod
    def load(cls, path: Path) -> FileKeyProvider:
        """Load an existing key file (``FileNotFoundError`` when there is none)."""
        raw = Path(path).read_bytes()
        try:
            data = json.loads(raw)
            keys = {
                str(kid): base64.b64decode(value, validate=True)
                for kid, value in data["keys"].items()
            }
            lookup = base64.b64decode(data["lookup"], validate=True)
            current = str(data["current"])
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as err:
            raise KeyFileError(f"the data key file {path} does not parse") from err
        if current not in keys or any(len(k) != _KEY_BYTES for k in keys.values()):
            raise KeyFileError(f"the data key file {path} holds a bad key")
        if any(data_key_id(key) != kid for kid, key in keys.items()) or len(lookup) != _KEY_BYTES:
            raise KeyFileError(f"the data key file {path} holds a key under a wrong id")
        if stat.S_IMODE(Path(path).stat().st_mode) & 0o077:
            logger.warning("data key file %s is readable by others: chmod 600 it", path)
        return cls(Path(path), current, keys, lookup)

    @property
    def current_kid(self) -> str:
        """The id of the key new values are sealed with."""
        return self._current

    def data_key(self, kid: str) -> bytes:
        """The key with this id; ``UnknownDataKeyError`` when the file holds none."""
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownDataKeyError(f"no data key {kid!r} in {self.path}") from None

    def lookup_key(self) -> bytes:
        """The HMAC key for equality lookups."""
        return self._lookup

    def kids(self) -> list[str]:
        """Every key id held, oldest first (the file keeps them in the order they were made)."""
        return list(self._keys)

    def rotate(self) -> str:
        """Make a new data key the current one (old ones stay, to open old rows); its id."""
        with self._lock:
            key = secrets.token_bytes(_KEY_BYTES)
            kid = data_key_id(key)
            keys = {**self._keys, kid: key}
            previous = (self._current, self._keys)
            self._current, self._keys = kid, keys
            try:
                _write_atomically(self.path, self._serialise(), exclusive=False)
            except OSError as err:
                self._current, self._keys = previous
                raise KeyFileError(f"cannot write the data key file {self.path}") from err
        logger.info("data key rotated: %s is current", kid)
        return kid

    def _serialise(self) -> bytes:
        return json.dumps(
            {
                "version": 1,
                "current": self._current,
                "keys": {kid: base64.b64encode(key).decode() for kid, key in self._keys.items()},
                "lookup": base64.b64encode(self._lookup).decode(),
            },
            indent=1,
        ).encode()


class MemoryKeyProvider(FileKeyProvider):
    """A fresh key held in memory only: values sealed with it do not outlive the process.

    For a ``HallService`` made without a key provider (tests, tools); a hall that serves uses the
    key file.
    """

    def __init__(self) -> None:
        key = secrets.token_bytes(_KEY_BYTES)
        kid = data_key_id(key)
        super().__init__(Path("<memory>"), kid, {kid: key}, secrets.token_bytes(_KEY_BYTES))

    def rotate(self) -> str:
        """Make a new in-memory key the current one; its id."""
        key = secrets.token_bytes(_KEY_BYTES)
        kid = data_key_id(key)
        with self._lock:
            self._keys = {**self._keys, kid: key}
            self._current = kid
        return kid


def _write_atomically(path: Path, data: bytes, *, exclusive: bool) -> None:
    """Write ``data`` to a 0600 temporary file, fsync, then link (new) or rename it into place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temp, path)  # fails if someone made it meanwhile
        else:
            os.replace(temp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        temp.unlink(missing_ok=True)


def is_sealed(stored: Any) -> bool:
    """Whether a stored value is a sealed envelope (else: a row from before sealing)."""
    return isinstance(stored, dict) and stored.get("sealed") == SEALED_MARK


class Sealer:
    """Seal and open JSON values with the provider's keys; HMAC lookups."""

    def __init__(self, provider: KeyProvider) -> None:
        self.provider = provider

    def seal(self, value: Any, context: str) -> dict[str, str]:
        """Seal a JSON-able value for the row named by ``context`` with the current key."""
        kid = self.provider.current_kid
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = AESGCM(self.provider.data_key(kid)).encrypt(nonce, plain, context.encode())
        return {
            "sealed": SEALED_MARK,
            "kid": kid,
            "nonce": base64.b64encode(nonce).decode(),
            "ct": base64.b64encode(sealed).decode(),
        }

    def open(self, stored: Any, context: str) -> Any:
        """The value of a sealed envelope; a value stored before sealing comes back as it is.

        Raises ``UnknownDataKeyError`` or ``SealedDataError``.
        """
        if not is_sealed(stored):
            return stored
        try:
            nonce = base64.b64decode(stored["nonce"], validate=True)
            sealed = base64.b64decode(stored["ct"], validate=True)
            kid = str(stored["kid"])
        except (KeyError, TypeError, binascii.Error) as err:
            raise SealedDataError(f"a sealed value of {_table(context)} is malformed") from err
        key = self.provider.data_key(kid)
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, context.encode())
        except (InvalidTag, ValueError) as err:
            raise SealedDataError(f"a sealed value of {_table(context)} does not open") from err
        return json.loads(plain)

    def needs_reseal(self, stored: Any) -> bool:
        """Whether a stored value is plain or sealed with a key other than the current one."""
        return not is_sealed(stored) or stored.get("kid") != self.provider.current_kid

    def reseal(self, stored: Any, context: str) -> dict[str, str]:
        """The value sealed again with the current key (a plain one sealed for the first time)."""
        return self.seal(self.open(stored, context), context)

    def lookup_hash(self, text: str, purpose: str) -> str:
        """HMAC-SHA256 (hex) of ``text`` for equality lookups; ``purpose`` separates uses."""
        message = purpose.encode() + b"\x00" + text.encode()
        return hmac.new(self.provider.lookup_key(), message, hashlib.sha256).hexdigest()


def _table(context: str) -> str:
    # The context's table and column only: the row's name (a case number) stays out of messages.
    return context.split(":", 1)[0]


def open_with_key_file(key_path: Path, stored: Any, context: str) -> Any:
    """Open one stored value with the key file at ``key_path``.

    For tools and tests that read a hall's database beside it (the key file is never made here).
    """
    return Sealer(FileKeyProvider.load(Path(key_path))).open(stored, context)


# --- The certificate signing keys, sealed ---------------------------------------------------------


def _signing_context(kid: str) -> str:
    return f"signing-key:{kid}"


class SigningKeyRing:
    """The hall's certificate signing keys: the current one sealed, the retired ones' public halves.

    One JSON file at ``settings.signing_key_path``, 0600, written atomically::

        {"version": 1, "current": "<kid>",
         "keys": [{"kid": ..., "public_key_b64": ..., "private": <sealed envelope or null>,
                   "created_at": ..., "retired_at": ... or null}, ...]}

    The private key is sealed by the data key provider (context ``signing-key:<kid>``); a retired
    key keeps only its public half, so certificates it signed still verify (``/api/v1/keys``
    serves every key) while it signs nothing more. A file holding a plain PKCS#8 PEM key (a hall
    from before sealing) is taken in: the key becomes the ring's current one and the PEM is
    replaced by the ring.
    """

    def __init__(self, path: Path, sealer: Sealer, document: dict[str, Any]) -> None:
        self.path = path
        self._sealer = sealer
        self._document = document
        self._lock = threading.Lock()
        self.current = self._open_current()

    @classmethod
    def load_or_create(cls, path: Path, sealer: Sealer) -> SigningKeyRing:
        """Load the ring at ``path``; take in a plain PEM key there, or make a new key.

        Raises ``KeyFileError`` when the file cannot be read, parsed or written.
        """
        from hall.certificates import SigningKey

        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as err:
            raise KeyFileError(f"cannot read the signing key file {path}") from err
        if raw is not None and not raw.lstrip().startswith(b"-----BEGIN"):
            try:
                document = json.loads(raw)
            except ValueError as err:
                raise KeyFileError(f"the signing key file {path} does not parse") from err
            return cls(path, sealer, document)
        if raw is None:
            key = SigningKey.generate()
        else:
            try:
                key = SigningKey.load_or_create(path)  # the plain PEM of an older hall
            except Exception as err:
                raise KeyFileError(f"the signing key file {path} holds no usable key") from err
        document = {"version": 1, "current": key.kid, "keys": [cls._entry(sealer, key)]}
        ring_bytes = json.dumps(document, indent=1).encode()
        try:
            _write_atomically(path, ring_bytes, exclusive=raw is None)
        except FileExistsError:
            return cls.load_or_create(path, sealer)  # another process made it first
        except OSError as err:
            raise KeyFileError(f"cannot write the signing key file {path}") from err
        logger.info(
            "signing key %s %s, sealed, at %s",
            key.kid,
            "made" if raw is None else "taken in from its PEM file",
            path,
        )
        return cls(path, sealer, document)

    @staticmethod
    def _entry(sealer: Sealer, key: Any) -> dict[str, Any]:
        import datetime as dt

        return {
            "kid": key.kid,
            "public_key_b64": base64.b64encode(key.public_key_raw).decode(),
            "private": sealer.seal(
                base64.b64encode(key.private_bytes()).decode(), _signing_context(key.kid)
            ),
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "retired_at": None,
        }

    def _open_current(self) -> Any:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from hall.certificates import SigningKey

        try:
            kid = str(self._document["current"])
            entry = next(e for e in self._document["keys"] if e["kid"] == kid)
            raw = base64.b64decode(
                self._sealer.open(entry["private"], _signing_context(kid)), validate=True
            )
            key = SigningKey(Ed25519PrivateKey.from_private_bytes(raw))
        except (KeyError, StopIteration, TypeError, ValueError, binascii.Error) as err:
            raise KeyFileError(f"the signing key file {self.path} holds no current key") from err
        if key.kid != kid:
            raise KeyFileError(f"the signing key file {self.path} holds a key under a wrong id")
        return key

    def public_keys(self) -> list[tuple[str, bytes]]:
        """``(kid, raw public key)`` of every key, the current one first."""
        keys = [(self.current.kid, self.current.public_key_raw)]
        for entry in self._document["keys"]:
            if entry["kid"] != self.current.kid:
                keys.append((entry["kid"], base64.b64decode(entry["public_key_b64"])))
        return keys

    def rotate(self) -> str:
        """Make a new signing key current; the old one is retired (public half kept). Its kid."""
        import datetime as dt

        from hall.certificates import SigningKey

        with self._lock:
            key = SigningKey.generate()
            now = dt.datetime.now(dt.UTC).isoformat()
            keys = []
            for entry in self._document["keys"]:
                if entry["retired_at"] is None:
                    entry = {**entry, "private": None, "retired_at": now}
                keys.append(entry)
            keys.append(self._entry(self._sealer, key))
            document = {"version": 1, "current": key.kid, "keys": keys}
            try:
                _write_atomically(
                    self.path, json.dumps(document, indent=1).encode(), exclusive=False
                )
            except OSError as err:
                raise KeyFileError(f"cannot write the signing key file {self.path}") from err
            self._document = document
            self.current = key
        logger.info("signing key rotated: %s is current", key.kid)
        return key.kid

    def reseal(self) -> bool:
        """Seal the current private key again with the current data key; whether it changed."""
        with self._lock:
            entry = next(e for e in self._document["keys"] if e["kid"] == self.current.kid)
            if not self._sealer.needs_reseal(entry["private"]):
                return False
            entry["private"] = self._sealer.reseal(
                entry["private"], _signing_context(self.current.kid)
            )
            try:
                _write_atomically(
                    self.path, json.dumps(self._document, indent=1).encode(), exclusive=False
                )
            except OSError as err:
                raise KeyFileError(f"cannot write the signing key file {self.path}") from err
        return True
