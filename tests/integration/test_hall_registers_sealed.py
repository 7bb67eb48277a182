"""The registers the hall decides from keep no ID number or name in clear: both databases, real API.

``residents``, ``social_insurance_records`` and ``register_records`` are keyed by a keyed hash of
the ID number and hold sealed facts (``hall.registers``). Decisions still read them (the name
must be the register's for the number); a database an older hall filled in clear is migrated
(0010) and sealed at the next start, and decides the same; a data key rotation keeps the rows
readable and the lookup hashes stay.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, text

from hall import migrations, registers
from hall.cli import main
from hall.collect import DEMO_ENTERPRISES, _demo_documents
from hall.db import Database, Resident
from hall.keys import FileKeyProvider, Sealer
from hall.seed import DEMO_PEOPLE, DEMO_REGISTERS, seed_demo_data
from offline_cache.collect import CollectClient
from offline_cache.hall_client import HallClient
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    demo_person,
    hall_settings,
    make_submission,
    new_idempotency_key,
)
from tests.fixtures.old_hall import (
    OLD_DOCUMENTS,
    OLD_ENTERPRISES,
    OLD_INSURANCE,
    OLD_RECORDS,
    OLD_RESIDENTS,
)

REGISTER_TABLES = ("residents", "social_insurance_records", "register_records")

# (item, person on the card, name the card says) -> "approved" or the refusal's reason_code.
EXPECTED: dict[tuple[str, str, str], str] = {
    ("elder-card", "王秀英", "王秀英"): "approved",
    ("elder-card", "李建国", "李建国"): "under_age",
    ("elder-card", "王秀英", "张三"): "identity_mismatch",  # not the register's name
    ("si-insured-certificate", "李建国", "李建国"): "approved",
    ("si-insured-certificate", "陈美玲", "陈美玲"): "no_insurance_record",
    ("si-insured-certificate", "王秀英", "张三"): "identity_mismatch",
    ("disability-subsidy", "赵德明", "赵德明"): "approved",
    ("disability-subsidy", "王秀英", "王秀英"): "no_disability_certificate",
    ("marriage-record-certificate", "王秀英", "王秀英"): "approved",
    ("marriage-record-certificate", "李建国", "李建国"): "no_marriage_record",
}


def _secrets() -> list[str]:
    """What the seed knows of each person that must not be readable in the database."""
    found: list[str] = []
    for person in DEMO_PEOPLE:
        resident = person.resident
        found += [resident.id_number, resident.name, resident.household_address]
        if person.insurance is not None:
            found.append(person.insurance.unit)
    return found


def _holds(value: str, secret: str) -> bool:
    """Whether stored text holds ``secret`` as it is or JSON-escaped (``\\u738b``...)."""
    return secret in value or json.dumps(secret)[1:-1] in value


def _raw_register_rows(database_url: str) -> list[str]:
    """Every row of the register tables as the database returns it, as text."""
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            return [
                repr(tuple(row))
                for table in REGISTER_TABLES
                for row in connection.execute(text(f"SELECT * FROM {table}"))
            ]
    finally:
        db.dispose()


def _people() -> list[str]:
    """The ID numbers and names of everyone the seed knows (residents, representatives)."""
    found = [t for p in DEMO_PEOPLE for t in (p.resident.id_number, p.resident.name)]
    found += [t for e in DEMO_ENTERPRISES for t in (e.rep_id, e.rep_name)]
    return sorted(set(found))


def _rows_naming_anyone(database_url: str) -> list[str]:
    """``table: row`` of every row of every table that holds a seeded ID number or name."""
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            found = []
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f"SELECT * FROM {table}")):
                    shown = repr(tuple(row))
                    if any(_holds(shown, who) for who in _people()):
                        found.append(f"{table}: {shown[:80]}")
            return found
    finally:
        db.dispose()


def _decisions(hall: HallUnderTest, tmp_path: Path, name: str) -> dict[tuple[str, str, str], str]:
    identity = hall.enrol(tmp_path / name)  # kiosk-001, as make_submission says
    outcomes: dict[tuple[str, str, str], str] = {}
    with HallClient(hall.base_url, identity=identity) as client:
        for item, person, card_name in EXPECTED:
            applicant = demo_applicant(person).model_copy(update={"name": card_name})
            answer = client.submit(make_submission(item, applicant), new_idempotency_key())
            if answer.status == "approved":
                outcomes[item, person, card_name] = "approved"
            else:
                assert answer.decision is not None
                outcomes[item, person, card_name] = str(answer.decision.reason_code)
    return outcomes


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "hall"
    directory.mkdir()
    return directory


def test_decisions_read_the_sealed_registers_and_no_row_names_anyone(
    tmp_path: Path, settings_dir: Path, hall_database_url: str
) -> None:
    hall = HallUnderTest(hall_settings(settings_dir, database_url=hall_database_url))
    with hall:
        outcomes = _decisions(hall, tmp_path, "a")
    assert outcomes == EXPECTED
    rows = _raw_register_rows(hall_database_url)
    assert len(rows) >= len(DEMO_PEOPLE) + 3  # residents and insurance records at least
    for row in rows:
        assert "aes-256-gcm" in row
        for secret in _secrets():
            assert not _holds(row, secret), "a register row holds a seeded person's data"
    # Nor any other table: documents waiting, enterprises, the cases just decided.
    assert _rows_naming_anyone(hall_database_url) == []
    # The rows are keyed by the lookup hash, and open with the hall's key.
    sealer = Sealer(FileKeyProvider.load(hall.settings.data_key_path))
    db = Database(hall_database_url)
    try:
        with db.read() as session:
            for person in DEMO_PEOPLE:
                number = person.resident.id_number
                assert registers.resident(session, sealer, number) == person.resident
                assert registers.insurance(session, sealer, number) == person.insurance
                found = registers.lookup(session, sealer, DEMO_REGISTERS[number], number)
                assert found == DEMO_REGISTERS[number]
    finally:
        db.dispose()


def test_seeding_twice_through_the_cli_changes_nothing(
    settings_dir: Path, hall_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALL_DATA_DIR", str(settings_dir))
    assert main(["seed", "--database", hall_database_url]) == 0
    before = sorted(_raw_register_rows(hall_database_url))
    assert main(["seed", "--database", hall_database_url]) == 0
    assert sorted(_raw_register_rows(hall_database_url)) == before  # not even resealed
    sealer = Sealer(FileKeyProvider.load(settings_dir / "data-keys.json"))
    db = Database(hall_database_url)
    try:
        assert seed_demo_data(db, sealer) == 0
    finally:
        db.dispose()


# --- A database an older hall filled in clear ---------------------------------------------------


def _fill_as_an_older_hall(database_url: str) -> None:
    """A database at 0009 holding the demo registers in clear, as the hall before 0010 kept them."""
    db = Database(database_url)
    try:
        migrations.upgrade(db.engine, "0009_releases")
        residents: list[dict[str, Any]] = []
        insurance: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        for person in DEMO_PEOPLE:
            r = person.resident
            residents.append(
                {
                    "id_number": r.id_number,
                    "name": r.name,
                    "gender": r.gender,
                    "birth_date": r.birth_date,
                    "household_address": r.household_address,
                }
            )
            if person.insurance is not None:
                i = person.insurance
                insurance.append(
                    {
                        "id_number": i.id_number,
                        "insured_since": i.insured_since,
                        "unit": i.unit,
                        "category": i.category,
                        "insurance_kinds": list(i.insurance_kinds),
                        "months_paid": i.months_paid,
                        "status": i.status,
                    }
                )
            for register, data in DEMO_REGISTERS.get(r.id_number, {}).items():
                records.append({"register": register, "id_number": r.id_number, "data": data})
        enterprises = [
            {
                "uscc": e.uscc,
                "name": e.name,
                "legal_rep_id_number": e.rep_id,
                "legal_rep_name": e.rep_name,
                "kind": e.kind,
                "address": e.address,
                "business_scope": e.scope,
                "established": e.established,
                "status": "存续（在营、开业、在册）",
                "licence_valid_until": e.valid_until,
                "authority": "北京市海淀区市场监督管理局",
            }
            for e in DEMO_ENTERPRISES
        ]
        documents = [
            {"uscc": None, "renew_item_zh": None, "renew_item_en": None, **document}
            for document in _demo_documents(dt.date.today())
        ]
        with db.engine.begin() as connection:
            connection.execute(OLD_RESIDENTS.insert(), residents)
            connection.execute(OLD_INSURANCE.insert(), insurance)
            connection.execute(OLD_RECORDS.insert(), records)
            connection.execute(OLD_ENTERPRISES.insert(), enterprises)
            connection.execute(OLD_DOCUMENTS.insert(), documents)
    finally:
        db.dispose()


def _database_files(database_url: str) -> bytes:
    path = Path(database_url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _file_holds(raw: bytes, secret: str) -> bool:
    escaped = json.dumps(secret)[1:-1].encode()
    return secret.encode() in raw or escaped in raw


def test_an_older_database_is_sealed_at_the_next_start_and_decides_the_same(
    tmp_path: Path,
    settings_dir: Path,
    hall_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fill_as_an_older_hall(hall_database_url)
    wang = demo_person("王秀英").resident
    if hall_database_url.startswith("sqlite"):
        assert _file_holds(_database_files(hall_database_url), wang.name)  # the test can fail
    db = Database(hall_database_url)
    try:
        db.migrate()  # kiosk-hall migrate: no data key here, the clear rows are set aside
        tables = set(inspect(db.engine).get_table_names())
        assert {"legacy_residents", "legacy_social_insurance_records"} <= tables
        assert "legacy_register_records" in tables
        assert {"legacy_ready_documents", "legacy_enterprises"} <= tables
        with db.read() as session:
            assert session.scalar(text("SELECT count(*) FROM residents")) == 0
    finally:
        db.dispose()
    monkeypatch.setenv("HALL_DATA_DIR", str(settings_dir))
    capsys.readouterr()
    assert main(["keys", "list", "--database", hall_database_url]) == 0
    clear_rows = len(DEMO_PEOPLE) + 3 + sum(len(r) for r in DEMO_REGISTERS.values())
    clear_rows += len(DEMO_ENTERPRISES) + len(_demo_documents(dt.date.today()))
    assert f"-\tplain\t{clear_rows} rows (kiosk-hall keys reseal)\n" in capsys.readouterr().out
    settings = hall_settings(settings_dir, database_url=hall_database_url, seed_demo_data=False)
    hall = HallUnderTest(settings)
    with hall:
        outcomes = _decisions(hall, tmp_path, "b")
        identity = hall.enrol(tmp_path / "collect")
        with HallClient(hall.base_url, identity=identity) as client:
            documents = CollectClient(client, "kiosk-001")
            wang_id, li_id = wang.id_number, demo_person("李建国").resident.id_number
            ready = documents.ready(wang_id, "certificates")
            titles = {d.title.zh: d.document_id for d in ready.documents}
            assert set(titles) == {"不动产权证书", "异地就医备案凭证"}
            printed = documents.collect(titles["不动产权证书"], wang_id).certificate
            licences = documents.ready(li_id, "business_licenses").documents
    assert outcomes == EXPECTED  # what a freshly seeded hall decides
    assert printed.holder_name == wang.name
    assert any(f.value == wang.name for f in printed.fields)  # the printed lines came back
    assert len(licences) == len(DEMO_ENTERPRISES)
    assert _rows_naming_anyone(hall_database_url) == []
    db = Database(hall_database_url)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert not {t for t in tables if t.startswith("legacy_")}
    finally:
        db.dispose()
    rows = _raw_register_rows(hall_database_url)
    assert len(rows) == len(DEMO_PEOPLE) + 3 + sum(len(r) for r in DEMO_REGISTERS.values())
    for row in rows:
        for secret in _secrets():
            assert not _holds(row, secret)
    if hall_database_url.startswith("sqlite"):
        raw = _database_files(hall_database_url)  # freed pages and the log included
        # An enterprise's name and address are public (and a resident's employer, or address).
        public = " ".join(f"{e.name} {e.address}" for e in DEMO_ENTERPRISES)
        for secret in _people() + [s for s in _secrets() if s not in public]:
            assert not _file_holds(raw, secret), "the database file still holds clear data"


def test_two_halls_starting_at_once_convert_the_old_rows_once(
    settings_dir: Path, hall_database_url: str
) -> None:
    import threading

    _fill_as_an_older_hall(hall_database_url)
    first = Database(hall_database_url)
    first.migrate()
    second = Database(hall_database_url)
    sealer = Sealer(FileKeyProvider.load_or_create(settings_dir / "data-keys.json"))
    converted: list[int] = []
    errors: list[BaseException] = []

    def start(db: Database) -> None:
        try:
            converted.append(registers.seal_legacy_registers(db, sealer))
        except BaseException as err:  # reported below
            errors.append(err)

    try:
        threads = [threading.Thread(target=start, args=(db,)) for db in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        total = len(DEMO_PEOPLE) + 3 + sum(len(r) for r in DEMO_REGISTERS.values())
        assert sorted(converted) == [0, total]
        assert len(_raw_register_rows(hall_database_url)) == total  # nothing doubled
        with first.read() as session:
            for person in DEMO_PEOPLE:
                number = person.resident.id_number
                assert registers.resident(session, sealer, number) == person.resident
    finally:
        first.dispose()
        second.dispose()


# --- Key rotation ------------------------------------------------------------------------------


def test_rotation_keeps_register_rows_readable_and_the_lookup_hashes_stay(
    tmp_path: Path,
    settings_dir: Path,
    hall_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = hall_settings(settings_dir, database_url=hall_database_url)
    first = HallUnderTest(settings)
    with first:  # seeded with the first key; a bundle case seals its members' results too
        identity = first.enrol(tmp_path / "first")
        with HallClient(first.base_url, identity=identity) as client:
            bundle = make_submission("elder-benefits", demo_applicant("王秀英"))
            answer = client.submit(bundle, new_idempotency_key())
    assert answer.members
    db = Database(hall_database_url)

    def hashes() -> set[str]:
        with db.read() as session:
            return {str(h) for h in session.scalars(text("SELECT id_hash FROM residents"))}

    try:
        before = hashes()
        provider = FileKeyProvider.load(settings.data_key_path)
        old_kid = provider.current_kid
        provider.rotate()  # a new current key; the rows stay under the old one for now
        hall = HallUnderTest(settings)
        with hall:
            assert _decisions(hall, tmp_path, "c") == EXPECTED  # old rows open with the old key
        monkeypatch.setenv("HALL_DATA_DIR", str(settings_dir))
        monkeypatch.setenv("HALL_DATA_KEY_PATH", str(settings.data_key_path))
        capsys.readouterr()
        assert main(["keys", "reseal", "--database", hall_database_url]) == 0
        assert main(["keys", "list", "--database", hall_database_url]) == 0
        listing = capsys.readouterr().out
        assert f"{old_kid}\told\t0 rows\n" in listing
        assert hashes() == before  # the lookup key is not rotated: the same hashes
        rows = _raw_register_rows(hall_database_url)
        new_kid = FileKeyProvider.load(settings.data_key_path).current_kid
        assert all(new_kid in row and old_kid not in row for row in rows)
        with db.read() as session:  # and the bundle's member results (their own table)
            members = [
                str(body)
                for body in session.scalars(text("SELECT body FROM bundle_member_results"))
            ]
        assert members and all(new_kid in m and old_kid not in m for m in members)
        hall = HallUnderTest(settings)
        with hall:
            assert _decisions(hall, tmp_path, "d") == EXPECTED
            identity = hall.enrol(tmp_path / "e")
            with HallClient(hall.base_url, identity=identity) as client:
                assert client.get_submission(bundle.case_number).members == answer.members
    finally:
        db.dispose()


def test_a_register_row_moved_to_another_person_does_not_open(hall_database_url: str) -> None:
    from hall.keys import MemoryKeyProvider, SealedDataError

    db = Database(hall_database_url)
    sealer = Sealer(MemoryKeyProvider())
    try:
        db.migrate()
        seed_demo_data(db, sealer)
        wang, li = (demo_person(n).resident for n in ("王秀英", "李建国"))
        with db.write() as session:
            rows = {r.id_hash: r for r in session.scalars(sa.select(Resident))}
            rows[registers.holder_key(sealer, li.id_number)].data = rows[
                registers.holder_key(sealer, wang.id_number)
            ].data
        with db.read() as session, pytest.raises(SealedDataError):
            registers.resident(session, sealer, li.id_number)
    finally:
        db.dispose()


def test_the_register_hash_is_not_the_submissions_holder_hash() -> None:
    from hall.keys import MemoryKeyProvider
    from hall.service import HOLDER_HASH_PURPOSE

    sealer = Sealer(MemoryKeyProvider())
    number = demo_person("王秀英").resident.id_number
    assert registers.holder_key(sealer, number) != sealer.lookup_hash(number, HOLDER_HASH_PURPOSE)
    assert number not in registers.holder_key(sealer, number)
