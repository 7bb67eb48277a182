"""The fleet's health on both databases: samples, status, alerts, the sweep, paging and filters."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from hall import fleet
from hall.db import Database, TerminalHeartbeat
from hall.fleet.errors import BadCursorError, UnknownCommandError
from hall.fleet.models import Alert, HeartbeatSample
from hall.fleet.recorder import FleetRecorder
from hall.fleet.sweep import FleetSweep
from hall.identity import IdentityService
from hall.schema import CommandAck, DesiredConfig, HeartbeatCreate

T0 = dt.datetime(2026, 12, 2, 9, 0, 10, tzinfo=dt.UTC)


class Clock:
    """The hall's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def db(hall_database_url: str) -> Iterator[Database]:
    database = Database(hall_database_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def beat(kiosk_id: str, **fields: object) -> HeartbeatCreate:
    values: dict[str, object] = {
        "kiosk_id": kiosk_id,
        "sent_at": T0,
        "app_version": "1.0",
        "outbox_depth": 0,
        "heartbeat_every_s": 60.0,
        "free_disk_bytes": 10 * 1024**3,
        "devices": {"receipt_printer": "ok"},
    }
    values.update(fields)
    return HeartbeatCreate.model_validate(values)


def enrolled(db: Database, kiosk_id: str, site: str | None = None) -> None:
    identity = IdentityService(db)
    code = identity.create_code(kiosk_id, site=site)
    raw = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    identity.enrol(code, base64.b64encode(raw).decode())


def test_one_sample_per_terminal_per_five_minutes_and_the_current_row_in_place(
    db: Database,
) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    for _ in range(12):  # a beat every 30 s for six minutes: slots 09:00 and 09:05
        recorder.write([beat("K1", outbox_depth=int(clock.now.minute)), beat("K2")])
        clock.advance(30)
    with db.read() as session:
        slots = session.scalars(
            select(HeartbeatSample.slot_at)
            .where(HeartbeatSample.kiosk_id == "K1")
            .order_by(HeartbeatSample.slot_at)
        ).all()
        current = session.scalar(select(func.count()).select_from(TerminalHeartbeat))
        history = fleet.terminal_history(session, "K1", since=T0 - dt.timedelta(hours=1))
    assert [s.strftime("%H:%M") for s in slots] == ["09:00", "09:05"]
    assert current == 2
    # The first beat of a slot is its sample.
    assert [s.heartbeat.outbox_depth for s in history] == [0, 5]


@pytest.mark.parametrize(
    ("fields", "fault"),
    [
        ({"devices": {"receipt_printer": "paper_out"}}, "device_failed"),
        ({"devices": {"receipt_printer": "paper_near_end"}}, "paper_low"),
        ({"oldest_pending_age_s": 3700.0}, "outbox_stale"),
        ({"free_disk_bytes": 100 * 1024**2}, "disk_low"),
        ({"free_disk_bytes": 2 * 1024**3, "min_free_disk_bytes": 3 * 1024**3}, "disk_low"),
        ({"clock_offset_s": -75.0}, "clock_skew"),
        ({"catalog_problem": "release 3 older than 5 in use"}, "catalog_refused"),
    ],
)
def test_each_fault_makes_a_terminal_degraded_with_an_alert_that_clears(
    db: Database, fields: dict[str, object], fault: str
) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    recorder.write([beat("K1"), beat("K2")])
    recorder.write([beat("K1", **fields), beat("K2")])
    with db.read() as session:
        page = fleet.list_terminals(session, now=clock())
        degraded = fleet.list_terminals(session, now=clock(), status="degraded")
        alerts = fleet.open_alerts(session)
    by_id = {t.kiosk_id: t for t in page.terminals}
    assert (by_id["K1"].status, by_id["K1"].faults) == ("degraded", [fault])
    assert by_id["K2"].status == "ok"
    assert [t.kiosk_id for t in degraded.terminals] == ["K1"]
    assert [(a.kiosk_id, a.kind) for a in alerts] == [("K1", fault)]
    # The same fault again keeps the one alert; a healthy beat clears it.
    recorder.write([beat("K1", **fields)])
    recorder.write([beat("K1")])
    with db.read() as session:
        assert fleet.open_alerts(session) == []
        cleared = session.scalars(select(Alert)).all()
    assert len(cleared) == 1 and cleared[0].cleared_at == clock()


def test_silence_for_three_intervals_is_offline_and_one_sweep_of_two_raises_it_once(
    db: Database,
) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    recorder.write([beat("K1", heartbeat_every_s=30.0), beat("K2")])
    clock.advance(89)
    with db.read() as session:
        assert fleet.list_terminals(session, now=clock(), status="offline").terminals == []
    clock.advance(2)  # 91 s: three 30 s intervals missed by K1; K2 beats every 60 s
    with db.read() as session:
        offline = fleet.list_terminals(session, now=clock(), status="offline")
    assert [t.kiosk_id for t in offline.terminals] == ["K1"]
    # Two hall processes sweep; the lease lets one raise the alert, and only once.
    first, second = FleetSweep(db, clock=clock), FleetSweep(db, clock=clock)
    reports = [first.run_once(), second.run_once(), first.run_once()]
    assert [r.ran for r in reports] == [True, False, True]
    assert sum(r.raised_offline for r in reports) == 1
    with db.read() as session:
        assert [(a.kiosk_id, a.kind) for a in fleet.open_alerts(session)] == [("K1", "offline")]
        assert [
            t.kiosk_id
            for t in fleet.list_terminals(session, now=clock(), alert="offline").terminals
        ] == ["K1"]
    recorder.write([beat("K1", heartbeat_every_s=30.0)])  # back: the alert clears
    with db.read() as session:
        assert fleet.open_alerts(session) == []
        assert fleet.list_terminals(session, now=clock(), status="offline").terminals == []


def test_the_sweep_prunes_samples_older_than_thirty_days(db: Database) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    recorder.write([beat("K1")])
    clock.advance(31 * 86400)
    recorder.write([beat("K1")])
    report = FleetSweep(db, clock=clock).run_once()
    assert report.pruned_samples == 1
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(HeartbeatSample)) == 1


def test_pages_walk_the_whole_fleet_once_with_filters(db: Database) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    for n in range(7):
        enrolled(db, f"T{n:02d}", site="north" if n % 2 else "south")
    recorder.write([beat(f"T{n:02d}", app_version="2.0" if n < 3 else "1.0") for n in range(7)])
    seen: list[str] = []
    cursor = None
    with db.read() as session:
        while True:
            page = fleet.list_terminals(session, now=clock(), cursor=cursor, limit=3)
            seen += [t.kiosk_id for t in page.terminals]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        north = fleet.list_terminals(session, now=clock(), site="north")
        v2 = fleet.list_terminals(session, now=clock(), version="2.0", site="south")
        with pytest.raises(BadCursorError):
            fleet.list_terminals(session, now=clock(), cursor="%%%not-ours")
        huge = fleet.list_terminals(session, now=clock(), limit=10**9)
    assert seen == [f"T{n:02d}" for n in range(7)]
    assert [t.kiosk_id for t in north.terminals] == ["T01", "T03", "T05"]
    assert {t.site for t in north.terminals} == {"north"}
    assert [t.kiosk_id for t in v2.terminals] == ["T00", "T02"]
    assert len(huge.terminals) == 7 and huge.next_cursor is None


def test_an_odd_stored_row_never_fails_the_list(db: Database) -> None:
    clock = Clock()
    FleetRecorder(db, clock).write([beat("A1"), beat("C1")])
    with db.write() as session:
        session.add(TerminalHeartbeat(kiosk_id="B1", received_at=clock(), body={"odd": [1, 2]}))
        row = session.get(TerminalHeartbeat, "C1")
        assert row is not None
        row.body = {**row.body, "outbox_depth": -5}
    with db.read() as session:
        first = fleet.list_terminals(session, now=clock(), limit=1)
        rest = fleet.list_terminals(session, now=clock(), cursor=first.next_cursor, limit=1)
        assert [t.kiosk_id for t in first.terminals] == ["A1"]
        # The odd row is skipped, yet the cursor moves past it.
        assert rest.terminals == [] and rest.next_cursor is not None
        last = fleet.list_terminals(session, now=clock(), cursor=rest.next_cursor, limit=5)
        assert last.terminals == [] and last.next_cursor is None


def test_desired_config_merges_fleet_site_terminal_and_commands_ride_the_answer(
    db: Database,
) -> None:
    clock = Clock()
    recorder = FleetRecorder(db, clock)
    enrolled(db, "K1", site="north")
    enrolled(db, "K2", site="south")
    with db.write() as session:
        v1 = fleet.set_desired_config(session, "all", {"idle_warning_s": 90}, "王", now=clock())
        v2 = fleet.set_desired_config(
            session,
            "site:north",
            DesiredConfig(language="en", idle_warning_s=120),
            "王",
            now=clock(),
        )
        v3 = fleet.set_desired_config(
            session, "terminal:K1", {"receipt_cut": "full"}, "王", now=clock()
        )
        command = fleet.queue_command(session, "K1", "lock", "王", now=clock())
        with pytest.raises(UnknownCommandError):
            fleet.queue_command(session, "K1", "format_disk", "王", now=clock())
    assert v1 < v2 < v3
    stored = recorder.write([beat("K1"), beat("K2")])
    k1, k2 = stored.answer("K1"), stored.answer("K2")
    assert k1.desired is not None and k2.desired is not None
    assert (k1.desired.version, k2.desired.version) == (v3, v1)
    assert k1.desired.config == DesiredConfig(idle_warning_s=120, language="en", receipt_cut="full")
    assert k2.desired.config == DesiredConfig(idle_warning_s=90)
    assert [c.command_id for c in k1.commands] == [command.command_id] and k2.commands == []
    # Acknowledged in the next beat: done, and not sent again.
    ack = CommandAck(command_id=command.command_id, status="done")
    again = recorder.write([beat("K1", command_acks=[ack], config_version=v3)])
    assert again.answer("K1").commands == []
    with db.read() as session:
        [view] = fleet.commands(session, "K1")
        listed = {t.kiosk_id: t for t in fleet.list_terminals(session, now=clock()).terminals}
    assert (view.status, view.acked_at) == ("done", clock())
    assert listed["K1"].desired_version == listed["K1"].heartbeat.config_version == v3
    assert listed["K2"].desired_version == v1 and listed["K2"].heartbeat.config_version is None
