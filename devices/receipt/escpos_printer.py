"""ESC/POS receipt printers over network, serial or USB, driven through python-escpos.

The contract a print queue can rely on (``print_receipt`` / ``print_job``):

- Returns normally: the whole job was handed to the printer, and, when the printer answers
  status requests, it confirmed receiving it (a ``DLE EOT 4`` sent after the job was answered).
- ``ReceiptNotPrintedError`` (``retry_safe = True``): nothing of the job was sent. Subclasses
  say why: ``ReceiptPrinterOfflineError`` (cannot connect, port missing, connection dropped
  before the job), ``ReceiptPaperOutError``, ``ReceiptCoverOpenError``. Keep the job queued and
  send it again later.
- ``ReceiptMaybePrintedError`` (``retry_safe = False``): the job was sent wholly or in part and
  the link failed before the printer confirmed it. It may be on paper: never resend it
  automatically; ask a person.

``status()`` never raises and answers within about ``status_timeout`` seconds (plus the connect
timeout when the printer is down): a ``ReceiptPrinterStatus``. An empty or invalid reply is
``unknown``, never ``ok``: printers without status support, or busy ones, do not answer.
"""

from __future__ import annotations

import logging
import threading

from devices.receipt.commands import encode_for_profile
from devices.receipt.errors import (
    ReceiptCoverOpenError,
    ReceiptMaybePrintedError,
    ReceiptPaperOutError,
    ReceiptPrinterError,
    ReceiptPrinterOfflineError,
)
from devices.receipt.layout import Receipt
from devices.receipt.profile import PrinterProfile
from devices.receipt.status import (
    DLE_EOT_OFFLINE_CAUSE,
    DLE_EOT_PAPER,
    ReceiptPrinterStatus,
    combine,
    offline_cause_from_byte,
    paper_status_from_byte,
)
from devices.receipt.transports import (
    NetworkTransport,
    ReceiptTransport,
    SerialTransport,
    UsbTransport,
    os_reason,
)

log = logging.getLogger(__name__)

STATUS_TIMEOUT = 1.0
"""Seconds to wait for a ``DLE EOT`` reply; printers that answer do so in milliseconds."""

# Kept for callers of the first driver version.
PAPER_STATUS_REQUEST = DLE_EOT_PAPER


class EscposDriver:
    """``ReceiptPrinter`` over any ``ReceiptTransport``; one link open per job or status query.

    The receipt is laid out by ``devices.receipt.commands`` for the printer's ``profile``
    (GB18030 text encoded by us, QR native or raster, cut or not). With ``check_paper`` the
    printer is asked before the job (paper, cover) and after it (confirmation): see the module
    docstring for what each outcome means.
    """

    def __init__(
        self,
        transport: ReceiptTransport,
        profile: PrinterProfile | None = None,
        *,
        check_paper: bool = True,
        status_timeout: float = STATUS_TIMEOUT,
        confirm_timeout: float = 5.0,
    ) -> None:
        """Remember the link and the profile; nothing is opened until a job or query."""
        self.transport = transport
        self.profile = profile or PrinterProfile()
        self.check_paper = check_paper
        self.status_timeout = status_timeout
        self.confirm_timeout = confirm_timeout
        self._lock = threading.Lock()
        """One conversation with the printer at a time: a status poll from maintenance mode must
        not interleave its requests with a job's bytes on the same link."""
        self._asks_cover = True
        """Cleared once the printer answers the paper request but not the cover one: some
        models only know ``DLE EOT 4``, and each unanswered request costs ``status_timeout``."""

    @property
    def width_chars(self) -> int:
        """Characters per line of the profile."""
        return self.profile.width_chars

    @property
    def native_qr(self) -> bool:
        """Whether QR codes are drawn by the printer's engine."""
        return self.profile.native_qr

    def describe(self) -> str:
        """Say where receipts go, for logs and ``kiosk doctor``."""
        p = self.profile
        return (
            f"ESC/POS printer {self.transport.describe()} ({p.width_chars} columns, "
            f"{p.qr} QR, {p.cut} cut)"
        )

    def render(self, receipt: Receipt) -> bytes:
        """Return the exact bytes this printer would be sent for ``receipt``."""
        return encode_for_profile(receipt, self.profile)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt and cut; raises ``ReceiptPrinterError`` (see the module doc)."""
        self.print_job(self.render(receipt))

    def print_job(self, job: bytes) -> None:
        """Send one already rendered job (e.g. replayed from a durable queue), same contract.

        Calls from several threads are served one after the other.
        """
        with self._lock:
            self._print_job(job)

    def _print_job(self, job: bytes) -> None:
        where = self.transport.describe()
        self.transport.open()
        try:
            confirm = False
            if self.check_paper:
                try:
                    status, answered = self._query()
                except (OSError, ConnectionError) as err:
                    raise ReceiptPrinterOfflineError(
                        f"receipt printer {where} dropped the link before the job: {os_reason(err)}"
                    ) from err
                self._refuse_on(status)
                confirm = answered
            try:
                if confirm:
                    # One write: a separate 3-byte request would wait for the job's ACK (Nagle).
                    self.transport.write(job + DLE_EOT_PAPER)
                    self._confirm()
                else:
                    self.transport.write(job)
                self.transport.finish()
            except ReceiptPrinterError:
                raise
            except (OSError, ConnectionError) as err:
                raise ReceiptMaybePrintedError(
                    f"receipt printer {where} failed during the job: {os_reason(err)}"
                ) from err
        finally:
            self.transport.close()
        log.info("receipt printed on %s (%d bytes)", where, len(job))

    def status(self) -> ReceiptPrinterStatus:
        """Return the printer's status, best effort and quick; never raises.

        While a job is being sent the link is busy: after ``status_timeout`` the answer is
        ``unknown`` rather than a wait for the whole job.
        """
        if not self._lock.acquire(timeout=self.status_timeout):
            return ReceiptPrinterStatus.UNKNOWN
        try:
            return self._status()
        finally:
            self._lock.release()

    def _status(self) -> ReceiptPrinterStatus:
        try:
            self.transport.open()
        except ReceiptPrinterError:
            return ReceiptPrinterStatus.OFFLINE
        try:
            status, _ = self._query()
            return status
        except (OSError, ConnectionError):
            return ReceiptPrinterStatus.OFFLINE
        finally:
            self.transport.close()

    def _refuse_on(self, status: ReceiptPrinterStatus) -> None:
        where = self.transport.describe()
        if status is ReceiptPrinterStatus.PAPER_OUT:
            raise ReceiptPaperOutError(f"receipt printer {where} is out of paper")
        if status is ReceiptPrinterStatus.COVER_OPEN:
            raise ReceiptCoverOpenError(f"receipt printer {where} has its cover open")
        if status is ReceiptPrinterStatus.PAPER_NEAR_END:
            log.warning("receipt printer %s reports paper near its end", where)
        elif status is ReceiptPrinterStatus.UNKNOWN:
            log.debug("receipt printer %s gave no status; printing without confirmation", where)

    def _ask(self, request: bytes, timeout: float) -> int | None:
        """Send one ``DLE EOT n`` and return the reply byte, or ``None`` when none came."""
        self.transport.write(request)
        reply = self.transport.read(1, timeout)
        return reply[-1] if reply else None

    def _query(self) -> tuple[ReceiptPrinterStatus, bool]:
        """Ask cover and paper; returns the status and whether the printer answered at all."""
        cause_byte = None
        if self._asks_cover:
            cause_byte = self._ask(DLE_EOT_OFFLINE_CAUSE, self.status_timeout)
        paper_byte = self._ask(DLE_EOT_PAPER, self.status_timeout)
        if cause_byte is None and paper_byte is not None and self._asks_cover:
            log.info(
                "receipt printer %s answers no cover status; asking paper only",
                self.transport.describe(),
            )
            self._asks_cover = False
        cause = (
            offline_cause_from_byte(cause_byte)
            if cause_byte is not None
            else ReceiptPrinterStatus.UNKNOWN
        )
        paper = (
            paper_status_from_byte(paper_byte)
            if paper_byte is not None
            else ReceiptPrinterStatus.UNKNOWN
        )
        return combine(cause, paper), paper_byte is not None

    def _confirm(self) -> None:
        """Read the paper sensor's answer to the request sent after the job.

        Real-time requests are answered as they are received, after the bytes before them: an
        answer means the printer took every byte of the job.
        """
        where = self.transport.describe()
        answer = self.transport.read(1, self.confirm_timeout)
        reply = answer[-1] if answer else None
        if reply is None:
            raise ReceiptMaybePrintedError(
                f"receipt printer {where} did not confirm the job within {self.confirm_timeout:g} s"
            )
        if paper_status_from_byte(reply) is ReceiptPrinterStatus.PAPER_OUT:
            raise ReceiptMaybePrintedError(f"receipt printer {where} ran out of paper in the job")


class EscposReceiptPrinter(EscposDriver):
    """A network (port 9100) ESC/POS printer; the signature of the first driver version."""

    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        timeout: float = 5.0,
        native_qr: bool = False,
        width_chars: int = 32,
        check_paper: bool = True,
        profile: PrinterProfile | None = None,
    ) -> None:
        """``profile`` wins over ``native_qr`` / ``width_chars`` when given."""
        if width_chars < 16:
            raise ValueError("width_chars must be at least 16")
        super().__init__(
            NetworkTransport(host, port, timeout=timeout),
            profile
            or PrinterProfile(qr="native" if native_qr else "raster", width_chars=width_chars),
            check_paper=check_paper,
            status_timeout=min(timeout, STATUS_TIMEOUT),
            confirm_timeout=timeout,
        )
        self.host = host
        self.port = port
        self.timeout = timeout


def serial_receipt_printer(
    device: str,
    baudrate: int = 9600,
    profile: PrinterProfile | None = None,
    *,
    timeout: float = 5.0,
    check_paper: bool = True,
) -> EscposDriver:
    """A receipt printer on a serial port (RS-232, or USB-serial as ``/dev/ttyUSB0``)."""
    return EscposDriver(
        SerialTransport(device, baudrate, timeout=timeout),
        profile,
        check_paper=check_paper,
        status_timeout=min(timeout, STATUS_TIMEOUT),
        confirm_timeout=timeout,
    )


def usb_receipt_printer(
    vendor_id: int,
    product_id: int,
    profile: PrinterProfile | None = None,
    *,
    timeout: float = 5.0,
    check_paper: bool = True,
) -> EscposDriver:
    """A receipt printer on USB (printer class), found by vendor and product id."""
    return EscposDriver(
        UsbTransport(vendor_id, product_id, timeout=timeout),
        profile,
        check_paper=check_paper,
        status_timeout=min(timeout, STATUS_TIMEOUT),
        confirm_timeout=timeout,
    )


def receipt_printer_for(
    driver: str,
    profile: PrinterProfile,
    *,
    host: str = "127.0.0.1",
    port: int = 9100,
    serial_port: str | None = None,
    baud: int = 9600,
    usb_vendor_id: int | None = None,
    usb_product_id: int | None = None,
    timeout: float = 5.0,
    status_timeout: float = STATUS_TIMEOUT,
) -> EscposDriver:
    """Build the driver a configuration names: ``escpos-network``, ``-serial`` or ``-usb``.

    Raises ``ValueError`` for an unknown driver or a missing link detail (configuration
    validation normally catches these first).
    """
    if driver == "escpos-network":
        transport: ReceiptTransport = NetworkTransport(host, port, timeout=timeout)
    elif driver == "escpos-serial":
        if not serial_port:
            raise ValueError("escpos-serial needs a serial port")
        transport = SerialTransport(serial_port, baud, timeout=timeout)
    elif driver == "escpos-usb":
        if not (usb_vendor_id and usb_product_id):
            raise ValueError("escpos-usb needs a vendor and a product id")
        transport = UsbTransport(usb_vendor_id, usb_product_id, timeout=timeout)
    else:
        raise ValueError(f"unknown receipt printer driver {driver!r}")
    return EscposDriver(
        transport,
        profile,
        status_timeout=min(timeout, status_timeout),
        confirm_timeout=timeout,
    )
