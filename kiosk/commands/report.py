"""``kiosk out-of-service``: tell the hall the terminal's app could not start, so staff see it.

``deploy/systemd/kiosk-out-of-service.service`` runs it when ``kiosk.service`` hit its start limit:
the app that sends heartbeats is not running, so this sends one signed heartbeat itself, with
``out_of_service`` set. The fleet page raises an ``out_of_service`` alert (无法启动) from it; the
app's next beat, once a technician got it running, clears the alert.

The beat carries what can be read without the app: the outbox's counts when its store opens (it
may be why the app fails), the free disk, the app version. Exit 0 when the hall took it, 1 when
it could not be told (not enrolled, no hall configured, unreachable, refused).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall.schema import HeartbeatCreate
    from kiosk.config import KioskSettings


DEFAULT_REASON = "the terminal failed to start repeatedly (kiosk.service start limit)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``out-of-service [--reason TEXT]``."""
    report = subparsers.add_parser(
        "out-of-service",
        help="tell the hall this terminal is out of service (its app could not start)",
    )
    report.add_argument("--reason", default=DEFAULT_REASON, help="what staff read (200 chars)")
    report.set_defaults(func=_cmd_out_of_service)


def _cmd_out_of_service(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from offline_cache.errors import CacheError
    from offline_cache.hall_client import HallClient
    from offline_cache.identity import identity_dir, load_identity

    settings = load_settings(args.config)
    reason = " ".join(str(args.reason).split())[:200] or DEFAULT_REASON
    if settings.hall.embedded or not settings.hall.url:
        sys.stderr.write("kiosk out-of-service: no remote hall configured; nobody to tell\n")
        return 1
    try:
        identity = load_identity(identity_dir(settings.storage.resolved_key_file))
    except CacheError as err:
        sys.stderr.write(f"kiosk out-of-service: {err}\n")
        return 1
    # The hall takes a beat only for the terminal whose key signs it: the enrolled id.
    beat = _beat(settings, identity.kiosk_id, reason)
    client = HallClient(
        settings.hall.url,
        connect_timeout=settings.hall.connect_timeout_s,
        read_timeout=settings.hall.read_timeout_s,
        identity=identity,
    )
    try:
        client.heartbeat(beat)
    except CacheError as err:
        sys.stderr.write(f"kiosk out-of-service: the hall was not told: {err}\n")
        return 1
    finally:
        client.close()
    sys.stdout.write(
        f"told the hall {client.base_url} that terminal {beat.kiosk_id} is out of service: "
        f"{reason}\n"
    )
    return 0


def _beat(settings: KioskSettings, kiosk_id: str, reason: str) -> HeartbeatCreate:
    """One heartbeat from what can be read without the app.

    The app's own report when the store opens (the same figures as its beats), else the bare
    facts and why the store did not open.
    """
    import assets
    import kiosk
    from hall.schema import HeartbeatCreate
    from kiosk.commands.queue import STORE_FILE
    from kiosk.services.heartbeat import TerminalReport
    from offline_cache.catalog import CatalogStore
    from offline_cache.crypto import FieldCipher
    from offline_cache.errors import CacheError
    from offline_cache.outbox import Outbox
    from offline_cache.store import Store

    data_dir = settings.storage.data_dir
    path = data_dir / STORE_FILE
    problem = "no outbox store yet"
    if path.exists():
        try:
            store = Store(path, migrate=False)
        except (CacheError, OSError) as err:
            problem = f"outbox store: {type(err).__name__}"
        else:
            try:
                outbox = Outbox(
                    store, FieldCipher.from_key_file(settings.storage.resolved_key_file)
                )
                catalog = CatalogStore(store, assets.load_catalog())
                beat = TerminalReport(
                    kiosk_id=kiosk_id,
                    app_version=kiosk.__version__,
                    outbox=outbox,
                    print_queue=None,
                    catalog_version=lambda: catalog.version,
                    last_sync=lambda: None,
                    clock_offset=lambda: None,
                    heartbeat_every_s=settings.storage.heartbeat_interval_s,
                )()
                detail = "; ".join(d for d in (reason, beat.detail) if d)[:200]
                return beat.model_copy(update={"out_of_service": reason, "detail": detail})
            except (CacheError, OSError) as err:
                problem = f"outbox: {type(err).__name__}"
            finally:
                store.close()
    try:
        free: int | None = shutil.disk_usage(data_dir).free
    except OSError:
        free = None
    return HeartbeatCreate(
        kiosk_id=kiosk_id,
        sent_at=dt.datetime.now(dt.UTC),
        app_version=kiosk.__version__,
        outbox_depth=0,
        free_disk_bytes=free,
        detail=f"{reason}; {problem}"[:200],
        heartbeat_every_s=settings.storage.heartbeat_interval_s,
        out_of_service=reason,
    )
