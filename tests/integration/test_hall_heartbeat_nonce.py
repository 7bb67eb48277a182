"""A heartbeat's nonce is spent in the transaction that stores the beat, and only then.

``hall.heartbeats.HeartbeatIntake`` admits a batch of beats (key, nonce, rate limit:
``hall.auth.AuthGate``) and stores the admitted ones in one transaction. So a stored beat has
spent its nonce (the same signed bytes again are refused), and a beat that failed to be stored has
spent nothing: it is not acknowledged, and the same bytes sent again are stored once, then refused
like any replay. A beat stored twice, or stored while its nonce is not recorded, cannot happen.
Both databases, a real fault (the table gone for a moment), the real API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from hall.db import Database
from hall.schema import HEARTBEATS_PATH
from offline_cache.identity import TerminalIdentity
from tests.fixtures.hall import HallUnderTest

TIMEOUT = 10


def _beat(kiosk_id: str, outbox_depth: int) -> bytes:
    return json.dumps(
        {
            "kiosk_id": kiosk_id,
            "sent_at": "2026-11-22T09:30:00Z",
            "app_version": "1.0",
            "catalog_version": "2025.1",
            "outbox_depth": outbox_depth,
        }
    ).encode()


def _signed(identity: TerminalIdentity, body: bytes) -> dict[str, str]:
    """The terminal's own signature headers for a heartbeat of ``body``."""
    headers = identity.sign("POST", HEARTBEATS_PATH, body, time.time())
    return headers | {"Content-Type": "application/json"}


@pytest.fixture
def enrolled(
    hall_server_each_db: HallUnderTest, tmp_path: Path
) -> Iterator[tuple[str, TerminalIdentity, Database]]:
    """The heartbeat URL of a hall on each database, an enrolled terminal, the hall's database."""
    identity = hall_server_each_db.enrol(tmp_path / "terminal")
    db = hall_server_each_db.database()
    try:
        yield hall_server_each_db.base_url + HEARTBEATS_PATH, identity, db
    finally:
        db.dispose()


def _stored_depth(db: Database, kiosk_id: str) -> int | None:
    with db.engine.connect() as connection:
        body = connection.execute(
            text("SELECT body FROM terminal_heartbeats WHERE kiosk_id = :k"), {"k": kiosk_id}
        ).scalar()
    if body is None:
        return None
    value = json.loads(body) if isinstance(body, str) else body
    return int(value["outbox_depth"])


def test_a_beat_that_was_not_stored_kept_its_nonce_and_is_stored_once_when_sent_again(
    enrolled: tuple[str, TerminalIdentity, Database],
) -> None:
    url, identity, db = enrolled
    beat = _beat("kiosk-001", 1)
    first = requests.post(url, data=beat, headers=_signed(identity, beat), timeout=TIMEOUT)
    assert first.status_code == 200, first.text
    assert _stored_depth(db, "kiosk-001") == 1
    failing = _beat("kiosk-001", 2)
    headers = _signed(identity, failing)
    with db.engine.begin() as connection:  # a fault: the beats' table is gone a moment
        connection.execute(text("ALTER TABLE terminal_heartbeats RENAME TO beats_away"))
    try:
        lost = requests.post(url, data=failing, headers=headers, timeout=TIMEOUT)
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE beats_away RENAME TO terminal_heartbeats"))
    assert lost.status_code >= 500  # not acknowledged
    assert _stored_depth(db, "kiosk-001") == 1  # and not stored
    again = requests.post(url, data=failing, headers=headers, timeout=TIMEOUT)
    assert again.status_code == 200, again.text  # its nonce was never spent
    assert _stored_depth(db, "kiosk-001") == 2
    replayed = requests.post(url, data=failing, headers=headers, timeout=TIMEOUT)
    assert replayed.status_code == 401, replayed.text  # now it was
    assert "replayed_nonce" in replayed.json()["message"]


def test_a_stored_beat_spent_its_nonce_and_one_naming_another_terminal_is_refused(
    enrolled: tuple[str, TerminalIdentity, Database],
) -> None:
    url, identity, db = enrolled
    beat = _beat("kiosk-001", 3)
    headers = _signed(identity, beat)
    assert requests.post(url, data=beat, headers=headers, timeout=TIMEOUT).ok
    replayed = requests.post(url, data=beat, headers=headers, timeout=TIMEOUT)
    assert replayed.status_code == 401 and "replayed_nonce" in replayed.json()["message"]
    other = _beat("kiosk-002", 4)  # signed by kiosk-001's key
    refused = requests.post(url, data=other, headers=_signed(identity, other), timeout=TIMEOUT)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "terminal_mismatch"
    assert _stored_depth(db, "kiosk-002") is None
    assert _stored_depth(db, "kiosk-001") == 3


def test_an_invalid_beat_is_422_after_the_gate_and_a_revoked_terminal_hears_403(
    enrolled: tuple[str, TerminalIdentity, Database],
) -> None:
    url, identity, db = enrolled
    invalid = b'{"kiosk_id": "kiosk-001"}'
    headers = _signed(identity, invalid)
    answer = requests.post(url, data=invalid, headers=headers, timeout=TIMEOUT)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_request"
    assert "body.sent_at: missing" in answer.json()["message"]
    again = requests.post(url, data=invalid, headers=headers, timeout=TIMEOUT)
    assert again.status_code == 401  # the gate admitted it first: its nonce is spent
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE terminals SET revoked_at = enrolled_at WHERE kiosk_id = :k"),
            {"k": "kiosk-001"},
        )
    for body in (invalid, _beat("kiosk-001", 5)):
        revoked = requests.post(url, data=body, headers=_signed(identity, body), timeout=TIMEOUT)
        assert revoked.status_code == 403 and revoked.json()["code"] == "revoked"
    assert _stored_depth(db, "kiosk-001") is None
