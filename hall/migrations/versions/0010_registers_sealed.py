"""The registers the hall decides from keep no ID number or name in clear.

``residents``, ``social_insurance_records`` and ``register_records`` were keyed by the ID number
in clear and held names, birth dates and addresses in clear. They are now keyed by a keyed hash
of the ID number (``id_hash``, ``hall.registers.holder_key``) and hold a sealed envelope
(``data``). A migration has no data key: when the old tables hold rows, those rows are copied
into ``legacy_*`` tables (plain copies, no constraints) and the hall seals them into the new
tables at its next start, then drops the copies (``hall.registers.seal_legacy_registers``, the
reseal pattern of 0004). Empty old tables are simply replaced. Tables already in the new shape
(a ``create_all`` database) are kept.

Downgrade makes the old, empty tables again: sealed rows cannot be opened without the key, and
the registers are reseeded from their departments.

Revision ID: 0010_registers_sealed
Revises: 0009_releases
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_registers_sealed"
down_revision: str | None = "0009_releases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("social_insurance_records", "residents", "register_records")
"""The tables changed, the one holding a foreign key first (it is dropped first)."""


def _columns(table: str) -> set[str] | None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(table):
        return None
    return {column["name"] for column in inspector.get_columns(table)}


def upgrade() -> None:
    """Move the clear tables aside (when they hold rows) and make the sealed ones."""
    bind = op.get_bind()
    old = [t for t in _TABLES if (c := _columns(t)) is not None and "id_number" in c]
    # The table names are this module's constants, never input.
    probe = "SELECT 1 FROM {} LIMIT 1"
    holding = [t for t in old if bind.execute(sa.text(probe.format(t))).first()]
    for table in holding:
        op.execute(f"CREATE TABLE legacy_{table} AS SELECT * FROM {table}")  # noqa: S608
    for table in old:
        op.drop_table(table)
    if _columns("residents") is None:
        op.create_table(
            "residents",
            sa.Column("id_hash", sa.String(length=64), nullable=False),
            sa.Column("data", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_residents")),
        )
    if _columns("social_insurance_records") is None:
        op.create_table(
            "social_insurance_records",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("id_hash", sa.String(length=64), nullable=False),
            sa.Column("data", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(
                ["id_hash"],
                ["residents.id_hash"],
                name=op.f("fk_social_insurance_records_id_hash_residents"),
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_social_insurance_records")),
        )
        op.create_index(
            op.f("ix_social_insurance_records_id_hash"),
            "social_insurance_records",
            ["id_hash"],
            unique=False,
        )
    if _columns("register_records") is None:
        op.create_table(
            "register_records",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("register", sa.String(length=32), nullable=False),
            sa.Column("id_hash", sa.String(length=64), nullable=False),
            sa.Column("data", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_register_records")),
            sa.UniqueConstraint(
                "register", "id_hash", name=op.f("uq_register_records_register_id_hash")
            ),
        )
        op.create_index(
            op.f("ix_register_records_id_hash"), "register_records", ["id_hash"], unique=False
        )


def downgrade() -> None:
    """Make the clear tables again, empty (sealed rows do not open without the key)."""
    for table in _TABLES:
        op.execute(f"DROP TABLE IF EXISTS legacy_{table}")
        op.drop_table(table)
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
    op.create_index(
        op.f("ix_social_insurance_records_id_number"),
        "social_insurance_records",
        ["id_number"],
        unique=False,
    )
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
