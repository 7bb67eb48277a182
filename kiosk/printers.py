"""Build the printer drivers the configuration names (no Qt: the CLI and doctor use it too)."""

from __future__ import annotations

from devices.receipt.escpos_printer import EscposDriver, receipt_printer_for
from devices.receipt.profile import PrinterProfile
from kiosk.config import ReceiptPrinterSettings


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
