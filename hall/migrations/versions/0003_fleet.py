"""The fleet: health, samples, alerts, desired configs, commands, logs, catalog releases, lease.

Revision ID: 0003_fleet
Revises: 0003_events
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_fleet"
down_revision: str | None = "0003_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def _index(table: str, name: str, columns: list[str], *, unique: bool = False) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(name), columns, unique=unique)


def upgrade() -> None:
    """Apply this revision (tables a pre-migration ``create_all`` already made are kept)."""
    for table, create in (
        ("fleet_terminals", _create_fleet_terminals),
        ("fleet_heartbeat_samples", _create_fleet_heartbeat_samples),
        ("fleet_alerts", _create_fleet_alerts),
        ("fleet_desired_configs", _create_fleet_desired_configs),
        ("fleet_commands", _create_fleet_commands),
        ("fleet_terminal_logs", _create_fleet_terminal_logs),
        ("fleet_catalog_releases", _create_fleet_catalog_releases),
        ("fleet_leases", _create_fleet_leases),
    ):
        if not _exists(table):
            create()


def _create_fleet_terminals() -> None:
    op.create_table(
        "fleet_terminals",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("offline_after", _TS, nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("faults", sa.JSON(), nullable=False),
        sa.Column("app_version", sa.String(length=64), nullable=False),
        sa.Column("catalog_version", sa.String(length=64), nullable=True),
        sa.Column("config_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_fleet_terminals")),
    )
    _index("fleet_terminals", "ix_fleet_terminals_offline_after", ["offline_after"])
    _index("fleet_terminals", "ix_fleet_terminals_health", ["health"])
    _index("fleet_terminals", "ix_fleet_terminals_app_version", ["app_version"])


def _create_fleet_heartbeat_samples() -> None:
    op.create_table(
        "fleet_heartbeat_samples",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("slot_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "slot_at", name=op.f("pk_fleet_heartbeat_samples")),
    )
    _index("fleet_heartbeat_samples", "ix_fleet_heartbeat_samples_slot_at", ["slot_at"])


def _create_fleet_alerts() -> None:
    op.create_table(
        "fleet_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("raised_at", _TS, nullable=False),
        sa.Column("acknowledged_at", _TS, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("cleared_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_alerts")),
        sa.UniqueConstraint("call_id", name=op.f("uq_fleet_alerts_call_id")),
    )
    _index("fleet_alerts", "ix_fleet_alerts_kiosk_id", ["kiosk_id"])
    _index("fleet_alerts", "ix_fleet_alerts_raised_at", ["raised_at"])
    _index("fleet_alerts", "ix_fleet_alerts_open", ["kiosk_id", "kind", "cleared_at"])


def _create_fleet_desired_configs() -> None:
    op.create_table(
        "fleet_desired_configs",
        sa.Column("target", sa.String(length=220), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_fleet_desired_configs")),
    )
    _index("fleet_desired_configs", "ix_fleet_desired_configs_version", ["version"])


def _create_fleet_commands() -> None:
    op.create_table(
        "fleet_commands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", _TS, nullable=False),
        sa.Column("queued_by", sa.String(length=200), nullable=False),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.Column("acked_at", _TS, nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_commands")),
        sa.UniqueConstraint("command_id", name=op.f("uq_fleet_commands_command_id")),
    )
    _index("fleet_commands", "ix_fleet_commands_pending", ["kiosk_id", "status"])


def _create_fleet_terminal_logs() -> None:
    op.create_table(
        "fleet_terminal_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("command_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_terminal_logs")),
    )
    _index("fleet_terminal_logs", "ix_fleet_terminal_logs_kiosk_id", ["kiosk_id"])


def _create_fleet_catalog_releases() -> None:
    op.create_table(
        "fleet_catalog_releases",
        sa.Column("release", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("catalog_version", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("release", name=op.f("pk_fleet_catalog_releases")),
    )


def _create_fleet_leases() -> None:
    op.create_table(
        "fleet_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fleet_leases")),
    )


def downgrade() -> None:
    """Revert this revision."""
    for table in (
        "fleet_leases",
        "fleet_catalog_releases",
        "fleet_terminal_logs",
        "fleet_commands",
        "fleet_desired_configs",
        "fleet_alerts",
        "fleet_heartbeat_samples",
        "fleet_terminals",
    ):
        op.drop_table(table)
