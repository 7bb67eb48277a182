"""What a terminal tells the hall in its heartbeat, gathered without touching any device.

Device states come from what the terminal already knows (the print queue's last errors), never
from a fresh device query: the heartbeat runs on the sync thread and must not fight the printer
worker for a socket. No personal data: counts, ages, versions, error class names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from hall.schema import HeartbeatCreate, NightlyReport
from offline_cache.outbox import FAILED, PENDING, SENDING, Outbox
from offline_cache.print_queue import KINDS, QUEUED, UNCERTAIN, PrintQueue


class TerminalReport:
    """Build this terminal's :class:`HeartbeatCreate` on demand (the sync worker calls it)."""

    def __init__(
        self,
        *,
        kiosk_id: str,
        app_version: str,
        outbox: Outbox,
        print_queue: PrintQueue | None,
        catalog_version: Callable[[], str],
        last_sync: Callable[[], dt.datetime | None],
        clock_offset: Callable[[], float | None],
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        heartbeat_every_s: float | None = None,
        min_free_disk_bytes: int | None = None,
        catalog_state: Callable[[], tuple[int | None, str]] | None = None,
        shadow: Callable[[], dict[str, Any]] | None = None,
        ui_status: Callable[[], str] | None = None,
        nightly: Callable[[], NightlyReport | None] | None = None,
    ) -> None:
        """Take the sources of each figure.

        ``catalog_state`` gives the signed catalog release in use and why the hall's newest was
        refused (""); ``shadow`` the device shadow's fields (``ShadowAgent.report``);
        ``ui_status`` the UI thread's liveness; ``nightly`` the last nightly maintenance's report.
        """
        self._nightly = nightly
        self._heartbeat_every_s = heartbeat_every_s
        self._min_free_disk_bytes = min_free_disk_bytes
        self._catalog_state = catalog_state
        self._shadow = shadow
        self._kiosk_id = kiosk_id
        self._app_version = app_version
        self._outbox = outbox
        self._prints = print_queue
        self._catalog_version = catalog_version
        self._last_sync = last_sync
        self._clock_offset = clock_offset
        self._clock = clock
        self._ui_status = ui_status
        # Only rows from before this start count as "never shown": a citizen who is at the
        # screen right now is still waiting for the answer.
        self._started = clock()

    def __call__(self) -> HeartbeatCreate:
        """The heartbeat as of now."""
        now = self._clock()
        counts = self._outbox.counts()
        store = self._outbox.store
        devices: dict[str, str] = {}
        print_depth = uncertain = 0
        if self._prints is not None:
            print_counts = self._prints.counts()
            print_depth = print_counts[QUEUED]
            uncertain = print_counts[UNCERTAIN]
            for kind in KINDS:
                waiting = [j for j in self._prints.jobs(QUEUED, limit=50) if j.kind == kind]
                stuck = [j for j in waiting if j.last_error]
                devices[f"{kind}_printer"] = (
                    f"not printing: {stuck[-1].last_error}"[:64] if stuck else "ok"
                )
        if self._ui_status is not None:
            # Read on the sync thread from what the UI thread's own timer last wrote: a frozen
            # event loop shows here as "frozen N s", never as a healthy terminal.
            devices["ui"] = self._ui_status()
        full_since = self._outbox.full_since
        unshown = self._outbox.unshown(before=self._started)
        detail = []
        if full_since is not None:
            detail.append(f"store full since {full_since.isoformat(timespec='seconds')}")
        if devices.get("ui", "ok") not in ("ok", "starting"):
            detail.append(f"UI {devices['ui']}")
        if unshown:
            detail.append("receipts never shown: " + ", ".join(e.case_number for e in unshown))
        release, catalog_problem = (
            self._catalog_state() if self._catalog_state is not None else (None, "")
        )
        return HeartbeatCreate(
            kiosk_id=self._kiosk_id,
            sent_at=now,
            app_version=self._app_version,
            catalog_version=self._catalog_version(),
            outbox_depth=counts[PENDING] + counts[SENDING],
            outbox_failed=counts[FAILED],
            oldest_pending_age_s=self._outbox.oldest_pending_age(now),
            print_queue_depth=print_depth,
            print_uncertain=uncertain,
            last_sync_at=self._last_sync(),
            free_disk_bytes=store.free_disk_bytes(),
            wal_bytes=store.wal_size(),
            store_full=full_since is not None,
            clock_offset_s=self._clock_offset(),
            devices=devices,
            detail="; ".join(detail),
            heartbeat_every_s=self._heartbeat_every_s,
            min_free_disk_bytes=self._min_free_disk_bytes,
            catalog_release=release,
            catalog_problem=catalog_problem,
            nightly=self._nightly() if self._nightly is not None else None,
            **(self._shadow() if self._shadow is not None else {}),
        )
