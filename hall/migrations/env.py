"""Alembic's environment for the hall: migrate through the engine ``hall.migrations`` hands in.

Run from ``hall.migrations.upgrade`` (``kiosk-hall migrate``); ``render_as_batch`` lets later
revisions alter tables on SQLite, which has little ``ALTER TABLE``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from hall.tables import Base


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no engine given and no sqlalchemy.url configured")
    return create_engine(url)


def _run_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


def _run_offline() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
