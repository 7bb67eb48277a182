"""Ports: the small contracts every device driver and simulator implements.

Services depend on these protocols, never on a driver class; configuration picks the driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from devices.a4.document import CertificateDocument
    from devices.idcard.card import IdCard
    from devices.receipt.layout import Receipt


@runtime_checkable
class IdCardReader(Protocol):
    """A resident ID card reader (SAM module)."""

    def read(self, timeout: float) -> IdCard | None:
        """Find, select and read the card on the reader; ``None`` when no card lies there.

        Raises a ``devices.errors.DeviceError`` subclass for every other outcome; never blocks
        longer than ``timeout`` seconds in total.
        """
        ...

    def close(self) -> None:
        """Release the port."""
        ...


@runtime_checkable
class ReceiptPrinter(Protocol):
    """A thermal receipt printer."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt and cut; raises ``PrinterError`` when it cannot."""
        ...


@runtime_checkable
class DocumentPrinter(Protocol):
    """An A4 printer for certificates and licences."""

    def print_certificate(self, document: CertificateDocument) -> str:
        """Render and submit one certificate; returns the print job's id."""
        ...

    def describe(self) -> str:
        """Say where the output goes (queue name or folder), for logs and `kiosk doctor`."""
        ...


@runtime_checkable
class Camera(Protocol):
    """A document camera or any frame source OpenCV can open."""

    def grab(self) -> npt.NDArray[np.uint8] | None:
        """Return the next BGR frame, or ``None`` when the source has none (a file's end)."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


@runtime_checkable
class CodeDecoder(Protocol):
    """Finds and decodes QR codes in a frame."""

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payload of every QR code found, as raw bytes, in reading order."""
        ...
