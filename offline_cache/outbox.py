"""The durable outbox: submissions wait here, encrypted, until the hall has them.

Rows move ``pending -> sending -> delivered -> decided``, or to ``failed`` when the hall refuses
a row for good (staff look at it; :meth:`Outbox.retry` puts it back). A row goes straight from
``sending`` to ``decided`` when the hall decided on the spot; a ``delivered`` row waits for the
sync worker to fetch its decision. A row left ``sending`` by a crash goes back to ``pending`` at
start-up (:meth:`Outbox.resume_in_flight`), and the idempotency key made here at enqueue time lets
the hall recognise the repeat.

``shown_at`` records that the citizen saw the receipt or result of a row. A row queued but never
shown (the terminal died between the commit and the screen) is still delivered, exactly once like
any other, and :meth:`Outbox.unshown` lists it for staff: the citizen may have walked away
believing nothing was submitted. Document photos are removed from the sealed payload as soon as
the hall has them; the rest of the personal data goes after the retention window. Only
non-personal columns are kept in clear; the submission and the hall's answer (which names the
certificate holder) are sealed with the :class:`~offline_cache.crypto.FieldCipher`, bound to
their row by the AAD.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import sqlite3
import uuid
from collections.abc import Callable

from pydantic import ValidationError

from hall.schema import SubmissionCreate, SubmissionPublic, payload_hash
from offline_cache.crypto import FieldCipher
from offline_cache.errors import CacheError, DecryptionError, StoreError, StoreFullError
from offline_cache.store import Store

log = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
DECIDED = "decided"
FAILED = "failed"
STATES = (PENDING, SENDING, DELIVERED, DECIDED, FAILED)
HANDED_OVER = (DELIVERED, DECIDED)
"""States in which the hall has the submission."""

MAX_SEQUENCE = 99_999
MAX_ERROR_CHARS = 500
_KIOSK_CODE = re.compile(r"^[A-Z0-9]{2,12}$")

_COLUMNS = (
    "id, case_number, item_id, idempotency_key, payload_hash, state, attempts, next_attempt_at, "
    "created_at, updated_at, last_error, status, outcome, reason_code, delivered_at, purged_at, "
    "decided_at, shown_at, photos_stripped_at"
)

_SELECT = f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - fixed column list


def utc_now() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def _ts(value: dt.datetime) -> str:
    """Format a fixed-width UTC ISO string, so that text order is time order in SQL."""
    if value.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _parse_ts(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


@dataclasses.dataclass(frozen=True)
class OutboxEntry:
    """One outbox row's clear columns: no personal data, so its repr is safe to log."""

    id: int
    case_number: str
    item_id: str
    idempotency_key: str
    payload_hash: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    last_error: str | None
    status: str | None
    """The hall's status (accepted / approved / refused) once delivered."""
    outcome: str | None
    """The decision's outcome, when the hall decided on the spot."""
    reason_code: str | None
    delivered_at: dt.datetime | None
    purged_at: dt.datetime | None
    """When the personal payload was dropped after the retention window."""
    decided_at: dt.datetime | None = None
    """When the terminal learnt the hall's decision."""
    shown_at: dt.datetime | None = None
    """When the citizen was shown the receipt or result; ``None``: never shown."""
    photos_stripped_at: dt.datetime | None = None
    """When the document photos were removed from the sealed payload (at delivery)."""

    @classmethod
    def _from_row(cls, row: sqlite3.Row | tuple[object, ...]) -> OutboxEntry:
        (
            id_, case_number, item_id, key, phash, state, attempts, next_at,
            created, updated, last_error, status, outcome, reason_code, delivered, purged,
            decided, shown, stripped,
        ) = tuple(row)  # fmt: skip
        return cls(
            id=int(id_),
            case_number=str(case_number),
            item_id=str(item_id),
            idempotency_key=str(key),
            payload_hash=str(phash),
            state=str(state),
            attempts=int(attempts),
            next_attempt_at=dt.datetime.fromisoformat(str(next_at)),
            created_at=dt.datetime.fromisoformat(str(created)),
            updated_at=dt.datetime.fromisoformat(str(updated)),
            last_error=None if last_error is None else str(last_error),
            status=None if status is None else str(status),
            outcome=None if outcome is None else str(outcome),
            reason_code=None if reason_code is None else str(reason_code),
            delivered_at=_parse_ts(None if delivered is None else str(delivered)),
            purged_at=_parse_ts(None if purged is None else str(purged)),
            decided_at=_parse_ts(None if decided is None else str(decided)),
            shown_at=_parse_ts(None if shown is None else str(shown)),
            photos_stripped_at=_parse_ts(None if stripped is None else str(stripped)),
        )


def _payload_aad(case_number: str, idempotency_key: str) -> bytes:
    return f"outbox/payload/{case_number}/{idempotency_key}".encode()


def _result_aad(case_number: str, idempotency_key: str) -> bytes:
    return f"outbox/result/{case_number}/{idempotency_key}".encode()


class Outbox:
    """Submissions queued for the hall in a :class:`Store`, personal data sealed by ``cipher``.

    ``clock`` gives the time for ``created_at`` / ``updated_at`` (timezone-aware); methods that
    take ``now`` use it for scheduling decisions.
    """

    def __init__(
        self,
        store: Store,
        cipher: FieldCipher,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._full_since: dt.datetime | None = None

    @property
    def store(self) -> Store:
        """The store the outbox lives in (for checkpoints and status figures)."""
        return self._store

    @property
    def full_since(self) -> dt.datetime | None:
        """When an enqueue last failed for lack of space, until one succeeds again."""
        return self._full_since

    # --- Case numbers ---------------------------------------------------------------------------

    def next_case_number(self, kiosk_code: str, day: dt.date) -> str:
        """Take the next ``<KIOSK>-<YYYYMMDD>-<seq>`` number; committed before it is returned.

        The counter is durable (``synchronous=FULL``), so a number handed out is never handed out
        again, even if the terminal loses power before the submission is queued.
        """
        if not _KIOSK_CODE.fullmatch(kiosk_code):
            raise CacheError(f"kiosk code {kiosk_code!r} must be 2-12 of A-Z and 0-9")
        try:
            return self._take_case_number(kiosk_code, day)
        except StoreFullError:
            self.note_full("no case number could be taken")
            raise

    def note_full(self, what: str) -> None:
        """Record that a write was refused for lack of space (the heartbeat's ``store_full``)."""
        if self._full_since is None:
            self._full_since = self._clock()
        # Staff must free space: this line is what the technician's log search finds.
        log.error("STORE FULL: %s", what)

    def _take_case_number(self, kiosk_code: str, day: dt.date) -> str:
        with self._store.transaction() as conn:
            (seq,) = conn.execute(
                "INSERT INTO case_sequence (kiosk_code, day, last_seq) VALUES (?, ?, 1) "
                "ON CONFLICT (kiosk_code, day) DO UPDATE SET last_seq = last_seq + 1 "
                "RETURNING last_seq",
                (kiosk_code, day.isoformat()),
            ).fetchone()
            if seq > MAX_SEQUENCE:
                raise StoreError(f"case numbers for {kiosk_code} on {day.isoformat()} are used up")
        return f"{kiosk_code}-{day:%Y%m%d}-{seq:05d}"

    # --- Queueing -------------------------------------------------------------------------------

    def enqueue(self, submission: SubmissionCreate) -> OutboxEntry:
        """Queue a submission durably, sealed, with a fresh idempotency key; due at once.

        Raises :class:`StoreFullError` when the disk is full (nothing is queued then) and
        :class:`StoreError` when the case number is already queued.
        """
        key = str(uuid.uuid4())
        sealed = self._cipher.encrypt(
            submission.model_dump_json().encode(), _payload_aad(submission.case_number, key)
        )
        now = _ts(self._clock())
        try:
            entry = self._insert(submission, key, sealed, now)
        except StoreFullError:
            self.note_full(f"case {submission.case_number} could not be queued")
            raise
        self._full_since = None
        log.info("case %s queued in the outbox", submission.case_number)
        return entry

    def _insert(
        self, submission: SubmissionCreate, key: str, sealed: bytes, now: str
    ) -> OutboxEntry:
        with self._store.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM outbox WHERE case_number = ?", (submission.case_number,)
            ).fetchone()
            if exists:
                raise StoreError(f"case {submission.case_number} is already in the outbox")
            row = conn.execute(
                "INSERT INTO outbox (case_number, item_id, idempotency_key, payload_hash, state, "  # noqa: S608 - fixed column list, values bound
                "attempts, next_attempt_at, created_at, updated_at, payload) "
                f"VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING {_COLUMNS}",
                (
                    submission.case_number,
                    submission.item_id,
                    key,
                    payload_hash(submission),
                    PENDING,
                    now,
                    now,
                    now,
                    sealed,
                ),
            ).fetchone()
        return OutboxEntry._from_row(row)

    def claim_due(
        self, now: dt.datetime, limit: int = 1, *, horizon: dt.timedelta | None = None
    ) -> list[OutboxEntry]:
        """Mark up to ``limit`` due pending rows ``sending`` (oldest first) and return them.

        Each claim counts as a delivery attempt, so a crash mid-send still advances the backoff.
        With ``horizon`` (the longest backoff the caller ever schedules), a row due further
        ahead than that is due now: the clock was set back after it was scheduled, and waiting
        for the old time could hold a submission for a day.
        """
        with self._store.transaction() as conn:
            ids = [entry.id for entry in self._due(conn, now, limit, horizon)]
            entries = []
            for id_ in ids:
                row = conn.execute(
                    "UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ? "  # noqa: S608 - fixed column list, values bound
                    f"WHERE id = ? RETURNING {_COLUMNS}",
                    (SENDING, _ts(self._clock()), id_),
                ).fetchone()
                entries.append(OutboxEntry._from_row(row))
        return entries

    def due(
        self,
        now: dt.datetime,
        limit: int,
        *,
        horizon: dt.timedelta | None = None,
        after_id: int = 0,
        include_sending: bool = False,
    ) -> list[OutboxEntry]:
        """Read up to ``limit`` due rows after ``after_id`` (oldest first) without claiming them.

        For the sync worker while the store cannot take a write (a full disk): it delivers what is
        due anyway, since the hall keeps the first answer per idempotency key. With
        ``include_sending`` the rows a crash left ``sending`` count too (they could not be put back
        to ``pending`` either).
        """
        with self._store.read() as conn:
            return self._due(conn, now, limit, horizon, after_id, include_sending)

    @staticmethod
    def _due(
        conn: sqlite3.Connection,
        now: dt.datetime,
        limit: int,
        horizon: dt.timedelta | None,
        after_id: int = 0,
        include_sending: bool = False,
    ) -> list[OutboxEntry]:
        far = _ts(now + horizon) if horizon is not None else "9999"
        states = (PENDING, SENDING) if include_sending else (PENDING, PENDING)
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state IN (?, ?) AND id > ? "  # noqa: S608 - fixed column list, values bound
            "AND (state = ? OR next_attempt_at <= ? OR next_attempt_at > ?) ORDER BY id LIMIT ?",
            (*states, after_id, SENDING, _ts(now), far, limit),
        ).fetchall()
        return [OutboxEntry._from_row(row) for row in rows]

    def submission(self, case_number: str) -> SubmissionCreate | None:
        """Return the decrypted submission of a case; ``None`` when unknown or purged.

        Raises :class:`DecryptionError` when the payload cannot be opened with the loaded keys.
        """
        with self._store.read() as conn:
            row = conn.execute(
                "SELECT idempotency_key, payload FROM outbox WHERE case_number = ?",
                (case_number,),
            ).fetchone()
        if row is None or row[1] is None:
            return None
        plain = self._cipher.decrypt(row[1], _payload_aad(case_number, row[0]))
        try:
            return SubmissionCreate.model_validate_json(plain)
        except ValidationError:
            # The validation text would quote personal fields: keep only the fact.
            raise DecryptionError(f"case {case_number}: payload does not parse") from None

    # --- State transitions ----------------------------------------------------------------------

    def _transition(
        self,
        conn: sqlite3.Connection,
        entry_id: int,
        allowed: tuple[str, ...],
        assignments: str,
        params: tuple[object, ...],
    ) -> OutboxEntry:
        row = conn.execute("SELECT state FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise StoreError(f"outbox entry {entry_id} does not exist")
        if row[0] not in allowed:
            raise StoreError(
                f"outbox entry {entry_id} is {row[0]}, expected one of {', '.join(allowed)}"
            )
        updated = conn.execute(
            f"UPDATE outbox SET {assignments}, updated_at = ? WHERE id = ? RETURNING {_COLUMNS}",  # noqa: S608 - fixed column list, values bound
            (*params, _ts(self._clock()), entry_id),
        ).fetchone()
        return OutboxEntry._from_row(updated)

    def mark_delivered(
        self, entry_id: int, result: SubmissionPublic, *, unclaimed: bool = False
    ) -> OutboxEntry:
        """Record the hall's answer (sealed) and its non-personal status and decision in clear.

        ``unclaimed``: the row may still be ``pending``: it was delivered while the disk was too
        full to claim it (:meth:`due`), and is recorded now that there is room.

        The row becomes ``decided`` when the answer holds the decision (instant approval or
        refusal), else ``delivered``. In the same transaction the document photos are cut out of
        the sealed payload: the hall has them now, and the terminal must not keep them longer.
        """
        decision = result.decision
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            found = conn.execute(
                "SELECT case_number, idempotency_key, payload FROM outbox WHERE id = ?",
                (entry_id,),
            ).fetchone()
            if found is None:
                raise StoreError(f"outbox entry {entry_id} does not exist")
            case_number, key, payload = found
            sealed = self._cipher.encrypt(
                result.model_dump_json().encode(), _result_aad(case_number, key)
            )
            stripped = self._strip_photos(case_number, key, payload)
            entry = self._transition(
                conn,
                entry_id,
                (PENDING, SENDING) if unclaimed else (SENDING,),
                "state = ?, result = ?, status = ?, outcome = ?, reason_code = ?, "
                "delivered_at = ?, decided_at = ?, last_error = NULL, payload = ?, "
                "photos_stripped_at = ?, next_attempt_at = ?",
                (
                    DELIVERED if decision is None else DECIDED,
                    sealed,
                    result.status,
                    None if decision is None else decision.outcome,
                    None if decision is None else decision.reason_code,
                    now,
                    None if decision is None else now,
                    stripped,
                    now,
                    now,
                ),
            )
        log.info("case %s delivered: %s", entry.case_number, result.status)
        return entry

    def _strip_photos(self, case_number: str, key: str, sealed: bytes | None) -> bytes | None:
        """Re-seal a payload without the photos' bytes (their ids and hashes stay as a record)."""
        if sealed is None:
            return None
        aad = _payload_aad(case_number, key)
        try:
            submission = SubmissionCreate.model_validate_json(self._cipher.decrypt(sealed, aad))
        except (DecryptionError, ValidationError):
            log.warning("case %s: payload unreadable at delivery; dropping it", case_number)
            return None
        if not submission.materials:
            return sealed
        kept = [m.model_copy(update={"data_b64": ""}) for m in submission.materials]
        slim = submission.model_copy(update={"materials": kept})
        return self._cipher.encrypt(slim.model_dump_json().encode(), aad)

    def mark_decided(self, entry_id: int, result: SubmissionPublic) -> OutboxEntry:
        """Record a decision fetched later for a ``delivered`` row (the hall decided offline).

        An answer without a decision only refreshes the stored status and the next poll time.
        """
        decision = result.decision
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            found = conn.execute(
                "SELECT case_number, idempotency_key FROM outbox WHERE id = ?", (entry_id,)
            ).fetchone()
            if found is None:
                raise StoreError(f"outbox entry {entry_id} does not exist")
            sealed = self._cipher.encrypt(
                result.model_dump_json().encode(), _result_aad(found[0], found[1])
            )
            entry = self._transition(
                conn,
                entry_id,
                (DELIVERED,),
                "state = ?, result = ?, status = ?, outcome = ?, reason_code = ?, decided_at = ?",
                (
                    DELIVERED if decision is None else DECIDED,
                    sealed,
                    result.status,
                    None if decision is None else decision.outcome,
                    None if decision is None else decision.reason_code,
                    None if decision is None else now,
                ),
            )
        if decision is not None:
            log.info("case %s decided: %s", entry.case_number, decision.outcome)
        return entry

    def awaiting_decision(
        self, now: dt.datetime, limit: int = 10, *, horizon: dt.timedelta | None = None
    ) -> list[OutboxEntry]:
        """Delivered rows whose next decision poll is due (``next_attempt_at``), oldest first.

        ``horizon``: as in :meth:`claim_due`, a poll scheduled further ahead is due now.
        """
        far = _ts(now + horizon) if horizon is not None else "9999"
        with self._store.read() as conn:
            rows = conn.execute(
                _SELECT + " WHERE state = ? AND (next_attempt_at <= ? OR next_attempt_at > ?) "
                "ORDER BY id LIMIT ?",
                (DELIVERED, _ts(now), far, limit),
            ).fetchall()
        return [OutboxEntry._from_row(r) for r in rows]

    def schedule_poll(self, entry_id: int, next_poll_at: dt.datetime) -> None:
        """Set when a delivered row's decision is asked for next."""
        with self._store.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = ?",
                (_ts(next_poll_at), entry_id, DELIVERED),
            )

    def mark_shown(self, case_number: str) -> bool:
        """Record that the citizen saw this case's receipt or result; ``False`` if unknown."""
        now = _ts(self._clock())
        with self._store.transaction() as conn:
            count = conn.execute(
                "UPDATE outbox SET shown_at = COALESCE(shown_at, ?) WHERE case_number = ?",
                (now, case_number),
            ).rowcount
        return bool(count)

    def unshown(self, before: dt.datetime | None = None) -> list[OutboxEntry]:
        """Rows queued (before ``before``) whose receipt the citizen never saw, for staff."""
        with self._store.read() as conn:
            if before is None:
                rows = conn.execute(_SELECT + " WHERE shown_at IS NULL ORDER BY id").fetchall()
            else:
                rows = conn.execute(
                    _SELECT + " WHERE shown_at IS NULL AND created_at < ? ORDER BY id",
                    (_ts(before),),
                ).fetchall()
        return [OutboxEntry._from_row(r) for r in rows]

    def retry(self, entry_id: int) -> OutboxEntry:
        """Put a ``failed`` row back to ``pending``, due now (staff decided to try again)."""
        with self._store.transaction() as conn:
            entry = self._transition(
                conn,
                entry_id,
                (FAILED,),
                "state = ?, next_attempt_at = ?",
                (PENDING, _ts(self._clock())),
            )
        log.info("case %s put back in the queue by staff", entry.case_number)
        return entry

    def mark_retry(self, entry_id: int, error: str, next_attempt_at: dt.datetime) -> OutboxEntry:
        """Put a ``sending`` row back to ``pending``, due at ``next_attempt_at``.

        ``error`` must hold no personal data (error classes, statuses, the hall's codes).
        """
        with self._store.transaction() as conn:
            return self._transition(
                conn,
                entry_id,
                (SENDING,),
                "state = ?, last_error = ?, next_attempt_at = ?",
                (PENDING, error[:MAX_ERROR_CHARS], _ts(next_attempt_at)),
            )

    def mark_failed(self, entry_id: int, error: str) -> OutboxEntry:
        """Give a row up for staff to handle (the hall refused it for good)."""
        with self._store.transaction() as conn:
            entry = self._transition(
                conn,
                entry_id,
                (PENDING, SENDING),
                "state = ?, last_error = ?",
                (FAILED, error[:MAX_ERROR_CHARS]),
            )
        log.warning("case %s failed: %s", entry.case_number, entry.last_error)
        return entry

    def release(self, entry_ids: list[int]) -> int:
        """Hand claimed rows back unsent: ``sending`` to ``pending``, the claim's attempt undone.

        A batch claim that stops early (the hall went away, the worker is stopping) returns the
        rows it never tried, so their backoff does not grow for attempts never made.
        """
        if not entry_ids:
            return 0
        marks = ",".join("?" * len(entry_ids))
        with self._store.transaction() as conn:
            count = conn.execute(
                "UPDATE outbox SET state = ?, attempts = MAX(attempts - 1, 0), updated_at = ? "  # noqa: S608 - placeholders only, values bound
                f"WHERE state = ? AND id IN ({marks})",
                (PENDING, _ts(self._clock()), SENDING, *entry_ids),
            ).rowcount
        return int(count)

    def resume_in_flight(self) -> int:
        """Put rows a crash left ``sending`` back to ``pending`` (at start-up); return how many."""
        with self._store.transaction() as conn:
            count = conn.execute(
                "UPDATE outbox SET state = ?, updated_at = ? WHERE state = ?",
                (PENDING, _ts(self._clock()), SENDING),
            ).rowcount
        if count:
            log.info("resumed %d in-flight outbox entries", count)
        return int(count)

    # --- Reading --------------------------------------------------------------------------------

    def get(self, case_number: str) -> OutboxEntry | None:
        """Return the row of a case, or ``None``."""
        with self._store.read() as conn:
            row = conn.execute(_SELECT + " WHERE case_number = ?", (case_number,)).fetchone()
        return None if row is None else OutboxEntry._from_row(row)

    def entries(self, state: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Return rows in queue order, optionally of one state (for the maintenance screen)."""
        with self._store.read() as conn:
            if state is None:
                rows = conn.execute(_SELECT + " ORDER BY id LIMIT ?", (limit,)).fetchall()
            else:
                rows = conn.execute(
                    _SELECT + " WHERE state = ? ORDER BY id LIMIT ?",
                    (state, limit),
                ).fetchall()
        return [OutboxEntry._from_row(r) for r in rows]

    def result(self, case_number: str) -> SubmissionPublic | None:
        """Return the hall's answer for a case, decrypted; ``None`` before delivery.

        After :meth:`purge_delivered` the answer is still there, without its certificate.
        Raises :class:`DecryptionError` when it cannot be opened with the loaded keys.
        """
        with self._store.read() as conn:
            row = conn.execute(
                "SELECT idempotency_key, result FROM outbox WHERE case_number = ?",
                (case_number,),
            ).fetchone()
        if row is None or row[1] is None:
            return None
        plain = self._cipher.decrypt(row[1], _result_aad(case_number, row[0]))
        try:
            return SubmissionPublic.model_validate_json(plain)
        except ValidationError:
            raise DecryptionError(f"case {case_number}: stored result does not parse") from None

    def counts(self) -> dict[str, int]:
        """Count the rows in each state (every state present, zero included)."""
        with self._store.read() as conn:
            found = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
        return {state: int(found.get(state, 0)) for state in STATES}

    def oldest_pending_age(self, now: dt.datetime) -> float | None:
        """Return seconds since the oldest undelivered row was queued, or ``None``."""
        with self._store.read() as conn:
            (oldest,) = conn.execute(
                "SELECT MIN(created_at) FROM outbox WHERE state IN (?, ?)", (PENDING, SENDING)
            ).fetchone()
        if oldest is None:
            return None
        return (now - dt.datetime.fromisoformat(oldest)).total_seconds()

    def next_due_at(self) -> dt.datetime | None:
        """Return when the earliest pending row is due, or ``None`` when nothing is pending."""
        with self._store.read() as conn:
            (due,) = conn.execute(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE state = ?", (PENDING,)
            ).fetchone()
        return _parse_ts(due)

    # --- Retention ------------------------------------------------------------------------------

    def purge_delivered(self, older_than: dt.datetime) -> int:
        """Drop the personal data of rows delivered before ``older_than``; returns how many.

        The row, its status and decision stay; the sealed answer is re-sealed without its
        certificate (which names the holder). If the answer cannot be opened any more it is
        dropped too: the decision survives in the clear columns.
        """
        cutoff = _ts(older_than)
        purged_at = _ts(self._clock())
        with self._store.transaction() as conn:
            rows = conn.execute(
                "SELECT id, case_number, idempotency_key, result FROM outbox "
                "WHERE state IN (?, ?) AND purged_at IS NULL AND delivered_at < ?",
                (DELIVERED, DECIDED, cutoff),
            ).fetchall()
            for id_, case_number, key, sealed in rows:
                kept = self._strip_certificate(case_number, key, sealed)
                conn.execute(
                    "UPDATE outbox SET payload = NULL, result = ?, purged_at = ?, updated_at = ? "
                    "WHERE id = ?",
                    (kept, purged_at, purged_at, id_),
                )
        if rows:
            log.info("purged the personal data of %d delivered cases", len(rows))
        return len(rows)

    def _strip_certificate(self, case_number: str, key: str, sealed: bytes | None) -> bytes | None:
        if sealed is None:
            return None
        aad = _result_aad(case_number, key)
        try:
            result = SubmissionPublic.model_validate_json(self._cipher.decrypt(sealed, aad))
        except (DecryptionError, ValidationError):
            log.warning("case %s: stored result unreadable at purge; dropping it", case_number)
            return None
        stripped = result.model_copy(update={"certificate": None})
        return self._cipher.encrypt(stripped.model_dump_json().encode(), aad)

    # --- Key rotation ---------------------------------------------------------------------------

    def reseal(self, batch: int = 200) -> int:
        """Re-seal every payload and answer not sealed under the current key; returns how many.

        Run after a key rotation (the old key loaded as an ``old_key``): once it returns, the old
        key file may be destroyed. Each batch is one transaction, so a crash mid-way loses
        nothing and a rerun finishes the job. Raises :class:`DecryptionError` when a value can be
        opened by no loaded key (nothing of that batch is changed then).
        """
        current = self._cipher.kid
        done = 0
        last_id = 0
        while True:
            with self._store.transaction() as conn:
                rows = conn.execute(
                    "SELECT id, case_number, idempotency_key, payload, result FROM outbox "
                    "WHERE id > ? ORDER BY id LIMIT ?",
                    (last_id, batch),
                ).fetchall()
                for id_, case_number, key, payload, result in rows:
                    last_id = id_
                    new_payload = self._reseal_one(payload, _payload_aad(case_number, key), current)
                    new_result = self._reseal_one(result, _result_aad(case_number, key), current)
                    if new_payload is payload and new_result is result:
                        continue
                    conn.execute(
                        "UPDATE outbox SET payload = ?, result = ? WHERE id = ?",
                        (new_payload, new_result, id_),
                    )
                    done += 1
            if len(rows) < batch:
                break
        if done:
            log.info("re-sealed %d outbox rows under key %s", done, current)
        return done

    def _reseal_one(self, sealed: bytes | None, aad: bytes, current: str) -> bytes | None:
        if sealed is None or FieldCipher.key_id_of(sealed) == current:
            return sealed
        return self._cipher.encrypt(self._cipher.decrypt(sealed, aad), aad)

    def key_ids_in_use(self) -> dict[str, int]:
        """Count the sealed values per key id (to know whether an old key is still needed)."""
        counts: dict[str, int] = {}
        with self._store.read() as conn:
            for payload, result in conn.execute("SELECT payload, result FROM outbox"):
                for sealed in (payload, result):
                    if sealed is not None:
                        kid = FieldCipher.key_id_of(sealed)
                        counts[kid] = counts.get(kid, 0) + 1
        return counts

    def get_by_id(self, entry_id: int) -> OutboxEntry | None:
        """Return the row with this id, or ``None``."""
        with self._store.read() as conn:
            row = conn.execute(_SELECT + " WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else OutboxEntry._from_row(row)
