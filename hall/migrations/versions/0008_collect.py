"""Collecting approved documents (enterprises, ready documents, copies) and hand-off tickets.

Revision ID: 0008_collect
Revises: 0007_catalog
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_collect"
down_revision: str | None = "0007_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    """Create the tables of ``hall.collect`` and ``hall.tickets`` (kept if ``create_all`` did)."""
    if not _exists("enterprises"):
        _create_enterprises()
    if not _exists("ready_documents"):
        _create_ready_documents()
    if not _exists("document_collections"):
        _create_document_collections()
    if not _exists("handoff_tickets"):
        _create_handoff_tickets()
    if not _exists("regulator_reports"):
        _create_regulator_reports()
    if not _exists("case_contacts"):
        _create_case_contacts()
    # Progress by card finds a holder's cases by a keyed hash: the payload is sealed (0004).
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("submissions")}
    if "holder_hash" not in columns:
        with op.batch_alter_table("submissions", schema=None) as batch_op:
            batch_op.add_column(sa.Column("holder_hash", sa.String(length=64), nullable=True))
            batch_op.create_index(
                batch_op.f("ix_submissions_holder_hash"), ["holder_hash"], unique=False
            )


def _create_case_contacts() -> None:
    op.create_table(
        "case_contacts",
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("phone_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("case_number", name=op.f("pk_case_contacts")),
    )
    op.create_index(op.f("ix_case_contacts_state"), "case_contacts", ["state"])


def _create_regulator_reports() -> None:
    op.create_table(
        "regulator_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulator_reports")),
    )
    op.create_index(op.f("ix_regulator_reports_uscc"), "regulator_reports", ["uscc"])


def _create_handoff_tickets() -> None:
    op.create_table(
        "handoff_tickets",
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("window_code", sa.String(length=4), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reconciled", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_handoff_tickets")),
    )
    op.create_index(op.f("ix_handoff_tickets_kiosk_id"), "handoff_tickets", ["kiosk_id"])
    op.create_index(op.f("ix_handoff_tickets_issued_at"), "handoff_tickets", ["issued_at"])


def _create_enterprises() -> None:
    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_rep_id_number", sa.String(length=18), nullable=False),
        sa.Column("legal_rep_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("business_scope", sa.Text(), nullable=False),
        sa.Column("established", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("licence_valid_until", sa.Date(), nullable=True),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_enterprises")),
    )
    op.create_index(
        op.f("ix_enterprises_legal_rep_id_number"), "enterprises", ["legal_rep_id_number"]
    )


def _create_ready_documents() -> None:
    op.create_table(
        "ready_documents",
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("holder_id_number", sa.String(length=18), nullable=False),
        sa.Column("holder_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("issuer_zh", sa.String(length=200), nullable=False),
        sa.Column("issuer_en", sa.String(length=200), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("renew_item_zh", sa.String(length=200), nullable=True),
        sa.Column("renew_item_en", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["uscc"], ["enterprises.uscc"], name=op.f("fk_ready_documents_uscc_enterprises")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_ready_documents")),
    )
    op.create_index(
        op.f("ix_ready_documents_holder_id_number"), "ready_documents", ["holder_id_number"]
    )


def _create_document_collections() -> None:
    op.create_table(
        "document_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("copy", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["ready_documents.document_id"],
            name=op.f("fk_document_collections_document_id_ready_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_collections")),
        sa.UniqueConstraint(
            "document_id", "copy", name=op.f("uq_document_collections_document_id_copy")
        ),
    )
    op.create_index(
        op.f("ix_document_collections_document_id"), "document_collections", ["document_id"]
    )


def downgrade() -> None:
    """Drop the six tables and the holder hash."""
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_holder_hash"))
        batch_op.drop_column("holder_hash")
    op.drop_table("case_contacts")
    op.drop_table("regulator_reports")
    op.drop_table("handoff_tickets")
    op.drop_table("document_collections")
    op.drop_table("ready_documents")
    op.drop_table("enterprises")
