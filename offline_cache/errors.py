"""The offline cache's exceptions: one root, and messages that never hold personal data.

``str(err)`` is meant for the technician's log and for the outbox's ``last_error`` column, so it
names case numbers, HTTP statuses and the hall's error codes only.
"""

from __future__ import annotations


class CacheError(Exception):
    """Root of every offline-cache failure."""


class StoreError(CacheError):
    """The local SQLite store failed (I/O, corruption, locked too long, bad state transition)."""


class StoreFullError(StoreError):
    """The disk or the database's page limit is full: the write was refused and rolled back."""


class DecryptionError(CacheError):
    """A ciphertext could not be opened: unknown key id, wrong key, tampered or misplaced bytes."""


class HallUnavailableError(CacheError):
    """The hall could not take the request now (network, timeout, 5xx, 409, 429): retry later."""


class HallRejectedError(CacheError):
    """The hall refused the request for good (4xx other than 409/429): it goes to staff.

    ``status`` is the HTTP status and ``code`` the hall's stable error code (``ErrorPublic.code``).
    """

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"hall rejected the request: HTTP {status} {code}")
        self.status = status
        self.code = code
