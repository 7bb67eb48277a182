"""What a heartbeat says about a terminal's health: pure functions, no database.

A terminal is ``degraded`` when its beat shows a fault (:data:`hall.schema.FLEET_FAULTS`) and
``offline`` after three beat intervals of silence. Each fault raises an alert of its own kind.
"""

from __future__ import annotations

import datetime as dt
import math

from hall.schema import HeartbeatCreate

DEFAULT_INTERVAL_S = 60.0
"""A terminal's beat interval when its beat does not say (the terminal's own default)."""
MISSED_INTERVALS = 3
"""Beats a terminal may miss before it counts as offline."""
MIN_INTERVAL_S = 5.0
MAX_INTERVAL_S = 3600.0
OUTBOX_STALE_S = 3600.0
"""An undelivered submission older than this is a fault: the citizen's case is not at the hall."""
CLOCK_SKEW_S = 60.0
NIGHTLY_MISSED_S = 2 * 86400.0 + 3600.0
"""A terminal whose last nightly maintenance finished longer ago than this missed two nights."""
DEFAULT_MIN_FREE_DISK_BYTES = 500 * 1024 * 1024
"""The terminal's default ``maintenance.min_free_mb``, when its beat does not say its own."""
PAPER_LOW = frozenset({"paper_low", "paper_near_end", "near_end"})
"""Device states that mean "paper running out", not "failed"."""
HEALTHY = frozenset({"ok", "starting"})
"""Device states that are no fault ("starting": the UI has not ticked yet, just after a start)."""


def interval_s(beat: HeartbeatCreate) -> float:
    """The terminal's beat interval, bounded (an odd value cannot make a terminal never offline)."""
    every = beat.heartbeat_every_s
    if every is None or not math.isfinite(every):
        return DEFAULT_INTERVAL_S
    return min(max(every, MIN_INTERVAL_S), MAX_INTERVAL_S)


def offline_after(beat: HeartbeatCreate, received_at: dt.datetime) -> dt.datetime:
    """When a terminal whose beat arrived at ``received_at`` counts as offline if silent."""
    return received_at + dt.timedelta(seconds=interval_s(beat) * MISSED_INTERVALS)


def faults(beat: HeartbeatCreate) -> dict[str, str]:
    """The beat's faults: kind -> a short detail for staff (no personal data in a beat)."""
    found: dict[str, str] = {}
    failed = [name for name, state in beat.devices.items() if state not in HEALTHY | PAPER_LOW]
    low = [name for name, state in beat.devices.items() if state in PAPER_LOW]
    if failed:
        found["device_failed"] = ", ".join(
            f"{name}: {beat.devices[name]}" for name in sorted(failed)
        )[:200]
    if low:
        found["paper_low"] = ", ".join(sorted(low))[:200]
    age = beat.oldest_pending_age_s
    if age is not None and age > OUTBOX_STALE_S:
        found["outbox_stale"] = f"oldest undelivered submission {int(age // 60)} min old"
    minimum = beat.min_free_disk_bytes or DEFAULT_MIN_FREE_DISK_BYTES
    if beat.free_disk_bytes is not None and beat.free_disk_bytes < minimum:
        found["disk_low"] = f"{beat.free_disk_bytes // (1024 * 1024)} MB free"
    if beat.store_full:
        found["store_full"] = "the last enqueue failed for lack of space"
    offset = beat.clock_offset_s
    if offset is not None and abs(offset) > CLOCK_SKEW_S:
        found["clock_skew"] = f"clock off by {offset:+.0f} s"
    if beat.catalog_problem:
        found["catalog_refused"] = beat.catalog_problem[:200]
    if beat.out_of_service:
        found["out_of_service"] = beat.out_of_service[:200]
    nightly = beat.nightly
    if nightly is not None:
        problems = nightly.problems()
        if problems:
            found["nightly_failed"] = "; ".join(problems)[:200]
        since = (beat.sent_at - nightly.finished_at).total_seconds()
        if since > NIGHTLY_MISSED_S:
            found["nightly_missed"] = (
                f"last nightly maintenance {nightly.night.isoformat()}, {int(since // 3600)} h ago"
            )
    return found


def health(found: dict[str, str]) -> str:
    """``degraded`` with any fault, else ``ok``."""
    return "degraded" if found else "ok"


def slot(instant: dt.datetime, minutes: int = 5) -> dt.datetime:
    """The start of the ``minutes``-long slot holding ``instant`` (UTC): the sample's key."""
    utc = instant.astimezone(dt.UTC)
    return utc.replace(minute=utc.minute - utc.minute % minutes, second=0, microsecond=0)
