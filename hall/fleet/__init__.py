"""The fleet: terminals' health and history, alerts, the device shadow, staff calls.

The query API the dashboard builds on (each takes a SQLAlchemy ``Session`` from
``Database.read()`` or, for the ones that change something, ``Database.write()``; ``now`` is the
hall's clock, aware UTC):

- ``list_terminals(session, *, now, status=None, site=None, version=None, alert=None,
  cursor=None, limit=50) -> Page`` -- one page of terminals in ``kiosk_id`` order, filtered by
  status (``ok``/``degraded``/``offline``), site, app version, open alert kind (or ``"any"``);
  ``Page.next_cursor`` is ``None`` on the last page. ``limit`` is bounded to 1..``MAX_LIMIT``.
- ``terminal_history(session, kiosk_id, *, since) -> list[Sample]`` -- the sampled beats (one per
  five minutes, kept ``HISTORY_DAYS``).
- ``open_alerts(session, *, kiosk_id=None, limit=500) -> list[AlertView]`` -- open alerts, newest
  first; ``acknowledge_alert(session, alert_id, staff_name, *, now) -> AlertView``.
- ``queue_command(session, kiosk_id, kind, staff_name, *, now) -> CommandView`` (kinds:
  ``hall.schema.COMMAND_KINDS``); ``commands(session, kiosk_id, limit=50) -> list[CommandView]``.
- ``set_desired_config(session, target, config, staff_name, *, now) -> int`` -- ``target`` is
  ``"all"``, ``"site:<site>"`` or ``"terminal:<kiosk id>"``; ``config`` a
  ``hall.schema.DesiredConfig`` or a dict validated as one; returns the new version.
  ``desired_config(session, target) -> DesiredConfigPublic | None`` reads one back.
- ``raise_staff_call(session, kiosk_id, call_id, *, now) -> StaffCallPublic`` (idempotent on
  ``call_id``) and ``staff_call(session, kiosk_id, call_id)``: the terminal's 呼叫工作人员.
- ``terminal_logs(session, kiosk_id, limit=10)`` -- logs uploaded on ``upload_log``.

The HTTP side is ``hall.fleet.routes``; the heartbeat write is ``hall.fleet.recorder``; the
periodic sweep (offline alerts, pruning, metadata re-signing) is ``hall.fleet.sweep``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from hall.db import Terminal, TerminalHeartbeat
from hall.fleet import health
from hall.fleet.errors import (
    AlertNotFoundError,
    BadCursorError,
    BadTargetError,
    StaffCallNotFoundError,
    TerminalNotFoundError,
    UnknownCommandError,
)
from hall.fleet.models import (
    Alert,
    Command,
    DesiredConfigRow,
    FleetTerminal,
    HeartbeatSample,
    TerminalLog,
)
from hall.fleet.recorder import effective_config, staff_call_public, targets_of
from hall.schema import (
    COMMAND_KINDS,
    DesiredConfig,
    DesiredConfigPublic,
    FleetStatus,
    HeartbeatCreate,
    StaffCallPublic,
    TerminalPublic,
)

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
HISTORY_DAYS = 30
_DEFAULT_OFFLINE = dt.timedelta(seconds=health.DEFAULT_INTERVAL_S * health.MISSED_INTERVALS)

__all__ = [
    "AlertView",
    "CommandView",
    "Page",
    "Sample",
    "acknowledge_alert",
    "commands",
    "desired_config",
    "list_terminals",
    "open_alerts",
    "queue_command",
    "raise_staff_call",
    "set_desired_config",
    "staff_call",
    "terminal_history",
    "terminal_logs",
]


@dataclass(frozen=True)
class Page:
    """One page of the fleet list; pass ``next_cursor`` back for the next (``None``: the last)."""

    terminals: list[TerminalPublic]
    next_cursor: str | None


@dataclass(frozen=True)
class AlertView:
    """An alert as staff see it."""

    id: int
    kiosk_id: str
    kind: str
    detail: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    cleared_at: dt.datetime | None


@dataclass(frozen=True)
class CommandView:
    """A command and where it stands (``pending``, ``done``, ``failed``)."""

    command_id: str
    kiosk_id: str
    kind: str
    status: str
    queued_at: dt.datetime
    queued_by: str
    delivered_at: dt.datetime | None
    acked_at: dt.datetime | None
    detail: str


@dataclass(frozen=True)
class Sample:
    """A sampled beat: the slot it stands for, the health then, the beat as sent."""

    slot_at: dt.datetime
    health: str
    heartbeat: HeartbeatCreate


def encode_cursor(kiosk_id: str) -> str:
    """An opaque cursor after ``kiosk_id``."""
    return base64.urlsafe_b64encode(kiosk_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The kiosk id a cursor points after; :class:`BadCursorError` for a cursor not made here."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kiosk_id = raw.decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursorError("the cursor is not one this hall made") from None
    if not kiosk_id or len(kiosk_id) > 64 or "\x00" in kiosk_id:
        raise BadCursorError("the cursor is not one this hall made")
    return kiosk_id


def _status_clause(status: FleetStatus, now: dt.datetime) -> Any:
    silent = or_(
        FleetTerminal.offline_after < now,
        and_(
            FleetTerminal.kiosk_id.is_(None), TerminalHeartbeat.received_at < now - _DEFAULT_OFFLINE
        ),
    )
    if status == "offline":
        return silent
    if status == "degraded":
        return and_(not_(silent), FleetTerminal.health == "degraded")
    return and_(
        not_(silent), or_(FleetTerminal.health.is_(None), FleetTerminal.health != "degraded")
    )


def list_terminals(
    session: Session,
    *,
    now: dt.datetime,
    status: FleetStatus | None = None,
    site: str | None = None,
    version: str | None = None,
    alert: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """One page of terminals that ever beat, in ``kiosk_id`` order (stable under paging).

    A stored beat that no longer validates (made before the boundary's checks) is left out and
    logged: no stored value can fail the fleet's list.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = (
        select(TerminalHeartbeat, FleetTerminal, Terminal.site)
        .outerjoin(FleetTerminal, FleetTerminal.kiosk_id == TerminalHeartbeat.kiosk_id)
        .outerjoin(Terminal, Terminal.kiosk_id == TerminalHeartbeat.kiosk_id)
        .order_by(TerminalHeartbeat.kiosk_id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(TerminalHeartbeat.kiosk_id > decode_cursor(cursor))
    if status is not None:
        query = query.where(_status_clause(status, now))
    if site is not None:
        query = query.where(Terminal.site == site)
    if version is not None:
        query = query.where(FleetTerminal.app_version == version)
    if alert is not None:
        open_alert = select(Alert.id).where(
            Alert.kiosk_id == TerminalHeartbeat.kiosk_id, Alert.cleared_at.is_(None)
        )
        if alert != "any":
            open_alert = open_alert.where(Alert.kind == alert)
        query = query.where(open_alert.exists())
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [beat.kiosk_id for beat, _, _ in rows]
    alerts: dict[str, list[str]] = {}
    if ids:
        for kiosk, kind in session.execute(
            select(Alert.kiosk_id, Alert.kind)
            .where(Alert.kiosk_id.in_(ids), Alert.cleared_at.is_(None))
            .order_by(Alert.id)
        ):
            if kind not in alerts.setdefault(kiosk, []):
                alerts[kiosk].append(kind)
    desired = _desired_versions(session, [(beat.kiosk_id, s) for beat, _, s in rows])
    terminals = []
    for beat, fleet, site_name in rows:
        try:
            terminal = TerminalPublic(
                kiosk_id=beat.kiosk_id,
                last_seen_at=beat.received_at,
                heartbeat=HeartbeatCreate.model_validate(beat.body),
                status=_status_of(beat, fleet, now),
                site=site_name,
                faults=list(fleet.faults) if fleet is not None else [],
                open_alerts=alerts.get(beat.kiosk_id, []),
                desired_version=desired.get(beat.kiosk_id),
            )
        except (ValidationError, TypeError):
            logger.warning("terminal list: an unreadable stored heartbeat left out")
            continue
        terminals.append(terminal)
    next_cursor = encode_cursor(rows[-1][0].kiosk_id) if more and rows else None
    return Page(terminals=terminals, next_cursor=next_cursor)


def _status_of(
    beat: TerminalHeartbeat, fleet: FleetTerminal | None, now: dt.datetime
) -> FleetStatus:
    if fleet is None:
        return "offline" if beat.received_at + _DEFAULT_OFFLINE < now else "ok"
    if fleet.offline_after < now:
        return "offline"
    return "degraded" if fleet.health == "degraded" else "ok"


def _desired_versions(session: Session, terminals: list[tuple[str, str | None]]) -> dict[str, int]:
    if not terminals:
        return {}
    wanted = {t for kiosk, site in terminals for t in targets_of(kiosk, site)}
    rows = {
        row.target: row
        for row in session.scalars(
            select(DesiredConfigRow).where(DesiredConfigRow.target.in_(wanted))
        )
    }
    versions = {}
    for kiosk, site in terminals:
        found = [rows[t].version for t in targets_of(kiosk, site) if t in rows]
        if found:
            versions[kiosk] = max(found)
    return versions


def terminal_history(session: Session, kiosk_id: str, *, since: dt.datetime) -> list[Sample]:
    """The terminal's sampled beats since ``since``, oldest first (unreadable ones left out)."""
    samples = []
    for row in session.scalars(
        select(HeartbeatSample)
        .where(HeartbeatSample.kiosk_id == kiosk_id, HeartbeatSample.slot_at >= since)
        .order_by(HeartbeatSample.slot_at)
    ):
        try:
            beat = HeartbeatCreate.model_validate(row.body)
        except ValidationError:
            continue
        samples.append(Sample(slot_at=row.slot_at, health=row.health, heartbeat=beat))
    return samples


def _alert_view(row: Alert) -> AlertView:
    return AlertView(
        id=row.id,
        kiosk_id=row.kiosk_id,
        kind=row.kind,
        detail=row.detail,
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        cleared_at=row.cleared_at,
    )


def open_alerts(
    session: Session, *, kiosk_id: str | None = None, limit: int = 500
) -> list[AlertView]:
    """Open alerts, newest first (``staff_called`` included until staff acknowledge it)."""
    query = select(Alert).where(Alert.cleared_at.is_(None)).order_by(Alert.id.desc())
    if kiosk_id is not None:
        query = query.where(Alert.kiosk_id == kiosk_id)
    return [_alert_view(row) for row in session.scalars(query.limit(max(1, min(limit, 5000))))]


def acknowledge_alert(
    session: Session, alert_id: int, staff_name: str, *, now: dt.datetime
) -> AlertView:
    """Mark an alert acknowledged by ``staff_name`` (the first acknowledgement is kept).

    A ``staff_called`` alert is also cleared: someone is on the way, and the terminal shows it.
    """
    row = session.get(Alert, alert_id)
    if row is None:
        raise AlertNotFoundError(f"no alert {alert_id}")
    if row.acknowledged_at is None:
        row.acknowledged_at = now
        row.acknowledged_by = staff_name[:200]
    if row.kind == "staff_called" and row.cleared_at is None:
        row.cleared_at = now
    session.flush()
    return _alert_view(row)


def _command_view(row: Command) -> CommandView:
    return CommandView(
        command_id=row.command_id,
        kiosk_id=row.kiosk_id,
        kind=row.kind,
        status=row.status,
        queued_at=row.queued_at,
        queued_by=row.queued_by,
        delivered_at=row.delivered_at,
        acked_at=row.acked_at,
        detail=row.detail,
    )


def queue_command(
    session: Session, kiosk_id: str, kind: str, staff_name: str, *, now: dt.datetime
) -> CommandView:
    """Queue a command for an enrolled terminal; it goes out with the terminal's next beat."""
    if kind not in COMMAND_KINDS:
        raise UnknownCommandError(f"unknown command {kind!r}; one of {', '.join(COMMAND_KINDS)}")
    if session.get(Terminal, kiosk_id) is None:
        raise TerminalNotFoundError(f"no enrolled terminal {kiosk_id}")
    row = Command(
        command_id=str(uuid.uuid4()),
        kiosk_id=kiosk_id,
        kind=kind,
        status="pending",
        queued_at=now,
        queued_by=staff_name[:200],
        detail="",
    )
    session.add(row)
    session.flush()
    return _command_view(row)


def commands(session: Session, kiosk_id: str, limit: int = 50) -> list[CommandView]:
    """A terminal's commands, newest first."""
    query = (
        select(Command)
        .where(Command.kiosk_id == kiosk_id)
        .order_by(Command.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    return [_command_view(row) for row in session.scalars(query)]


def _check_target(target: str) -> None:
    if target == "all":
        return
    kind, _, name = target.partition(":")
    if kind not in ("site", "terminal") or not name or len(target) > 220 or "\x00" in target:
        raise BadTargetError(f"target {target!r}: use all, site:<site> or terminal:<kiosk id>")


def set_desired_config(
    session: Session,
    target: str,
    config: DesiredConfig | dict[str, Any],
    staff_name: str,
    *,
    now: dt.datetime,
) -> int:
    """Set the desired configuration of ``target`` (replacing its previous one); new version.

    ``config`` is validated as :class:`hall.schema.DesiredConfig` (``ValidationError``). Versions
    come from one counter over all targets, so every change gives the terminals it touches a
    larger effective version.
    """
    _check_target(target)
    valid = config if isinstance(config, DesiredConfig) else DesiredConfig.model_validate(config)
    version = int(session.scalar(select(func.max(DesiredConfigRow.version))) or 0) + 1
    row = session.get(DesiredConfigRow, target)
    body = valid.model_dump(mode="json", exclude_none=True)
    if row is None:
        session.add(
            DesiredConfigRow(
                target=target,
                version=version,
                config=body,
                updated_at=now,
                updated_by=staff_name[:200],
            )
        )
    else:
        row.version, row.config, row.updated_at, row.updated_by = (
            version,
            body,
            now,
            staff_name[:200],
        )
    session.flush()
    return version


def desired_config(session: Session, target: str) -> DesiredConfigPublic | None:
    """The desired configuration set for ``target`` itself (not merged), or ``None``."""
    _check_target(target)
    row = session.get(DesiredConfigRow, target)
    if row is None:
        return None
    return DesiredConfigPublic(version=row.version, config=DesiredConfig.model_validate(row.config))


def effective_desired(session: Session, kiosk_id: str) -> DesiredConfigPublic | None:
    """What a terminal is asked to run: its own config over its site's over the fleet's."""
    site = session.scalar(select(Terminal.site).where(Terminal.kiosk_id == kiosk_id))
    targets = targets_of(kiosk_id, site)
    rows = {
        row.target: row
        for row in session.scalars(
            select(DesiredConfigRow).where(DesiredConfigRow.target.in_(targets))
        )
    }
    return effective_config(rows, kiosk_id, site)


def raise_staff_call(
    session: Session, kiosk_id: str, call_id: str, *, now: dt.datetime
) -> StaffCallPublic:
    """Raise a ``staff_called`` alert for the terminal; the same ``call_id`` again is that one."""
    row = session.scalar(select(Alert).where(Alert.call_id == call_id))
    if row is not None:
        if row.kiosk_id != kiosk_id:
            raise StaffCallNotFoundError("that call id belongs to another terminal")
        return staff_call_public(row)
    row = Alert(
        kiosk_id=kiosk_id,
        kind="staff_called",
        detail="a citizen pressed 呼叫工作人员",
        call_id=call_id,
        raised_at=now,
    )
    session.add(row)
    session.flush()
    logger.info("staff called at terminal %s", kiosk_id)
    return staff_call_public(row)


def staff_call(session: Session, kiosk_id: str, call_id: str) -> StaffCallPublic:
    """A staff call of this terminal as it stands."""
    row = session.scalar(select(Alert).where(Alert.call_id == call_id, Alert.kiosk_id == kiosk_id))
    if row is None:
        raise StaffCallNotFoundError("no such staff call from this terminal")
    return staff_call_public(row)


def store_log(
    session: Session, kiosk_id: str, command_id: str, lines: list[str], *, now: dt.datetime
) -> int:
    """Keep a log a terminal uploaded for one of its ``upload_log`` commands; returns its id."""
    command = session.scalar(
        select(Command).where(Command.command_id == command_id, Command.kiosk_id == kiosk_id)
    )
    if command is None or command.kind != "upload_log":
        raise UnknownCommandError("no upload_log command with this id for this terminal")
    row = TerminalLog(
        kiosk_id=kiosk_id, command_id=command_id, received_at=now, text="\n".join(lines)
    )
    session.add(row)
    session.flush()
    return row.id


def terminal_logs(
    session: Session, kiosk_id: str, limit: int = 10
) -> list[tuple[dt.datetime, str]]:
    """Logs a terminal uploaded, newest first: (received_at, text)."""
    query = (
        select(TerminalLog.received_at, TerminalLog.text)
        .where(TerminalLog.kiosk_id == kiosk_id)
        .order_by(TerminalLog.id.desc())
        .limit(max(1, min(limit, 100)))
    )
    return list(session.execute(query))
