"""Staff accounts and sessions, failed logins, ratings (好差评), a case's daily-table facts.

The daily table's facts of a case (tolerated, visit time) are kept in the clear beside its
sealed payload.

Revision ID: 0006_staff
Revises: 0005_fleet
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_staff"
down_revision: str | None = "0005_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    """Apply this revision (tables a pre-migration ``create_all`` already made are kept)."""
    if not _exists("staff"):
        _create_staff()
    if not _exists("staff_sessions"):
        _create_staff_sessions()
    if not _exists("staff_login_failures"):
        _create_login_failures()
    if not _exists("ratings"):
        _create_ratings()
    # The daily table's facts about a case, in the clear: its payload is sealed (0004_sealed).
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("submissions")}
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        if "tolerated" not in columns:
            batch_op.add_column(
                sa.Column("tolerated", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        if "visit_seconds" not in columns:
            batch_op.add_column(sa.Column("visit_seconds", sa.Float(), nullable=True))


def _create_staff() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("name", name=op.f("uq_staff_name")),
    )


def _create_staff_sessions() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_sessions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_expires_at"), ["expires_at"], unique=False
        )


def _create_login_failures() -> None:
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    with op.batch_alter_table("staff_login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_login_failures_key"), ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_login_failures_failed_at"), ["failed_at"], unique=False
        )


def _create_ratings() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=32), nullable=True),
        sa.Column("journey", sa.String(length=32), nullable=False),
        sa.Column("visit_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("kiosk_id", "event_id", name=op.f("uq_ratings_kiosk_id_event_id")),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_kiosk_id"), ["kiosk_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratings_rated_at"), ["rated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratings_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("visit_seconds")
        batch_op.drop_column("tolerated")
    op.drop_table("ratings")
    op.drop_table("staff_login_failures")
    op.drop_table("staff_sessions")
    op.drop_table("staff")
