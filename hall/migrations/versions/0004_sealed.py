"""Sealed personal data and per-terminal rate limits.

Sealing needs no new column: a sealed value is an AES-GCM envelope in the same JSON column
(``submissions.payload``, ``certificates.body``; ``hall.keys``). Rows from before sealing are
sealed when the hall next starts (``hall.service.reseal_rows``, or ``kiosk-hall keys reseal``),
not by this migration, which has no access to the data key file. The table here holds each
terminal's request count in its rate-limit window, shared by every worker (``hall.limits``).

Revision ID: 0004_sealed
Revises: 0003_events
Create Date: 2026-12-02 17:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sealed"
down_revision: str | None = "0003_events"
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
