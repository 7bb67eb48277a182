"""The fleet's tables: health per terminal, sampled history, alerts, the shadow, catalog releases.

Portable column types only (SQLite and PostgreSQL). ``terminal_heartbeats`` (``hall.db``) keeps
the latest beat as sent; ``fleet_terminals`` keeps what the hall concluded from it, in columns
the fleet list filters on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hall.db import Base, UtcDateTime


class FleetTerminal(Base):
    """A terminal's health as of its latest beat: updated in place, one row per terminal."""

    __tablename__ = "fleet_terminals"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    offline_after: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    """``received_at`` plus three beat intervals: silent past this, the terminal is offline."""
    health: Mapped[str] = mapped_column(String(16), index=True)
    """``ok`` or ``degraded`` (as of the beat; ``offline`` is decided by ``offline_after``)."""
    faults: Mapped[list[str]] = mapped_column(JSON)
    app_version: Mapped[str] = mapped_column(String(64), index=True)
    catalog_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    config_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class HeartbeatSample(Base):
    """One beat per terminal per five minutes (the first of each slot), kept 30 days."""

    __tablename__ = "fleet_heartbeat_samples"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    health: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class Alert(Base):
    """Something staff should see: raised by the hall (health, silence) or a terminal (staff call).

    Open while ``cleared_at`` is ``None``; at most one open alert per terminal and kind, except
    ``staff_called``, one per call (``call_id``).
    """

    __tablename__ = "fleet_alerts"
    __table_args__ = (Index("ix_fleet_alerts_open", "kiosk_id", "kind", "cleared_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")
    call_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DesiredConfigRow(Base):
    """The desired configuration of one target: ``terminal:<kiosk id>`` or ``site:<site>``.

    ``version`` is drawn from one counter for all targets, so a terminal's effective version
    (the larger of its site's and its own) grows whenever either changes.
    """

    __tablename__ = "fleet_desired_configs"

    target: Mapped[str] = mapped_column(String(220), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))


class Command(Base):
    """A command for one terminal, ``pending`` until the terminal acknowledges it."""

    __tablename__ = "fleet_commands"
    __table_args__ = (Index("ix_fleet_commands_pending", "kiosk_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """``pending``, ``done`` or ``failed``."""
    queued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    queued_by: Mapped[str] = mapped_column(String(200))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")


class TerminalLog(Base):
    """A terminal's recent error log, uploaded on an ``upload_log`` command (ID numbers masked)."""

    __tablename__ = "fleet_terminal_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    command_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)


class CatalogRelease(Base):
    """A published catalog: its body as served and its signed metadata; the newest is served."""

    __tablename__ = "fleet_catalog_releases"

    release: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    catalog_version: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    metadata_json: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class FleetLease(Base):
    """A named lease on the database clock: one hall process at a time runs the fleet sweep."""

    __tablename__ = "fleet_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Release(Base):
    """A published app release: its file, its signed targets, its rollout and its state.

    ``release`` counts publications (the targets' number, never reused); ``state`` is ``active``
    (offered), ``paused`` (offered to no terminal until resumed) or ``halted`` (withdrawn for
    good). ``target`` is ``all`` or ``site:<site>``; ``percent`` of the terminals there get it,
    picked by a hash of the terminal id and the version (the same terminals at every question,
    and more of them as the percentage grows).
    """

    __tablename__ = "fleet_releases"

    release: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    length: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    targets_json: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(String(220))
    percent: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReleaseReport(Base):
    """What one terminal reported of one release (its latest outcome)."""

    __tablename__ = "fleet_release_reports"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200), default="")
    running_version: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
