"""The initial schema: submissions, decisions, certificates, stages, heartbeats, shared data.

Revision ID: 0001_initial
Revises: (none)
Create Date: 2026-12-02 15:35:44.565055
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "residents",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("gender", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("household_address", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_residents")),
    )
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sequences")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("case_number", name=op.f("uq_submissions_case_number")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submissions_idempotency_key")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_kiosk_id"), ["kiosk_id"], unique=False)

    op.create_table(
        "terminal_heartbeats",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_terminal_heartbeats")),
    )
    op.create_table(
        "case_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_number"],
            ["submissions.case_number"],
            name=op.f("fk_case_stages_case_number_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_stages")),
        sa.UniqueConstraint("case_number", "code", name=op.f("uq_case_stages_case_number_code")),
    )
    with op.batch_alter_table("case_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_stages_case_number"), ["case_number"], unique=False
        )

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_certificates_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_certificates_certificate_id")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_certificates_submission_id")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("reason_zh", sa.Text(), nullable=True),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_decisions_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_decisions_submission_id")),
    )
    op.create_table(
        "social_insurance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("insured_since", sa.Date(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("insurance_kinds", sa.JSON(), nullable=False),
        sa.Column("months_paid", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_number"],
            ["residents.id_number"],
            name=op.f("fk_social_insurance_records_id_number_residents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_insurance_records")),
    )
    with op.batch_alter_table("social_insurance_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_insurance_records_id_number"), ["id_number"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("social_insurance_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_insurance_records_id_number"))

    op.drop_table("social_insurance_records")
    op.drop_table("decisions")
    op.drop_table("certificates")
    with op.batch_alter_table("case_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_stages_case_number"))

    op.drop_table("case_stages")
    op.drop_table("terminal_heartbeats")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_kiosk_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_item_id"))

    op.drop_table("submissions")
    op.drop_table("sequences")
    op.drop_table("residents")
