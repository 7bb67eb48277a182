"""App releases: published wheels with their signed targets and rollout, and terminals' reports.

Revision ID: 0009_releases
Revises: 0008_collect
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_releases"
down_revision: str | None = "0008_collect"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    """Create ``fleet_releases`` and ``fleet_release_reports`` (kept if ``create_all`` did)."""
    if not _exists("fleet_releases"):
        op.create_table(
            "fleet_releases",
            sa.Column("release", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("version", sa.String(length=64), nullable=False),
            sa.Column("file_name", sa.String(length=200), nullable=False),
            sa.Column("length", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("targets_json", sa.Text(), nullable=False),
            sa.Column("target", sa.String(length=220), nullable=False),
            sa.Column("percent", sa.Integer(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("published_at", _TS, nullable=False),
            sa.Column("updated_at", _TS, nullable=False),
            sa.PrimaryKeyConstraint("release", name=op.f("pk_fleet_releases")),
            sa.UniqueConstraint("version", name=op.f("uq_fleet_releases_version")),
        )
    if not _exists("fleet_release_reports"):
        op.create_table(
            "fleet_release_reports",
            sa.Column("kiosk_id", sa.String(length=64), nullable=False),
            sa.Column("version", sa.String(length=64), nullable=False),
            sa.Column("outcome", sa.String(length=16), nullable=False),
            sa.Column("detail", sa.String(length=200), nullable=False),
            sa.Column("running_version", sa.String(length=64), nullable=False),
            sa.Column("reported_at", _TS, nullable=False),
            sa.PrimaryKeyConstraint("kiosk_id", "version", name=op.f("pk_fleet_release_reports")),
        )
        with op.batch_alter_table("fleet_release_reports", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_fleet_release_reports_version"), ["version"], unique=False
            )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("fleet_release_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fleet_release_reports_version"))
    op.drop_table("fleet_release_reports")
    op.drop_table("fleet_releases")
