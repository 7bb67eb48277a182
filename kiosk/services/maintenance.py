"""The technician's maintenance mode without Qt: PIN hashing, lockout, and saving the configuration.

- The PIN is stored only as a salted scrypt hash in ``[maintenance] pin_hash``
  (``scrypt$<n>$<r>$<p>$<salt>$<hash>``, base64 without padding); PBKDF2-SHA256 hashes
  (``pbkdf2_sha256$<iterations>$<salt>$<hash>``) are accepted too. Checking costs ~50 ms on
  purpose: callers run it on a worker.
- Wrong PINs are counted in a small file in the data folder, so a restart does not reset them:
  ``max_failures`` in a row lock the pad for ``lockout_s``, each further lockout twice as long
  (at most a day). A right PIN clears the count. Nobody is told which digit was wrong.
- Configuration edits go through the same validation as start-up (``KioskSettings``), each error
  in plain words under the key it belongs to, and are written atomically (temporary file, fsync,
  rename) with the previous file kept as ``.bak``. ``tomlkit`` keeps the technician's comments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.exceptions import TOMLKitError

from kiosk.config import KioskSettings

log = logging.getLogger(__name__)

PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MAX_LOCKOUT_S = 86_400.0
LOCKOUT_FILE = "maintenance-lockout.json"


class MaintenanceError(Exception):
    """Root of the maintenance mode's errors."""


class PinFormatError(MaintenanceError):
    """The PIN is not 6 to 12 digits."""


class ConfigSaveError(MaintenanceError):
    """The configuration file could not be read or written; nothing was changed."""


# --- PIN -----------------------------------------------------------------------------------------


def check_pin_format(pin: str) -> None:
    """Raise ``PinFormatError`` unless ``pin`` is 6 to 12 digits (ASCII 0-9)."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise PinFormatError(f"the PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (0-9)")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """Return the ``pin_hash`` value for ``pin`` (scrypt, 16-byte random salt)."""
    check_pin_format(pin)
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, encoded: str) -> bool:
    """Whether ``pin`` matches ``encoded``; a malformed hash never matches."""
    try:
        scheme, *fields = encoded.split("$")
        if scheme == "scrypt":
            n, r, p, salt, expected = fields
            digest = hashlib.scrypt(
                pin.encode(),
                salt=_unb64(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                maxmem=64 * 1024 * 1024,
                dklen=len(_unb64(expected)),
            )
        elif scheme == "pbkdf2_sha256":
            iterations, salt, expected = fields
            digest = hashlib.pbkdf2_hmac(
                "sha256", pin.encode(), _unb64(salt), int(iterations), len(_unb64(expected))
            )
        else:
            return False
    except (ValueError, TypeError):
        log.warning("the configured maintenance pin_hash is malformed")
        return False
    return hmac.compare_digest(digest, _unb64(expected))


# --- lockout -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinOutcome:
    """What one PIN attempt gave."""

    accepted: bool
    locked_for_s: float = 0.0
    """Seconds until the pad takes PINs again (0 when not locked)."""
    attempts_left: int = 0
    """Wrong PINs still allowed before the next lockout."""


class PinGuard:
    """Checks PINs against the configured hash and counts failures in ``state_file``.

    Wall-clock time (``clock``) so that a lockout survives a restart. A missing or unreadable
    state file counts as no failures: losing it costs the attacker a reboot per five guesses.
    """

    def __init__(
        self,
        pin_hash: str | None,
        state_file: Path,
        *,
        max_failures: int = 5,
        lockout_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Guard ``pin_hash`` (``None``: no PIN set, nothing is ever accepted)."""
        self._pin_hash = pin_hash
        self._state_file = state_file
        self._max_failures = max_failures
        self._lockout_s = lockout_s
        self._clock = clock

    @property
    def configured(self) -> bool:
        """Whether a PIN has been set at all."""
        return bool(self._pin_hash)

    def _load(self) -> dict[str, float]:
        try:
            raw = json.loads(self._state_file.read_text(encoding="utf-8"))
            return {
                "failures": float(raw.get("failures", 0)),
                "lockouts": float(raw.get("lockouts", 0)),
                "locked_until": float(raw.get("locked_until", 0)),
            }
        except (OSError, ValueError, AttributeError):
            return {"failures": 0.0, "lockouts": 0.0, "locked_until": 0.0}

    def _save(self, state: Mapping[str, float]) -> None:
        try:
            atomic_write(self._state_file, json.dumps(dict(state)).encode(), backup=False)
        except OSError as err:
            log.warning("maintenance lockout state not saved: %s", err.strerror)

    def locked_for(self) -> float:
        """Seconds left of the current lockout, 0 when the pad takes PINs."""
        return max(0.0, self._load()["locked_until"] - self._clock())

    def attempt(self, pin: str) -> PinOutcome:
        """Check one PIN (blocking ~50 ms: call it on a worker)."""
        state = self._load()
        now = self._clock()
        if state["locked_until"] > now:
            return PinOutcome(False, locked_for_s=state["locked_until"] - now)
        if self._pin_hash and verify_pin(pin, self._pin_hash):
            if any(state.values()):
                self._save({"failures": 0, "lockouts": 0, "locked_until": 0})
            return PinOutcome(True)
        state["failures"] += 1
        if state["failures"] >= self._max_failures:
            duration = min(MAX_LOCKOUT_S, self._lockout_s * 2 ** state["lockouts"])
            state.update(failures=0, lockouts=state["lockouts"] + 1, locked_until=now + duration)
            self._save(state)
            log.warning("maintenance PIN pad locked for %d s after wrong PINs", duration)
            return PinOutcome(False, locked_for_s=duration)
        self._save(state)
        return PinOutcome(False, attempts_left=int(self._max_failures - state["failures"]))


# --- configuration file --------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes, *, backup: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once; with ``backup`` the old file stays as ``.bak``.

    Temporary file in the same folder, fsync, rename, fsync of the folder: after a power cut the
    file is either the old one or the new one, never half of each.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            shutil.copy2(path, bak)
            with open(bak, "rb") as copied:
                os.fsync(copied.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


_PLAIN: dict[str, tuple[str, str]] = {
    "int_parsing": ("请输入整数", "enter a whole number"),
    "int_from_float": ("请输入整数", "enter a whole number"),
    "float_parsing": ("请输入数字", "enter a number"),
    "bool_parsing": ("请选择是或否", "choose yes or no"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "greater_than": ("必须大于 {gt}", "must be more than {gt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "less_than": ("必须小于 {lt}", "must be less than {lt}"),
    "literal_error": ("只能是 {expected}", "must be one of {expected}"),
    "string_pattern_mismatch": ("格式不对", "wrong format"),
    "missing": ("必须填写", "required"),
    "extra_forbidden": ("未知的设置项", "unknown key"),
}


def plain_error(item: Mapping[str, Any]) -> str:
    """One validation error in plain words, Chinese then English."""
    kind = str(item.get("type", ""))
    context = dict(item.get("ctx") or {})
    if kind in _PLAIN:
        zh, en = _PLAIN[kind]
        try:
            return f"{zh.format(**context)} · {en.format(**context)}"
        except (KeyError, IndexError):
            return f"{zh} · {en}"
    return str(item.get("msg", "invalid")).removeprefix("Value error, ")


def validation_errors(err: ValidationError) -> dict[str, str]:
    """The errors of a validation by dotted key (``devices.id_reader.port``), in plain words."""
    found: dict[str, str] = {}
    for item in err.errors():
        key = ".".join(str(part) for part in item["loc"])
        found.setdefault(key, plain_error(item))
    return found


@dataclass
class ConfigEdit:
    """The outcome of ``ConfigFile.apply``: the saved settings, or the errors and nothing saved."""

    settings: KioskSettings | None
    errors: dict[str, str]


class ConfigFile:
    """The terminal's TOML configuration file, edited key by key."""

    def __init__(self, path: Path) -> None:
        """Edit the file at ``path`` (it need not exist yet)."""
        self.path = path

    def _document(self) -> tomlkit.TOMLDocument:
        if not self.path.exists():
            return tomlkit.document()
        try:
            return tomlkit.parse(self.path.read_text(encoding="utf-8"))
        except (OSError, TOMLKitError) as err:
            raise ConfigSaveError(f"{self.path} cannot be read: {err}") from err

    def values(self) -> dict[str, Any]:
        """The file's contents as plain dicts."""
        return self._document().unwrap()

    def apply(self, changes: Mapping[str, Any]) -> ConfigEdit:
        """Set each dotted key to its value (``None`` removes the key), validate, and save.

        Nothing is written when validation fails; the errors come back by dotted key. Blocking
        (fsync): call it on a worker.
        """
        document = self._document()
        for dotted, value in changes.items():
            *sections, key = dotted.split(".")
            table: Any = document
            for name in sections:
                if name not in table:
                    table[name] = tomlkit.table()
                table = table[name]
            if value is None:
                if key in table:
                    del table[key]
            else:
                table[key] = str(value) if isinstance(value, Path) else value
        try:
            settings = KioskSettings.model_validate(document.unwrap())
        except ValidationError as err:
            return ConfigEdit(None, validation_errors(err))
        try:
            atomic_write(self.path, tomlkit.dumps(document).encode("utf-8"))
        except OSError as err:
            raise ConfigSaveError(f"{self.path} cannot be written: {err.strerror}") from err
        log.info("configuration saved to %s (%d keys changed)", self.path, len(changes))
        return ConfigEdit(settings, {})
