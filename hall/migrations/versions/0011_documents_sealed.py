"""Ready documents and enterprises keep no holder's or representative's ID number or name in clear.

``ready_documents`` kept its holder's ID number and name and the printed lines (names, addresses)
in clear, ``enterprises`` its legal representative's ID number and name. They now keep a keyed
hash of the ID number (``holder_hash``, ``legal_rep_hash``: ``hall.registers.holder_key``) and a
sealed envelope (``personal``, ``legal_rep``). The tables stay (other tables point at them); the
clear columns are dropped. A migration has no data key: when the tables hold rows, those columns
are first copied into ``legacy_ready_documents`` / ``legacy_enterprises``, which the hall seals
into the new columns at its next start and then drops (``hall.collect.seal_legacy_documents``,
the pattern of 0004 and 0010). Until then the rows' new columns hold empty placeholders.

Downgrade brings the clear columns back empty: sealed values do not open without the key.

Revision ID: 0011_documents_sealed
Revises: 0010_registers_sealed
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011_documents_sealed"
down_revision: str | None = "0010_registers_sealed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, its key, the clear columns (the indexed one first), the hash column, the sealed column)
_CHANGES = (
    (
        "ready_documents",
        "document_id",
        ("holder_id_number", "holder_name", "fields"),
        "holder_hash",
        "personal",
    ),
    (
        "enterprises",
        "uscc",
        ("legal_rep_id_number", "legal_rep_name"),
        "legal_rep_hash",
        "legal_rep",
    ),
)


def _columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    """Set the clear columns aside (when there are rows), drop them, add the sealed ones."""
    bind = op.get_bind()
    for table, key, clear, hashed, sealed in _CHANGES:
        if clear[0] not in _columns(table):
            continue  # already in the new shape (a create_all database)
        # The names are this module's constants, never input.
        if bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first():  # noqa: S608
            kept = ", ".join((key, *clear))
            op.execute(f"CREATE TABLE legacy_{table} AS SELECT {kept} FROM {table}")  # noqa: S608
        op.drop_index(op.f(f"ix_{table}_{clear[0]}"), table_name=table)
        op.add_column(
            table, sa.Column(hashed, sa.String(length=64), nullable=False, server_default="")
        )
        op.add_column(
            table, sa.Column(sealed, sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        for column in clear:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        if bind.dialect.name == "postgresql":  # SQLite cannot drop a default; it is harmless
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {hashed} DROP DEFAULT")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {sealed} DROP DEFAULT")
        op.create_index(op.f(f"ix_{table}_{hashed}"), table, [hashed], unique=False)


def downgrade() -> None:
    """Bring the clear columns back, empty; drop the sealed ones."""
    for table, _key, clear, hashed, sealed in _CHANGES:
        op.execute(f"DROP TABLE IF EXISTS legacy_{table}")
        op.drop_index(op.f(f"ix_{table}_{hashed}"), table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN {hashed}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {sealed}")
        for column in clear:
            length = 18 if column.endswith("id_number") else 64
            kind: sa.types.TypeEngine[Any] = (
                sa.JSON() if column == "fields" else sa.String(length=length)
            )
            default = sa.text("'[]'") if column == "fields" else ""
            op.add_column(table, sa.Column(column, kind, nullable=False, server_default=default))
        op.create_index(op.f(f"ix_{table}_{clear[0]}"), table, [clear[0]], unique=False)
