"""Catalog: the shared-data registers instant decisions read, and bundle members' results.

Revision ID: 0007_catalog
Revises: 0006_staff
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_catalog"
down_revision: str | None = "0006_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    """Apply this revision (tables a pre-migration ``create_all`` already made are kept)."""
    if not _exists("register_records"):
        _create_register_records()
    if not _exists("bundle_member_results"):
        _create_bundle_member_results()


def _create_register_records() -> None:
    op.create_table(
        "register_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_records")),
        sa.UniqueConstraint(
            "register", "id_number", name=op.f("uq_register_records_register_id_number")
        ),
    )
    op.create_index(
        op.f("ix_register_records_id_number"), "register_records", ["id_number"], unique=False
    )


def _create_bundle_member_results() -> None:
    op.create_table(
        "bundle_member_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_bundle_member_results_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_member_results")),
        sa.UniqueConstraint(
            "submission_id",
            "position",
            name=op.f("uq_bundle_member_results_submission_id_position"),
        ),
    )
    op.create_index(
        op.f("ix_bundle_member_results_submission_id"),
        "bundle_member_results",
        ["submission_id"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_bundle_member_results_submission_id"), "bundle_member_results")
    op.drop_table("bundle_member_results")
    op.drop_index(op.f("ix_register_records_id_number"), "register_records")
    op.drop_table("register_records")
