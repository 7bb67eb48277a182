"""``kiosk ocr read`` and ``kiosk ocr check``: read document photos, check them against an item.

JSON (``--json``, read by other tools; the shapes are fixed):

``kiosk ocr read IMAGE... --json`` prints a list, one object per image in the order given::

    {"file": PATH, "document_type": TYPE, "fields": {NAME: VALUE},
     "confidence": {NAME: 0..1}, "quality": {"ok", "problems", "sharpness", "brightness",
     "contrast"}, "seconds": S}

``fields`` holds the typed values read at or above the confidence threshold (dates ISO
``YYYY-MM-DD`` or ``long-term``, ``registered_capital`` whole yuan as a number, text as printed);
``confidence`` has every field found, so a field in ``confidence`` but not in ``fields`` was
unreadable. ``seconds`` is that image's own time; the engine is loaded once per run.

``kiosk ocr check --item ITEM_ID [--applicant APPLICANT.json] IMAGE... --json`` prints::

    {"verdict": "pass" | "fail" | "tolerated",
     "materials": [{"file", "document_type", "fields", "valid", "defects": [CODE...]}]}

with one material per image in the order given, then one per required material no image
provided (``file`` null, ``defects`` ``["missing_material"]``). The applicant file holds at least
``{"name": ..., "id_number": ...}`` (the card reader's fields); without it the photographed ID
card's front is the applicant.

Exit status: 0 when every image was read (and for ``check``, the verdict is not ``fail``); 1 when
an image could not be read or the verdict is ``fail``; 2 for bad arguments or an engine that
cannot run here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.commands import print_json

if TYPE_CHECKING:
    from ocr.engine import OcrEngine
    from ocr.reader import DocumentReading


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ocr read`` and ``ocr check``."""
    ocr = subparsers.add_parser("ocr", help="read document photos and check them (OCR)")
    sub = ocr.add_subparsers(dest="ocr_command", required=True)
    read = sub.add_parser("read", help="classify each photo and read its fields")
    check = sub.add_parser("check", help="check photos against a service item's material rules")
    check.add_argument("--item", required=True, help="catalog item id")
    check.add_argument("--applicant", type=Path, help="JSON file with the applicant's card fields")
    check.add_argument("--today", type=dt.date.fromisoformat, help="check expiry as of this day")
    for parser in (read, check):
        parser.add_argument("images", nargs="+", metavar="IMAGE", help="photo files")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument(
            "--engine",
            choices=("rapid", "paddle", "tesseract"),
            help="OCR engine (default: the configuration's ocr.engine)",
        )
    read.set_defaults(func=_cmd_read)
    check.set_defaults(func=_cmd_check)


def _engine(args: argparse.Namespace) -> OcrEngine:
    from kiosk.config import load_settings
    from kiosk.services.materials import engine_options
    from ocr.engines import build_engine, warm_up

    settings = load_settings(args.config).ocr
    engine = build_engine(args.engine or settings.engine, engine_options(settings))
    # Loading is once per run, not part of any image's seconds: the first inference's set-up
    # (memory arenas, first kernels) is paid here too, as the terminal pays it at start-up.
    warm_up(engine)
    return engine


def _read_all(
    args: argparse.Namespace,
) -> tuple[list[tuple[str, DocumentReading]], int] | None:
    from ocr.engines import EngineUnavailable
    from ocr.reader import ReaderError, load_image, read_document

    try:
        engine = _engine(args)
    except (EngineUnavailable, ValueError) as err:
        sys.stderr.write(f"kiosk ocr: {err}\n")
        return None
    readings: list[tuple[str, DocumentReading]] = []
    failed = 0
    for name in args.images:
        try:
            image = load_image(Path(name))
        except ReaderError as err:
            sys.stderr.write(f"kiosk ocr: {err}\n")
            failed += 1
            continue
        readings.append((name, read_document(image, engine)))
    return readings, failed


def _cmd_read(args: argparse.Namespace) -> int:
    done = _read_all(args)
    if done is None:
        return 2
    readings, failed = done
    out: list[dict[str, Any]] = []
    for name, reading in readings:
        data = reading.to_json()
        out.append(
            {
                "file": name,
                "document_type": data["document_type"],
                "fields": data["fields"],
                "confidence": data["confidence"],
                "quality": data["quality"],
                "seconds": data["seconds"],
            }
        )
    if args.json:
        print_json(out)
    else:
        for entry in out:
            sys.stdout.write(f"{entry['file']}: {entry['document_type']} ({entry['seconds']} s)\n")
            for key, value in entry["fields"].items():
                shown = _masked(key, value)
                sys.stdout.write(f"  {key}: {shown}  [{entry['confidence'][key]:.2f}]\n")
            for key in entry["confidence"]:
                if key not in entry["fields"]:
                    sys.stdout.write(f"  {key}: (unreadable)\n")
            if entry["quality"] and entry["quality"]["problems"]:
                sys.stdout.write(f"  photo: {', '.join(entry['quality']['problems'])}\n")
    return 1 if failed else 0


def _masked(key: str, value: object) -> object:
    # ID numbers are masked on a terminal's screen; the JSON is for tools and keeps them whole.
    if key == "id_number" and isinstance(value, str) and len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    return value


def _cmd_check(args: argparse.Namespace) -> int:
    from assets import load_catalog
    from ocr.checks import check_item, reason_text

    try:
        item = load_catalog().item(args.item)
    except KeyError:
        sys.stderr.write(f"kiosk ocr check: no catalog item {args.item!r}\n")
        return 2
    applicant: dict[str, Any] | None = None
    if args.applicant is not None:
        try:
            applicant = json.loads(args.applicant.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            sys.stderr.write(f"kiosk ocr check: cannot read {args.applicant}: {err}\n")
            return 2
        if not isinstance(applicant, dict):
            sys.stderr.write("kiosk ocr check: the applicant file must hold a JSON object\n")
            return 2
    done = _read_all(args)
    if done is None:
        return 2
    readings, failed = done
    result = check_item(
        item,
        [(name, reading) for name, reading in readings],
        applicant=applicant,
        today=args.today,
        card_read=applicant is not None,
    )
    if args.json:
        print_json(result.to_json())
    else:
        sys.stdout.write(f"{item.name.zh} {item.name.en}: {result.verdict}\n")
        for m in result.materials:
            sys.stdout.write(f"  {m.file or m.material_id}: {m.document_type} {m.status}\n")
            for code in m.defects:
                sys.stdout.write(
                    f"    {code}: {reason_text(code, 'zh')} {reason_text(code, 'en')}\n"
                )
    return 1 if failed or result.verdict == "fail" else 0
