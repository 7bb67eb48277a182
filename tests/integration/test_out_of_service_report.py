"""``kiosk out-of-service`` against a real hall: one signed beat raises the fleet's alert.

The out-of-service unit runs it when the app hit its start limit; the app's next beat clears the
alert. The hall is a real server on loopback; the terminal is enrolled the real way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hall import fleet
from hall.schema import HeartbeatCreate
from kiosk.cli import main
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from tests.fixtures.hall import HallUnderTest, demo_applicant, make_submission


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""[hall]
embedded = false
url = "{url}"
connect_timeout_s = 1

[storage]
data_dir = "{tmp_path / "terminal"}"
""",
        encoding="utf-8",
    )
    return path


def _alerts(hall: HallUnderTest) -> dict[str, str]:
    db = hall.database()
    try:
        with db.read() as session:
            return {a.kind: a.detail for a in fleet.open_alerts(session, kiosk_id="kiosk-001")}
    finally:
        db.dispose()


def test_the_hall_raises_out_of_service_and_the_apps_next_beat_clears_it(
    tmp_path: Path,
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Two submissions wait in the outbox: staff see them in the beat's figures.
    data = tmp_path / "terminal"
    store = Store(data / "outbox.db")
    outbox = Outbox(store, FieldCipher.from_key_file(data / "field.key"))
    for _ in range(2):
        outbox.enqueue(make_submission("elder-card", demo_applicant("王秀英")))
    store.close()
    config = _config(tmp_path, hall_server.base_url)

    code = main(["--config", str(config), "out-of-service", "--reason", "Qt  could not\nload"])

    assert code == 0, capsys.readouterr().err
    assert "is out of service: Qt could not load" in capsys.readouterr().out
    assert _alerts(hall_server) == {"out_of_service": "Qt could not load"}
    db = hall_server.database()
    try:
        with db.read() as session:
            [row] = fleet.list_terminals(session, now=dt.datetime.now(dt.UTC)).terminals
    finally:
        db.dispose()
    assert (row.kiosk_id, row.status, row.faults) == ("kiosk-001", "degraded", ["out_of_service"])
    assert row.heartbeat.outbox_depth == 2

    # The app runs again: its ordinary beat has no out_of_service, and the alert is cleared.
    client = HallClient(hall_server.base_url, identity=terminal_identity)
    try:
        client.heartbeat(
            HeartbeatCreate(
                kiosk_id="kiosk-001",
                sent_at=dt.datetime.now(dt.UTC),
                app_version="test",
                outbox_depth=0,
            )
        )
    finally:
        client.close()
    assert "out_of_service" not in _alerts(hall_server)


def test_an_unenrolled_terminal_says_so_and_tells_nobody(
    tmp_path: Path, hall_server: HallUnderTest, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, hall_server.base_url)
    assert main(["--config", str(config), "out-of-service"]) == 1
    assert "enrol" in capsys.readouterr().err
    assert _alerts(hall_server) == {}


def test_a_hall_that_does_not_answer_is_a_clear_failure(
    tmp_path: Path, terminal_identity: TerminalIdentity, capsys: pytest.CaptureFixture[str]
) -> None:
    # The identity is enrolled, but the configured hall is a closed loopback port.
    config = _config(tmp_path, "http://127.0.0.1:9")
    assert main(["--config", str(config), "out-of-service"]) == 1
    assert "the hall was not told" in capsys.readouterr().err
