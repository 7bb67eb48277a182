"""The nightly maintenance window (``[maintenance] window``, default 03:00 local), without Qt.

Once a night, when the window is open and no citizen is at the terminal, the GUI thread's
scheduler (:mod:`kiosk.ui.nightly`) hands :meth:`NightlyMaintenance.run` to a worker thread. The
steps, each bounded and each failure kept to its own line:

- ``checkpoint``: the store's WAL copied back and truncated;
- ``vacuum``: the store file rebuilt when enough of its pages are free (and the disk has room);
- ``retention``: the personal data of cases, print jobs and printed PDFs past retention purged;
- ``catalog``: the hall's catalog pulled (an unchanged one costs a 304);
- ``update`` (when the terminal is enrolled): earlier install outcomes reported, then the hall's
  signed release offer checked and a newer release downloaded and staged
  (:meth:`offline_cache.updates.Updater.check_and_stage`); the scheduler hands a staged one to
  the installer once the terminal is at rest, in place of the restart;
- ``self_test``: every part checked through the drivers the app holds open (``kiosk doctor``'s
  checks, as maintenance mode runs them);
- ``restart``: asked for when the process's uptime or memory crossed its limit and no print job
  is waiting; the scheduler then ends the app with the restart status once the attract screen
  shows, and ``kiosk run`` starts itself again (under systemd or not).

The report is kept in the store (so the first beat after a restart still carries it) and goes to
the hall in every heartbeat (``HeartbeatCreate.nightly``); the hall raises ``nightly_failed`` for
a failed step or part and ``nightly_missed`` when no night ran for two days. The night a window
ran is recorded before the restart, so a restart inside the window does not run it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from hall.schema import NightlyReport
from offline_cache.store import Store

log = logging.getLogger(__name__)

REPORT_KEY = "nightly_report"
"""Meta key of the store: the last nightly report as JSON."""
LINE_MAX = 120
WINDOW_PATTERN = r"^(off|([01][0-9]|2[0-3]):[0-5][0-9])$"


@dataclass(frozen=True)
class MaintenanceWindow:
    """A daily window in local time: opens at ``start``, stays open ``minutes``."""

    start: dt.time
    minutes: int

    @classmethod
    def parse(cls, text: str, minutes: int) -> MaintenanceWindow | None:
        """``"03:00"`` -> a window; ``"off"`` -> ``None`` (no nightly maintenance)."""
        if not re.match(WINDOW_PATTERN, text):
            raise ValueError(f"window must be HH:MM or off, not {text!r}")
        if text == "off":
            return None
        hours, mins = text.split(":")
        return cls(dt.time(int(hours), int(mins)), minutes)

    def night_of(self, now: dt.datetime) -> dt.date | None:
        """The date on which the window holding ``now`` (local time) opened; ``None``: closed.

        A window that crosses midnight (23:30 for 90 minutes) belongs to the evening it opened.
        """
        local = now.replace(tzinfo=None)
        for day in (local.date(), local.date() - dt.timedelta(days=1)):
            opens = dt.datetime.combine(day, self.start)
            if opens <= local < opens + dt.timedelta(minutes=self.minutes):
                return day
        return None


@dataclass(frozen=True)
class Limits:
    """When the nightly window restarts the app (0: never for that reason)."""

    max_uptime_s: float
    max_rss_bytes: int
    vacuum_free_ratio: float


def rss_bytes() -> int | None:
    """This process's resident memory, from ``/proc`` (``None`` where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LINE_MAX else text[: LINE_MAX - 1] + "…"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


class NightlyMaintenance:
    """The night's steps over the parts of one running terminal; :meth:`run` is thread-safe.

    Every part is a callable, so tests and the app pass the real store, purges, catalog refresh
    and device checks. ``pending_prints`` says how many print jobs wait (a restart waits for 0).
    """

    def __init__(
        self,
        store: Store,
        *,
        limits: Limits,
        purge: Callable[[], int],
        refresh_catalog: Callable[[], str],
        self_test: Callable[[], Mapping[str, str]],
        pending_prints: Callable[[], int],
        started_monotonic: float,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        monotonic: Callable[[], float] = time.monotonic,
        rss: Callable[[], int | None] = rss_bytes,
        extra_steps: Mapping[str, Callable[[], str]] | None = None,
    ) -> None:
        """``extra_steps`` run after the built-in ones, before the restart decision."""
        self._store = store
        self._limits = limits
        self._purge = purge
        self._refresh_catalog = refresh_catalog
        self._self_test = self_test
        self._pending_prints = pending_prints
        self._started = started_monotonic
        self._clock = clock
        self._monotonic = monotonic
        self._rss = rss
        self._extra = dict(extra_steps or {})
        self.last_report: NightlyReport | None = self._load()

    def _load(self) -> NightlyReport | None:
        try:
            raw = self._store.get_meta(REPORT_KEY)
        except Exception as err:
            log.warning("the last nightly report could not be read: %s", type(err).__name__)
            return None
        if raw is None:
            return None
        try:
            return NightlyReport.model_validate_json(raw)
        except ValidationError:
            log.warning("the stored nightly report is unreadable; the next night writes a new one")
            return None

    @property
    def last_night(self) -> dt.date | None:
        """The night the window last ran (from the store, so it survives a restart)."""
        report = self.last_report
        return None if report is None else report.night

    # --- the steps ------------------------------------------------------------------------------

    def _checkpoint(self) -> str:
        result = self._store.checkpoint("TRUNCATE")
        if result.busy:
            return f"skipped: readers held the WAL ({result.wal_bytes} bytes left)"
        return f"ok: WAL {result.wal_bytes} bytes"

    def _vacuum(self) -> str:
        result = self._store.vacuum(min_free_ratio=self._limits.vacuum_free_ratio)
        if not result.done:
            return (
                f"skipped: {result.skipped_because} ({result.free_ratio:.0%} free of "
                f"{_mb(result.bytes_before)})"
            )
        return f"ok: {_mb(result.bytes_before)} -> {_mb(result.bytes_after)}"

    def _retention(self) -> str:
        return f"ok: {self._purge()} records purged"

    def _restart(self) -> str:
        """Why the app should restart now ("" when it need not, or must not yet)."""
        reasons = []
        uptime, limit = self._monotonic() - self._started, self._limits.max_uptime_s
        if limit and uptime >= limit:
            reasons.append(f"up {uptime / 3600:.1f} h (limit {limit / 3600:g} h)")
        rss = self._rss()
        if self._limits.max_rss_bytes and rss is not None and rss >= self._limits.max_rss_bytes:
            reasons.append(f"memory {_mb(rss)} (limit {_mb(self._limits.max_rss_bytes)})")
        if not reasons:
            return ""
        waiting = self._pending_prints()
        if waiting:
            return f"deferred: {waiting} print jobs waiting; " + ", ".join(reasons)
        return ", ".join(reasons)

    # --- the night ------------------------------------------------------------------------------

    def run(self, night: dt.date) -> NightlyReport:
        """Run every step once, record the report for ``night`` durably, and return it."""
        started = self._clock()
        steps: dict[str, str] = {}
        plan: list[tuple[str, Callable[[], str]]] = [
            ("checkpoint", self._checkpoint),
            ("vacuum", self._vacuum),
            ("retention", self._retention),
            ("catalog", self._refresh_catalog),
            *self._extra.items(),
        ]
        for name, step in plan:
            t0 = self._monotonic()
            try:
                outcome = step()
            except Exception as err:  # one step's failure must not cost the others
                outcome = f"failed: {_reason(err)}"
            steps[name] = _line(f"{outcome} ({self._monotonic() - t0:.1f} s)")
        self_test: dict[str, str] = {}
        try:
            for part, status in list(self._self_test().items())[:16]:
                self_test[_key(part)] = _line(status)
            failed = [k for k, v in self_test.items() if v.startswith("fail")]
            steps["self_test"] = (
                f"failed: {', '.join(failed)}" if failed else f"ok: {len(self_test)} parts"
            )
        except Exception as err:
            steps["self_test"] = _line(f"failed: {_reason(err)}")
        try:
            restart = self._restart()
        except Exception as err:
            restart = ""
            steps["restart"] = _line(f"failed: {_reason(err)}")
        report = NightlyReport(
            night=night,
            started_at=started,
            finished_at=self._clock(),
            steps=steps,
            self_test=self_test,
            restart=_line(restart),
        )
        self.last_report = report
        try:
            self._store.put_meta(REPORT_KEY, report.model_dump_json().encode())
        except Exception as err:
            # The report still goes in the heartbeats of this process; only a restart loses it.
            log.warning("the nightly report could not be stored: %s", _reason(err))
        problems = report.problems()
        level = logging.WARNING if problems else logging.INFO
        log.log(
            level,
            "nightly maintenance for %s done: %s",
            night.isoformat(),
            "; ".join(problems) if problems else "all steps ok",
        )
        return report


def _key(name: str) -> str:
    key = re.sub(r"[^a-z0-9_]", "_", name.lower())[:32] or "part"
    return key if key[0].isalpha() else "p" + key[:31]


def _reason(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def update_line(check: Any) -> str:
    """An ``UpdateCheck`` as the night's ``update`` line (``ok: staged V`` asks for the apply)."""
    if check.outcome == "staged":
        return f"ok: staged {check.version}"
    if check.outcome == "none":
        return "ok: up to date"
    if check.outcome == "unreachable":
        return f"skipped: hall not reachable ({check.reason})"
    return f"failed: release {check.version or ''} refused: {check.reason}".replace("  ", " ")


def self_test_lines(checks: list[Any]) -> dict[str, str]:
    """``kiosk doctor`` checks -> part -> ``status`` or ``status: reason``."""
    return {
        check.device: f"{check.status}: {check.reason}" if check.reason else check.status
        for check in checks
    }


__all__ = [
    "REPORT_KEY",
    "Limits",
    "MaintenanceWindow",
    "NightlyMaintenance",
    "rss_bytes",
    "self_test_lines",
    "update_line",
]
