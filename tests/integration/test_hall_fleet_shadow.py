"""The device shadow over real signed HTTP: simulated terminals against a hall converge.

Each simulated terminal is what a real one runs for its beat: an enrolled identity signing with
its own key (``HallClient``), its own store, a ``ShadowAgent`` applying the desired configuration
and carrying out commands, and a heartbeat built with the agent's report.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from hall import fleet
from hall.schema import (
    CommandPublic,
    DesiredConfig,
    HeartbeatCreate,
    StaffCallCreate,
    StaffCallPublic,
)
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.hall_client import HallClient
from offline_cache.identity import enrol
from offline_cache.shadow import ShadowAgent
from offline_cache.store import Store
from tests.fixtures.hall import HallUnderTest

FLEET = 40


@dataclass
class SimulatedTerminal:
    """One terminal's beat path, with what its handlers saw."""

    kiosk_id: str
    client: HallClient
    store: Store
    applied: list[DesiredConfig] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    calls: list[StaffCallPublic] = field(default_factory=list)
    locked: bool = False
    agent: ShadowAgent | None = None

    def start(self) -> None:
        def lock(command: CommandPublic) -> str:
            self.locked = command.kind == "lock"
            self.ran.append(command.kind)
            return ""

        def refuse(_command: CommandPublic) -> str:
            raise OSError("no printer attached")

        self.agent = ShadowAgent(
            self.store,
            apply_config=self._apply,
            handlers={"lock": lock, "unlock": lock, "print_test_page": refuse},
            on_staff_calls=self._note_calls,
            locked=lambda: self.locked,
        )

    def _apply(self, config: DesiredConfig) -> str:
        self.applied.append(config)
        return "" if config.document_printer_queue is None else "document printer queue unknown"

    def _note_calls(self, calls: list[StaffCallPublic]) -> None:
        self.calls = calls

    def beat(self) -> None:
        assert self.agent is not None
        sent = HeartbeatCreate(
            kiosk_id=self.kiosk_id,
            sent_at=dt.datetime.now(dt.UTC),
            app_version="1.0",
            outbox_depth=0,
            heartbeat_every_s=60.0,
            **self.agent.report(),
        )
        self.agent.on_answer(sent, self.client.heartbeat(sent))


@pytest.fixture
def terminals(hall_server: HallUnderTest, tmp_path: Path) -> Iterator[list[SimulatedTerminal]]:
    made = []
    try:
        for n in range(FLEET):
            kiosk_id = f"SIM{n:03d}"
            code = hall_server.enrolment_code(kiosk_id, site="north" if n % 2 else "south")
            identity = enrol(hall_server.base_url, code, tmp_path / kiosk_id)
            terminal = SimulatedTerminal(
                kiosk_id=kiosk_id,
                client=HallClient(hall_server.base_url, identity=identity),
                store=Store(tmp_path / kiosk_id / "outbox.db"),
            )
            terminal.start()
            made.append(terminal)
        yield made
    finally:
        for terminal in made:
            terminal.client.close()
            terminal.store.close()


def _everyone_beats(terminals: list[SimulatedTerminal]) -> None:
    # Concurrently, so the hall's batches hold many terminals at once.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda t: t.beat(), terminals))


def _converged(hall: HallUnderTest) -> tuple[int, int]:
    db = hall.database()
    try:
        with db.read() as session:
            page = fleet.list_terminals(session, now=dt.datetime.now(dt.UTC), limit=fleet.MAX_LIMIT)
    finally:
        db.dispose()
    done = [t for t in page.terminals if t.heartbeat.config_version == t.desired_version]
    return len(done), len(page.terminals)


def test_simulated_terminals_converge_within_two_heartbeats(
    hall_server: HallUnderTest,
    terminals: list[SimulatedTerminal],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _everyone_beats(terminals)  # known to the hall, nothing desired yet
    db = hall_server.database()
    now = dt.datetime.now(dt.UTC)
    try:
        with db.write() as session:
            fleet.set_desired_config(session, "all", {"idle_warning_s": 90}, "王芳", now=now)
            north = fleet.set_desired_config(
                session, "site:north", {"language": "en"}, "王芳", now=now
            )
            fleet.set_desired_config(
                session, "terminal:SIM000", {"document_printer_queue": "A4-hall"}, "王芳", now=now
            )
            lock = fleet.queue_command(session, "SIM001", "lock", "王芳", now=now)
            test_page = fleet.queue_command(session, "SIM002", "print_test_page", "王芳", now=now)
            upload = fleet.queue_command(session, "SIM003", "upload_log", "王芳", now=now)
    finally:
        db.dispose()
    assert _converged(hall_server) == (0, FLEET)
    _everyone_beats(terminals)  # first beat: each learns what is desired and applies it
    after_one = _converged(hall_server)
    _everyone_beats(terminals)  # second beat: each reports the version it applied
    after_two = _converged(hall_server)
    with capsys.disabled():
        print(
            f"\nshadow convergence: {after_one[0]}/{FLEET} after one heartbeat, "
            f"{after_two[0]}/{FLEET} after two"
        )
    assert after_two[0] / after_two[1] >= 0.99
    by_id = {t.kiosk_id: t for t in terminals}
    assert by_id["SIM001"].applied[-1] == DesiredConfig(idle_warning_s=90, language="en")
    assert by_id["SIM001"].agent is not None and by_id["SIM001"].agent.applied_version == north
    assert by_id["SIM002"].applied[-1] == DesiredConfig(idle_warning_s=90)
    assert len(by_id["SIM005"].applied) == 1  # applied once, not again on the second beat
    assert by_id["SIM001"].locked and by_id["SIM001"].ran == ["lock"]
    db = hall_server.database()
    try:
        with db.read() as session:
            states = {
                c.command_id: (c.status, c.detail)
                for kiosk in ("SIM001", "SIM002", "SIM003")
                for c in fleet.commands(session, kiosk)
            }
            listed = {
                t.kiosk_id: t
                for t in fleet.list_terminals(session, now=dt.datetime.now(dt.UTC)).terminals
            }
    finally:
        db.dispose()
    assert states[lock.command_id] == ("done", "")
    assert states[test_page.command_id] == ("failed", "OSError")
    assert states[upload.command_id] == ("failed", "not supported here")
    assert listed["SIM001"].heartbeat.locked
    assert listed["SIM000"].heartbeat.config_problem == "document printer queue unknown"


def test_a_staff_call_is_taken_by_the_hall_and_its_acknowledgement_reaches_the_terminal(
    hall_server: HallUnderTest, terminals: list[SimulatedTerminal]
) -> None:
    terminal = terminals[0]
    call = StaffCallCreate(
        kiosk_id=terminal.kiosk_id, call_id=str(uuid.uuid4()), sent_at=dt.datetime.now(dt.UTC)
    )
    taken = terminal.client.call_staff(call)
    again = terminal.client.call_staff(call)  # a retry is the same call, not a second alert
    assert taken == again and taken.acknowledged_at is None
    db = hall_server.database()
    try:
        with db.read() as session:
            [alert] = fleet.open_alerts(session)
        assert (alert.kind, alert.kiosk_id) == ("staff_called", terminal.kiosk_id)
        terminal.beat()
        assert [c.call_id for c in terminal.calls] == [call.call_id]
        assert terminal.calls[0].acknowledged_at is None
        with db.write() as session:
            fleet.acknowledge_alert(session, alert.id, "李明", now=dt.datetime.now(dt.UTC))
        # The terminal learns it by polling, and from its next beat.
        polled = terminal.client.staff_call(call.call_id)
        assert polled.acknowledged_at is not None
        terminal.beat()
        assert terminal.calls[0].acknowledged_at == polled.acknowledged_at
        with db.read() as session:
            assert fleet.open_alerts(session) == []
    finally:
        db.dispose()
    # Another terminal cannot read or raise this terminal's call.
    with pytest.raises(HallRejectedError) as refused:
        terminals[1].client.staff_call(call.call_id)
    assert refused.value.status == 404
    forged = call.model_copy(update={"kiosk_id": terminals[0].kiosk_id})
    with pytest.raises(HallUnavailableError, match="terminal_mismatch"):
        terminals[1].client.call_staff(forged)
    # Unsigned: refused.
    raw = requests.post(
        hall_server.base_url + "/api/v1/staff-calls", data=call.model_dump_json(), timeout=10
    )
    assert raw.status_code == 401
