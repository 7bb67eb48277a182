"""A network (port 9100) ESC/POS receipt printer driven through python-escpos."""

from __future__ import annotations

import logging
import socket
from typing import Any

from escpos.printer import Network

from devices.errors import PrinterError
from devices.receipt.commands import PAPER_STATUS_REQUEST, encode_receipt
from devices.receipt.layout import Receipt

log = logging.getLogger(__name__)

STATUS_OK = "ok"
STATUS_PAPER_LOW = "paper-low"
STATUS_PAPER_OUT = "paper-out"
STATUS_UNREACHABLE = "unreachable"
STATUS_UNKNOWN = "unknown"

STATUS_TIMEOUT = 1.0
"""Seconds to wait for a ``DLE EOT`` reply; printers that answer do so in milliseconds."""


def paper_status_from_byte(reply: int) -> str:
    """Interpret the ``DLE EOT 4`` (paper roll sensor) reply byte.

    Bits 1 and 4 are always set and bits 0 and 7 clear in a valid reply; bits 2-3 report the
    near-end sensor and bits 5-6 the paper-end sensor.
    """
    if reply & 0x93 != 0x12:
        return STATUS_UNKNOWN
    if reply & 0x60:
        return STATUS_PAPER_OUT
    if reply & 0x0C:
        return STATUS_PAPER_LOW
    return STATUS_OK


class EscposReceiptPrinter:
    """``ReceiptPrinter`` for a network ESC/POS printer; one TCP connection per receipt.

    The receipt is laid out by ``devices.receipt.commands`` (GB18030 text, QR as raster or native)
    and sent with python-escpos's ``Network`` transport as raw bytes. Before a job the paper
    sensor is asked (``check_paper``): a printer out of paper, or one that drops the connection,
    fails the job up front instead of silently swallowing it.
    """

    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        timeout: float = 5.0,
        native_qr: bool = False,
        width_chars: int = 32,
        check_paper: bool = True,
    ) -> None:
        """Remember where the printer is; nothing is opened until a receipt is printed."""
        if width_chars < 16:
            raise ValueError("width_chars must be at least 16")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.native_qr = native_qr
        self.width_chars = width_chars
        self.check_paper = check_paper

    def describe(self) -> str:
        """Say where receipts go, for logs and ``kiosk doctor``."""
        return f"ESC/POS network printer {self.host}:{self.port} ({self.width_chars} columns)"

    def render(self, receipt: Receipt) -> bytes:
        """Return the exact bytes this printer would be sent for ``receipt``."""
        return encode_receipt(receipt, width_chars=self.width_chars, native_qr_code=self.native_qr)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt and cut; raises ``PrinterError`` when it cannot."""
        job = self.render(receipt)
        printer = self._open(self.timeout)
        try:
            if self.check_paper:
                status = self._ask_paper(printer)
                if status == STATUS_PAPER_OUT:
                    raise PrinterError(f"receipt printer {self._where} is out of paper")
                if status == STATUS_UNREACHABLE:
                    raise PrinterError(f"receipt printer {self._where} closed the connection")
                if status == STATUS_PAPER_LOW:
                    log.warning("receipt printer %s reports paper near its end", self._where)
            try:
                printer._raw(job)
                sock = _socket_of(printer)
                # Half-close so that everything sent is delivered before the printer sees EOF.
                sock.shutdown(socket.SHUT_WR)
            except TimeoutError as err:
                raise PrinterError(
                    f"receipt printer {self._where} timed out taking the job"
                ) from err
            except OSError as err:
                raise PrinterError(
                    f"receipt printer {self._where} failed during the job: {_reason(err)}"
                ) from err
        finally:
            printer.close()
        log.info("receipt printed on %s (%d bytes)", self._where, len(job))

    def status(self) -> str:
        """Return the paper status, best effort and quick.

        One of ``ok``, ``paper-low``, ``paper-out``, ``unreachable`` or ``unknown`` (the printer
        answered nothing or nonsense); never raises.
        """
        try:
            printer = self._open(min(self.timeout, STATUS_TIMEOUT))
        except PrinterError:
            return STATUS_UNREACHABLE
        try:
            return self._ask_paper(printer)
        finally:
            printer.close()

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def _open(self, timeout: float) -> Any:
        printer = Network(self.host, self.port, timeout)
        # We connect ourselves and hand the socket to the library: Network.open() leaves the
        # socket of a failed connect unclosed, and we need the OS error to name the cause.
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as err:
            raise PrinterError(
                f"receipt printer {self._where} unreachable: {_reason(err)}"
            ) from err
        printer.device = sock
        return printer

    def _ask_paper(self, printer: Any) -> str:
        sock = _socket_of(printer)
        sock.settimeout(min(self.timeout, STATUS_TIMEOUT))
        try:
            printer._raw(PAPER_STATUS_REQUEST)
            reply: bytes = printer._read()
        except TimeoutError:
            log.debug("receipt printer %s did not answer the paper status request", self._where)
            return STATUS_UNKNOWN
        except OSError:
            return STATUS_UNREACHABLE
        finally:
            sock.settimeout(self.timeout)
        if not reply:
            return STATUS_UNREACHABLE
        return paper_status_from_byte(reply[-1])


def _socket_of(printer: Any) -> socket.socket:
    sock = printer.device
    assert isinstance(sock, socket.socket)
    return sock


def _reason(err: OSError) -> str:
    """Name an OS error for a log line: its class and errno text, never the data."""
    if isinstance(err, TimeoutError):
        return "timed out"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, BrokenPipeError):
        return "broken pipe"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    return err.strerror or type(err).__name__
