"""``kiosk idcard read`` and ``kiosk idcard probe``: the technician's look at the ID card reader.

``read`` waits up to ``--timeout`` seconds for a card, reads it (with the appended address) and
prints it: ``--json`` prints the fixed object of ``devices.idcard.record`` with the ID number in
full (the technician asked the card for it); the table masks every number that identifies the
holder (first 6 and last 4 kept), because a table ends up on screens and in screenshots.

Exit status: 0 read and every check passed; 1 no reader (port missing, nothing answering) or a
reader fault; 2 bad configuration; 3 no card within the timeout (or a card that never read
cleanly); 4 the card was read but its data failed a check (the object is printed, with
``"valid": false`` and its ``defects``). Failures print one line on standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import unicodedata
from typing import TYPE_CHECKING

from kiosk.commands import print_json

if TYPE_CHECKING:
    from devices.idcard.card import IdCard
    from devices.idcard.serial_reader import SamSerialReader

EXIT_OK = 0
EXIT_NO_READER = 1
EXIT_NO_CARD = 3
EXIT_BAD_DATA = 4

_RETRY = 0.2
"""Seconds between attempts while waiting for a card."""

_LABELS: dict[str, str] = {
    "card_type": "证件类型 card type",
    "name": "姓名 name",
    "gender": "性别 gender",
    "ethnicity": "民族 ethnicity",
    "birth_date": "出生 birth date",
    "address": "住址 address",
    "id_number": "公民身份号码 ID number",
    "issuing_authority": "签发机关 issued by",
    "valid_from": "有效期起 valid from",
    "valid_to": "有效期止 valid to",
    "pass_number": "通行证号码 pass number",
    "issue_count": "签发次数 issue count",
    "english_name": "英文姓名 English name",
    "chinese_name": "中文姓名 Chinese name",
    "nationality": "国籍 nationality",
    "permit_number": "永久居留证号码 permit number",
    "card_version": "证件版本 card version",
    "authority_code": "受理机关代码 authority code",
    "renewal_count": "换证次数 renewal count",
    "previous_number": "既往证件关联 previous number",
    "appended_address": "追加住址 appended address",
    "photo_bytes": "照片 photo",
    "valid": "校验 checks",
    "defects": "问题 defects",
}

_LACKING_NOTES = {
    "appended_address": (
        "this reader module does not read the appended address (30 03); "
        "appended_address is left empty"
    ),
    "fingerprint": (
        "this reader module does not read fingerprints (30 10); the card was read without them"
    ),
    "baud_switch": "this reader module does not switch its baud rate (60 nn)",
}
"""What the technician is told about each optional command the module lacks."""

_CARD_TYPES_ZH = {
    "resident": "居民身份证",
    "gat_permit": "港澳台居民居住证",
    "foreign_permanent_2017": "外国人永久居留身份证（2017版）",
    "foreign_permanent_2023": "外国人永久居留身份证（2023版）",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``idcard read`` and ``idcard probe``."""
    idcard = subparsers.add_parser("idcard", help="read an ID card, check the card reader")
    actions = idcard.add_subparsers(dest="idcard_command", required=True)
    read = actions.add_parser(
        "read",
        help="wait for a card on the reader and print it (the ID number in full only with --json)",
    )
    probe = actions.add_parser(
        "probe", help="find the reader's baud rate, check its SAM module and print the SAM id"
    )
    for parser in (read, probe):
        parser.add_argument("--port", help="serial device (default: the configured port)")
        parser.add_argument(
            "--baud",
            type=int,
            choices=(115200, 57600, 38400, 19200, 9600),
            help="line speed (default: the configured one; else probe 115200 down to 9600)",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    read.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds to wait for a card before giving up (default 10)",
    )
    read.add_argument(
        "--fingerprint",
        action="store_true",
        help="read the fingerprint templates too (30 10); a module without it reads the rest",
    )
    read.set_defaults(func=_cmd_read)
    probe.set_defaults(func=_cmd_probe)


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"kiosk idcard: {message}\n")
    return code


def _reader(args: argparse.Namespace) -> SamSerialReader | str:
    """The reader the flags and the configuration name, or the reason there is none."""
    from devices.idcard.serial_reader import SamSerialReader
    from kiosk.config import load_settings

    if not getattr(args, "verbose", False):
        # The driver's progress lines are for the terminal's log; here the one-line result is
        # what the technician (or a tool reading the output) wants.
        logging.getLogger("devices.idcard").setLevel(logging.WARNING)

    port, baud = args.port, args.baud
    if port is None or baud is None:
        configured = load_settings(args.config).devices.id_reader
        if port is None:
            port = configured.port if configured.driver == "sam-serial" else None
        if baud is None and port == configured.port:
            baud = configured.baudrate
    if not port:
        return "no card reader port configured: pass --port or set [devices.id_reader] port"
    return SamSerialReader(port, baud)


def _cmd_probe(args: argparse.Namespace) -> int:
    from devices.errors import DeviceError

    reader = _reader(args)
    if isinstance(reader, str):
        return _fail(EXIT_NO_READER, reader)
    try:
        info = reader.probe()
    except DeviceError as err:
        return _fail(EXIT_NO_READER, f"{type(err).__name__}: {err}")
    finally:
        reader.close()
    if args.json:
        print_json(
            {
                "port": info.port,
                "baudrate": info.baudrate,
                "sam_id": info.sam_id,
                "status": info.status,
            }
        )
    else:
        sys.stdout.write(
            f"port      {info.port}\nbaudrate  {info.baudrate}\n"
            f"sam_id    {info.sam_id}\nstatus    {info.status}\n"
        )
    return EXIT_OK


def _wait_for_card(
    reader: SamSerialReader, timeout: float, *, fingerprint: bool = False
) -> IdCard | str:
    """Poll until a card reads or ``timeout`` passes; the card, or why there is none."""
    from devices.errors import CardReadError, DeviceTimeoutError, ProtocolError

    deadline = time.monotonic() + timeout
    last = f"no card on the reader after {timeout:g} s"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return last
        try:
            card = reader.read_card(
                min(remaining, 3.0), appended_address=True, fingerprint=fingerprint, strict=False
            )
        except (CardReadError, DeviceTimeoutError, ProtocolError) as err:
            # A card laid down crooked or lifted mid-read: keep trying until the timeout.
            last = f"the card did not read cleanly ({type(err).__name__}: {err})"
            card = None
        if card is not None:
            return card
        time.sleep(min(_RETRY, max(0.0, deadline - time.monotonic())))


def _cmd_read(args: argparse.Namespace) -> int:
    from devices.errors import DeviceError
    from devices.idcard.record import card_record, masked_record

    reader = _reader(args)
    if isinstance(reader, str):
        return _fail(EXIT_NO_READER, reader)
    try:
        # The module first (this also finds the rate): a reader that does not answer at all is
        # "no reader", not "no card".
        reader.sam_status(timeout=min(3.0, max(args.timeout, 1.0)))
        card = _wait_for_card(reader, args.timeout, fingerprint=args.fingerprint)
    except DeviceError as err:
        return _fail(EXIT_NO_READER, f"{type(err).__name__}: {err}")
    finally:
        reader.close()
    if isinstance(card, str):
        return _fail(EXIT_NO_CARD, card)
    # Not failures: many modules do not implement the optional commands; the card read in full.
    for lacking in reader.lacking:
        sys.stderr.write(f"kiosk idcard read: note: {_LACKING_NOTES[lacking]}\n")
    if args.fingerprint and reader.supports("fingerprint"):
        sys.stderr.write(
            f"kiosk idcard read: fingerprint templates: {len(card.fingerprint)} bytes read "
            "(not printed)\n"
        )
    try:
        record = card_record(card)
    finally:
        card.wipe()
    if args.json:
        print_json(record)
    else:
        sys.stdout.write(_table(masked_record(record)))
    if not record["valid"]:
        defects = record["defects"]
        assert isinstance(defects, list)
        return _fail(EXIT_BAD_DATA, "the card's data failed its checks: " + "; ".join(defects))
    return EXIT_OK


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(record: dict[str, object]) -> str:
    width = max(_width(label) for label in _LABELS.values())
    lines = []
    for key, value in record.items():
        if key == "card_type":
            text = f"{value}  {_CARD_TYPES_ZH.get(str(value), '')}"
        elif key == "photo_bytes":
            text = f"{value} bytes, WLT (not decoded)"
        elif key == "valid":
            text = "通过 passed" if value else "未通过 FAILED"
        elif key == "defects":
            if not value:
                continue
            assert isinstance(value, list)
            text = "; ".join(value)
        else:
            text = str(value) if value != "" else "-"
        label = _LABELS.get(key, key)
        lines.append(f"{label}{' ' * (width - _width(label))}  {text}")
    return "\n".join(lines) + "\n"
