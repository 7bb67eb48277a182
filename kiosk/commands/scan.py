"""``kiosk scan IMAGE... [--json]``: the QR codes in image files, through the decoder chain.

JSON (``--json``, read by other tools; the shape is fixed): a list with one object per readable
image, in the order given, ``{"file": PATH, "codes": [{"format": "QRCode", "text": TEXT}]}``.
``text`` is the payload decoded as UTF-8; a payload that is not valid UTF-8 is read as GB18030,
as the terminal itself reads it (older Chinese government codes carry GB18030), and bytes that are
neither come out as U+FFFD. ``codes`` is ``[]`` when an image holds no code.

Exit status: 0 when every file was read (codes found or not); 1 when any file could not be read
(missing, not an image): it is named on standard error and left out of the list, and the other
files are still scanned and printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.commands import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scan``."""
    scan = subparsers.add_parser(
        "scan", help="decode the QR codes in image files (the terminal's decoder chain)"
    )
    scan.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    scan.add_argument("--json", action="store_true", help="machine-readable output")
    scan.add_argument(
        "--decoders",
        default=None,
        help="comma-separated decoder order, e.g. zxing-cpp,pyzbar,opencv "
        "(default: the terminal's measured chain)",
    )
    scan.set_defaults(func=_cmd_scan)


def _cmd_scan(args: argparse.Namespace) -> int:
    import cv2
    import numpy as np

    from devices.camera.qr import DEFAULT_CHAIN, DecoderChain, decode_text

    names = tuple(n.strip() for n in args.decoders.split(",")) if args.decoders else DEFAULT_CHAIN
    try:
        chain = DecoderChain.from_names(names)
    except ValueError as err:
        sys.stderr.write(f"kiosk scan: {err}\n")
        return 2
    results: list[dict[str, Any]] = []
    failed = 0
    for name in args.images:
        path = Path(name)
        try:
            # imdecode over the bytes, not imread: imread cannot open every non-ASCII path.
            data = np.fromfile(path, dtype=np.uint8)
            frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        except OSError as err:
            sys.stderr.write(f"kiosk scan: cannot read {name}: {err.strerror or err}\n")
            failed += 1
            continue
        if frame is None:
            sys.stderr.write(f"kiosk scan: cannot read {name}: not an image file\n")
            failed += 1
            continue
        codes = [
            {"format": code.format, "text": decode_text(code.payload)}
            for code in chain.decode_codes(np.asarray(frame, dtype=np.uint8))
        ]
        results.append({"file": name, "codes": codes})
    if args.json:
        print_json(results)
    else:
        for result in results:
            sys.stdout.write(_line(result) + "\n")
    return 1 if failed else 0


def _line(result: dict[str, Any]) -> str:
    codes = result["codes"]
    if not codes:
        return f"{result['file']}: no code found"
    # One line per image: a payload's own line breaks are shown as \n.
    found = "; ".join(
        f"{c['format']} {c['text']!s}".replace("\r", "\\r").replace("\n", "\\n") for c in codes
    )
    return f"{result['file']}: {found}"
