"""The nightly window without Qt: when it is open, and what one night does to a real store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.fleet.health import faults
from hall.schema import HeartbeatCreate, NightlyReport
from kiosk.services.nightly import REPORT_KEY, Limits, MaintenanceWindow, NightlyMaintenance
from offline_cache.errors import HallUnavailableError
from offline_cache.store import Store
from tests.fixtures.disk import fill_disk

MB = 1024 * 1024


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone()


@pytest.mark.parametrize(
    ("now", "night"),
    [
        ("2026-12-03 02:59:59", None),
        ("2026-12-03 03:00:00", dt.date(2026, 12, 3)),
        ("2026-12-03 03:59:59", dt.date(2026, 12, 3)),
        ("2026-12-03 04:00:00", None),
        ("2026-12-03 15:00:00", None),
    ],
)
def test_the_window_is_open_from_its_start_for_its_minutes(now: str, night: dt.date | None) -> None:
    window = MaintenanceWindow.parse("03:00", 60)
    assert window is not None
    assert window.night_of(at(now)) == night


def test_a_window_across_midnight_belongs_to_the_evening_it_opened() -> None:
    window = MaintenanceWindow.parse("23:30", 90)
    assert window is not None
    assert window.night_of(at("2026-12-03 23:45:00")) == dt.date(2026, 12, 3)
    assert window.night_of(at("2026-12-04 00:59:00")) == dt.date(2026, 12, 3)
    assert window.night_of(at("2026-12-04 01:00:00")) is None


def test_off_means_no_window_and_nonsense_is_refused() -> None:
    assert MaintenanceWindow.parse("off", 60) is None
    for bad in ("3:00", "24:00", "03:60", "nightly", ""):
        with pytest.raises(ValueError, match="HH:MM"):
            MaintenanceWindow.parse(bad, 60)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "outbox.db") as s:
        yield s


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def maintenance(
    store: Store,
    *,
    uptime_h: float = 1.0,
    rss: int = 100 * MB,
    pending: int = 0,
    self_test: dict[str, str] | None = None,
    catalog: object = "ok: catalog 7 (unchanged)",
    limits: Limits | None = None,
) -> NightlyMaintenance:
    mono = Clock()
    mono.now += uptime_h * 3600

    def refresh() -> str:
        if isinstance(catalog, BaseException):
            raise catalog
        return str(catalog)

    return NightlyMaintenance(
        store,
        limits=limits
        or Limits(max_uptime_s=72 * 3600, max_rss_bytes=800 * MB, vacuum_free_ratio=0.2),
        purge=lambda: 3,
        refresh_catalog=refresh,
        self_test=lambda: dict(self_test or {"id_reader": "ok", "disk": "ok"}),
        pending_prints=lambda: pending,
        started_monotonic=1000.0,
        monotonic=mono,
        rss=lambda: rss,
    )


def _grow_and_empty(store: Store, rows: int = 2000) -> None:
    with store.transaction() as conn:
        conn.execute("CREATE TABLE filler (x BLOB)")
        conn.executemany("INSERT INTO filler VALUES (?)", [(b"x" * 1000,) for _ in range(rows)])
    with store.transaction() as conn:
        conn.execute("DELETE FROM filler")
    store.checkpoint("TRUNCATE")


def test_a_night_runs_every_step_and_keeps_its_report_across_a_restart(store: Store) -> None:
    night = dt.date(2026, 12, 3)
    report = maintenance(store).run(night)
    assert list(report.steps) == ["checkpoint", "vacuum", "retention", "catalog", "self_test"]
    assert report.steps["checkpoint"].startswith("ok: WAL 0 bytes")
    assert report.steps["vacuum"].startswith("skipped: few free pages")
    assert report.steps["retention"].startswith("ok: 3 records purged")
    assert report.steps["catalog"].startswith("ok: catalog 7 (unchanged)")
    assert report.steps["self_test"].startswith("ok: 2 parts")
    assert report.restart == "" and report.problems() == []
    # The next process (after the nightly restart) knows this night ran.
    again = maintenance(store)
    assert again.last_night == night and again.last_report == report


def test_vacuum_runs_when_enough_of_the_file_is_free_and_shrinks_it(store: Store) -> None:
    _grow_and_empty(store)
    size = store.path.stat().st_size
    report = maintenance(store).run(dt.date(2026, 12, 3))
    assert report.steps["vacuum"].startswith("ok: "), report.steps
    assert store.path.stat().st_size < size / 4
    # Done once: the next night finds nothing worth rebuilding.
    assert maintenance(store).run(dt.date(2026, 12, 4)).steps["vacuum"].startswith("skipped")


def test_vacuum_waits_when_the_disk_has_no_room_for_the_copy(small_fs: Path) -> None:
    # The store on a 2 MB filesystem, then the rest of that filesystem filled.
    with Store(small_fs / "outbox.db") as small:
        _grow_and_empty(small, rows=500)
        size = small.path.stat().st_size
        fill_disk(small_fs)
        report = maintenance(small).run(dt.date(2026, 12, 3))
        assert report.steps["vacuum"].startswith("skipped: not enough free disk"), report.steps
        assert small.path.stat().st_size == size


def test_a_failed_step_is_its_own_line_and_the_others_still_run(store: Store) -> None:
    report = maintenance(
        store,
        catalog=HallUnavailableError("connection refused"),
        self_test={"id_reader": "ok", "camera": "fail: the camera gave no frame"},
    ).run(dt.date(2026, 12, 3))
    assert report.steps["catalog"].startswith("failed: HallUnavailableError: connection refused")
    assert report.steps["retention"].startswith("ok")
    assert report.steps["self_test"].startswith("failed: camera")
    assert report.self_test["camera"] == "fail: the camera gave no frame"
    catalog_line, camera_line = report.problems()
    assert catalog_line.startswith("catalog: failed: HallUnavailableError")
    assert camera_line == "self-test camera: fail: the camera gave no frame"


@pytest.mark.parametrize(
    ("uptime_h", "rss_mb", "pending", "expected"),
    [
        (1.0, 100, 0, ""),
        (80.0, 100, 0, "up 80.0 h (limit 72 h)"),
        (1.0, 900, 0, "memory 900.0 MB (limit 800.0 MB)"),
        (80.0, 900, 2, "deferred: 2 print jobs waiting; up 80.0 h (limit 72 h), memory 900.0 MB"),
    ],
)
def test_the_restart_is_asked_for_past_a_limit_and_waits_for_the_printers(
    store: Store, uptime_h: float, rss_mb: int, pending: int, expected: str
) -> None:
    report = maintenance(store, uptime_h=uptime_h, rss=rss_mb * MB, pending=pending).run(
        dt.date(2026, 12, 3)
    )
    assert report.restart.startswith(expected)


def test_zero_limits_never_restart(store: Store) -> None:
    limits = Limits(max_uptime_s=0, max_rss_bytes=0, vacuum_free_ratio=0.2)
    report = maintenance(store, uptime_h=10_000, rss=10_000 * MB, limits=limits).run(
        dt.date(2026, 12, 3)
    )
    assert report.restart == ""


def test_an_unreadable_stored_report_is_a_night_not_yet_run(store: Store) -> None:
    store.put_meta(REPORT_KEY, b"{not json")
    assert maintenance(store).last_night is None


def _beat(nightly: NightlyReport | None, sent_at: dt.datetime) -> HeartbeatCreate:
    return HeartbeatCreate(
        kiosk_id="K1", sent_at=sent_at, app_version="1", outbox_depth=0, nightly=nightly
    )


def test_the_hall_raises_a_fault_for_a_failed_night_and_for_nights_missed() -> None:
    finished = dt.datetime(2026, 12, 3, 3, 5, tzinfo=dt.UTC)
    good = NightlyReport(
        night=dt.date(2026, 12, 3), started_at=finished, finished_at=finished, steps={"a": "ok"}
    )
    assert faults(_beat(good, finished + dt.timedelta(hours=10))) == {}
    assert faults(_beat(None, finished)) == {}
    bad = good.model_copy(update={"self_test": {"camera": "fail: no frame"}})
    assert faults(_beat(bad, finished))["nightly_failed"] == "self-test camera: fail: no frame"
    late = faults(_beat(good, finished + dt.timedelta(days=3)))
    assert late["nightly_missed"].startswith("last nightly maintenance 2026-12-03, 72 h ago")


def test_the_report_keeps_to_its_bounds() -> None:
    now = dt.datetime(2026, 12, 3, 3, 5, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="120"):
        NightlyReport(night=now.date(), started_at=now, finished_at=now, restart="x" * 121)
    with pytest.raises(ValueError, match="pattern"):
        NightlyReport(night=now.date(), started_at=now, finished_at=now, steps={"Bad Key": "ok"})
