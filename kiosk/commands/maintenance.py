"""``kiosk maintenance set-pin`` and ``reset-lockout``: the maintenance mode's PIN."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``maintenance set-pin`` and ``maintenance reset-lockout``."""
    maintenance = subparsers.add_parser("maintenance", help="the PIN of the maintenance mode")
    actions = maintenance.add_subparsers(dest="maintenance_command", required=True)
    set_pin = actions.add_parser(
        "set-pin",
        help="set the maintenance PIN (6-12 digits), stored hashed in the configuration file",
    )
    set_pin.add_argument(
        "--stdin",
        action="store_true",
        help="read the PIN from one line of standard input instead of asking twice",
    )
    set_pin.set_defaults(func=_cmd_set_pin)
    reset = actions.add_parser(
        "reset-lockout", help="clear the count of wrong PINs and any lockout now running"
    )
    reset.set_defaults(func=_cmd_reset_lockout)


def _config_path(args: argparse.Namespace) -> Path:
    from kiosk.config import CONFIG_ENV, default_config_path

    if args.config is not None:
        return Path(args.config)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return default_config_path()


def _read_pin(from_stdin: bool) -> str | None:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    first = getpass.getpass("New maintenance PIN 新维护密码 (6-12 digits): ")
    second = getpass.getpass("Once more 再输入一次: ")
    if first != second:
        sys.stderr.write("kiosk: the two PINs differ; nothing was changed 两次输入不一致，未修改\n")
        return None
    return first


def _cmd_set_pin(args: argparse.Namespace) -> int:
    from kiosk.services.maintenance import (
        ConfigFile,
        ConfigSaveError,
        PinFormatError,
        hash_pin,
    )

    pin = _read_pin(args.stdin)
    if pin is None:
        return 1
    try:
        encoded = hash_pin(pin)
    except PinFormatError as err:
        sys.stderr.write(f"kiosk: {err}; nothing was changed\n")
        return 1
    path = _config_path(args)
    try:
        edit = ConfigFile(path).apply({"maintenance.pin_hash": encoded})
    except ConfigSaveError as err:
        sys.stderr.write(f"kiosk: {err}\n")
        return 1
    if edit.errors:
        lines = "\n".join(f"  {key}: {message}" for key, message in edit.errors.items())
        sys.stderr.write(f"kiosk: {path} has errors to fix first; nothing was changed:\n{lines}\n")
        return 2
    sys.stdout.write(f"maintenance PIN saved (hashed) in {path}\n")
    return 0


def _cmd_reset_lockout(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from kiosk.services.maintenance import LOCKOUT_FILE

    settings = load_settings(args.config)
    state = settings.storage.data_dir / LOCKOUT_FILE
    state.unlink(missing_ok=True)
    sys.stdout.write("wrong-PIN count and lockout cleared\n")
    return 0
