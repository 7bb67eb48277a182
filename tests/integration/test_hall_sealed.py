"""Personal data at rest at the hall is sealed: on both databases, through the real API.

What a terminal sends (name, ID number, address, photos) and the certificate issued on it are
stored as AES-GCM envelopes; rows from before sealing are sealed on the next start; ``kiosk-hall
keys rotate`` moves every row to a new key and old rows stay readable meanwhile.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text, update

from hall.cli import main
from hall.db import Database, Submission
from hall.keys import FileKeyProvider
from hall.schema import verify_certificate_qr
from hall.seed import DEMO_PEOPLE, DEMO_REGISTERS
from hall.service import payload_context
from offline_cache.hall_client import HallClient
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    demo_person,
    hall_settings,
    make_submission,
    new_idempotency_key,
)

NAME = "王秀英"
REGISTER_ROWS = (
    len(DEMO_PEOPLE)
    + sum(p.insurance is not None for p in DEMO_PEOPLE)
    + sum(len(records) for records in DEMO_REGISTERS.values())
)
"""The seeded register rows (``hall.registers``), sealed like the rest."""


@pytest.fixture
def hall(tmp_path: Path, hall_database_url: str) -> HallUnderTest:
    settings = hall_settings(tmp_path, database_url=hall_database_url)
    return HallUnderTest(settings)


def _holds(value: str, secret: str) -> bool:
    """Whether stored text holds ``secret`` as it is or JSON-escaped (``\\u738b``...)."""
    return secret in value or json.dumps(secret)[1:-1] in value


def _raw_rows(database_url: str) -> list[str]:
    """Every stored payload and certificate body as the database holds it (text)."""
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            payloads = connection.execute(text("SELECT CAST(payload AS TEXT) FROM submissions"))
            bodies = connection.execute(text("SELECT CAST(body AS TEXT) FROM certificates"))
            return [row[0] for row in payloads] + [row[0] for row in bodies]
    finally:
        db.dispose()


def _count(database_url: str, table: str) -> int:
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            count = connection.execute(text(f"SELECT count(*) FROM {table}"))
            return int(count.scalar_one())
    finally:
        db.dispose()


def _submit(hall: HallUnderTest, tmp_path: Path) -> str:
    identity = hall.enrol(tmp_path / "terminal")
    submission = make_submission("elder-card", demo_applicant(NAME))
    with HallClient(hall.base_url, identity=identity) as client:
        answer = client.submit(submission, new_idempotency_key())
    assert answer.status == "approved" and answer.certificate is not None
    return submission.case_number


def test_what_a_terminal_sends_is_stored_sealed_and_served_opened(
    hall: HallUnderTest, tmp_path: Path
) -> None:
    resident = demo_person(NAME).resident
    with hall:
        case_number = _submit(hall, tmp_path)
        identity = hall.enrol(tmp_path / "terminal2", "kiosk-002")
        with HallClient(hall.base_url, identity=identity) as client:
            served = client.get_submission(case_number)
    assert served.certificate is not None
    assert served.certificate.holder_name == NAME
    stored = _raw_rows(hall.settings.database_url)
    assert len(stored) == 2  # the payload and the certificate body
    for value in stored:
        assert '"sealed"' in value and '"aes-256-gcm"' in value
        for secret in (NAME, resident.id_number, resident.household_address[:4], "elder"):
            assert not _holds(value, secret)


def test_a_row_from_before_sealing_is_sealed_on_the_next_start(
    hall: HallUnderTest, tmp_path: Path
) -> None:
    with hall:
        case_number = _submit(hall, tmp_path)
    plain = make_submission("elder-card", demo_applicant(NAME), case_number=case_number)
    db = Database(hall.settings.database_url)
    try:
        with db.write() as session:  # as a hall from before sealing left it
            session.execute(
                update(Submission)
                .where(Submission.case_number == case_number)
                .values(payload=plain.model_dump(mode="json"))
            )
        assert any(_holds(value, NAME) for value in _raw_rows(hall.settings.database_url))
        restarted = HallUnderTest(hall.settings)
        with restarted:
            pass
        assert not any(_holds(value, NAME) for value in _raw_rows(hall.settings.database_url))
        with db.read() as session:
            row = session.query(Submission).filter_by(case_number=case_number).one()
            opened = restarted.app.state.service.sealer.open(
                row.payload, payload_context(case_number)
            )
        assert opened["applicant"]["name"] == NAME
    finally:
        db.dispose()


def test_keys_rotate_reseals_every_row_and_old_keys_stay_readable(
    hall: HallUnderTest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with hall:
        case_number = _submit(hall, tmp_path)
    key_file = hall.settings.data_key_path
    first = FileKeyProvider.load(key_file).current_kid
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HALL_DATA_KEY_PATH", str(key_file))
    url = hall.settings.database_url
    assert main(["keys", "list", "--database", url]) == 0
    # The payload, the certificate body, the registers' rows and the documents' and enterprises'.
    sealed = 2 + REGISTER_ROWS + _count(url, "ready_documents") + _count(url, "enterprises")
    assert capsys.readouterr().out == f"{first}\tcurrent\t{sealed} rows\n"
    assert main(["keys", "rotate", "--database", url]) == 0
    second = FileKeyProvider.load(key_file).current_kid
    assert second != first
    assert capsys.readouterr().out.splitlines()[-1] == f"{sealed} rows resealed with {second}"
    assert main(["keys", "list", "--database", url]) == 0
    assert capsys.readouterr().out == f"{first}\told\t0 rows\n{second}\tcurrent\t{sealed} rows\n"
    restarted = HallUnderTest(hall.settings)
    with restarted:
        identity = restarted.enrol(tmp_path / "terminal3", "kiosk-003")
        with HallClient(restarted.base_url, identity=identity) as client:
            served = client.get_submission(case_number)
    assert served.certificate is not None and served.certificate.holder_name == NAME


def test_the_signing_key_is_sealed_rotates_and_old_certificates_still_verify(
    hall: HallUnderTest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with hall:
        identity = hall.enrol(tmp_path / "terminal")
        with HallClient(hall.base_url, identity=identity) as client:
            before = client.submit(
                make_submission("elder-card", demo_applicant(NAME)), new_idempotency_key()
            )
        old_key = hall.app.state.signing_keys.current
    assert before.certificate is not None
    ring_text = hall.settings.signing_key_path.read_text()
    assert "PRIVATE KEY" not in ring_text
    assert base64.b64encode(old_key.private_bytes()).decode() not in ring_text
    assert stat.S_IMODE(hall.settings.signing_key_path.stat().st_mode) == 0o600
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HALL_DATA_KEY_PATH", str(hall.settings.data_key_path))
    monkeypatch.setenv("HALL_SIGNING_KEY_PATH", str(hall.settings.signing_key_path))
    assert main(["keys", "rotate-signing", "--database", hall.settings.database_url]) == 0
    assert "is current" in capsys.readouterr().out
    restarted = HallUnderTest(hall.settings)
    with restarted:
        identity = restarted.enrol(tmp_path / "terminal2")  # kiosk-001 again, a new key
        with HallClient(restarted.base_url, identity=identity) as client:
            keys = client.keys()
            after = client.submit(
                make_submission("elder-card", demo_applicant("赵德明")), new_idempotency_key()
            )
    new_kid = restarted.app.state.signing_keys.current.kid
    assert new_kid != old_key.kid
    assert set(keys) == {old_key.kid, new_kid}
    assert keys[old_key.kid] == old_key.public_key_raw
    assert identity.hall_keys.keys() == keys.keys()  # pinned at enrolment: both
    assert after.certificate is not None
    today = dt.date.today()
    old_check = verify_certificate_qr(before.certificate.qr_payload, keys, today)
    new_check = verify_certificate_qr(after.certificate.qr_payload, keys, today)
    assert old_check.status == "genuine" and old_check.claims is not None
    assert old_check.claims.kid == old_key.kid
    assert new_check.status == "genuine" and new_check.claims is not None
    assert new_check.claims.kid == new_kid
