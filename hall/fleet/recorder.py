"""The heartbeat batch's write: latest beat, health, a sample per slot, alerts, the shadow answer.

One transaction per batch (``hall.heartbeats.HeartbeatBatcher``) and a fixed number of
statements per batch, never one per beat: the latest beat and the health row are upserts, the
sample is an insert that skips a slot already held, and the alerts, acknowledgements, commands,
desired configurations and staff calls of the whole batch are read with one ``IN`` each.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hall.db import Database, Terminal
from hall.fleet import health
from hall.fleet.models import Alert, Command, DesiredConfigRow, FleetTerminal, HeartbeatSample
from hall.schema import (
    CommandPublic,
    DesiredConfig,
    DesiredConfigPublic,
    HeartbeatCreate,
    HeartbeatPublic,
    StaffCallPublic,
)

logger = logging.getLogger(__name__)

STAFF_CALL_SHOWN = dt.timedelta(minutes=30)
"""A staff call stays in the terminal's heartbeat answers this long after it was raised."""


@dataclass
class Shadow:
    """What the hall answers one terminal's beat with, beyond the time."""

    desired: DesiredConfigPublic | None = None
    commands: list[CommandPublic] = field(default_factory=list)
    staff_calls: list[StaffCallPublic] = field(default_factory=list)


@dataclass
class BatchStored:
    """A batch as stored: the instant (hall clock) and each terminal's shadow."""

    stored_at: dt.datetime
    shadows: dict[str, Shadow]

    def answer(self, kiosk_id: str) -> HeartbeatPublic:
        """The heartbeat answer for one terminal of the batch."""
        shadow = self.shadows.get(kiosk_id, Shadow())
        return HeartbeatPublic(
            kiosk_id=kiosk_id,
            received_at=self.stored_at,
            server_time=self.stored_at,
            desired=shadow.desired,
            commands=shadow.commands,
            staff_calls=shadow.staff_calls,
        )


def targets_of(kiosk_id: str, site: str | None) -> list[str]:
    """The desired-configuration targets that apply to a terminal, weakest first."""
    targets = ["all"]
    if site:
        targets.append(f"site:{site}")
    targets.append(f"terminal:{kiosk_id}")
    return targets


def effective_config(
    rows: dict[str, DesiredConfigRow], kiosk_id: str, site: str | None
) -> DesiredConfigPublic | None:
    """The terminal's desired configuration: its own over its site's over the fleet's."""
    merged = DesiredConfig()
    version = None
    for target in targets_of(kiosk_id, site):
        row = rows.get(target)
        if row is None:
            continue
        try:
            merged = DesiredConfig.model_validate(row.config).over(merged)
        except ValidationError:
            logger.warning("desired config of a target does not validate; left out")
            continue
        version = row.version if version is None else max(version, row.version)
    if version is None:
        return None
    return DesiredConfigPublic(version=version, config=merged)


class FleetRecorder:
    """Store heartbeat batches with the fleet's bookkeeping; ``write`` is the batcher's writer."""

    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock
        # Terminals this process has sampled in the current slot: a later beat of the slot
        # skips the sample's insert altogether (another worker's duplicate is skipped by the key).
        self._sampled_slot: dt.datetime | None = None
        self._sampled: set[str] = set()

    def write(self, beats: list[HeartbeatCreate]) -> BatchStored:
        """Store one batch in a transaction of its own (a repeat of a terminal: the last counts)."""
        now = self._clock()
        with self._db.write() as session:
            stored = self.write_in(session, beats, now)
        self.committed(stored)
        return stored

    def write_in(
        self, session: Session, beats: list[HeartbeatCreate], now: dt.datetime
    ) -> BatchStored:
        """Store one batch in the caller's transaction; call ``committed`` once it committed."""
        latest = {beat.kiosk_id: beat for beat in beats}
        ids = sorted(latest)
        found = {kiosk: health.faults(latest[kiosk]) for kiosk in ids}
        session.execute(
            self._db.upsert_heartbeats(),
            [
                {"kiosk_id": k, "received_at": now, "body": latest[k].model_dump(mode="json")}
                for k in ids
            ],
        )
        self._upsert_health(session, ids, latest, found, now)
        self._sample(session, ids, latest, found, now)
        self._alerts(session, ids, found, now)
        self._acks(session, latest, now)
        shadows = self._shadows(session, ids, now)
        return BatchStored(stored_at=now, shadows=shadows)

    def committed(self, stored: BatchStored) -> None:
        """Note a committed batch: its terminals have their sample of the slot.

        Not before the commit, so that a rolled-back batch's samples are tried again.
        """
        if self._sampled_slot == health.slot(stored.stored_at):
            self._sampled.update(stored.shadows)

    def _insert(self, session: Session, table: type) -> object:
        dialect = session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    def _upsert_health(
        self,
        session: Session,
        ids: list[str],
        latest: dict[str, HeartbeatCreate],
        found: dict[str, dict[str, str]],
        now: dt.datetime,
    ) -> None:
        statement = self._insert(session, FleetTerminal)
        rows = [
            {
                "kiosk_id": k,
                "received_at": now,
                "offline_after": health.offline_after(latest[k], now),
                "health": health.health(found[k]),
                "faults": sorted(found[k]),
                "app_version": latest[k].app_version,
                "catalog_version": latest[k].catalog_version,
                "config_version": latest[k].config_version,
            }
            for k in ids
        ]
        excluded = statement.excluded  # type: ignore[attr-defined]
        session.execute(
            statement.on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=[FleetTerminal.kiosk_id],
                set_={name: excluded[name] for name in rows[0] if name != "kiosk_id"},
            ),
            rows,
        )

    def _sample(
        self,
        session: Session,
        ids: list[str],
        latest: dict[str, HeartbeatCreate],
        found: dict[str, dict[str, str]],
        now: dt.datetime,
    ) -> None:
        # The first beat of each five-minute slot is the sample; later ones skip the insert.
        slot = health.slot(now)
        if slot != self._sampled_slot:
            self._sampled_slot, self._sampled = slot, set()
        ids = [k for k in ids if k not in self._sampled]
        if not ids:
            return
        statement = self._insert(session, HeartbeatSample)
        session.execute(
            statement.on_conflict_do_nothing(  # type: ignore[attr-defined]
                index_elements=[HeartbeatSample.kiosk_id, HeartbeatSample.slot_at]
            ),
            [
                {
                    "kiosk_id": k,
                    "slot_at": slot,
                    "received_at": now,
                    "health": health.health(found[k]),
                    "body": latest[k].model_dump(mode="json"),
                }
                for k in ids
            ],
        )

    def _alerts(
        self,
        session: Session,
        ids: list[str],
        found: dict[str, dict[str, str]],
        now: dt.datetime,
    ) -> None:
        open_rows = session.scalars(
            select(Alert).where(
                Alert.kiosk_id.in_(ids),
                Alert.cleared_at.is_(None),
                Alert.kind != "staff_called",
            )
        ).all()
        held: dict[tuple[str, str], Alert] = {}
        for row in open_rows:
            if (row.kiosk_id, row.kind) in held or row.kind == "offline":
                # A beat clears "offline"; a duplicate open alert (two workers) is cleared too.
                row.cleared_at = now
                continue
            held[(row.kiosk_id, row.kind)] = row
        for (kiosk, kind), row in held.items():
            if kind not in found[kiosk]:
                row.cleared_at = now
        for kiosk in ids:
            for kind, detail in found[kiosk].items():
                if (kiosk, kind) in held:
                    held[(kiosk, kind)].detail = detail
                else:
                    session.add(Alert(kiosk_id=kiosk, kind=kind, detail=detail, raised_at=now))

    def _acks(self, session: Session, latest: dict[str, HeartbeatCreate], now: dt.datetime) -> None:
        for kiosk, beat in latest.items():
            for ack in beat.command_acks:
                # Only this terminal's own commands, and only once.
                session.execute(
                    update(Command)
                    .where(
                        Command.command_id == ack.command_id,
                        Command.kiosk_id == kiosk,
                        Command.status == "pending",
                    )
                    .values(status=ack.status, acked_at=now, detail=ack.detail)
                )

    def _shadows(self, session: Session, ids: list[str], now: dt.datetime) -> dict[str, Shadow]:
        shadows = {kiosk: Shadow() for kiosk in ids}
        sites = dict(
            session.execute(
                select(Terminal.kiosk_id, Terminal.site).where(Terminal.kiosk_id.in_(ids))
            ).all()
        )
        wanted = {t for kiosk in ids for t in targets_of(kiosk, sites.get(kiosk))}
        configs = {
            row.target: row
            for row in session.scalars(
                select(DesiredConfigRow).where(DesiredConfigRow.target.in_(wanted))
            )
        }
        for kiosk in ids:
            shadows[kiosk].desired = effective_config(configs, kiosk, sites.get(kiosk))
        pending = session.scalars(
            select(Command)
            .where(Command.kiosk_id.in_(ids), Command.status == "pending")
            .order_by(Command.id)
        ).all()
        for command in pending:
            if command.delivered_at is None:
                command.delivered_at = now
            shadows[command.kiosk_id].commands.append(
                CommandPublic(
                    command_id=command.command_id,
                    kind=command.kind,  # type: ignore[arg-type]
                    queued_at=command.queued_at,
                )
            )
        calls = session.scalars(
            select(Alert)
            .where(
                Alert.kiosk_id.in_(ids),
                Alert.kind == "staff_called",
                or_(Alert.cleared_at.is_(None), Alert.raised_at > now - STAFF_CALL_SHOWN),
            )
            .order_by(Alert.id)
        ).all()
        for call in calls:
            shadows[call.kiosk_id].staff_calls.append(staff_call_public(call))
        return shadows


def staff_call_public(row: Alert) -> StaffCallPublic:
    """A ``staff_called`` alert as the terminal sees it (who acknowledged stays at the hall)."""
    return StaffCallPublic(
        call_id=row.call_id or str(row.id),
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        cleared_at=row.cleared_at,
    )
