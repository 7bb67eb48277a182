"""``kiosk queue``: the outbox and print queue for a technician, safe next to a running terminal.

``status``, ``retry`` and ``export`` open the store without migrating it (a newer or older schema
is refused with a message, never changed) and wait for the app's writer through SQLite's busy
timeout; WAL mode lets them read while the terminal writes. ``export`` writes JSON lines of the
clear columns only; ``--with-personal-data`` adds the decrypted submissions and needs the key
file. ``rotate-key`` re-seals every row under a new key and needs the terminal stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kiosk.commands import print_json

if TYPE_CHECKING:
    from kiosk.config import KioskSettings
    from offline_cache.store import Store

STORE_FILE = "outbox.db"
"""The store's file name inside ``storage.data_dir`` (the app opens the same)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``queue status|retry|export|rotate-key``."""
    queue = subparsers.add_parser("queue", help="see and repair the outbox and the print queue")
    actions = queue.add_subparsers(dest="queue_command", required=True)

    status = actions.add_parser("status", help="counts by state, oldest pending, last sync, WAL")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_cmd_status)

    retry = actions.add_parser(
        "retry", help="put a failed submission (or a failed/uncertain print job) back in the queue"
    )
    retry.add_argument("id", help="outbox row id or case number; with --print, a print job id")
    retry.add_argument("--print", dest="print_job", action="store_true", help="ID is a print job")
    retry.set_defaults(func=_cmd_retry)

    export = actions.add_parser("export", help="write the queue as JSON lines (no personal data)")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument(
        "--with-personal-data",
        action="store_true",
        help="also write decrypted submissions and answers (needs the key file; handle with care)",
    )
    export.set_defaults(func=_cmd_export)

    rotate = actions.add_parser(
        "rotate-key", help="re-seal every queued record under a new key (terminal stopped)"
    )
    rotate.add_argument(
        "--keep-old", action="store_true", help="keep the retired key file next to the new one"
    )
    rotate.set_defaults(func=_cmd_rotate_key)


def _settings(args: argparse.Namespace) -> KioskSettings:
    from kiosk.config import load_settings

    return load_settings(args.config)


def _store_path(settings: KioskSettings) -> Path:
    return settings.storage.data_dir / STORE_FILE


def _fail(message: str) -> int:
    sys.stderr.write(f"kiosk queue: {message}\n")
    return 1


def _open(settings: KioskSettings) -> Store | None:
    from offline_cache.store import Store

    path = _store_path(settings)
    if not path.exists():
        return None
    return Store(path, migrate=False)


def _cmd_status(args: argparse.Namespace) -> int:
    from offline_cache.errors import CacheError

    settings = _settings(args)
    try:
        report = _status(settings)
    except CacheError as err:
        return _fail(str(err))
    if args.json:
        print_json(report)
        return 0
    if not report["exists"]:
        sys.stdout.write(f"No queue yet at {report['store']} 还没有队列\n")
        return 0
    out = [f"Store 数据库: {report['store']} (schema {report['schema_version']})"]
    counts = report["outbox"]["counts"]
    out.append("Outbox 待上传: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    age = report["outbox"]["oldest_pending_age_s"]
    out.append(f"Oldest pending 最早未上传: {'-' if age is None else f'{age:.0f} s'}")
    out.append(f"Never shown 未显示回执: {report['outbox']['unshown']}")
    for case in report["outbox"]["unshown_cases"]:
        out.append(f"  {case}")
    for row in report["outbox"]["failed"]:
        out.append(f"  failed 失败 row {row['id']} {row['case_number']}: {row['last_error']}")
    prints = report["print_queue"]["counts"]
    out.append("Print queue 打印队列: " + ", ".join(f"{k} {v}" for k, v in prints.items()))
    for job in report["print_queue"]["needs_staff"]:
        out.append(
            f"  {job['state']} print job {job['id']} {job['case_number']} {job['kind']}: "
            f"{job['last_error']}  (kiosk queue retry --print {job['id']})"
        )
    out.append(f"Last sync 上次同步: {report['last_sync'] or 'never 从未'}")
    out.append(f"WAL size 日志大小: {report['wal_bytes']} bytes")
    free = report["free_disk_bytes"]
    out.append(f"Free disk 剩余空间: {'-' if free is None else f'{free // (1024 * 1024)} MiB'}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _status(settings: KioskSettings) -> dict[str, Any]:
    from offline_cache.outbox import FAILED, Outbox
    from offline_cache.print_queue import FAILED as PRINT_FAILED
    from offline_cache.print_queue import UNCERTAIN, PrintQueue
    from offline_cache.sync import LAST_SYNC_KEY

    path = _store_path(settings)
    store = _open(settings)
    if store is None:
        return {"store": str(path), "exists": False}
    try:
        # The counts need no key: the clear columns are enough (a null cipher is never used).
        outbox = Outbox(store, _NO_CIPHER)  # type: ignore[arg-type]
        prints = PrintQueue(store, _NO_CIPHER)  # type: ignore[arg-type]
        now = dt.datetime.now(dt.UTC)
        last_sync = store.get_meta(LAST_SYNC_KEY)
        unshown = outbox.unshown()
        return {
            "store": str(path),
            "exists": True,
            "schema_version": store.schema_version,
            "outbox": {
                "counts": outbox.counts(),
                "oldest_pending_age_s": outbox.oldest_pending_age(now),
                "unshown": len(unshown),
                "unshown_cases": [e.case_number for e in unshown],
                "failed": [
                    {"id": e.id, "case_number": e.case_number, "last_error": e.last_error}
                    for e in outbox.entries(FAILED, limit=100)
                ],
            },
            "print_queue": {
                "counts": prints.counts(),
                "needs_staff": [
                    {
                        "id": j.id,
                        "case_number": j.case_number,
                        "kind": j.kind,
                        "state": j.state,
                        "last_error": j.last_error,
                    }
                    for state in (UNCERTAIN, PRINT_FAILED)
                    for j in prints.jobs(state, limit=100)
                ],
            },
            "last_sync": None if last_sync is None else last_sync.decode(),
            "wal_bytes": store.wal_size(),
            "free_disk_bytes": store.free_disk_bytes(),
        }
    finally:
        store.close()


class _NoCipher:
    """Stands in for the key when a command reads clear columns only; any use is a bug."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("this command must not touch sealed data")


_NO_CIPHER = _NoCipher()


def _cmd_retry(args: argparse.Namespace) -> int:
    from offline_cache.errors import CacheError
    from offline_cache.outbox import Outbox
    from offline_cache.print_queue import PrintQueue

    settings = _settings(args)
    try:
        store = _open(settings)
        if store is None:
            return _fail("there is no queue yet")
        try:
            if args.print_job:
                if not args.id.isdigit():
                    return _fail(f"print job ids are numbers, got {args.id!r}")
                job = PrintQueue(store, _NO_CIPHER).retry(int(args.id))  # type: ignore[arg-type]
                sys.stdout.write(f"print job {job.id} ({job.case_number} {job.kind}) queued\n")
                return 0
            outbox = Outbox(store, _NO_CIPHER)  # type: ignore[arg-type]
            entry = outbox.get_by_id(int(args.id)) if args.id.isdigit() else outbox.get(args.id)
            if entry is None:
                return _fail(f"no outbox row {args.id}")
            again = outbox.retry(entry.id)
            sys.stdout.write(f"case {again.case_number} is pending again (row {again.id})\n")
            return 0
        finally:
            store.close()
    except CacheError as err:
        return _fail(str(err))


def _cmd_export(args: argparse.Namespace) -> int:
    from offline_cache.errors import CacheError

    settings = _settings(args)
    try:
        if args.output is None:
            return _export(settings, sys.stdout, personal=args.with_personal_data)
        with open(args.output, "w", encoding="utf-8") as handle:
            if args.with_personal_data:
                Path(args.output).chmod(0o600)
            return _export(settings, handle, personal=args.with_personal_data)
    except CacheError as err:
        return _fail(str(err))
    except OSError as err:
        return _fail(f"cannot write {args.output}: {err.strerror}")


def _export(settings: KioskSettings, out: IO[str], *, personal: bool) -> int:
    from offline_cache.crypto import FieldCipher, rotation_leftovers
    from offline_cache.errors import DecryptionError
    from offline_cache.outbox import Outbox
    from offline_cache.print_queue import PrintQueue

    store = _open(settings)
    if store is None:
        return 0
    try:
        cipher: Any = _NO_CIPHER
        if personal:
            key = settings.storage.resolved_key_file
            if not key.is_file():
                return _fail(f"--with-personal-data needs the key file {key}")
            cipher = FieldCipher.from_key_file(key, old_key_files=rotation_leftovers(key))
        outbox = Outbox(store, cipher)
        for entry in outbox.entries(limit=10**9):
            record: dict[str, Any] = {"type": "outbox", **_jsonable(entry)}
            if personal:
                try:
                    submission = outbox.submission(entry.case_number)
                    result = outbox.result(entry.case_number)
                except DecryptionError as err:
                    record["personal_data_error"] = str(err)
                else:
                    record["submission"] = (
                        None if submission is None else submission.model_dump(mode="json")
                    )
                    record["result"] = None if result is None else result.model_dump(mode="json")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for job in PrintQueue(store, cipher).jobs(limit=10**9):
            out.write(json.dumps({"type": "print_job", **_jsonable(job)}, ensure_ascii=False))
            out.write("\n")
    finally:
        store.close()
    return 0


def _jsonable(row: Any) -> dict[str, Any]:
    import dataclasses

    return {
        k: v.isoformat() if isinstance(v, dt.datetime) else v
        for k, v in dataclasses.asdict(row).items()
    }


def _cmd_rotate_key(args: argparse.Namespace) -> int:
    from offline_cache.errors import CacheError

    settings = _settings(args)
    try:
        return _rotate(settings, keep_old=args.keep_old)
    except CacheError as err:
        return _fail(str(err))


def _rotate(settings: KioskSettings, *, keep_old: bool) -> int:
    """New key at ``<key>.new``; re-seal with both; retire the old; the new takes its name.

    Each step leaves a state a rerun (or the terminal, which loads the leftovers as old keys)
    can read: nothing queued is lost if the power goes in the middle.
    """
    import os

    from offline_cache.crypto import (
        NEW_KEY_SUFFIX,
        RETIRED_KEY_INFIX,
        FieldCipher,
        create_key_file,
        rotation_leftovers,
    )
    from offline_cache.outbox import Outbox
    from offline_cache.print_queue import PrintQueue
    from offline_cache.store import Store, exclusive_terminal_lock

    key = settings.storage.resolved_key_file
    path = _store_path(settings)
    if not key.is_file():
        return _fail(f"no key file at {key}")
    new_key = key.with_name(key.name + NEW_KEY_SUFFIX)
    with exclusive_terminal_lock(path):
        create_key_file(new_key)  # kept if a previous run was cut short
        old = [key, *[p for p in rotation_leftovers(key) if p != new_key]]
        cipher = FieldCipher.from_key_file(new_key, old_key_files=old)
        resealed = 0
        if path.exists():
            with Store(path, migrate=False) as store:
                resealed = Outbox(store, cipher).reseal()
                resealed += PrintQueue(store, cipher).reseal()
        old_kid = FieldCipher.from_key_file(key).kid
        retired = key.with_name(f"{key.name}{RETIRED_KEY_INFIX}{old_kid}")
        # The key file never goes missing: the old key gets a second name first, then the new
        # one takes the key's name in one rename.
        if not retired.exists():
            os.link(key, retired)
        os.replace(new_key, key)
        _fsync_dir(key.parent)
        if not keep_old:
            for leftover in rotation_leftovers(key):
                leftover.unlink()
            _fsync_dir(key.parent)
    sys.stdout.write(
        f"re-sealed {resealed} records under key {cipher.kid}; "
        + ("the old key is kept as " + retired.name if keep_old else "the old key is destroyed")
        + "\n"
    )
    return 0


def _fsync_dir(path: Path) -> None:
    import os

    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
