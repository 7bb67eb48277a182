"""Every request but the public ones must be signed by an enrolled terminal (``hall.httpsig``).

A pure ASGI middleware, so the check runs before routing parses any JSON: it reads the body,
checks the digest, the signature, the clock and the nonce, then replays the body to the app. The
terminal's id goes to the route in ``scope["kiosk_id"]``; it comes from the key, never the body.
Answers: 401 ``unauthenticated`` (unsigned, malformed, bad, stale, replayed, unknown key), 403
``revoked``, 429 ``rate_limited`` with ``Retry-After``. Log lines name terminal ids and reasons
only.

Cost per request (the fleet's heartbeats are most of them): the signature is verified on the
event loop (tens of microseconds; bodies over ``_INLINE_VERIFY_BYTES`` on a thread), and the
database part -- is the key still enrolled and unrevoked, is the nonce new, is the terminal within
its rate limit -- goes through ``AuthGate``, group commit: one transaction for every request that
arrived while the last one ran, instead of a read and a committed write (an fsync on PostgreSQL)
per request. A key id's public key is cached: the id is a hash of that key, so the pair never
changes; whether the key is still enrolled and unrevoked is read in every batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hall import httpsig
from hall.db import Database, RequestNonce, Terminal
from hall.identity import NONCE_RETENTION, IdentityService
from hall.limits import RateLimit, count_requests, dialect_insert

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIOSK_ID_SCOPE_KEY = "kiosk_id"

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 500
"""Requests admitted per transaction at most (a statement's parameters stay bounded)."""
_INLINE_VERIFY_BYTES = 64 * 1024
"""Bodies up to this size are hashed and verified on the event loop; larger ones on a thread."""
_PRUNE_EVERY = 2000
_MAX_CACHED_KEYS = 200_000
"""Public keys cached per process at most (a province's fleet fits; the cache starts over)."""
"""Old nonces are deleted every this many admitted requests (per process)."""


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: status, error code, message, and ``Retry-After`` for a 429."""

    status: int
    code: str
    message: str
    retry_after: int | None = None


class GroupCommit(Generic[T, R]):
    """Run ``work`` on a thread for every item that arrived while the last run was busy.

    The first ``submit`` starts a run at once; items arriving meanwhile wait and go together in
    the next (at most ``max_batch`` per run). With ``interval``, the next run starts no sooner
    than ``interval`` seconds after the last one started (unless ``max_batch`` items wait): a
    run's fixed cost (its statements and commit) is then shared by more items when they come
    slowly. ``work`` answers each item in order; an exception is every item's answer.
    """

    def __init__(
        self,
        work: Callable[[list[T]], list[R]],
        *,
        max_batch: int = MAX_BATCH,
        interval: float = 0.0,
    ) -> None:
        self._work = work
        self._max_batch = max_batch
        self._interval = interval
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._running = False

    async def submit(self, item: T) -> R:
        """Queue ``item`` for the next run; returns its answer."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                started = loop.time()
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                try:
                    answers = await asyncio.to_thread(self._work, [item for item, _ in batch])
                except Exception as err:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(err)
                else:
                    for (_, future), answer in zip(batch, answers, strict=True):
                        if not future.done():
                            future.set_result(answer)
                # Items arriving meanwhile wait for the interval's end (a full batch does not).
                wait = started + self._interval - loop.time()
                if wait > 0 and len(self._waiting) < self._max_batch:
                    await asyncio.sleep(wait)
        finally:
            self._running = False


class AuthGate:
    """The database part of authentication for many requests in one transaction.

    ``admit(key_id, nonce)`` answers the signer's kiosk id, or a ``Refusal``: the key is no longer
    enrolled (401), its terminal is revoked (403), the nonce was seen before by any worker (401,
    the nonce table's primary key), or the terminal is over ``rate_limit`` (429). The first
    request starts a transaction at once; those arriving meanwhile go together in the next one.
    A request is admitted only once its nonce is committed, so a replay on another worker is
    always seen.
    """

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], dt.datetime],
        rate_limit: RateLimit | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._db = db
        self._clock = clock
        self._rate_limit = rate_limit
        self._admissions = GroupCommit(self.admit_batch, max_batch=max_batch)
        self._lookups = GroupCommit(self.public_keys, max_batch=max_batch)
        self._admitted = 0
        self._warmed = False
        self.known_keys: dict[str, bytes] = {}
        """Raw public keys read in bulk at the first lookup; handed to the middleware's cache."""
        self._nonce_insert = (
            dialect_insert(db.engine.dialect.name, RequestNonce)
            .on_conflict_do_nothing(index_elements=[RequestNonce.nonce])
            .returning(RequestNonce.nonce)
        )

    async def admit(self, key_id: str, nonce: str) -> str | Refusal:
        """The kiosk id that ``key_id`` signs for, once ``nonce`` is recorded; or a refusal."""
        return await self._admissions.submit((key_id, nonce))

    async def public_key(self, key_id: str) -> bytes | None:
        """The raw public key enrolled with ``key_id`` (revoked or not), or ``None``."""
        return await self._lookups.submit(key_id)

    def public_keys(self, key_ids: list[str]) -> list[bytes | None]:
        """The raw public key of each key id (``None``: not enrolled), in one query.

        The first call of a process reads every enrolled key at once (up to the cache's bound):
        after a start or a restart each terminal's first request would otherwise be a miss of its
        own, a batch of lookups per heartbeat interval across the whole fleet.
        """
        table = Terminal.__table__.c  # Core: no ORM row machinery for two columns
        wanted = select(table.key_id, table.public_key)
        if self._warmed:
            wanted = wanted.where(table.key_id.in_(sorted(set(key_ids))))
        else:
            wanted = wanted.limit(_MAX_CACHED_KEYS)
        with self._db.engine.connect() as connection:
            found = {key_id: public_key for key_id, public_key in connection.execute(wanted)}
        if not self._warmed:
            self._warmed = True
            self.known_keys.update(found)
            missing = sorted(set(key_ids) - set(found))
            if missing and len(found) >= _MAX_CACHED_KEYS:
                return self.public_keys(key_ids)  # more keys than the cache holds: ask for these
        return [found.get(key_id) for key_id in key_ids]

    def admit_batch(self, requests: list[tuple[str, str]]) -> list[str | Refusal]:
        """Admit or refuse each ``(key_id, nonce)`` in one write transaction (in order)."""
        with self._db.write() as session:
            return self.admit_in(session, requests, self._clock())

    def admit_in(
        self,
        session: Session,
        requests: list[tuple[str, str]],
        now: dt.datetime,
        *,
        sites: dict[str, str | None] | None = None,
    ) -> list[str | Refusal]:
        """Admit or refuse each ``(key_id, nonce)`` in the caller's write transaction.

        The caller's work for the admitted requests then commits with their nonces and counts
        (the heartbeats: ``hall.heartbeats``), one transaction instead of two. ``sites``, when
        given, gets each signer's site (kiosk id to site), read with the keys.
        """
        answers: list[str | Refusal | None] = [None] * len(requests)
        keys = sorted({key_id for key_id, _ in requests})
        table = Terminal.__table__.c
        found: dict[str, tuple[str, bool]] = {}
        for key_id, kiosk_id, revoked_at, site in session.connection().execute(
            select(table.key_id, table.kiosk_id, table.revoked_at, table.site).where(
                table.key_id.in_(keys)
            )
        ):
            found[key_id] = (kiosk_id, revoked_at is not None)
            if sites is not None:
                sites[kiosk_id] = site
        fresh: dict[str, int] = {}  # nonce -> index of its first request here
        for index, (key_id, nonce) in enumerate(requests):
            terminal = found.get(key_id)
            if terminal is None:
                answers[index] = Refusal(401, "unauthenticated", "the signing key is not enrolled")
            elif terminal[1]:
                logger.info("request of revoked terminal %s refused", terminal[0])
                answers[index] = Refusal(403, "revoked", "this terminal has been revoked")
            elif nonce in fresh:
                answers[index] = _replayed(terminal[0])
            else:
                fresh[nonce] = index
        recorded: set[str] = set()
        if fresh:
            rows = [
                {"nonce": nonce, "key_id": requests[index][0], "seen_at": now}
                for nonce, index in sorted(fresh.items())
            ]
            # Core, not the ORM: one compiled statement, executed for many rows.
            recorded = set(session.connection().execute(self._nonce_insert, rows).scalars())
        admitted: list[int] = []
        for nonce, index in fresh.items():
            kiosk_id = found[requests[index][0]][0]
            if nonce in recorded:
                admitted.append(index)
                answers[index] = kiosk_id
            else:
                answers[index] = _replayed(kiosk_id)
        if self._rate_limit is not None and admitted:
            self._limit(session, sorted(admitted), answers, now.timestamp())
        self._admitted += len(admitted)
        if self._admitted >= _PRUNE_EVERY:
            self._admitted = 0
            expired = RequestNonce.seen_at < now - NONCE_RETENTION
            session.execute(delete(RequestNonce).where(expired))
        assert all(answer is not None for answer in answers)
        return [answer for answer in answers if answer is not None]

    def _limit(
        self,
        session: Any,
        admitted: list[int],
        answers: list[str | Refusal | None],
        now: float,
    ) -> None:
        """Count the admitted requests; refuse with 429 those past their terminal's limit."""
        assert self._rate_limit is not None
        per_terminal = Counter(str(answers[index]) for index in admitted)
        used = count_requests(session, self._rate_limit, dict(per_terminal), now)
        # Requests of one terminal in this batch took the numbers up to its count, in order.
        number = {kiosk_id: used[kiosk_id] - n for kiosk_id, n in per_terminal.items()}
        over: set[str] = set()
        for index in admitted:
            kiosk_id = str(answers[index])
            number[kiosk_id] += 1
            if number[kiosk_id] > self._rate_limit.requests:
                over.add(kiosk_id)
                answers[index] = Refusal(
                    429,
                    "rate_limited",
                    "this terminal sent too many requests; try again later",
                    self._rate_limit.retry_after(now),
                )
        for kiosk_id in sorted(over):
            logger.info("terminal %s over its rate limit", kiosk_id)


def _replayed(kiosk_id: str) -> Refusal:
    logger.info("replayed request of terminal %s refused", kiosk_id)
    return Refusal(401, "unauthenticated", "the signature does not hold (replayed_nonce)")


@dataclass(frozen=True)
class Signed:
    """A request whose signature holds: the key that signed it and its nonce (not yet spent)."""

    key_id: str
    nonce: str


class SignatureVerifier:
    """The event loop's part of authentication: parse the signature, find the key, verify.

    Public keys are cached per key id (the id is a hash of the key, so the pair never changes).
    What the database decides (enrolled and unrevoked, nonce new, within the rate limit) is the
    caller's next step, through ``AuthGate``.
    """

    def __init__(self, gate: AuthGate, *, clock: Callable[[], dt.datetime]) -> None:
        self.gate = gate
        self._clock = clock
        self._public_keys: dict[str, Ed25519PublicKey] = {}

    async def verify(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]
    ) -> Signed | Refusal:
        """The signer's key id and the nonce when the signature holds; or the refusal."""
        try:
            params, _ = httpsig.parse_signature(headers)
        except httpsig.SignatureError as err:
            return Refusal(401, "unauthenticated", f"a signed request is required ({err.reason})")
        public_key = self._public_keys.get(params.key_id)
        if public_key is None:
            raw = self.gate.known_keys.pop(params.key_id, None)
            if raw is None:
                raw = await self.gate.public_key(params.key_id)
            if raw is None:
                logger.info("request with an unknown key id refused")
                return Refusal(401, "unauthenticated", "the signing key is not enrolled")
            public_key = Ed25519PublicKey.from_public_bytes(raw)
            if len(self._public_keys) >= _MAX_CACHED_KEYS:
                self._public_keys.clear()
            self._public_keys[params.key_id] = public_key
        now = self._clock().timestamp()
        try:
            if len(body) <= _INLINE_VERIFY_BYTES:
                httpsig.verify_request(method, path, query, body, headers, public_key, now)
            else:
                await run_in_threadpool(
                    httpsig.verify_request, method, path, query, body, headers, public_key, now
                )
        except httpsig.SignatureError as err:
            logger.info("request with key %s refused: %s", params.key_id, err.reason)
            return Refusal(401, "unauthenticated", f"the signature does not hold ({err.reason})")
        return Signed(params.key_id, params.nonce)


def request_parts(scope: Scope) -> tuple[str, str, str, dict[str, str]]:
    """Method, raw path, query and lower-cased headers of an HTTP scope: what signatures cover."""
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return scope["method"], path, query, headers


class SignatureAuthMiddleware:
    """Refuse any request to a non-public path that an enrolled, unrevoked key did not sign."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        identity: IdentityService,
        public_paths: frozenset[str],
        verifier: SignatureVerifier,
    ) -> None:
        self.app = app
        self._identity = identity
        self._public = public_paths
        self._verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the signature of an HTTP request, then pass it on with its body replayed."""
        if scope["type"] != "http" or scope["path"] in self._public:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        method, path, query, headers = request_parts(scope)
        outcome = await self._authenticate(method, path, query, body, headers)
        if isinstance(outcome, Refusal):
            await refuse(send, outcome)
            return
        scope[KIOSK_ID_SCOPE_KEY] = outcome
        await self.app(scope, _replay(body, more, receive), send)

    async def _authenticate(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]
    ) -> str | Refusal:
        """Return the signing terminal's id, or the refusal to answer with."""
        signed = await self._verifier.verify(method, path, query, body, headers)
        if isinstance(signed, Refusal):
            return signed
        return await self._verifier.gate.admit(signed.key_id, signed.nonce)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """Read the whole request body; the flag says whether the client disconnected meanwhile."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, connected: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if connected:
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}
        return await receive()

    return replay


async def refuse(send: Send, refusal: Refusal) -> None:
    """Answer a refused request: its status, the error body, and the headers it calls for."""
    payload = json.dumps({"code": refusal.code, "message": refusal.message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if refusal.status == 401:
        headers.append((b"www-authenticate", b'Signature realm="hall"'))
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
