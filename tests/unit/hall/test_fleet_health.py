"""What a heartbeat says about health: bounded intervals, the faults, the five-minute slot."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.fleet import decode_cursor, encode_cursor, health
from hall.fleet.errors import BadCursorError
from hall.schema import HeartbeatCreate

AT = dt.datetime(2026, 12, 2, 9, 7, 42, tzinfo=dt.UTC)


def beat(**fields: object) -> HeartbeatCreate:
    values: dict[str, object] = {
        "kiosk_id": "K1",
        "sent_at": AT,
        "app_version": "1",
        "outbox_depth": 0,
    }
    values.update(fields)
    return HeartbeatCreate.model_validate(values)


@pytest.mark.parametrize(
    ("every", "after_s"),
    [(None, 180.0), (30.0, 90.0), (0.001, 15.0), (86400.0, 10800.0)],
)
def test_offline_after_three_intervals_bounded(every: float | None, after_s: float) -> None:
    assert health.offline_after(beat(heartbeat_every_s=every), AT) == AT + dt.timedelta(
        seconds=after_s
    )


def test_a_healthy_beat_has_no_fault_and_a_sick_one_names_each() -> None:
    assert health.faults(beat(free_disk_bytes=10**12, clock_offset_s=59.0)) == {}
    found = health.faults(
        beat(
            devices={"receipt_printer": "ok", "a4_printer": "offline", "paper": "paper_low"},
            oldest_pending_age_s=7200.0,
            store_full=True,
            clock_offset_s=61.0,
        )
    )
    assert set(found) == {"device_failed", "paper_low", "outbox_stale", "store_full", "clock_skew"}
    assert found["device_failed"] == "a4_printer: offline"
    assert found["outbox_stale"] == "oldest undelivered submission 120 min old"
    assert health.health(found) == "degraded" and health.health({}) == "ok"


def test_the_slot_is_the_start_of_its_five_minutes() -> None:
    assert health.slot(AT) == dt.datetime(2026, 12, 2, 9, 5, tzinfo=dt.UTC)
    shanghai = AT.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert health.slot(shanghai) == health.slot(AT)


@pytest.mark.parametrize("kiosk_id", ["K1", "kiosk-001", "a" * 64])
def test_cursors_round_trip(kiosk_id: str) -> None:
    assert decode_cursor(encode_cursor(kiosk_id)) == kiosk_id


@pytest.mark.parametrize("cursor", ["", "%%%", "AA", encode_cursor("a" * 65), "_-_-_-_-"])
def test_a_cursor_not_made_here_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursorError):
        decode_cursor(cursor)
