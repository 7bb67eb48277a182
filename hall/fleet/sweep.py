"""The fleet's periodic sweep: alerts for silent terminals, pruning, catalog metadata re-signing.

Every hall process runs the loop; a lease row timed on the database's clock lets one of them at a
time do the work, so ``kiosk-hall serve --workers N`` raises each offline alert once. A process
that dies holding the lease loses it after ``lease_s``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select

from hall.db import Database, database_now, insert_or_skip
from hall.fleet.models import Alert, FleetLease, FleetTerminal, HeartbeatSample, TerminalLog

logger = logging.getLogger(__name__)

SWEEP_LEASE = "fleet_sweep"
HISTORY = dt.timedelta(days=30)
"""Sampled heartbeats are kept this long."""
CLEARED_ALERTS_KEPT = dt.timedelta(days=90)
LOGS_KEPT = dt.timedelta(days=30)


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did (``ran`` is ``False`` when another process holds the lease)."""

    ran: bool
    raised_offline: int = 0
    pruned_samples: int = 0


class FleetSweep:
    """Run :meth:`run_once` every ``every_s`` seconds under the database lease."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], dt.datetime],
        every_s: float = 5.0,
        lease_s: float = 30.0,
        extra: Callable[[], object] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._every_s = every_s
        self._lease = dt.timedelta(seconds=lease_s)
        self._holder = uuid.uuid4().hex
        self._extra = extra

    def _take_lease(self) -> bool:
        """Whether this process holds the lease now (timed on the database's clock)."""
        with self._db.write() as session:
            now = database_now(session)
            insert = insert_or_skip(session, FleetLease)
            session.execute(
                insert.values(
                    name=SWEEP_LEASE, holder=self._holder, expires_at=now + self._lease
                ).on_conflict_do_nothing(index_elements=[FleetLease.name])
            )
            row = session.scalar(
                select(FleetLease).where(FleetLease.name == SWEEP_LEASE).with_for_update()
            )
            assert row is not None
            if row.holder != self._holder and row.expires_at > now:
                return False
            row.holder, row.expires_at = self._holder, now + self._lease
            return True

    def run_once(self) -> SweepReport:
        """One sweep, if this process gets the lease."""
        if not self._take_lease():
            return SweepReport(ran=False)
        # The hall's clock, as the heartbeat write used for ``offline_after``.
        now = self._clock()
        with self._db.write() as session:
            silent = session.scalars(
                select(FleetTerminal.kiosk_id).where(
                    FleetTerminal.offline_after < now,
                    ~select(Alert.id)
                    .where(
                        Alert.kiosk_id == FleetTerminal.kiosk_id,
                        Alert.kind == "offline",
                        Alert.cleared_at.is_(None),
                    )
                    .exists(),
                )
            ).all()
            for kiosk in silent:
                session.add(
                    Alert(
                        kiosk_id=kiosk,
                        kind="offline",
                        detail="no heartbeat for three intervals",
                        raised_at=now,
                    )
                )
            result = session.execute(
                delete(HeartbeatSample).where(HeartbeatSample.slot_at < now - HISTORY)
            )
            pruned = getattr(result, "rowcount", 0)
            session.execute(
                delete(Alert).where(
                    Alert.cleared_at.is_not(None), Alert.cleared_at < now - CLEARED_ALERTS_KEPT
                )
            )
            session.execute(delete(TerminalLog).where(TerminalLog.received_at < now - LOGS_KEPT))
        if silent:
            logger.info("fleet: %d terminals went offline", len(silent))
        if self._extra is not None:
            self._extra()
        return SweepReport(ran=True, raised_offline=len(silent), pruned_samples=int(pruned or 0))

    async def loop(self) -> None:
        """Sweep until cancelled; a failed sweep is logged and the next one runs on time."""
        while True:
            try:
                await asyncio.to_thread(self.run_once)
            except Exception as err:  # the loop outlives a database hiccup
                logger.warning("fleet sweep failed: %s", type(err).__name__)
            await asyncio.sleep(self._every_s)
