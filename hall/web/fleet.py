"""The fleet as the dashboard lists it: enrolled terminals with their latest heartbeat, paged.

Status: ``offline`` when the last heartbeat is older than ``offline_after`` (three missed beats)
or there never was one; ``degraded`` when the heartbeat names a failed device, a full store, a
failed or hour-old outbox item, an uncertain print, or a clock off by more than 60 s; ``online``
otherwise. Paging and the online/offline filter run in SQL, so thousands of terminals cost one
page of rows; a stored heartbeat the wire model cannot read shows as ``unknown``, never an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hall.db import Terminal, TerminalHeartbeat
from hall.schema import HeartbeatCreate

Status = Literal["online", "degraded", "offline", "unknown"]
PAGE_SIZE = 50
DEFAULT_OFFLINE_AFTER = dt.timedelta(seconds=180)
"""Three missed beats of the terminal's default 60 s interval."""
_OK_DEVICE_STATES = {"ok", "ready", "idle", "online", "disabled", "none", "simulated"}


@dataclass(frozen=True)
class FleetRow:
    """One terminal's line on the fleet page."""

    kiosk_id: str
    site: str
    status: Status
    faults: list[str]
    last_seen_at: dt.datetime | None
    app_version: str
    catalog_version: str
    outbox_depth: int | None
    oldest_pending_age_s: float | None
    revoked: bool


@dataclass(frozen=True)
class FleetPage:
    """One page of the fleet with the fleet's counts."""

    rows: list[FleetRow]
    page: int
    pages: int
    total: int
    online: int
    offline: int


def faults_of(beat: HeartbeatCreate) -> list[str]:
    """What is wrong according to a heartbeat, as short codes for staff."""
    faults = [
        f"{name}:{state}"
        for name, state in sorted(beat.devices.items())
        if state.lower() not in _OK_DEVICE_STATES
    ]
    if beat.store_full:
        faults.append("store_full")
    if beat.outbox_failed:
        faults.append(f"outbox_failed:{beat.outbox_failed}")
    if beat.oldest_pending_age_s is not None and beat.oldest_pending_age_s > 3600:
        faults.append("outbox_stale")
    if beat.print_uncertain:
        faults.append(f"print_uncertain:{beat.print_uncertain}")
    if beat.clock_offset_s is not None and abs(beat.clock_offset_s) > 60:
        faults.append("clock_off")
    return faults


def fleet_page(
    session: Session,
    *,
    now: dt.datetime,
    offline_after: dt.timedelta = DEFAULT_OFFLINE_AFTER,
    page: int = 1,
    status: str = "",
    query: str = "",
) -> FleetPage:
    """One page of terminals (enrolled, or seen beating), most recently seen first."""
    cutoff = now - offline_after
    ids = (
        select(Terminal.kiosk_id.label("kiosk_id"))
        .union(select(TerminalHeartbeat.kiosk_id.label("kiosk_id")))
        .subquery()
    )
    base = (
        select(ids.c.kiosk_id, Terminal.site, Terminal.revoked_at, TerminalHeartbeat.received_at)
        .select_from(ids)
        .outerjoin(Terminal, Terminal.kiosk_id == ids.c.kiosk_id)
        .outerjoin(TerminalHeartbeat, TerminalHeartbeat.kiosk_id == ids.c.kiosk_id)
    )
    is_online = and_(
        TerminalHeartbeat.received_at.is_not(None), TerminalHeartbeat.received_at >= cutoff
    )

    def counted(condition: object | None) -> int:
        statement = select(func.count()).select_from(base.subquery())
        if condition is not None:
            statement = select(func.count()).select_from(base.where(condition).subquery())  # type: ignore[arg-type]
        return int(session.scalar(statement) or 0)

    total = counted(None)
    online = counted(is_online)
    filtered = base
    if status == "online":
        filtered = filtered.where(is_online)
    elif status == "offline":
        filtered = filtered.where(
            or_(TerminalHeartbeat.received_at.is_(None), TerminalHeartbeat.received_at < cutoff)
        )
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        filtered = filtered.where(
            or_(ids.c.kiosk_id.like(pattern, escape="\\"), Terminal.site.like(pattern, escape="\\"))
        )
    matching = int(session.scalar(select(func.count()).select_from(filtered.subquery())) or 0)
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(1, page), pages)
    listed = session.execute(
        filtered.order_by(TerminalHeartbeat.received_at.desc().nulls_last(), ids.c.kiosk_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    bodies = {
        kiosk: body
        for kiosk, body in session.execute(
            select(TerminalHeartbeat.kiosk_id, TerminalHeartbeat.body).where(
                TerminalHeartbeat.kiosk_id.in_([row.kiosk_id for row in listed])
            )
        )
    }
    rows = [
        _row(kiosk_id, site, revoked_at, seen, bodies.get(kiosk_id), cutoff)
        for kiosk_id, site, revoked_at, seen in listed
    ]
    return FleetPage(rows, page, pages, total, online, total - online)


def _row(
    kiosk_id: str,
    site: str | None,
    revoked_at: dt.datetime | None,
    seen: dt.datetime | None,
    body: object,
    cutoff: dt.datetime,
) -> FleetRow:
    beat: HeartbeatCreate | None = None
    if body is not None:
        try:
            beat = HeartbeatCreate.model_validate(body)
        except ValidationError:
            beat = None
    faults = faults_of(beat) if beat is not None else []
    status: Status
    if seen is None or seen < cutoff:
        status = "offline"
    elif beat is None:
        status = "unknown"
    else:
        status = "degraded" if faults else "online"
    return FleetRow(
        kiosk_id=kiosk_id,
        site=site or "",
        status=status,
        faults=faults,
        last_seen_at=seen,
        app_version=beat.app_version if beat else "",
        catalog_version=(beat.catalog_version or "") if beat else "",
        outbox_depth=beat.outbox_depth if beat else None,
        oldest_pending_age_s=beat.oldest_pending_age_s if beat else None,
        revoked=revoked_at is not None,
    )
