"""Request body limits and the body read timeout, as a pure ASGI middleware.

The middleware reads a request's body itself before the app sees it: a ``Content-Length`` over the
path's limit is answered 413 at once, a streamed body is cut off with 413 as soon as it passes the
limit, and a body that stalls (or is shorter than its ``Content-Length``) is answered 408 when no
byte has come for ``chunk_timeout`` seconds or the whole body took over ``total_timeout``. Either
way the rest is never read: the answer says ``Connection: close`` and the server drops the
connection. It knows nothing of the app behind it, so it composes with any other middleware; the
hall puts it outermost, before authentication, because it is the cheapest check.

Per-terminal rate limits (``RateLimit``, ``count_requests``) live in the database, not in a
process: a counter row per terminal and fixed window, bumped by one upsert for a whole batch of
requests (``hall.auth.AuthGate``), so every ``serve --workers N`` process sees the same count. A
request over the limit is answered 429 ``rate_limited`` with ``Retry-After``: the seconds until
the terminal's window ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, String, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall.db import Base
from hall.schema import ErrorPublic

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class BodyLimit:
    """The largest body one method and path may carry, and the error code above it."""

    method: str
    path: str
    max_bytes: int
    code: str = "too_large"


class _TooLargeError(Exception):
    pass


class _TimeoutError(Exception):
    pass


class _DisconnectedError(Exception):
    pass


class BodyLimitMiddleware:
    """Reads each HTTP request's body within its limit and time, then hands it to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Sequence[BodyLimit],
        default_max_bytes: int,
        chunk_timeout: float,
        total_timeout: float,
    ) -> None:
        self.app = app
        self._limits = {(limit.method, limit.path): limit for limit in limits}
        self._default = BodyLimit("*", "*", default_max_bytes)
        self._chunk_timeout = chunk_timeout
        self._total_timeout = total_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limits.get((scope["method"], scope["path"]), self._default)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _answer(send, 413, limit.code, _too_large(limit))
            return
        try:
            body = await self._read(receive, limit.max_bytes)
        except _TooLargeError:
            await _answer(send, 413, limit.code, _too_large(limit))
            return
        except _TimeoutError:
            await _answer(send, 408, "request_timeout", "the request body did not arrive in time")
            return
        except _DisconnectedError:
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self._total_timeout
        while True:
            wait = min(self._chunk_timeout, deadline - time.monotonic())
            if wait <= 0:
                raise _TimeoutError
            try:
                # ``asyncio.timeout``, not ``wait_for``: no task made per message (measured: the
                # per-request cost of the fleet's heartbeats).
                async with asyncio.timeout(wait):
                    message = await receive()
            except TimeoutError:
                raise _TimeoutError from None
            if message["type"] == "http.disconnect":
                raise _DisconnectedError
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                raise _TooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: BodyLimit) -> str:
    return f"the request body is over the {limit.max_bytes}-byte limit of this path"


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = ErrorPublic(code=code, message=message).model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- Per-terminal rate limits, shared by every worker through the database ----------------------


class TerminalRequestWindow(Base):
    """How many signed requests a terminal made in its current fixed window."""

    __tablename__ = "terminal_request_windows"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)
    """Unix seconds at which the window began (a multiple of the window's length)."""
    used: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` signed requests per terminal in each ``window_s`` seconds."""

    requests: int
    window_s: int

    def __post_init__(self) -> None:
        if self.requests < 1 or self.window_s < 1:
            raise ValueError("a rate limit needs at least one request in a window of 1 s or more")

    def window_of(self, now: float) -> int:
        """The start (Unix seconds) of the window holding ``now``."""
        return int(now) // self.window_s * self.window_s

    def retry_after(self, now: float) -> int:
        """Whole seconds from ``now`` until the window holding it ends (at least 1)."""
        return max(1, self.window_of(now) + self.window_s - int(now))


def dialect_insert(dialect: str, table: type[Base]) -> Any:
    """``INSERT`` with ``ON CONFLICT`` for the dialect named (``postgresql`` or ``sqlite``)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def _count_statement(dialect: str) -> Any:
    statement = dialect_insert(dialect, TerminalRequestWindow)
    same_window = TerminalRequestWindow.window_start == statement.excluded.window_start
    return statement.on_conflict_do_update(
        index_elements=[TerminalRequestWindow.kiosk_id],
        set_={
            "used": case(
                (same_window, TerminalRequestWindow.used + statement.excluded.used),
                else_=statement.excluded.used,
            ),
            "window_start": statement.excluded.window_start,
        },
    ).returning(TerminalRequestWindow.kiosk_id, TerminalRequestWindow.used)


def count_requests(
    session: Session, limit: RateLimit, requests: dict[str, int], now: float
) -> dict[str, int]:
    """Add each terminal's ``requests`` to its window's count; returns the counts after.

    ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` for all the rows at once, in ``kiosk_id``
    order (two workers' batches lock rows in the same order): a row of an older window starts
    again at this batch's count.
    """
    if not requests:
        return {}
    window = limit.window_of(now)
    rows = [
        {"kiosk_id": kiosk_id, "window_start": window, "used": requests[kiosk_id]}
        for kiosk_id in sorted(requests)
    ]
    connection = session.connection()
    statement = _count_statement(connection.dialect.name)
    return {kiosk_id: int(used) for kiosk_id, used in connection.execute(statement, rows)}
