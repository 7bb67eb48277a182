"""The shadow agent on a real store: apply once, run once, acknowledge, survive a restart."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from hall.schema import (
    CommandPublic,
    DesiredConfig,
    DesiredConfigPublic,
    HeartbeatCreate,
    HeartbeatPublic,
)
from offline_cache.shadow import MAX_ACKS, RecentLog, ShadowAgent, mask_id_numbers
from offline_cache.store import Store

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def answer(
    version: int | None = None, *commands: tuple[str, str], **config: object
) -> HeartbeatPublic:
    return HeartbeatPublic(
        kiosk_id="K1",
        received_at=NOW,
        server_time=NOW,
        desired=None
        if version is None
        else DesiredConfigPublic(version=version, config=DesiredConfig.model_validate(config)),
        commands=[CommandPublic(command_id=i, kind=k, queued_at=NOW) for i, k in commands],  # type: ignore[arg-type]
    )


class Terminal:
    """What the handlers did."""

    def __init__(self) -> None:
        self.applied: list[DesiredConfig] = []
        self.ran: list[str] = []

    def agent(self, store: Store) -> ShadowAgent:
        def run(command: CommandPublic) -> str:
            self.ran.append(command.command_id)
            if command.kind == "print_test_page":
                raise OSError("paper out")
            return "ok"

        def apply(config: DesiredConfig) -> str:
            self.applied.append(config)
            return ""

        return ShadowAgent(
            store,
            apply_config=apply,
            handlers={"lock": run, "print_test_page": run, "restart": run},
        )


def beat(agent: ShadowAgent) -> HeartbeatCreate:
    return HeartbeatCreate(
        kiosk_id="K1", sent_at=NOW, app_version="1", outbox_depth=0, **agent.report()
    )


def test_a_config_is_applied_once_and_commands_run_once_each(store: Store) -> None:
    terminal = Terminal()
    agent = terminal.agent(store)
    first = beat(agent)
    assert (first.config_version, first.command_acks) == (None, [])
    agent.on_answer(first, answer(3, ("c1", "lock"), ("c2", "print_test_page"), language="en"))
    second = beat(agent)
    assert second.config_version == 3
    assert [(a.command_id, a.status, a.detail) for a in second.command_acks] == [
        ("c1", "done", "ok"),
        ("c2", "failed", "OSError"),
    ]
    # The hall re-sends the same (the acknowledgements were still on their way): nothing runs.
    agent.on_answer(first, answer(3, ("c1", "lock"), ("c2", "print_test_page"), language="en"))
    assert terminal.ran == ["c1", "c2"] and len(terminal.applied) == 1
    # The beat carrying the acknowledgements was answered: they are delivered.
    agent.on_answer(second, answer(3))
    assert beat(agent).command_acks == []


def test_an_acknowledgement_made_before_a_restart_goes_out_after_it(db_path: Path) -> None:
    terminal = Terminal()
    store = Store(db_path)
    agent = terminal.agent(store)
    agent.on_answer(beat(agent), answer(7, ("r1", "restart"), idle_warning_s=90))
    store.close()  # the process ends here
    store = Store(db_path)
    try:
        again = terminal.agent(store)
        after = beat(again)
        assert after.config_version == 7
        assert [a.command_id for a in after.command_acks] == ["r1"]
        again.on_answer(beat(again), answer(7, ("r1", "restart"), idle_warning_s=90))
        assert terminal.ran == ["r1"]  # not restarted twice
    finally:
        store.close()


def test_an_unknown_command_and_a_failing_config_are_reported_not_raised(store: Store) -> None:
    def broken(_config: DesiredConfig) -> str:
        raise ValueError("no such queue")

    agent = ShadowAgent(store, apply_config=broken, handlers={})
    agent.on_answer(beat(agent), answer(2, ("u1", "upload_log"), document_printer_queue="A4"))
    report = beat(agent)
    assert report.config_version == 2 and report.config_problem == "not applied: ValueError"
    assert [(a.status, a.detail) for a in report.command_acks] == [("failed", "not supported here")]


def test_one_beat_carries_a_bounded_number_of_acknowledgements(store: Store) -> None:
    agent = Terminal().agent(store)
    many = [(f"c{n}", "lock") for n in range(MAX_ACKS + 5)]
    agent.on_answer(beat(agent), answer(None, *many))
    first = beat(agent)
    assert len(first.command_acks) == MAX_ACKS
    agent.on_answer(first, answer(None))
    assert [a.command_id for a in beat(agent).command_acks] == [
        f"c{n}" for n in range(MAX_ACKS, MAX_ACKS + 5)
    ]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("card 11010519491231002X read", "card 110105********002X read"),
        ("old 110105491231002 card", "old 110105*****1002 card"),
        ("case K001-20261122-00001 ok", "case K001-20261122-00001 ok"),
        ("phone 13800138000", "phone 13800138000"),
    ],
)
def test_id_numbers_are_masked_and_other_numbers_kept(text: str, masked: str) -> None:
    assert mask_id_numbers(text) == masked


def test_the_recent_log_keeps_warnings_masked_and_bounded() -> None:
    handler = RecentLog(capacity=3)
    logger = logging.getLogger("test.recent")
    logger.addHandler(handler)
    try:
        logger.info("not kept")
        for n in range(5):
            logger.warning("reader failed for 11010519491231002X (%d)", n)
    finally:
        logger.removeHandler(handler)
    lines = handler.lines()
    assert len(lines) == 3 and all("110105********002X" in line for line in lines)
    assert not any("11010519491231002X" in line for line in lines)
    assert lines[-1].endswith("(4)")
