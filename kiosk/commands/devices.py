"""``kiosk devices scan``: what is plugged in, to help fill ``[devices.*]`` in the configuration."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kiosk.commands import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``devices scan``."""
    devices = subparsers.add_parser("devices", help="find serial ports, cameras and printers")
    actions = devices.add_subparsers(dest="devices_command", required=True)
    scan = actions.add_parser(
        "scan",
        help="list serial ports, cameras, USB printers and CUPS queues on this machine",
    )
    scan.add_argument("--json", action="store_true", help="machine-readable output")
    scan.add_argument(
        "--open-cameras",
        action="store_true",
        help="also try to read a frame from each camera (a few seconds each at most)",
    )
    scan.add_argument("--root", default="/", help=argparse.SUPPRESS)  # fake trees in tests
    scan.set_defaults(func=_cmd_scan)


def _cmd_scan(args: argparse.Namespace) -> int:
    from devices.discovery import scan_all

    found = scan_all(args.root, try_open_cameras=args.open_cameras)
    if args.json:
        print_json(found.as_json())
        if found.cups.note:
            sys.stderr.write(f"kiosk: {found.cups.note}\n")
        return 0
    out: list[str] = []
    out += _section(
        "Serial ports 串口",
        ("device", "kind", "vid:pid", "description"),
        [(p.device, p.kind, p.vid_pid or "-", p.description) for p in found.serial_ports],
        "none found",
    )
    out += _section(
        "Cameras 摄像头",
        ("device", "name", "frame"),
        [
            (c.device, c.name or "-", "-" if c.opens is None else "ok" if c.opens else c.reason)
            for c in found.cameras
        ],
        "none found",
    )
    out += _section(
        "USB printers USB 打印机",
        ("device", "vid:pid", "description", "bus"),
        [(p.device or "-", p.vid_pid or "-", p.description, p.bus_id) for p in found.usb_printers],
        "none found",
    )
    out += _section(
        "CUPS queues CUPS 打印队列",
        ("queue", "state", "uri"),
        [(q.name, q.state, q.uri) for q in found.cups.queues],
        found.cups.note or "no queues",
    )
    sys.stdout.write("\n".join(out).rstrip() + "\n")
    return 0


def _section(
    title: str, header: Sequence[str], rows: list[tuple[str, ...]], empty: str
) -> list[str]:
    lines = [title]
    if not rows:
        return [*lines, f"  ({empty})", ""]
    table = [tuple(header), *rows]
    widths = [max(len(row[i]) for row in table) + 2 for i in range(len(header) - 1)]
    for row in table:
        cells = "".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        lines.append(("  " + cells + row[-1]).rstrip())
    lines.append("")
    return lines
