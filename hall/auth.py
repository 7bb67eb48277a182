"""Every request but the public ones must be signed by an enrolled terminal (``hall.httpsig``).

A pure ASGI middleware, so the check runs before routing parses any JSON: it reads the body,
checks the digest, the signature, the clock and the nonce, then replays the body to the app. The
terminal's id goes to the route in ``scope["kiosk_id"]``; it comes from the key, never the body.
Answers: 401 ``unauthenticated`` (unsigned, malformed, bad, stale, replayed, unknown key), 403
``revoked``. Log lines name terminal ids and reasons only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.concurrency import run_in_threadpool

from hall import httpsig
from hall.identity import IdentityService

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIOSK_ID_SCOPE_KEY = "kiosk_id"


class SignatureAuthMiddleware:
    """Refuse any request to a non-public path that an enrolled, unrevoked key did not sign."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        identity: IdentityService,
        public_paths: frozenset[str],
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.app = app
        self._identity = identity
        self._public = public_paths
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the signature of an HTTP request, then pass it on with its body replayed."""
        if scope["type"] != "http" or scope["path"] in self._public:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        method = scope["method"]
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        outcome = await run_in_threadpool(self._check, method, path, query, body, headers)
        if isinstance(outcome, tuple):
            status, code, message = outcome
            await _refuse(send, status, code, message)
            return
        scope[KIOSK_ID_SCOPE_KEY] = outcome
        await self.app(scope, _replay(body, more, receive), send)

    def _check(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]
    ) -> str | tuple[int, str, str]:
        """Return the signing terminal's id, or ``(status, code, message)`` to refuse with."""
        try:
            params, _ = httpsig.parse_signature(headers)
        except httpsig.SignatureError as err:
            return 401, "unauthenticated", f"a signed request is required ({err.reason})"
        terminal = self._identity.by_key_id(params.key_id)
        if terminal is None:
            logger.info("request with an unknown key id refused")
            return 401, "unauthenticated", "the signing key is not enrolled"
        try:
            httpsig.verify_request(
                method,
                path,
                query,
                body,
                headers,
                Ed25519PublicKey.from_public_bytes(terminal.public_key),
                self._clock().timestamp(),
            )
        except httpsig.SignatureError as err:
            logger.info("request of terminal %s refused: %s", terminal.kiosk_id, err.reason)
            return 401, "unauthenticated", f"the signature does not hold ({err.reason})"
        if terminal.revoked:
            logger.info("request of revoked terminal %s refused", terminal.kiosk_id)
            return 403, "revoked", "this terminal has been revoked"
        if not self._identity.use_nonce(params.nonce, params.key_id):
            logger.info("replayed request of terminal %s refused", terminal.kiosk_id)
            return 401, "unauthenticated", "the signature does not hold (replayed_nonce)"
        return terminal.kiosk_id


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


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps({"code": code, "message": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Signature realm="hall"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
