"""The three links to an ESC/POS printer python-escpos can also read status back on.

Each transport opens a python-escpos printer object (``Network``, ``Serial``, ``Usb``) and gives
the driver four things: ``open``, ``write``, ``read`` with a short timeout, and ``finish`` (make
sure every byte left). Opening failures become ``ReceiptPrinterOfflineError`` here, at the
boundary; I/O failures after opening stay ``OSError`` (pyserial's and pyusb's errors are
``OSError`` subclasses) so the driver, which knows how far the job got, decides what they mean.
"""

from __future__ import annotations

import logging
import socket
from typing import Any, Protocol

from devices.receipt.errors import ReceiptPrinterOfflineError

log = logging.getLogger(__name__)


class ReceiptTransport(Protocol):
    """A byte link to one printer; one ``open``/``close`` per job or status query."""

    def describe(self) -> str:
        """Say where the printer is, for logs and errors (never job content)."""
        ...

    def open(self) -> None:
        """Connect; raises ``ReceiptPrinterOfflineError`` when the printer cannot be reached."""
        ...

    def write(self, data: bytes) -> None:
        """Send bytes; raises ``OSError`` when the link fails."""
        ...

    def read(self, size: int, timeout: float) -> bytes:
        """Read up to ``size`` bytes, waiting at most ``timeout`` s; ``b""`` when none came.

        Raises ``ConnectionError`` when the printer closed the link.
        """
        ...

    def finish(self) -> None:
        """Wait until everything written has left (network: half-close; serial: drain)."""
        ...

    def close(self) -> None:
        """Release the link; never raises."""
        ...


class NetworkTransport:
    """A raw TCP (port 9100, "JetDirect") printer through python-escpos's ``Network``."""

    def __init__(self, host: str, port: int = 9100, *, timeout: float = 5.0) -> None:
        """Remember the address; ``timeout`` bounds the connect and each write."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self._printer: Any = None

    def describe(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    def open(self) -> None:
        """Connect with ``timeout``."""
        from escpos.printer import Network

        # python-escpos's Network would wait 60 s by default and leaves the socket of a failed
        # connect unclosed; we connect ourselves and hand the socket to the library.
        printer = Network(self.host, self.port, self.timeout)
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as err:
            raise ReceiptPrinterOfflineError(
                f"receipt printer {self.describe()} unreachable: {os_reason(err)}"
            ) from err
        # Status requests are 3 bytes each and wait for an answer: do not let Nagle hold them.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        printer.device = sock
        self._printer = printer

    def write(self, data: bytes) -> None:
        """Send with python-escpos's ``_raw`` (``sendall``)."""
        self._sock().settimeout(self.timeout)
        self._printer._raw(data)

    def read(self, size: int, timeout: float) -> bytes:
        """``recv`` with ``timeout``; EOF is ``ConnectionError``."""
        sock = self._sock()
        sock.settimeout(timeout)
        try:
            data = sock.recv(size)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.timeout)
        if not data:
            raise ConnectionError("the printer closed the connection")
        return data

    def finish(self) -> None:
        """Half-close: everything sent is delivered before the printer sees EOF."""
        self._sock().shutdown(socket.SHUT_WR)

    def close(self) -> None:
        """Close the socket."""
        if self._printer is not None:
            try:
                self._printer.close()
            except OSError:
                log.debug("closing %s failed", self.describe())
            self._printer = None

    def _sock(self) -> socket.socket:
        sock = self._printer.device if self._printer is not None else None
        if not isinstance(sock, socket.socket):
            raise ConnectionError("not connected")
        return sock


class SerialTransport:
    """An RS-232 (or USB-serial) printer through python-escpos's ``Serial``."""

    def __init__(
        self, device: str, baudrate: int = 9600, *, timeout: float = 5.0, dsrdtr: bool = False
    ) -> None:
        """Remember the port; ``dsrdtr`` for printers wired with DTR/DSR flow control."""
        self.device = device
        self.baudrate = baudrate
        self.timeout = timeout
        self.dsrdtr = dsrdtr
        self._printer: Any = None

    def describe(self) -> str:
        """``/dev/ttyS0@9600``."""
        return f"{self.device}@{self.baudrate}"

    def open(self) -> None:
        """Open the port; a missing or busy port is ``ReceiptPrinterOfflineError``."""
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Serial

        printer = Serial(
            devfile=self.device, baudrate=self.baudrate, timeout=self.timeout, dsrdtr=self.dsrdtr
        )
        try:
            printer.open()
        except DeviceNotFoundError as err:
            raise ReceiptPrinterOfflineError(
                f"receipt printer port {self.device} cannot be opened (unplugged or busy?)"
            ) from err
        # Without a write timeout a printer holding flow control (paper out, cover open) would
        # block the job for ever.
        printer.device.write_timeout = self.timeout
        self._printer = printer

    def write(self, data: bytes) -> None:
        """Send with python-escpos's ``_raw``."""
        self._printer._raw(data)

    def read(self, size: int, timeout: float) -> bytes:
        """Read up to ``size`` bytes; pyserial returns what came within ``timeout``."""
        port = self._printer.device
        port.timeout = timeout
        try:
            data: bytes = port.read(size)
        finally:
            port.timeout = self.timeout
        return data

    def finish(self) -> None:
        """Drain the output buffer (``tcdrain``)."""
        self._printer.device.flush()

    def close(self) -> None:
        """Close the port."""
        if self._printer is not None:
            try:
                self._printer.close()
            except OSError:
                log.debug("closing %s failed", self.describe())
            self._printer = None


class UsbTransport:
    """A USB printer-class device through python-escpos's ``Usb`` (pyusb and libusb).

    Not exercised against hardware in the tests (there is none on the CI machines); the missing
    device path is.
    """

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        timeout: float = 5.0,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
    ) -> None:
        """Remember the ids and endpoints (0x82 in, 0x01 out on most receipt printers)."""
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.timeout = timeout
        self.in_ep = in_ep
        self.out_ep = out_ep
        self._printer: Any = None

    def describe(self) -> str:
        """``usb:0416:5011``."""
        return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"

    def open(self) -> None:
        """Find and claim the device; missing device, pyusb or libusb is ``...OfflineError``."""
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        try:
            # pyusb takes milliseconds.
            printer = Usb(
                self.vendor_id,
                self.product_id,
                timeout=int(self.timeout * 1000),
                in_ep=self.in_ep,
                out_ep=self.out_ep,
            )
            printer.open()
        except DeviceNotFoundError as err:
            raise ReceiptPrinterOfflineError(
                f"USB receipt printer {self.describe()} not found (unplugged, or no permission "
                "on /dev/bus/usb)"
            ) from err
        except (RuntimeError, ValueError, OSError) as err:
            # RuntimeError: pyusb missing; usb.core.NoBackendError (a ValueError): no libusb.
            raise ReceiptPrinterOfflineError(
                f"USB receipt printer {self.describe()} cannot be used: {type(err).__name__}: {err}"
            ) from err
        self._printer = printer

    def write(self, data: bytes) -> None:
        """Bulk-write with python-escpos's ``_raw``."""
        self._printer._raw(data)

    def read(self, size: int, timeout: float) -> bytes:
        """Bulk-read up to ``size`` bytes; a USB timeout is ``b""``."""
        import usb.core

        try:
            data = self._printer.device.read(self.in_ep, size, int(timeout * 1000))
        except usb.core.USBTimeoutError:
            return b""
        return bytes(data)

    def finish(self) -> None:
        """USB bulk writes return once the device took the data."""

    def close(self) -> None:
        """Release the interface."""
        if self._printer is not None:
            try:
                self._printer.close()
            except (OSError, RuntimeError):
                log.debug("closing %s failed", self.describe())
            self._printer = None


def os_reason(err: OSError) -> str:
    """Name an OS error for a log line: its class and errno text, never the data."""
    if isinstance(err, TimeoutError):
        return "timed out"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, BrokenPipeError):
        return "broken pipe"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    return err.strerror or str(err) or type(err).__name__
