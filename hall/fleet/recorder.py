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
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hall.db import Base, Database, Terminal, TerminalHeartbeat
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
    """Store heartbeat batches with the fleet's bookkeeping; ``write`` is the batcher's writer.

    SQLAlchemy Core on the session's connection, statements built once: the ORM's unit of work,
    bulk-insert path and identity map were most of a batch's CPU for rows it never reads again.
    """

    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock
        # Terminals this process has sampled in the current slot: a later beat of the slot
        # skips the sample's insert altogether (another worker's duplicate is skipped by the key).
        self._sampled_slot: dt.datetime | None = None
        self._sampled: set[str] = set()
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        beats = insert(_BEATS)
        self._upsert_beats = beats.on_conflict_do_update(
            index_elements=[_BEATS.c.kiosk_id],
            set_={"received_at": beats.excluded.received_at, "body": beats.excluded.body},
        )
        terminals = insert(_HEALTH)
        self._upsert_health = terminals.on_conflict_do_update(
            index_elements=[_HEALTH.c.kiosk_id],
            set_={name: terminals.excluded[name] for name in _HEALTH_COLUMNS if name != "kiosk_id"},
        )
        self._insert_samples = insert(_SAMPLES).on_conflict_do_nothing(
            index_elements=[_SAMPLES.c.kiosk_id, _SAMPLES.c.slot_at]
        )

    def write(self, beats: list[HeartbeatCreate]) -> BatchStored:
        """Store one batch in a transaction of its own (a repeat of a terminal: the last counts)."""
        now = self._clock()
        with self._db.write() as session:
            stored = self.write_in(session, beats, now)
        self.committed(stored)
        return stored

    def write_in(
        self,
        session: Session,
        beats: list[HeartbeatCreate],
        now: dt.datetime,
        *,
        sites: dict[str, str | None] | None = None,
    ) -> BatchStored:
        """Store one batch in the caller's transaction; call ``committed`` once it committed.

        ``sites``: each terminal's site when the caller read them already (the auth gate does).
        """
        latest = {beat.kiosk_id: beat for beat in beats}
        ids = sorted(latest)
        found = {kiosk: health.faults(latest[kiosk]) for kiosk in ids}
        bodies = {k: latest[k].model_dump(mode="json") for k in ids}
        connection = session.connection()
        connection.execute(
            self._upsert_beats,
            [{"kiosk_id": k, "received_at": now, "body": bodies[k]} for k in ids],
        )
        connection.execute(
            self._upsert_health,
            [
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
            ],
        )
        self._sample(connection, ids, bodies, found, now)
        alerts = _ALERTS.c
        # One read for the health alerts this batch may clear and the staff calls it shows.
        rows = connection.execute(
            select(
                alerts.id,
                alerts.kiosk_id,
                alerts.kind,
                alerts.detail,
                alerts.call_id,
                alerts.raised_at,
                alerts.acknowledged_at,
                alerts.cleared_at,
            )
            .where(
                alerts.kiosk_id.in_(ids),
                or_(
                    alerts.cleared_at.is_(None),
                    and_(
                        alerts.kind == "staff_called",
                        alerts.raised_at > now - STAFF_CALL_SHOWN,
                    ),
                ),
            )
            .order_by(alerts.id)
        ).all()
        self._alerts(connection, ids, [r for r in rows if r.kind != "staff_called"], found, now)
        self._acks(connection, latest, now)
        if sites is None:
            terminals = Terminal.__table__.c
            sites = {
                kiosk: site
                for kiosk, site in connection.execute(
                    select(terminals.kiosk_id, terminals.site).where(terminals.kiosk_id.in_(ids))
                )
            }
        calls = [r for r in rows if r.kind == "staff_called"]
        shadows = self._shadows(connection, ids, sites, calls, now)
        return BatchStored(stored_at=now, shadows=shadows)

    def committed(self, stored: BatchStored) -> None:
        """Note a committed batch: its terminals have their sample of the slot.

        Not before the commit, so that a rolled-back batch's samples are tried again.
        """
        if self._sampled_slot == health.slot(stored.stored_at):
            self._sampled.update(stored.shadows)

    def _sample(
        self,
        connection: Connection,
        ids: list[str],
        bodies: dict[str, dict[str, Any]],
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
        connection.execute(
            self._insert_samples,
            [
                {
                    "kiosk_id": k,
                    "slot_at": slot,
                    "received_at": now,
                    "health": health.health(found[k]),
                    "body": bodies[k],
                }
                for k in ids
            ],
        )

    def _alerts(
        self,
        connection: Connection,
        ids: list[str],
        open_rows: list[Any],
        found: dict[str, dict[str, str]],
        now: dt.datetime,
    ) -> None:
        alerts = _ALERTS.c
        cleared: list[int] = []
        held: dict[tuple[str, str], tuple[int, str]] = {}
        for alert_id, kiosk, kind, detail, *_ in open_rows:
            if (kiosk, kind) in held or kind == "offline":
                # A beat clears "offline"; a duplicate open alert (two workers) is cleared too.
                cleared.append(alert_id)
                continue
            held[(kiosk, kind)] = (alert_id, detail)
        changed: list[dict[str, Any]] = []
        for (kiosk, kind), (alert_id, detail) in held.items():
            if kind not in found[kiosk]:
                cleared.append(alert_id)
            elif found[kiosk][kind] != detail:
                changed.append({"alert_id": alert_id, "new_detail": found[kiosk][kind]})
        if cleared:
            connection.execute(
                update(_ALERTS).where(alerts.id.in_(sorted(cleared))).values(cleared_at=now)
            )
        if changed:
            connection.execute(
                update(_ALERTS)
                .where(alerts.id == bindparam("alert_id"))
                .values(detail=bindparam("new_detail")),
                changed,
            )
        raised = [
            {"kiosk_id": kiosk, "kind": kind, "detail": detail, "raised_at": now}
            for kiosk in ids
            for kind, detail in found[kiosk].items()
            if (kiosk, kind) not in held
        ]
        if raised:
            connection.execute(insert(_ALERTS), raised)

    def _acks(
        self, connection: Connection, latest: dict[str, HeartbeatCreate], now: dt.datetime
    ) -> None:
        commands = _COMMANDS.c
        for kiosk, beat in latest.items():
            for ack in beat.command_acks:
                # Only this terminal's own commands, and only once.
                connection.execute(
                    update(_COMMANDS)
                    .where(
                        commands.command_id == ack.command_id,
                        commands.kiosk_id == kiosk,
                        commands.status == "pending",
                    )
                    .values(status=ack.status, acked_at=now, detail=ack.detail)
                )

    def _shadows(
        self,
        connection: Connection,
        ids: list[str],
        sites: dict[str, str | None],
        calls: list[Any],
        now: dt.datetime,
    ) -> dict[str, Shadow]:
        shadows = {kiosk: Shadow() for kiosk in ids}
        wanted = {t for kiosk in ids for t in targets_of(kiosk, sites.get(kiosk))}
        configs = _DESIRED.c
        rows = {
            target: DesiredConfigRow(target=target, version=version, config=config)
            for target, version, config in connection.execute(
                select(configs.target, configs.version, configs.config).where(
                    configs.target.in_(sorted(wanted))
                )
            )
        }
        for kiosk in ids:
            shadows[kiosk].desired = effective_config(rows, kiosk, sites.get(kiosk))
        commands = _COMMANDS.c
        pending = connection.execute(
            select(
                commands.id,
                commands.command_id,
                commands.kiosk_id,
                commands.kind,
                commands.queued_at,
                commands.delivered_at,
            )
            .where(commands.kiosk_id.in_(ids), commands.status == "pending")
            .order_by(commands.id)
        ).all()
        undelivered = [row.id for row in pending if row.delivered_at is None]
        if undelivered:
            connection.execute(
                update(_COMMANDS).where(commands.id.in_(undelivered)).values(delivered_at=now)
            )
        for row in pending:
            shadows[row.kiosk_id].commands.append(
                CommandPublic(command_id=row.command_id, kind=row.kind, queued_at=row.queued_at)
            )
        for call in calls:
            shadows[call.kiosk_id].staff_calls.append(
                StaffCallPublic(
                    call_id=call.call_id or str(call.id),
                    raised_at=call.raised_at,
                    acknowledged_at=call.acknowledged_at,
                    cleared_at=call.cleared_at,
                )
            )
        return shadows


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_BEATS = _table(TerminalHeartbeat)
_HEALTH = _table(FleetTerminal)
_HEALTH_COLUMNS = [column.name for column in _HEALTH.columns]
_SAMPLES = _table(HeartbeatSample)
_ALERTS = _table(Alert)
_COMMANDS = _table(Command)
_DESIRED = _table(DesiredConfigRow)


def staff_call_public(row: Alert) -> StaffCallPublic:
    """A ``staff_called`` alert as the terminal sees it (who acknowledged stays at the hall)."""
    return StaffCallPublic(
        call_id=row.call_id or str(row.id),
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        cleared_at=row.cleared_at,
    )
