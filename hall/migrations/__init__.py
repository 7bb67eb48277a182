"""The hall's schema migrations (Alembic), configured in code so an installed wheel migrates.

``upgrade(engine)`` brings an empty or older database to head; ``schema_problem(engine)`` says in
one line why a database cannot be served yet (``None`` when it is at head). Revision files live in
``hall/migrations/versions``; each names its ``down_revision``, so the chain stays one line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

logger = logging.getLogger(__name__)

INITIAL_REVISION = "0001_initial"
"""The first revision: the schema the hall made with ``create_all`` before it had migrations."""

_PRE_ALEMBIC_TABLE = "submissions"

MIGRATIONS_DIR = Path(__file__).resolve().parent
"""This package's folder: Alembic's script location (``env.py`` and ``versions/``)."""


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic ``Config`` for the hall; with ``engine``, ``env.py`` migrates through it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision id shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for one Alembic never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: head); a database at head is left alone.

    A database made by a hall from before the migrations (``create_all``, no ``alembic_version``)
    holds the schema of ``0001_initial``: it is stamped with that revision, then upgraded.
    """
    config = alembic_config(engine)
    if current_revision(engine) is None and inspect(engine).has_table(_PRE_ALEMBIC_TABLE):
        logger.warning("database made before migrations: stamping it %s", INITIAL_REVISION)
        command.stamp(config, INITIAL_REVISION)
    command.upgrade(config, revision)


def schema_problem(engine: Engine) -> str | None:
    """Why the hall cannot serve this database yet, in one line; ``None`` when it is at head."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is None:
        return "the database is not migrated: run `kiosk-hall migrate` first"
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        return (
            f"the database is at revision {current}, unknown to this hall (newer code migrated it?)"
        )
    return f"the database is at revision {current}, not {head}: run `kiosk-hall migrate` first"
