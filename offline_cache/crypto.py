"""Field encryption at rest: AES-256-GCM with a key id in front of every ciphertext.

A sealed value is ``version (1) | key id (8) | nonce (12) | ciphertext + tag``. The key id is a
hash of the key itself, so a key file is nothing but 32 random bytes; after a rotation the old key
files are passed as ``old_key_files`` and older rows stay readable. The associated data (AAD)
binds a ciphertext to its row and purpose, so bytes copied from another row do not open.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import secrets
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_cache.errors import CacheError, DecryptionError, StoreFullError

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
KID_BYTES = 8
FORMAT_VERSION = 1
_HEADER_BYTES = 1 + KID_BYTES + NONCE_BYTES


def key_id(key: bytes) -> str:
    """Return the public id of a key: a domain-separated hash prefix, safe to store in clear."""
    return hashlib.sha256(b"offline-cache field key id\x00" + key).digest()[:KID_BYTES].hex()


class FieldCipher:
    """Seal and open byte fields with AES-256-GCM: seal with ``key``, open with any known key."""

    def __init__(self, key: bytes, old_keys: Iterable[bytes] = ()) -> None:
        keys = [key, *old_keys]
        for candidate in keys:
            if len(candidate) != KEY_BYTES:
                raise CacheError(f"field keys must be {KEY_BYTES} bytes")
        self._kid = key_id(key)
        self._current = AESGCM(key)
        self._by_kid = {bytes.fromhex(key_id(k)): AESGCM(k) for k in keys}

    @classmethod
    def from_key_file(cls, path: Path, *, old_key_files: Sequence[Path] = ()) -> FieldCipher:
        """Load the key at ``path``, creating it (mode 0600) on first use; old keys open only."""
        path = Path(path)
        if not path.exists():
            _create_key_file(path)
        return cls(_read_key_file(path), [_read_key_file(Path(p)) for p in old_key_files])

    @staticmethod
    def generate_key() -> bytes:
        """Return a fresh random 256-bit key."""
        return secrets.token_bytes(KEY_BYTES)

    @property
    def kid(self) -> str:
        """The id of the key new ciphertexts are sealed with."""
        return self._kid

    @staticmethod
    def key_id_of(sealed: bytes) -> str:
        """Return the key id a sealed value was made with (to find rows under an old key)."""
        if len(sealed) < _HEADER_BYTES or sealed[0] != FORMAT_VERSION:
            raise DecryptionError("not a sealed value of a known format")
        return sealed[1 : 1 + KID_BYTES].hex()

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        """Seal ``plaintext`` under the current key, bound to ``aad``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        header = bytes([FORMAT_VERSION]) + bytes.fromhex(self._kid) + nonce
        return header + self._current.encrypt(nonce, plaintext, aad)

    def decrypt(self, sealed: bytes, aad: bytes) -> bytes:
        """Open a sealed value; :class:`DecryptionError` on an unknown key or mismatched bytes."""
        kid = self.key_id_of(sealed)
        aead = self._by_kid.get(bytes.fromhex(kid))
        if aead is None:
            raise DecryptionError(f"no key with id {kid} is loaded")
        nonce = sealed[1 + KID_BYTES : _HEADER_BYTES]
        try:
            return aead.decrypt(nonce, sealed[_HEADER_BYTES:], aad)
        except InvalidTag as err:
            raise DecryptionError(f"sealed value under key {kid} failed authentication") from err


NEW_KEY_SUFFIX = ".new"
RETIRED_KEY_INFIX = ".retired-"


def rotation_leftovers(path: Path) -> list[Path]:
    """Key files a key rotation leaves next to ``path`` (``<key>.new``, ``<key>.retired-<kid>``).

    Loading them as old keys means a terminal started after an interrupted rotation still opens
    every row; ``kiosk queue rotate-key`` finishes the job and removes them.
    """
    path = Path(path)
    found = [path.with_name(path.name + NEW_KEY_SUFFIX)]
    found += sorted(path.parent.glob(path.name + RETIRED_KEY_INFIX + "*"))
    return [p for p in found if p.is_file()]


def create_key_file(path: Path) -> None:
    """Write a new random key at ``path`` (0600, fsynced); keeps an existing file as it is."""
    _create_key_file(Path(path))


def _create_key_file(path: Path) -> None:
    """Write a new field key (see :func:`write_secret_file`)."""
    write_secret_file(path, FieldCipher.generate_key())
    log.info("created a new field key file %s", path)


def write_secret_file(path: Path, data: bytes) -> None:
    """Write a secret atomically: a temp file made 0600, fsynced, then linked into place.

    When another process made ``path`` first, its file stays (the secret to use). Raises
    :class:`StoreFullError` when the disk has no room for it (a first start on a full data disk)
    and :class:`CacheError` for any other failure, naming the file, never the secret.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        # link() fails if another process won the race: then its key is the one to use.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StoreFullError(f"no room on the disk to create the key file {path}") from err
        raise CacheError(f"cannot create the key file {path}: {err.strerror}") from err
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("key file %s was readable by others; tightening it to 0600", path)
            path.chmod(0o600)
        key = path.read_bytes()
    except OSError as err:
        raise CacheError(f"cannot read the key file {path}: {err.strerror}") from err
    if len(key) != KEY_BYTES:
        raise CacheError(f"key file {path} does not hold a {KEY_BYTES}-byte key")
    return key
