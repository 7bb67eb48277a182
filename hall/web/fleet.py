"""The fleet as the dashboard shows it, on ``hall.fleet``'s query API.

``hall.fleet`` decides a terminal's status (``ok``, ``degraded``, ``offline``), its faults and
its alerts, and pages the list by cursor; this module adds the fleet's counts per status (one
``COUNT`` each, whatever the fleet's size) and the recent commands across the fleet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall import fleet
from hall.db import Terminal, TerminalHeartbeat
from hall.fleet.models import Alert, Command, FleetTerminal
from hall.schema import DesiredConfigPublic, FleetStatus, HeartbeatCreate

STATUSES: tuple[FleetStatus, ...] = ("ok", "degraded", "offline")
STATUS_NAMES = {"ok": "在线", "degraded": "异常", "offline": "离线"}
ALERT_NAMES = {
    "staff_called": "呼叫工作人员",
    "offline": "离线",
    "device_failed": "设备故障",
    "paper_low": "纸张将尽",
    "outbox_stale": "待发积压",
    "disk_low": "磁盘不足",
    "store_full": "存储已满",
    "clock_skew": "时钟偏差",
    "catalog_refused": "目录被拒",
    "out_of_service": "无法启动",
    "nightly_failed": "夜间维护失败",
    "nightly_missed": "夜间维护未运行",
}
"""Chinese names of the alert kinds ``hall.fleet`` raises (the code is shown beside them)."""
COMMAND_NAMES = {
    "restart": "重启程序",
    "lock": "暂停服务",
    "unlock": "恢复服务",
    "print_test_page": "打印测试页",
    "refresh_catalog": "刷新事项目录",
    "upload_log": "上传错误日志",
}


@dataclass(frozen=True)
class FleetCounts:
    """How many terminals ever beat, and how many are in each status now."""

    total: int
    ok: int
    degraded: int
    offline: int
    open_alerts: int

    @property
    def online(self) -> int:
        """Terminals that are not offline (ok or degraded)."""
        return self.ok + self.degraded


def counts(session: Session, *, now: dt.datetime) -> FleetCounts:
    """The fleet's counts by status, with ``hall.fleet``'s own definition of each status."""
    base = (
        select(func.count())
        .select_from(TerminalHeartbeat)
        .outerjoin(FleetTerminal, FleetTerminal.kiosk_id == TerminalHeartbeat.kiosk_id)
    )
    by_status = {
        status: int(session.scalar(base.where(fleet._status_clause(status, now))) or 0)
        for status in STATUSES
    }
    total = int(session.scalar(base) or 0)
    alerts = select(func.count()).select_from(Alert).where(Alert.cleared_at.is_(None))
    return FleetCounts(
        total,
        by_status["ok"],
        by_status["degraded"],
        by_status["offline"],
        int(session.scalar(alerts) or 0),
    )


def recent_commands(session: Session, limit: int = 15) -> list[fleet.CommandView]:
    """The latest commands across the fleet, newest first."""
    rows = session.scalars(select(Command).order_by(Command.id.desc()).limit(limit))
    return [fleet._command_view(row) for row in rows]


_ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])")


def mask_id_numbers(text: str) -> str:
    """Mask anything shaped like a resident ID number (first 6, last 4), as the screens do.

    Uploaded logs are masked by the terminal already; the page masks again, as a second belt.
    """
    return _ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2), text)


@dataclass(frozen=True)
class TerminalDetail:
    """One terminal's page: its latest beat and status, its history, alerts, commands, logs."""

    kiosk_id: str
    site: str | None
    enrolled: bool
    revoked: bool
    status: str
    faults: list[str]
    last_seen_at: dt.datetime | None
    heartbeat: HeartbeatCreate | None
    desired: DesiredConfigPublic | None
    history: list[fleet.Sample]
    alerts: list[fleet.AlertView]
    commands: list[fleet.CommandView]
    logs: list[tuple[dt.datetime, str]]


def terminal_detail(
    session: Session, kiosk_id: str, *, now: dt.datetime, hours: int = 24
) -> TerminalDetail | None:
    """Everything the terminal page shows; ``None`` for a terminal the hall never knew."""
    enrolled = session.get(Terminal, kiosk_id)
    beat_row = session.get(TerminalHeartbeat, kiosk_id)
    if enrolled is None and beat_row is None:
        return None
    fleet_row = session.get(FleetTerminal, kiosk_id)
    beat: HeartbeatCreate | None = None
    status = "offline"
    if beat_row is not None:
        try:
            beat = HeartbeatCreate.model_validate(beat_row.body)
        except ValueError:
            beat = None
        status = fleet._status_of(beat_row, fleet_row, now)
    return TerminalDetail(
        kiosk_id=kiosk_id,
        site=enrolled.site if enrolled is not None else None,
        enrolled=enrolled is not None,
        revoked=enrolled is not None and enrolled.revoked_at is not None,
        status=status,
        faults=list(fleet_row.faults) if fleet_row is not None else [],
        last_seen_at=beat_row.received_at if beat_row is not None else None,
        heartbeat=beat,
        desired=fleet.effective_desired(session, kiosk_id),
        history=fleet.terminal_history(session, kiosk_id, since=now - dt.timedelta(hours=hours)),
        alerts=fleet.open_alerts(session, kiosk_id=kiosk_id, limit=50),
        commands=fleet.commands(session, kiosk_id, limit=20),
        logs=[(at, mask_id_numbers(text)) for at, text in fleet.terminal_logs(session, kiosk_id)],
    )
