"""``kiosk print test receipt|a4`` and ``kiosk print status``: the technician's printer checks.

``print test receipt`` prints a test receipt on the configured receipt printer: the terminal id,
the date and time, a Chinese line with 〇 and full-width punctuation, and a QR code. With the
``simulated`` driver it starts the loopback printer, prints to it through the real driver and
shows the paper as the oracle reads it. ``print test a4`` prints a certificate-style test page on
the configured A4 printer and, on CUPS, waits for the job to end.

Output: one line per test, or with ``--json`` an object ``{"printer", "target", "ok", "status",
"job_id", "state", "error", "retry_safe", "detail"}``. Exit status 0 when it printed, 1 with a
message on standard error when it did not.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from kiosk.commands import print_json

if TYPE_CHECKING:
    from kiosk.config import KioskSettings
    from kiosk.printers import PrintOutcome


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``print`` with ``test`` and ``status``."""
    printing = subparsers.add_parser("print", help="print a test page, or show printer status")
    sub = printing.add_subparsers(dest="print_command", required=True)
    test = sub.add_parser("test", help="print a test page on the configured printer")
    test.add_argument("printer", choices=("receipt", "a4"), help="which printer")
    test.add_argument("--json", action="store_true", help="machine-readable output")
    test.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for an A4 job to finish (default 60)",
    )
    test.set_defaults(func=_cmd_test)
    status = sub.add_parser("status", help="the receipt printer's and the A4 queue's status")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_cmd_status)


def _settings(args: argparse.Namespace) -> KioskSettings:
    from kiosk.config import load_settings

    return load_settings(args.config)


def _cmd_test(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.printer == "receipt":
        outcome = _test_receipt(settings)
    else:
        from kiosk.printers import build_document_printer, print_a4_test_page

        printer = build_document_printer(settings)
        outcome = print_a4_test_page(printer, settings.terminal.id, timeout=args.timeout)
    _report(outcome, as_json=args.json)
    return 0 if outcome.ok else 1


def _test_receipt(settings: KioskSettings) -> PrintOutcome:
    from devices.receipt.oracle import OracleError, decode_receipt, render_text
    from devices.receipt.simulator import LoopbackReceiptPrinter
    from kiosk.printers import build_receipt_printer, print_receipt_test_page

    rp = settings.devices.receipt_printer
    if rp.driver != "simulated":
        printer = build_receipt_printer(rp)
        return print_receipt_test_page(printer, settings.terminal.id)
    with LoopbackReceiptPrinter() as simulator:
        printer = build_receipt_printer(rp, simulator_port=simulator.port)
        outcome = print_receipt_test_page(printer, settings.terminal.id)
        if outcome.ok:
            try:
                [job] = simulator.wait_for_jobs(1, timeout=5)
                paper = render_text(decode_receipt(job), printer.profile.width_chars)
            except (TimeoutError, OracleError) as err:
                outcome.ok = False
                outcome.error = f"the simulated printer did not get a readable job: {err}"
            else:
                outcome.detail["paper"] = paper
        outcome.target = f"simulated: {outcome.target}"
    return outcome


def _cmd_status(args: argparse.Namespace) -> int:
    from devices.a4.cups_printer import CupsDocumentPrinter
    from kiosk.printers import build_document_printer, build_receipt_printer

    settings = _settings(args)
    rp = settings.devices.receipt_printer
    rows: list[dict[str, Any]] = []
    if rp.driver == "simulated":
        rows.append({"printer": "receipt", "target": "simulated", "status": "simulated"})
    else:
        receipt = build_receipt_printer(rp)
        rows.append(
            {"printer": "receipt", "target": receipt.describe(), "status": str(receipt.status())}
        )
    a4 = build_document_printer(settings)
    if isinstance(a4, CupsDocumentPrinter):
        queue = a4.queue_status()
        rows.append(
            {
                "printer": "a4",
                "target": a4.describe(),
                "status": queue.state,
                "reason": queue.reason,
            }
        )
    else:
        rows.append({"printer": "a4", "target": a4.describe(), "status": "folder"})
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            reason = f" ({row['reason']})" if row.get("reason") else ""
            sys.stdout.write(f"{row['printer']}: {row['status']}{reason} - {row['target']}\n")
    return 0


def _report(outcome: PrintOutcome, *, as_json: bool) -> None:
    if as_json:
        print_json(outcome.as_json())
    else:
        paper = outcome.detail.get("paper")
        if paper:
            sys.stdout.write(str(paper))
        job = f" job {outcome.job_id}" if outcome.job_id else ""
        state = f" {outcome.state}" if outcome.state else ""
        status = f" (status before: {outcome.status})" if outcome.status else ""
        verdict = "printed" if outcome.ok else "FAILED"
        sys.stdout.write(
            f"{outcome.printer} test page {verdict}:{job}{state} on {outcome.target}{status}\n"
        )
    if not outcome.ok:
        hint = ""
        if outcome.retry_safe is True:
            hint = " Nothing was printed; fix the printer and run the test again."
        elif outcome.retry_safe is False:
            hint = " The page may be partly printed: check the printer before trying again."
        sys.stderr.write(f"kiosk print: {outcome.printer} test failed: {outcome.error}.{hint}\n")
