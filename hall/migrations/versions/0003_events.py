"""Terminal events: which event of which terminal was taken, so a re-delivery is taken once.

Revision ID: 0003_events
Revises: 0002_identity
Create Date: 2026-12-02 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_events"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (a table a pre-migration ``create_all`` already made is kept)."""
    if sa.inspect(op.get_bind()).has_table("terminal_events"):
        return
    op.create_table(
        "terminal_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_events")),
        sa.UniqueConstraint("kiosk_id", "event_id", name="uq_terminal_event"),
    )
    op.create_index(op.f("ix_terminal_events_kind"), "terminal_events", ["kind"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_terminal_events_kind"), table_name="terminal_events")
    op.drop_table("terminal_events")
