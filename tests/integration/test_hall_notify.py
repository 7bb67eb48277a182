"""The notification gateways and the dispatcher's rule, on a real database and loopback HTTP."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from hall.db import Database, Submission
from hall.notify import (
    MAX_ATTEMPTS,
    CaseContact,
    FileGateway,
    HttpSmsGateway,
    NotifyError,
    PhoneSeal,
    deliver_due,
)

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


class _Sms(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        body["auth"] = self.headers.get("Authorization")
        type(self).received.append(body)
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def sms() -> Iterator[str]:
    _Sms.received = []
    _Sms.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Sms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def _contact(db: Database, seal: PhoneSeal, case: str, status: str) -> None:
    with db.write() as session:
        session.add(
            Submission(
                case_number=case,
                idempotency_key=case,
                payload_hash="0" * 64,
                kiosk_id="kiosk-001",
                item_id="elder-card",
                status=status,
                payload={},
                received_at=NOW,
                completed_at=NOW,
            )
        )
        session.flush()
        session.add(
            CaseContact(
                case_number=case,
                phone_sealed=seal.seal("13812345678", case),
                kiosk_id="kiosk-001",
                created_at=NOW,
                state="waiting",
                attempts=0,
            )
        )


@pytest.fixture
def db(hall_database_url: str) -> Iterator[Database]:
    """A migrated database with no hall's dispatcher on it, on SQLite and on PostgreSQL."""
    database = Database(hall_database_url)
    database.migrate()
    yield database
    database.dispose()


def test_the_http_gateway_sends_once_the_case_is_decided_and_retries_a_failure(
    db: Database, sms: str, tmp_path: Path
) -> None:
    seal = PhoneSeal.from_key_file(tmp_path / "notify.key")
    gateway = HttpSmsGateway(sms, "t0ken")
    _contact(db, seal, "K001-20261202-00001", "accepted")
    assert deliver_due(db, gateway, seal, NOW) == 0  # still open: nothing to say yet
    with db.write() as session:
        row = session.scalar(select(Submission))
        assert row is not None
        row.status = "approved"
    _Sms.status = 503
    assert deliver_due(db, gateway, seal, NOW) == 0
    with db.read() as session:
        contact = session.get(CaseContact, "K001-20261202-00001")
        assert contact is not None and contact.state == "queued" and contact.attempts == 1
    _Sms.status = 200
    assert deliver_due(db, gateway, seal, NOW) == 1
    assert deliver_due(db, gateway, seal, NOW) == 0  # sent once, never again
    assert [m["to"] for m in _Sms.received] == ["13812345678", "13812345678"]
    assert _Sms.received[-1]["auth"] == "Bearer t0ken"
    assert "K001-20261202-00001" in str(_Sms.received[-1]["text"])
    with db.read() as session:
        contact = session.get(CaseContact, "K001-20261202-00001")
        assert contact is not None and contact.state == "sent"
        assert b"13812345678" not in contact.phone_sealed


def test_a_gateway_that_never_takes_it_gives_up_after_the_attempts(
    db: Database, sms: str, tmp_path: Path
) -> None:
    seal = PhoneSeal.from_key_file(tmp_path / "notify.key")
    _Sms.status = 500
    _contact(db, seal, "K001-20261202-00002", "refused")
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_due(db, HttpSmsGateway(sms, ""), seal, NOW)
    with db.read() as session:
        contact = session.get(CaseContact, "K001-20261202-00002")
        assert contact is not None and contact.state == "failed"
        assert contact.attempts == MAX_ATTEMPTS
    assert len(_Sms.received) == MAX_ATTEMPTS


def test_the_file_gateway_masks_the_number_and_an_unwritable_file_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out" / "sms.jsonl"
    FileGateway(path).send("13812345678", "办结", "K001-20261202-00003")
    line = json.loads(path.read_text("utf-8"))
    assert line == {"to": "138****5678", "case": "K001-20261202-00003", "text": "办结"}
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    with pytest.raises(NotifyError):
        FileGateway(blocked / "sms.jsonl").send("13812345678", "x", "c")
