"""Enrolling the running terminal with its hall: the same call as ``kiosk enrol``, from the screen.

The technician types the one-time code from ``kiosk-hall enrol-code`` on the maintenance screen;
:meth:`Enroller.enrol` registers the terminal's key, keeps the record beside the outbox key, and
hands the new identity to the terminal's hall clients, so requests are signed at once without a
restart. Runs on a worker thread (it makes an HTTP call and writes files).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from offline_cache.errors import CacheError, HallRejectedError, HallUnavailableError
from offline_cache.identity import TerminalIdentity, enrol, load_identity

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
"""The characters of a one-time code (base32: the hall prints 16 of them in groups of four)."""
CODE_LENGTH = 16

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_code(text: str) -> str | None:
    """The code as the hall prints it (``ABCD-EFGH-IJKL-MNOP``), or ``None`` if it cannot be one.

    Lower case, spaces and missing dashes are forgiven; 0/O and 1/I/L are not guessed (base32 has
    no 0, 1 or 8, so such a code was mistyped).
    """
    raw = _SEPARATORS.sub("", text).upper()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@dataclasses.dataclass(frozen=True)
class EnrolmentStatus:
    """What the maintenance screen shows about the terminal's registration."""

    hall_url: str | None
    configured_id: str
    kiosk_id: str | None = None
    key_id: str | None = None
    site: str | None = None
    problem: str | None = None
    """Why the terminal is not (usably) enrolled, in one line; ``None`` when it is."""

    @property
    def enrolled(self) -> bool:
        """Enrolled, with the configured terminal id (else the hall refuses its bodies)."""
        return self.kiosk_id is not None and self.problem is None


class EnrolmentError(Exception):
    """The enrolment did not happen; ``reason`` is a short key for the screen's words."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class Enroller:
    """Enrol this terminal with ``hall_url`` and give the identity to the running clients."""

    def __init__(
        self,
        *,
        hall_url: str | None,
        directory: Path,
        configured_id: str,
        install: Sequence[Callable[[TerminalIdentity], None]] = (),
        timeout: float = 10.0,
    ) -> None:
        self._hall_url = hall_url
        self._directory = directory
        self._configured_id = configured_id
        self._install = tuple(install)
        self._timeout = timeout

    def status(self) -> EnrolmentStatus:
        """Read the enrolment record (a file read: on a worker)."""
        base = EnrolmentStatus(hall_url=self._hall_url, configured_id=self._configured_id)
        try:
            identity = load_identity(self._directory)
        except CacheError as err:
            return dataclasses.replace(base, problem=str(err))
        return self._status_of(identity)

    def _status_of(self, identity: TerminalIdentity) -> EnrolmentStatus:
        problem = None
        if identity.kiosk_id != self._configured_id:
            problem = (
                f"enrolled as {identity.kiosk_id} but [terminal] id is {self._configured_id}: "
                "the hall refuses the mismatch"
            )
        return EnrolmentStatus(
            hall_url=identity.hall_url,
            configured_id=self._configured_id,
            kiosk_id=identity.kiosk_id,
            key_id=identity.key_id,
            site=identity.site,
            problem=problem,
        )

    def enrol(self, typed: str) -> EnrolmentStatus:
        """Enrol with the typed code; raises :class:`EnrolmentError` with a reason key."""
        code = normalise_code(typed)
        if code is None:
            raise EnrolmentError("bad_code")
        if not self._hall_url:
            raise EnrolmentError("no_hall")
        try:
            identity = enrol(self._hall_url, code, self._directory, timeout=self._timeout)
        except HallRejectedError as err:
            reason = "refused" if err.status == 403 else "rejected"
            raise EnrolmentError(reason, err.code) from err
        except HallUnavailableError as err:
            raise EnrolmentError("unreachable", str(err)) from err
        except CacheError as err:
            raise EnrolmentError("local", str(err)) from err
        for install in self._install:
            install(identity)
        return self._status_of(identity)
