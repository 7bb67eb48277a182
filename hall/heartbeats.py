"""Heartbeats in batches: one multi-row upsert for every beat that arrived while the last one ran.

A fleet of 50,000 terminals beating every 30 s sends 1,667 beats a second; one transaction each
would cost a commit (and on a durable database an fsync) per beat. ``HeartbeatBatcher`` is group
commit: the first beat starts a write at once; beats that arrive while it runs wait and go
together in the next one. A beat is answered only after the transaction holding it committed, so
an acknowledged beat is stored. Nothing lives here between writes: each worker process has its own
batcher over the same database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

from hall.schema import HeartbeatCreate

_Stored = TypeVar("_Stored")

MAX_BATCH = 500
"""Beats per transaction at most (one statement's parameters stay bounded)."""


class HeartbeatBatcher(Generic[_Stored]):
    """Gathers beats on the event loop and hands each batch to ``write`` on a thread.

    ``write`` stores the beats and returns what every beat of the batch is answered from: the
    instant it recorded them at (the hall's clock), or, for the fleet
    (``hall.fleet.recorder.FleetRecorder``), that instant with each terminal's shadow. The
    fleet's extra work is a fixed number of statements per batch, never one per beat.
    """

    def __init__(
        self,
        write: Callable[[list[HeartbeatCreate]], _Stored],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._waiting: list[tuple[HeartbeatCreate, asyncio.Future[_Stored]]] = []
        self._writing = False

    async def record(self, heartbeat: HeartbeatCreate) -> _Stored:
        """Store the beat with the others of its batch; returns when stored, with ``write``'s."""
        future: asyncio.Future[_Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((heartbeat, future))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                try:
                    stored_at = await asyncio.to_thread(self._write, [beat for beat, _ in batch])
                except Exception as err:  # every beat of the batch gets the database's error
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(err)
                else:
                    for _, future in batch:
                        if not future.done():
                            future.set_result(stored_at)
        finally:
            self._writing = False
