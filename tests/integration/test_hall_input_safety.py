"""Text and numbers neither database can store are refused with 422; nothing makes the hall 500.

Each probe runs against the real hall on SQLite and on PostgreSQL. Bodies are sent as raw JSON,
as a terminal (or anything else) could send them: ``NaN`` and ``"\\ud800"`` are what Python's
``json`` reads, so the hall must refuse them itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from hall.db import TerminalHeartbeat
from hall.schema import (
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    SUBMISSIONS_PATH,
    TERMINALS_PATH,
    TerminalsPublic,
)
from offline_cache.identity import SignedAuth
from tests.fixtures.hall import HallUnderTest, demo_applicant, make_submission

TIMEOUT = 10


@pytest.fixture
def http(hall_server_each_db: HallUnderTest, tmp_path: Path) -> Iterator[requests.Session]:
    """A session that signs as the enrolled terminal ``kiosk-001``."""
    session = requests.Session()
    session.auth = SignedAuth(hall_server_each_db.enrol(tmp_path / "terminal"))
    yield session
    session.close()


def heartbeat(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kiosk_id": "kiosk-001",
        "sent_at": "2026-11-22T09:30:00Z",
        "app_version": "0.1.0",
        "outbox_depth": 0,
    }
    body.update(overrides)
    return body


def send(http: requests.Session, url: str, raw: str, **headers: str) -> requests.Response:
    return http.post(
        url,
        data=raw.encode(),
        headers={"Content-Type": "application/json", **headers},
        timeout=TIMEOUT,
    )


# Raw JSON texts: json.dumps writes NaN/Infinity and escapes a lone surrogate as \ud800.
ODD_HEARTBEATS = {
    "nul in kiosk_id": heartbeat(kiosk_id="kiosk\x00001"),
    "nul in a device name": heartbeat(devices={"printer\x00": "ok"}),
    "lone surrogate in kiosk_id": heartbeat(kiosk_id="kiosk-\ud800"),
    "lone surrogate in detail": heartbeat(detail="low \udfff paper"),
    "lone surrogate in a device status": heartbeat(devices={"printer": "\ud800"}),
    "NaN clock offset": heartbeat(clock_offset_s=float("nan")),
    "infinite clock offset": heartbeat(clock_offset_s=float("inf")),
    "-infinite pending age": heartbeat(oldest_pending_age_s=float("-inf")),
}


@pytest.mark.parametrize("body", ODD_HEARTBEATS.values(), ids=ODD_HEARTBEATS.keys())
def test_odd_heartbeats_are_422_and_the_fleet_list_stays_readable(
    hall_server_each_db: HallUnderTest, http: requests.Session, body: dict[str, Any]
) -> None:
    base = hall_server_each_db.base_url
    ok = send(http, base + HEARTBEATS_PATH, json.dumps(heartbeat()))
    assert ok.status_code == 200, ok.text
    refused = send(http, base + HEARTBEATS_PATH, json.dumps(body))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_request"
    listed = http.get(base + TERMINALS_PATH, timeout=TIMEOUT)
    assert listed.status_code == 200, listed.text
    terminals = TerminalsPublic.model_validate(listed.json()).terminals
    assert [t.kiosk_id for t in terminals] == ["kiosk-001"]


def test_odd_submissions_are_422(
    hall_server_each_db: HallUnderTest, http: requests.Session
) -> None:
    base = hall_server_each_db.base_url
    good = json.loads(make_submission("elder-card", demo_applicant("王秀英")).model_dump_json())
    odd = [
        {**good, "kiosk_id": "kiosk\x00"},
        {**good, "kiosk_id": "kiosk\ud800"},
        {**good, "form": {"note\x00": "x"}},
        {**good, "form": {"note": "\udc00"}},
        {**good, "applicant": {**good["applicant"], "address": "北京\x00"}},
    ]
    for number, body in enumerate(odd):
        response = send(
            http, base + SUBMISSIONS_PATH, json.dumps(body), **{IDEMPOTENCY_HEADER: f"k-{number}"}
        )
        assert response.status_code == 422, (number, response.text)
    assert hall_server_each_db.count_submissions() == 0


@pytest.mark.parametrize("case_number", ["%00", "K001-20261122-0000%00", "%ED%A0%80", "%C0%80"])
def test_odd_case_numbers_in_the_path_are_not_a_500(
    hall_server_each_db: HallUnderTest, http: requests.Session, case_number: str
) -> None:
    base = hall_server_each_db.base_url
    for path in (f"/api/v1/submissions/{case_number}", f"/api/v1/cases/{case_number}/progress"):
        response = http.get(base + path, timeout=TIMEOUT)
        assert response.status_code in (404, 422), (path, response.status_code, response.text)


def test_an_odd_heartbeat_already_stored_leaves_the_others_listed(
    hall_server_each_db: HallUnderTest, http: requests.Session
) -> None:
    base = hall_server_each_db.base_url
    assert send(http, base + HEARTBEATS_PATH, json.dumps(heartbeat())).status_code == 200
    db = hall_server_each_db.database()
    try:
        with db.write() as session:
            session.add(
                TerminalHeartbeat(
                    kiosk_id="kiosk-old",
                    received_at=dt.datetime.now(dt.UTC),
                    body=heartbeat(kiosk_id="kiosk-old", detail="\ud800"),
                )
            )
    finally:
        db.dispose()
    listed = http.get(base + TERMINALS_PATH, timeout=TIMEOUT)
    assert listed.status_code == 200, listed.text
    assert [t["kiosk_id"] for t in listed.json()["terminals"]] == ["kiosk-001"]
