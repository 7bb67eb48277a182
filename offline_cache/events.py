"""Small facts the terminal tells the hall (a rating, a report), queued durably and sealed.

Submissions have their own outbox: a case number, an idempotency key, a decision to wait for.
Everything else a journey leaves behind is an *event*: a kind (``rating``, ``regulator_report``,
...) and a JSON payload that the hall validates against the kind's model. Events share the
outbox's store and cipher, go out in batches on the sync worker's thread, and are deleted once the
hall took them, so nothing of a citizen's stays on the terminal after delivery. An event the hall
refuses for good (an unknown kind, a payload that fails validation) is marked failed and its
payload dropped; log lines name the kind, the event id and the hall's error code only.

``post`` writes with a full fsync: the UI calls it on a worker thread, never on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, DecryptionError
from offline_cache.store import Store

log = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""An event kind as the hall registers it: lower-case ASCII, digits and underscores."""
MAX_PAYLOAD_BYTES = 16 * 1024
"""Larger payloads are refused at ``post``: events are small facts, not documents."""


def utc_now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _aad(event_id: str, kind: str) -> bytes:
    return f"events/{kind}/{event_id}".encode()


@dataclasses.dataclass(frozen=True)
class PendingEvent:
    """One queued event, opened for delivery."""

    row_id: int
    event_id: str
    kind: str
    at: dt.datetime
    payload: dict[str, Any]
    attempts: int


class EventQueue:
    """Events waiting for the hall, in the outbox's :class:`Store`, payloads sealed by ``cipher``.

    ``wake`` (the sync worker's) is called after each post so delivery starts at once.
    """

    def __init__(
        self,
        store: Store,
        cipher: FieldCipher,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._wake = wake

    def set_wake(self, wake: Callable[[], None] | None) -> None:
        """Call ``wake`` after every post (the sync worker is built after the queue)."""
        self._wake = wake

    def post(self, kind: str, payload: Mapping[str, Any]) -> str:
        """Queue one event durably; return its id. Blocks on an fsync: not on the UI thread.

        Raises :class:`CacheError` for a malformed kind or payload (a bug in the caller, never
        worth retrying) and :class:`StoreFullError` when the disk is full (nothing is queued).
        """
        if not KIND_PATTERN.fullmatch(kind):
            raise CacheError(f"event kind {kind!r} is not a registered-style kind")
        try:
            body = json.dumps(payload, ensure_ascii=False, allow_nan=False, sort_keys=True)
            data = body.encode()
        except (TypeError, ValueError) as err:
            # ValueError covers NaN and UnicodeEncodeError (a lone surrogate).
            raise CacheError(
                f"{kind} event payload is not plain JSON ({type(err).__name__})"
            ) from None
        if "\x00" in body or "\\u0000" in body:
            raise CacheError(f"{kind} event payload holds a NUL character")
        if len(data) > MAX_PAYLOAD_BYTES:
            raise CacheError(f"{kind} event payload is over {MAX_PAYLOAD_BYTES} bytes")
        event_id = uuid.uuid4().hex
        now = self._clock()
        sealed = self._cipher.encrypt(data, _aad(event_id, kind))
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO events (event_id, kind, state, attempts, next_attempt_at, "
                "created_at, updated_at, payload) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                (event_id, kind, PENDING, _ts(now), _ts(now), _ts(now), sealed),
            )
        log.info("%s event %s queued", kind, event_id)
        if self._wake is not None:
            self._wake()
        return event_id

    def due(self, now: dt.datetime, limit: int) -> list[PendingEvent]:
        """The oldest pending events due by ``now``, opened; unreadable ones are marked failed."""
        with self._store.read() as conn:
            rows = conn.execute(
                "SELECT id, event_id, kind, created_at, attempts, payload FROM events "
                "WHERE state = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                (PENDING, _ts(now), limit),
            ).fetchall()
        opened: list[PendingEvent] = []
        for row_id, event_id, kind, created_at, attempts, sealed in rows:
            try:
                body = self._cipher.decrypt(bytes(sealed), _aad(event_id, kind))
                payload = json.loads(body)
            except (DecryptionError, ValueError):
                self.mark_failed([row_id], "unreadable")
                continue
            opened.append(
                PendingEvent(
                    row_id=row_id,
                    event_id=event_id,
                    kind=kind,
                    at=dt.datetime.fromisoformat(created_at),
                    payload=payload,
                    attempts=attempts,
                )
            )
        return opened

    def mark_delivered(self, row_ids: list[int]) -> None:
        """The hall took these (or already had them): nothing of them stays on the terminal."""
        if not row_ids:
            return
        with self._store.transaction() as conn:
            conn.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in row_ids])

    def mark_failed(self, row_ids: list[int], error: str) -> None:
        """The hall refused these for good: keep the row for the count, drop the payload."""
        if not row_ids:
            return
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            conn.executemany(
                "UPDATE events SET state = ?, last_error = ?, payload = NULL, updated_at = ? "
                "WHERE id = ?",
                [(FAILED, error[:200], now, i) for i in row_ids],
            )

    def mark_retry(self, row_ids: list[int], error: str, next_attempt_at: dt.datetime) -> None:
        """The hall could not take these now: try again at ``next_attempt_at``."""
        if not row_ids:
            return
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            conn.executemany(
                "UPDATE events SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ?, updated_at = ? WHERE id = ?",
                [(error[:200], _ts(next_attempt_at), now, i) for i in row_ids],
            )

    def next_due_at(self) -> dt.datetime | None:
        """When the next pending event is due, or ``None`` when none is pending."""
        with self._store.read() as conn:
            row = conn.execute(
                "SELECT MIN(next_attempt_at) FROM events WHERE state = ?", (PENDING,)
            ).fetchone()
        return None if row is None or row[0] is None else dt.datetime.fromisoformat(row[0])

    def counts(self) -> dict[str, int]:
        """Events by state (``pending``, ``failed``) for the heartbeat and ``kiosk queue``."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT state, COUNT(*) FROM events GROUP BY state").fetchall()
        return {state: int(n) for state, n in rows}

    def purge_failed(self, older_than: dt.datetime) -> int:
        """Forget failed events last touched before ``older_than``; returns how many."""
        with self._store.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM events WHERE state = ? AND updated_at < ?",
                (FAILED, _ts(older_than)),
            )
        return cursor.rowcount
