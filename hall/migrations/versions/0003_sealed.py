"""Per-terminal rate-limit windows shared by every worker (and, later in this revision, sealing).

Revision ID: 0003_sealed
Revises: 0002_identity
Create Date: 2026-12-02 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sealed"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    if not sa.inspect(op.get_bind()).has_table("terminal_request_windows"):
        op.create_table(
            "terminal_request_windows",
            sa.Column("kiosk_id", sa.String(length=64), nullable=False),
            sa.Column("window_start", sa.BigInteger(), nullable=False),
            sa.Column("used", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_terminal_request_windows")),
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("terminal_request_windows")
