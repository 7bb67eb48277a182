"""``kiosk update``: signed updates from the hall (``offline_cache/updates.py``).

- ``kiosk update check [--json]``: report earlier outcomes, ask the hall, verify, download and
  stage (exit 0: nothing new or staged; 1: refused; 3: hall unreachable);
- ``kiosk update apply``: hand the staged release to ``kiosk-update.service`` (exit 1: none);
- ``kiosk update status [--json]``: what is staged, the last result, the high-water marks;
- ``kiosk update apply-staged [--install-script PATH]``: the root side, run by
  ``kiosk-update.service``: check the staged file again, install it with ``install.sh --wheel
  FILE --self-test``, write the result (exit 0 installed, 4 rolled back, 1 failed);
- ``kiosk update self-test``: what ``install.sh --self-test`` runs from the new release: the
  configuration, the store, the catalog, the identity, the app's modules and Qt (exit 1 on any
  failure, each check on its own line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.commands import print_json

if TYPE_CHECKING:
    from kiosk.config import KioskSettings
    from offline_cache.updates import Updater

DEFAULT_INSTALL_SCRIPT = Path("/opt/kiosk/current/deploy/install.sh")
EXIT_UNREACHABLE = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kiosk update check|apply|status|apply-staged|self-test``."""
    update = subparsers.add_parser("update", help="signed updates pulled from the hall")
    actions = update.add_subparsers(dest="update_command", required=True)
    check = actions.add_parser("check", help="ask the hall, verify, download and stage")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=_cmd_check)
    apply = actions.add_parser("apply", help="hand the staged release to kiosk-update.service")
    apply.set_defaults(func=_cmd_apply)
    status = actions.add_parser("status", help="staged release, last result, high-water marks")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_cmd_status)
    staged = actions.add_parser(
        "apply-staged", help="(root, kiosk-update.service) verify and install the staged release"
    )
    staged.add_argument(
        "--install-script",
        type=Path,
        default=DEFAULT_INSTALL_SCRIPT,
        help=f"deploy/install.sh to run (default {DEFAULT_INSTALL_SCRIPT})",
    )
    staged.set_defaults(func=_cmd_apply_staged)
    test = actions.add_parser("self-test", help="check this release can run here")
    test.set_defaults(func=_cmd_self_test)


def _updates_dir(settings: KioskSettings) -> Path:
    from offline_cache.updates import UPDATES_DIR

    return settings.storage.data_dir / UPDATES_DIR


def _updater(settings: KioskSettings) -> Updater | None:
    import kiosk
    from offline_cache.errors import CacheError
    from offline_cache.hall_client import HallClient
    from offline_cache.identity import identity_dir, load_identity
    from offline_cache.updates import Updater

    if settings.hall.embedded or not settings.hall.url:
        sys.stderr.write("kiosk update: no remote hall configured\n")
        return None
    try:
        identity = load_identity(identity_dir(settings.storage.resolved_key_file))
    except CacheError as err:
        sys.stderr.write(f"kiosk update: {err}\n")
        return None
    client = HallClient(
        settings.hall.url,
        connect_timeout=settings.hall.connect_timeout_s,
        read_timeout=settings.hall.read_timeout_s,
        identity=identity,
    )
    return Updater(
        _updates_dir(settings),
        client,
        kiosk_id=identity.kiosk_id,
        keys=lambda: identity.hall_keys,
        running_version=kiosk.__version__,
    )


def _cmd_check(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings

    updater = _updater(load_settings(args.config))
    if updater is None:
        return 1
    result = updater.check_and_stage()
    if args.json:
        print_json({"outcome": result.outcome, "version": result.version, "reason": result.reason})
    else:
        version = f" {result.version}" if result.version else ""
        reason = f": {result.reason}" if result.reason else ""
        sys.stdout.write(f"{result.outcome}{version}{reason}\n")
    return {"none": 0, "staged": 0, "refused": 1}.get(result.outcome, EXIT_UNREACHABLE)


def _cmd_apply(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from offline_cache.updates import RequestFileInstaller, load_staged

    directory = _updates_dir(load_settings(args.config))
    staged = load_staged(directory)
    if staged is None:
        sys.stderr.write("kiosk update: nothing staged (run kiosk update check)\n")
        return 1
    RequestFileInstaller(directory).hand_over(staged)
    sys.stdout.write(f"release {staged.version} handed over to kiosk-update.service\n")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from offline_cache.updates import RESULT_FILE, STATE_FILE, load_staged

    directory = _updates_dir(load_settings(args.config))
    staged = load_staged(directory)
    texts = {}
    for name in (STATE_FILE, RESULT_FILE):
        try:
            texts[name] = (directory / name).read_text(encoding="utf-8")
        except OSError:
            texts[name] = ""
    status = {
        "staged": None if staged is None else staged.version,
        "state": texts[STATE_FILE] or None,
        "last_result": texts[RESULT_FILE] or None,
    }
    if args.json:
        print_json(status)
    else:
        for key, value in status.items():
            sys.stdout.write(f"{key}: {value or '-'}\n")
    return 0


def _cmd_apply_staged(args: argparse.Namespace) -> int:
    import kiosk
    from kiosk.config import load_settings
    from offline_cache.identity import identity_dir
    from offline_cache.updates import (
        EXIT_ROLLED_BACK,
        ScriptInstaller,
        UpdateError,
        apply_staged,
        pinned_hall_keys,
    )

    settings = load_settings(args.config)
    try:
        # Root reads only the pinned public keys: the terminal's private key stays untouched.
        keys = pinned_hall_keys(identity_dir(settings.storage.resolved_key_file))
    except UpdateError as err:
        sys.stderr.write(f"kiosk update: {err}\n")
        return 1
    result = apply_staged(
        _updates_dir(settings),
        keys,
        running_version=kiosk.__version__,
        installer=ScriptInstaller(args.install_script),
    )
    sys.stdout.write(f"release {result.version}: {result.outcome} {result.detail}\n")
    return {"installed": 0, "rolled_back": EXIT_ROLLED_BACK}.get(result.outcome, 1)


def _cmd_self_test(args: argparse.Namespace) -> int:
    checks: list[tuple[str, str]] = []

    def check(name: str, run: object) -> None:
        try:
            assert callable(run)
            run()
        except Exception as err:  # each check says why and the next one still runs
            checks.append((name, f"FAIL {type(err).__name__}: {err}"[:200]))
        else:
            checks.append((name, "ok"))

    from kiosk.config import load_settings

    settings = load_settings(args.config)

    def store() -> None:
        from kiosk.commands.queue import STORE_FILE
        from offline_cache.store import Store

        path = settings.storage.data_dir / STORE_FILE
        if path.exists():
            Store(path, migrate=False).close()

    def catalog() -> None:
        import assets

        assets.load_catalog()

    def identity() -> None:
        from offline_cache.identity import RECORD_FILE, identity_dir, load_identity

        directory = identity_dir(settings.storage.resolved_key_file)
        if (directory / RECORD_FILE).exists():
            load_identity(directory)

    def modules() -> None:
        import importlib

        for name in ("kiosk.app", "kiosk.runtime", "kiosk.ui", "offline_cache.sync"):
            importlib.import_module(name)

    def qt() -> None:
        from PySide6 import QtWidgets

        assert QtWidgets.QApplication is not None

    for name, run in (
        ("config", lambda: None),
        ("store", store),
        ("catalog", catalog),
        ("identity", identity),
        ("modules", modules),
        ("qt", qt),
    ):
        check(name, run)
    for name, verdict in checks:
        sys.stdout.write(f"{name}: {verdict}\n")
    return 1 if any(verdict != "ok" for _, verdict in checks) else 0
