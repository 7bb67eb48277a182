"""Heartbeats stay within 8 KB encoded, cutting free text first and never the figures."""

from __future__ import annotations

import datetime as dt

from hall.schema import HEARTBEAT_MAX_BYTES, HeartbeatCreate
from offline_cache.heartbeat import encoded_size, fit_heartbeat


def heartbeat(**overrides: object) -> HeartbeatCreate:
    values: dict[str, object] = {
        "kiosk_id": "DEMO01",
        "sent_at": dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC),
        "app_version": "1.0",
        "outbox_depth": 3,
        "oldest_pending_age_s": 12.5,
        "wal_bytes": 4096,
        "free_disk_bytes": 10**9,
    }
    values.update(overrides)
    return HeartbeatCreate(**values)  # type: ignore[arg-type]


def test_a_small_heartbeat_is_sent_as_is() -> None:
    hb = heartbeat(devices={"receipt_printer": "ok"}, detail="fine")
    assert fit_heartbeat(hb) is hb


def test_long_detail_is_cut_and_the_figures_stay() -> None:
    hb = heartbeat(detail="打印机缺纸；" * 2000, devices={"receipt_printer": "paper_out"})
    fitted = fit_heartbeat(hb)
    assert encoded_size(hb) > HEARTBEAT_MAX_BYTES >= encoded_size(fitted)
    assert fitted.detail.endswith("…") and fitted.detail.startswith("打印机缺纸")
    assert encoded_size(fitted) > HEARTBEAT_MAX_BYTES - 64  # cut to the bound, not far below
    assert (fitted.outbox_depth, fitted.wal_bytes, fitted.devices) == (
        3,
        4096,
        {"receipt_printer": "paper_out"},
    )


def test_too_many_devices_are_dropped_and_counted() -> None:
    devices = {f"device-{i:03d}": "状态" * 30 for i in range(300)}
    fitted = fit_heartbeat(heartbeat(devices=devices, detail="x" * 100))
    assert encoded_size(fitted) <= HEARTBEAT_MAX_BYTES
    assert 0 < len(fitted.devices) < 300
    assert fitted.detail == f"{300 - len(fitted.devices)} devices not listed"
    assert all(len(state.encode()) <= 32 for state in fitted.devices.values())


def test_a_long_nightly_report_is_cut_to_its_first_words_and_still_says_what_failed() -> None:
    import datetime as dt

    from hall.schema import NightlyReport

    at = dt.datetime(2026, 12, 3, 3, 4, tzinfo=dt.UTC)
    nightly = NightlyReport(
        night=at.date(),
        started_at=at,
        finished_at=at,
        steps={f"step_{i}": ("failed: " if i == 3 else "ok: ") + "理由" * 50 for i in range(10)},
        self_test={f"part_{i}": ("fail: " if i == 5 else "ok: ") + "原因" * 50 for i in range(16)},
        restart="up 200.0 h (limit 168 h)",
    )
    devices = {f"device-{i:02d}": "状态" * 30 for i in range(20)}
    hb = heartbeat(nightly=nightly, devices=devices, detail="x" * 100)
    assert encoded_size(hb) > HEARTBEAT_MAX_BYTES
    fitted = fit_heartbeat(hb)
    assert encoded_size(fitted) <= HEARTBEAT_MAX_BYTES
    assert fitted.nightly is not None and fitted.devices == devices
    assert fitted.nightly.steps["step_3"] == "failed" and fitted.nightly.steps["step_0"] == "ok"
    assert fitted.nightly.problems() == ["step_3: failed", "self-test part_5: fail"]
