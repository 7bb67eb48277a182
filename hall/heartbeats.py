"""Heartbeats: signed, admitted and stored in batches, one transaction for each batch.

A fleet of 50,000 terminals beating every 30 s sends 1,667 beats a second. Each beat needs its
nonce and rate-limit count recorded (``hall.auth.AuthGate``) and the beat stored with the fleet's
bookkeeping (``hall.fleet.recorder.FleetRecorder``). ``HeartbeatIntake`` is group commit over
both: the first beat starts a transaction at once; the beats that arrive while it runs go
together in the next one, which admits them and stores the admitted ones before it commits. So a
beat is acknowledged only once it is stored, a stored beat has spent its nonce, and a beat whose
transaction failed has spent nothing (its retry, or the same bytes again, is stored once).

``HeartbeatEndpoint`` serves ``POST /api/v1/heartbeats`` as a bare ASGI app, in front of FastAPI's
middleware and router (``hall.app.HallApp``): the fleet's most frequent request is read within its
body limit, verified, validated by pydantic-core from the raw bytes and handed to the intake,
with the same answers (``ErrorPublic`` bodies) as every other route. Nothing lives here between
batches: each worker process has its own intake over the same database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError

from hall.auth import (
    MAX_BATCH,
    AuthGate,
    GroupCommit,
    Receive,
    Refusal,
    Scope,
    Send,
    SignatureVerifier,
    Signed,
    refuse,
    request_parts,
)
from hall.db import Database
from hall.errors import HallError, TerminalMismatchError
from hall.fleet.recorder import BatchStored, FleetRecorder
from hall.schema import ErrorPublic, HeartbeatCreate

logger = logging.getLogger(__name__)

Answer = BatchStored | Refusal | HallError
"""What one beat of a batch is answered from: its batch as stored, or why it was not."""


class HeartbeatIntake:
    """Admit and store signed beats, a batch per transaction (group commit)."""

    def __init__(
        self,
        db: Database,
        gate: AuthGate,
        recorder: FleetRecorder,
        *,
        clock: Callable[[], dt.datetime],
        max_batch: int = MAX_BATCH,
        interval: float = 0.0,
    ) -> None:
        self._db = db
        self._gate = gate
        self._recorder = recorder
        self._clock = clock
        self._batches = GroupCommit(self.write, max_batch=max_batch, interval=interval)

    async def take(self, signed: Signed, heartbeat: HeartbeatCreate) -> Answer:
        """Admit the beat and store it with the others of its batch; returns once committed."""
        return await self._batches.submit((signed, heartbeat))

    def write(self, beats: list[tuple[Signed, HeartbeatCreate]]) -> list[Answer]:
        """Admit each beat and store the admitted ones, in one transaction (answers in order)."""
        now = self._clock()
        answers: list[Answer] = []
        with self._db.write() as session:
            sites: dict[str, str | None] = {}
            admitted = self._gate.admit_in(
                session, [(signed.key_id, signed.nonce) for signed, _ in beats], now, sites=sites
            )
            kept: list[HeartbeatCreate] = []
            for (_, heartbeat), outcome in zip(beats, admitted, strict=True):
                if isinstance(outcome, Refusal):
                    answers.append(outcome)
                elif outcome != heartbeat.kiosk_id:
                    # Admitted (its nonce spent, counted) but naming another terminal: refused.
                    answers.append(
                        TerminalMismatchError("the request names another terminal than its signer")
                    )
                else:
                    kept.append(heartbeat)
                    answers.append(BatchStored(now, {}))  # placeholder, the batch's below
            stored = self._recorder.write_in(session, kept, now, sites=sites) if kept else None
        if stored is None:
            return answers
        self._recorder.committed(stored)
        return [stored if isinstance(answer, BatchStored) else answer for answer in answers]


class HeartbeatEndpoint:
    """``POST /api/v1/heartbeats`` as a bare ASGI app (its body already bounded and read).

    Refusals of the signature come first (401), then a body that does not validate (422: after
    the gate has admitted the request, as for every other route, so a revoked terminal still
    hears 403), then the gate's and the batch's answers.
    """

    def __init__(
        self,
        verifier: SignatureVerifier,
        intake: HeartbeatIntake,
        validation_message: Callable[[list[Any]], str],
    ) -> None:
        self._verifier = verifier
        self._intake = intake
        self._validation_message = validation_message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one heartbeat request."""
        message = await receive()  # the body, whole: ``BodyLimitMiddleware`` read it
        if message["type"] != "http.request":
            return
        body = message.get("body", b"")
        try:
            outcome = await self._answer(scope, body)
        except HallError as err:
            await _json(send, err.status_code, _error(err.code, str(err)))
        except DataError as err:
            logger.warning("database refused a value: %s", type(err.orig).__name__)
            text = "invalid request: a value the hall cannot store"
            await _json(send, 422, _error("invalid_request", text))
        except Exception as err:
            logger.error("unhandled %s in a request", type(err).__name__)
            text = "the hall failed to answer; try again later"
            await _json(send, 500, _error("internal_error", text))
        else:
            if isinstance(outcome, Refusal):
                await refuse(send, outcome)
            else:
                await _json(send, *outcome)

    async def _answer(self, scope: Scope, body: bytes) -> Refusal | tuple[int, bytes]:
        method, path, query, headers = request_parts(scope)
        signed = await self._verifier.verify(method, path, query, body, headers)
        if isinstance(signed, Refusal):
            return signed
        try:
            heartbeat = HeartbeatCreate.model_validate_json(body)
        except ValidationError as err:
            admitted = await self._verifier.gate.admit(signed.key_id, signed.nonce)
            if isinstance(admitted, Refusal):
                return admitted
            details = [{**detail, "loc": ("body", *detail["loc"])} for detail in err.errors()]
            return 422, _error("invalid_request", self._validation_message(details))
        answer = await self._intake.take(signed, heartbeat)
        if isinstance(answer, HallError):
            raise answer
        if isinstance(answer, Refusal):
            return answer
        return 200, answer.answer(heartbeat.kiosk_id).model_dump_json().encode()


def _error(code: str, message: str) -> bytes:
    return ErrorPublic(code=code, message=message).model_dump_json().encode()


async def _json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
