"""A heartbeat's nonce is spent before the beat is stored, and that order is the safe one.

The nonce is committed by the authentication gate (``hall.auth.AuthGate``) before the app sees
the request; the beat is stored afterwards in its own batch (``hall.heartbeats``). So a beat that
fails to be stored has spent its nonce: it is not acknowledged, the same signed bytes replayed are
refused, and the terminal's retry (signed afresh, a new nonce) is stored. The other order -- a beat
stored while its nonce is not recorded -- cannot happen: nothing reaches the app before the nonce
is committed. Both databases, a real fault (the table gone for a moment), the real API.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests
from sqlalchemy import text

from hall import httpsig
from hall.db import Database
from hall.schema import HEARTBEATS_PATH
from offline_cache.identity import TerminalIdentity
from tests.fixtures.hall import HallUnderTest, hall_settings

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
    headers = httpsig.sign_request(
        "POST", HEARTBEATS_PATH, "", body, identity.private_key, identity.key_id, time.time()
    )
    return headers | {"Content-Type": "application/json"}


def _stored_depth(db: Database, kiosk_id: str) -> int | None:
    with db.engine.connect() as connection:
        body = connection.execute(
            text("SELECT body FROM terminal_heartbeats WHERE kiosk_id = :k"), {"k": kiosk_id}
        ).scalar()
    if body is None:
        return None
    value = json.loads(body) if isinstance(body, str) else body
    return int(value["outbox_depth"])


def test_a_beat_that_was_not_stored_spent_its_nonce_and_its_retry_is_stored(
    tmp_path: Path, hall_database_url: str
) -> None:
    hall = HallUnderTest(hall_settings(tmp_path, database_url=hall_database_url))
    with hall:
        url = hall.base_url + HEARTBEATS_PATH
        identity = hall.enrol(tmp_path / "terminal")
        db = hall.database()
        try:
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
            replayed = requests.post(url, data=failing, headers=headers, timeout=TIMEOUT)
            assert replayed.status_code == 401, replayed.text
            assert "replayed_nonce" in replayed.json()["message"]
            assert _stored_depth(db, "kiosk-001") == 1
            retry = requests.post(
                url, data=failing, headers=_signed(identity, failing), timeout=TIMEOUT
            )
            assert retry.status_code == 200, retry.text
            assert _stored_depth(db, "kiosk-001") == 2
        finally:
            db.dispose()
