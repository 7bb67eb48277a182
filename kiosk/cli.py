"""The ``kiosk`` command: run the terminal, the demo, and the technician's checks."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import ConfigError, KioskSettings, load_settings

# Sub-command modules in kiosk/commands/, each with ``register(subparsers)``; the order is the
# order of ``kiosk --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.commands.catalog",
    "kiosk.commands.devices",
    "kiosk.commands.enrol",
    "kiosk.commands.idcard",
    "kiosk.commands.maintenance",
    "kiosk.commands.ocr",
    "kiosk.commands.printing",
    "kiosk.commands.queue",
    "kiosk.commands.report",
    "kiosk.commands.scan",
    "kiosk.commands.update",
)


def _settings(args: argparse.Namespace) -> KioskSettings:
    return load_settings(args.config)


def _cmd_run(args: argparse.Namespace) -> int:
    from kiosk.runtime import run_gui

    settings = _settings(args)
    return run_gui(settings, with_simulator_panel=False)


def _cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.demo import run_demo

    return run_demo(
        out_dir=Path(args.out),
        config=args.config,
        offscreen=args.offscreen or not _has_display(),
    )


def _cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import run_doctor

    return run_doctor(_settings(args), as_json=args.json)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and (
        os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so tests and docs can read it)."""
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML configuration file (default: $KIOSK_CONFIG, then the platform config dir)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="log to this file, rotated by size (default: $KIOSK_LOG_FILE, else stderr, which "
        "is the journal under systemd)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the terminal full screen")
    run.set_defaults(func=_cmd_run)
    demo = sub.add_parser(
        "demo",
        help="the terminal with simulated devices and the embedded hall; without a display, "
        "run the online journey offscreen and write screenshots, the PDF and the receipt",
    )
    demo.add_argument("--out", default="demo-out", help="output folder for the offscreen demo")
    demo.add_argument("--offscreen", action="store_true", help="run offscreen even with a display")
    demo.set_defaults(func=_cmd_demo)
    doctor = sub.add_parser("doctor", help="check the configuration and every configured device")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(func=_cmd_doctor)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    args = build_parser().parse_args(argv)
    from kiosk.logs import configure_logging

    # The journal under systemd, else stderr or a rotating file; masked either way.
    configure_logging(verbose=args.verbose, log_file=args.log_file)
    try:
        result: int = args.func(args)
    except ConfigError as err:
        sys.stderr.write(f"kiosk: {err}\n")
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
