"""Printers from the configuration, and their self-tests (no Qt: CLI, doctor, maintenance).

For maintenance mode: ``build_receipt_printer(settings.devices.receipt_printer)`` and
``build_document_printer(settings)`` give the configured drivers; ``printer.status()`` (receipt:
a ``ReceiptPrinterStatus``, best effort, about a second) and ``printer.queue_status()`` (CUPS)
tell their state; ``print_receipt_test_page`` / ``print_a4_test_page`` print a test page and
return a ``PrintOutcome`` without raising. All block: run them on a worker, never the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from devices.a4.cups_printer import JOB_COMPLETED, CupsDocumentPrinter, FolderDocumentPrinter
from devices.a4.testpage import certificate_test_page
from devices.errors import DeviceError
from devices.ports import DocumentPrinter, ReceiptPrinter
from devices.receipt.errors import ReceiptPrinterError
from devices.receipt.escpos_printer import EscposDriver, receipt_printer_for
from devices.receipt.profile import PrinterProfile
from devices.receipt.testpage import receipt_test_page
from kiosk.config import KioskSettings, ReceiptPrinterSettings


def receipt_profile(rp: ReceiptPrinterSettings) -> PrinterProfile:
    """The printer model's profile from the ``[devices.receipt_printer]`` keys."""
    return PrinterProfile(qr=rp.qr_mode, width_chars=rp.chars_per_line, cut=rp.cut)


def build_receipt_printer(
    rp: ReceiptPrinterSettings, *, simulator_port: int | None = None
) -> EscposDriver:
    """The configured receipt printer driver.

    For ``simulated``: the network driver pointed at the loopback simulator on ``simulator_port``.
    """
    driver, host, port = rp.driver, rp.host, rp.port
    if driver == "simulated":
        if simulator_port is None:
            raise ValueError("the simulated receipt printer needs its listener's port")
        driver, host, port = "escpos-network", "127.0.0.1", simulator_port
    return receipt_printer_for(
        driver,
        receipt_profile(rp),
        host=host,
        port=port,
        serial_port=rp.serial_port,
        baud=rp.baud,
        usb_vendor_id=rp.usb_vendor_id,
        usb_product_id=rp.usb_product_id,
        timeout=rp.timeout_s,
        status_timeout=rp.status_timeout_s,
    )


@dataclass
class PrintOutcome:
    """What a printer self-test did: where it printed, and how it ended (JSON for the CLI)."""

    printer: str
    """``receipt`` or ``a4``."""
    target: str
    ok: bool
    status: str = ""
    """Receipt printer: its status before the test; A4: the queue's state."""
    job_id: str | None = None
    state: str = ""
    """A4: the job's last state (completed, aborted, cancelled, pending, ...)."""
    error: str = ""
    retry_safe: bool | None = None
    """Receipt printer failures: whether nothing was printed (see devices.receipt.errors)."""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A plain dict for ``print_json``."""
        return asdict(self)


def print_receipt_test_page(
    printer: ReceiptPrinter, terminal_id: str, *, now: dt.datetime | None = None
) -> PrintOutcome:
    """Print the test receipt on ``printer``; never raises for printer failures.

    For the technician's self-test (CLI and maintenance mode): the status first (best effort),
    then the job. ``ok`` means the printer took (and, if it answers status, confirmed) the job.
    """
    page = receipt_test_page(terminal_id, now or dt.datetime.now().astimezone())
    outcome = PrintOutcome("receipt", _describe(printer), ok=False)
    status = getattr(printer, "status", None)
    if callable(status):
        outcome.status = str(status())
    try:
        printer.print_receipt(page)
    except ReceiptPrinterError as err:
        outcome.error = str(err)
        outcome.retry_safe = err.retry_safe
        return outcome
    except DeviceError as err:
        outcome.error = str(err)
        return outcome
    outcome.ok = True
    return outcome


def print_a4_test_page(
    printer: DocumentPrinter,
    terminal_id: str,
    *,
    timeout: float = 60.0,
    now: dt.datetime | None = None,
) -> PrintOutcome:
    """Print the A4 test page and, on CUPS, wait (bounded) until the job has ended.

    ``ok`` only when the job completed (or, for the folder printer, the PDF was written).
    """
    page = certificate_test_page(terminal_id, now or dt.datetime.now().astimezone())
    outcome = PrintOutcome("a4", printer.describe(), ok=False)
    if isinstance(printer, CupsDocumentPrinter):
        queue = printer.queue_status()
        outcome.status = str(queue)
    try:
        outcome.job_id = printer.print_certificate(page)
        if isinstance(printer, CupsDocumentPrinter):
            job = printer.wait_for_job(outcome.job_id, timeout)
            outcome.state = job.state
            if job.state != JOB_COMPLETED:
                outcome.error = f"job {job}" if job.final else f"job not finished: {job}"
                return outcome
        else:
            outcome.state = JOB_COMPLETED
    except DeviceError as err:
        outcome.error = str(err)
        return outcome
    outcome.ok = True
    return outcome


def build_document_printer(settings: KioskSettings) -> DocumentPrinter:
    """The configured A4 printer: the CUPS queue, or the folder (no silent fallback)."""
    dp = settings.devices.document_printer
    if dp.driver == "folder":
        return FolderDocumentPrinter(settings.printed_folder)
    return CupsDocumentPrinter(dp.queue)


def _describe(printer: object) -> str:
    describe = getattr(printer, "describe", None)
    return str(describe()) if callable(describe) else type(printer).__name__
