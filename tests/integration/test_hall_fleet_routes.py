"""GET /api/v1/terminals over signed HTTP: pages, filters, bounds; silence shows as offline."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from hall import fleet
from hall.schema import HEARTBEATS_PATH, TERMINALS_PATH, HeartbeatCreate, TerminalsPublic
from offline_cache.identity import SignedAuth
from tests.fixtures.hall import HallUnderTest

TIMEOUT = 10


def _beat(kiosk_id: str, **fields: object) -> str:
    values: dict[str, object] = {
        "kiosk_id": kiosk_id,
        "sent_at": dt.datetime.now(dt.UTC),
        "app_version": "1.0",
        "outbox_depth": 0,
    }
    values.update(fields)
    return HeartbeatCreate.model_validate(values).model_dump_json()


def _next(answer: requests.Response) -> str | None:
    link = answer.links.get("next")
    if link is None:
        return None
    return parse_qs(urlparse(link["url"]).query)["cursor"][0]


def test_pages_and_filters_over_http(
    hall_server_each_db: HallUnderTest, http: requests.Session, tmp_path: Path
) -> None:
    base = hall_server_each_db.base_url
    auths = {}
    for n in range(5):
        kiosk_id = f"P{n}"
        auths[kiosk_id] = SignedAuth(hall_server_each_db.enrol(tmp_path / kiosk_id, kiosk_id))
        devices = {"receipt_printer": "paper_out" if n == 3 else "ok"}
        http.post(
            base + HEARTBEATS_PATH,
            data=_beat(kiosk_id, devices=devices, app_version="2.0" if n < 2 else "1.0"),
            auth=auths[kiosk_id],
            timeout=TIMEOUT,
        ).raise_for_status()
    http.auth = auths["P0"]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = http.get(base + TERMINALS_PATH, params=params, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        seen += [t.kiosk_id for t in TerminalsPublic.model_validate_json(answer.content).terminals]
        cursor = _next(answer)
        if cursor is None:
            break
    assert seen == ["P0", "P1", "P2", "P3", "P4"]

    def listed(**params: object) -> list[str]:
        answer = http.get(base + TERMINALS_PATH, params=params, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return [t["kiosk_id"] for t in answer.json()["terminals"]]

    assert listed(status="degraded") == ["P3"]
    assert listed(alert="device_failed") == ["P3"] == listed(alert="any")
    assert listed(version="2.0") == ["P0", "P1"]
    assert listed(status="offline") == []
    for bad in ({"limit": 0}, {"limit": 10_000}, {"status": "asleep"}, {"cursor": "%%"}):
        refused = http.get(base + TERMINALS_PATH, params=bad, timeout=TIMEOUT)
        assert refused.status_code == 422, (bad, refused.text)
    nul = http.get(base + TERMINALS_PATH + "?site=a%00b", timeout=TIMEOUT)
    assert nul.status_code == 422


def test_a_terminal_gone_silent_is_listed_offline_with_an_alert(
    hall_server: HallUnderTest,
    http: requests.Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = hall_server.base_url
    http.auth = SignedAuth(hall_server.enrol(tmp_path / "Q1", "Q1"))
    # The shortest interval a terminal may beat at: offline after three of them missed.
    answer = http.post(
        base + HEARTBEATS_PATH, data=_beat("Q1", heartbeat_every_s=5.0), timeout=TIMEOUT
    )
    answer.raise_for_status()
    silent_since = time.monotonic()

    def offline_alert() -> bool:
        db = hall_server.database()
        try:
            with db.read() as session:
                return [a.kind for a in fleet.open_alerts(session)] == ["offline"]
        finally:
            db.dispose()

    listed_offline = alerted = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (listed_offline is None or alerted is None):
        page = http.get(base + TERMINALS_PATH, params={"status": "offline"}, timeout=TIMEOUT)
        if listed_offline is None and page.json()["terminals"]:
            listed_offline = time.monotonic() - silent_since
        if alerted is None and offline_alert():
            alerted = time.monotonic() - silent_since
        time.sleep(0.25)
    assert listed_offline is not None and alerted is not None
    with capsys.disabled():
        print(
            f"\nsilent terminal (5 s beat): listed offline after {listed_offline:.1f} s, "
            f"offline alert after {alerted:.1f} s"
        )
    # Back: online again and the alert cleared.
    http.post(base + HEARTBEATS_PATH, data=_beat("Q1", heartbeat_every_s=5.0), timeout=TIMEOUT)
    page = http.get(base + TERMINALS_PATH, timeout=TIMEOUT).json()["terminals"]
    assert [t["status"] for t in page] == ["ok"] and page[0]["open_alerts"] == []
