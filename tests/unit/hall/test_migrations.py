"""The hall's schema comes from Alembic migrations, and the hall serves only a migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from hall import migrations
from hall.cli import EXIT_SCHEMA, main
from hall.db import Database, Resident
from hall.seed import DEMO_PEOPLE
from hall.tables import Base


def test_migrations_make_the_models_schema_exactly(hall_database_url: str) -> None:
    db = Database(hall_database_url)
    try:
        db.migrate()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        assert db.schema_revision() == migrations.head_revision()
    finally:
        db.dispose()


def test_the_chain_is_one_line_from_0001_initial() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1
    bases = script.get_bases()
    assert bases == [migrations.INITIAL_REVISION]


def test_an_empty_database_is_refused_with_one_line_naming_migrate(hall_database_url: str) -> None:
    db = Database(hall_database_url)
    try:
        problem = db.schema_problem()
        assert problem is not None
        assert "\n" not in problem
        assert "kiosk-hall migrate" in problem
        db.migrate()
        db.migrate()
        assert db.schema_problem() is None
    finally:
        db.dispose()


def test_an_older_database_is_refused_and_then_brought_to_head(
    hall_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(hall_database_url)
    try:
        db.migrate()
        shipped = migrations.head_revision()
        # Pretend this code ships a newer head than the database holds.
        monkeypatch.setattr(migrations, "head_revision", lambda: "0999_future")
        problem = db.schema_problem()
        assert problem is not None
        assert shipped in problem
        assert "kiosk-hall migrate" in problem
    finally:
        db.dispose()


def test_a_database_from_create_all_is_stamped_then_upgraded(hall_database_url: str) -> None:
    db = Database(hall_database_url)
    try:
        Base.metadata.create_all(db.engine)  # A hall from before migrations made it so.
        assert db.schema_revision() is None
        db.migrate()
        assert db.schema_problem() is None
    finally:
        db.dispose()


def test_cli_migrate_then_seed(
    hall_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))  # the data key file seeding seals with
    assert main(["migrate", "--database", hall_database_url]) == 0
    assert main(["seed", "--database", hall_database_url]) == 0
    db = Database(hall_database_url)
    try:
        assert db.schema_problem() is None
        tables = set(inspect(db.engine).get_table_names())
        assert {"submissions", "alembic_version"} <= tables
        with db.read() as session:
            assert len(list(session.scalars(select(Resident)))) == len(DEMO_PEOPLE)
    finally:
        db.dispose()


def test_cli_serve_refuses_an_unmigrated_database(
    hall_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", "--port", "0", "--database", hall_database_url])
    assert status == EXIT_SCHEMA
    err = capsys.readouterr().err.strip()
    assert err.startswith("kiosk-hall: cannot serve: ")
    assert "kiosk-hall migrate" in err
    assert "\n" not in err
