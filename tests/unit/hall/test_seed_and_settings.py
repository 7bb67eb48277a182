"""Demo data seeding and the hall's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hall.cli import main
from hall.db import Database, Resident, SocialInsuranceRecord
from hall.seed import DEMO_PEOPLE, seed_demo_data
from hall.settings import HallSettings


def test_seed_is_idempotent_and_complete(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    try:
        db.migrate()
        assert seed_demo_data(db) > 0
        assert seed_demo_data(db) == 0
        with db.read() as session:
            residents = {r.id_number: r for r in session.scalars(select(Resident))}
            records = list(session.scalars(select(SocialInsuranceRecord)))
        assert {r.name for r in residents.values()} == {"王秀英", "李建国", "陈美玲", "赵德明"}
        insured = {record.id_number for record in records}
        uninsured = next(p for p in DEMO_PEOPLE if p.resident.name == "陈美玲")
        assert uninsured.resident.id_number in residents
        assert uninsured.resident.id_number not in insured
        assert len(records) == 3
        assert all(record.status == "active" for record in records)
    finally:
        db.dispose()


def test_seed_restores_edited_demo_data(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    try:
        db.migrate()
        seed_demo_data(db)
        person = DEMO_PEOPLE[0].resident
        with db.write() as session:
            row = session.get(Resident, person.id_number)
            assert row is not None
            row.name = "改过的名字"
        assert seed_demo_data(db) == 1
        with db.read() as session:
            again = session.get(Resident, person.id_number)
            assert again is not None
            assert again.name == person.name
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


def test_cli_seed_creates_tables_and_residents(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["seed", "--database", url]) == 0
    db = Database(url)
    try:
        with db.read() as session:
            assert len(list(session.scalars(select(Resident)))) == len(DEMO_PEOPLE)
    finally:
        db.dispose()
