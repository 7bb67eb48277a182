"""Demo data seeding and the hall's settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.pool import QueuePool

from hall import registers
from hall.cli import main
from hall.db import Database, Resident, SocialInsuranceRecord
from hall.keys import FileKeyProvider, MemoryKeyProvider, Sealer
from hall.seed import DEMO_PEOPLE, seed_demo_data
from hall.settings import DEFAULT_POOL_SIZE, HallSettings


def test_seed_is_idempotent_and_complete(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    sealer = Sealer(MemoryKeyProvider())
    try:
        db.migrate()
        assert seed_demo_data(db, sealer) > 0
        assert seed_demo_data(db, sealer) == 0
        with db.read() as session:
            assert len(list(session.scalars(select(Resident)))) == len(DEMO_PEOPLE)
            assert len(list(session.scalars(select(SocialInsuranceRecord)))) == 3
            found = {
                p.resident.name: (
                    registers.resident(session, sealer, p.resident.id_number),
                    registers.insurance_records(session, sealer, p.resident.id_number),
                )
                for p in DEMO_PEOPLE
            }
        assert set(found) == {"王秀英", "李建国", "陈美玲", "赵德明"}
        for person in DEMO_PEOPLE:
            resident, records = found[person.resident.name]
            assert resident == person.resident
            assert records == ([] if person.insurance is None else [person.insurance])
        assert found["陈美玲"][1] == []
    finally:
        db.dispose()


def test_seed_restores_edited_demo_data(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    sealer = Sealer(MemoryKeyProvider())
    try:
        db.migrate()
        seed_demo_data(db, sealer)
        person = DEMO_PEOPLE[0].resident
        with db.write() as session:
            edited = dataclasses.replace(person, name="改过的名字")
            assert registers.put_resident(session, sealer, edited) == 1
        assert seed_demo_data(db, sealer) == 1
        with db.read() as session:
            assert registers.resident(session, sealer, person.id_number) == person
    finally:
        db.dispose()


def test_settings_default_to_files_in_the_data_dir(tmp_path: Path) -> None:
    settings = HallSettings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'hall.db'}"
    assert settings.signing_key_path == tmp_path / "signing-key.pem"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8765


def test_settings_read_hall_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALL_PORT", "9123")
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    settings = HallSettings()
    assert settings.port == 9123
    assert settings.signing_key_path == tmp_path / "signing-key.pem"


def test_cli_seed_creates_tables_and_residents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["seed", "--database", url]) == 0
    assert main(["seed", "--database", url]) == 0  # again: nothing changes, nothing doubles
    sealer = Sealer(FileKeyProvider.load(tmp_path / "data-keys.json"))  # the hall's key file
    db = Database(url)
    try:
        with db.read() as session:
            assert len(list(session.scalars(select(Resident)))) == len(DEMO_PEOPLE)
            for person in DEMO_PEOPLE:
                found = registers.resident(session, sealer, person.resident.id_number)
                assert found == person.resident
    finally:
        db.dispose()


def test_the_pool_is_sized_from_the_settings(
    tmp_path: Path, hall_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert HallSettings(data_dir=tmp_path).database_pool_size == DEFAULT_POOL_SIZE
    monkeypatch.setenv("HALL_DATABASE_POOL_SIZE", "7")
    settings = HallSettings(data_dir=tmp_path, database_url=hall_database_url)
    db = Database(settings.database_url, pool_size=settings.database_pool_size)
    try:
        pool = db.engine.pool
        assert isinstance(pool, QueuePool)
        assert pool.size() == 7
        assert pool._max_overflow == 0
    finally:
        db.dispose()
