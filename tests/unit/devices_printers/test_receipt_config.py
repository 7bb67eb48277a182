"""Configuration picks the receipt printer's link and profile; the older keys keep working."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.receipt.transports import NetworkTransport, SerialTransport, UsbTransport
from kiosk.config import ConfigError, load_settings
from kiosk.printers import build_receipt_printer


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``KIOSK_`` variables and an empty config dir: only the test's file is read."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


def test_network_printer_with_the_older_keys(tmp_path: Path) -> None:
    rp = load_settings(
        _write(tmp_path, 'driver = "escpos-network"\nhost = "10.0.0.9"\nnative_qr = true\n')
    ).devices.receipt_printer
    printer = build_receipt_printer(rp)
    assert isinstance(printer.transport, NetworkTransport)
    assert printer.transport.describe() == "10.0.0.9:9100"
    assert printer.profile.qr == "native"
    assert printer.profile.width_chars == 32
    assert printer.profile.cut == "partial"


def test_serial_printer_on_80mm_paper_without_cutter(tmp_path: Path) -> None:
    rp = load_settings(
        _write(
            tmp_path,
            'driver = "escpos-serial"\nserial_port = "/dev/ttyS1"\nbaud = 19200\n'
            'paper_width_mm = 80\nqr = "raster"\ncut = "none"\nnative_qr = true\n',
        )
    ).devices.receipt_printer
    printer = build_receipt_printer(rp)
    assert isinstance(printer.transport, SerialTransport)
    assert (printer.transport.device, printer.transport.baudrate) == ("/dev/ttyS1", 19200)
    # ``qr`` wins over the older ``native_qr``; the paper width decides the line.
    assert (printer.profile.qr, printer.profile.width_chars, printer.profile.cut) == (
        "raster",
        48,
        "none",
    )
    assert printer.profile.paper_dots == 576


def test_usb_printer_ids_in_hex(tmp_path: Path) -> None:
    rp = load_settings(
        _write(tmp_path, 'driver = "escpos-usb"\nusb_vendor_id = 0x0416\nusb_product_id = 0x5011\n')
    ).devices.receipt_printer
    printer = build_receipt_printer(rp)
    assert isinstance(printer.transport, UsbTransport)
    assert printer.transport.describe() == "usb:0416:5011"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('driver = "escpos-serial"\n', "serial_port is required"),
        ('driver = "escpos-usb"\nusb_vendor_id = 0x0416\n', "usb_product_id are required"),
        ('driver = "escpos-serial"\nserial_port = "/dev/ttyS0"\nbaud = 12345\n', "baud"),
        ("paper_width_mm = 76\n", "paper_width_mm"),
        ('cut = "half"\n', "cut"),
    ],
)
def test_bad_printer_settings_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(_write(tmp_path, body))
    assert "devices.receipt_printer" in str(caught.value)


def test_simulated_printer_needs_the_listener_port() -> None:
    rp = load_settings().devices.receipt_printer
    with pytest.raises(ValueError, match="port"):
        build_receipt_printer(rp)
    printer = build_receipt_printer(rp, simulator_port=4321)
    assert printer.transport.describe() == "127.0.0.1:4321"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text("[devices.receipt_printer]\n" + body, encoding="utf-8")
    return path
