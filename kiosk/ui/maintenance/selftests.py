"""The self-tests of the maintenance screen: the one place that calls the drivers for them.

Each function blocks (it runs on the device's own worker) and returns one line for the technician,
or raises; the device drivers are being extended, so a changed driver API is fixed here. Nothing
here keeps personal data: a card read for a test is shown masked and wiped at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import cv2
import numpy as np

from devices.a4.document import CertificateDocument
from devices.errors import DeviceError
from devices.ports import Camera, DocumentPrinter, ReceiptPrinter
from devices.receipt.layout import Receipt
from hall.schema import mask_id_number

THUMBNAIL_WIDTH = 360


def sample_receipt(terminal_id: str, now: dt.datetime) -> Receipt:
    """A receipt that says it is a test, with a QR code to check the printer's raster."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    return Receipt(
        title="打印测试 Print test",
        rows=[("终端 Terminal", terminal_id), ("时间 Time", stamp)],
        qr_data=f"TEST {terminal_id} {stamp}",
        footer=["此单为设备测试，无效 Test only, not valid"],
    )


def print_test_receipt(printer: ReceiptPrinter, terminal_id: str) -> str:
    """Print the test receipt; returns the line to show."""
    printer.print_receipt(sample_receipt(terminal_id, dt.datetime.now()))
    return "测试回执已打印 Test receipt printed"


def sample_page(terminal_id: str, now: dt.datetime) -> CertificateDocument:
    """An A4 page that says it is a test."""
    return CertificateDocument(
        title_zh="打印测试页",
        title_en="Print test page",
        certificate_id=f"TEST-{terminal_id}-{now:%Y%m%d%H%M%S}",
        rows=[("终端 Terminal", terminal_id), ("时间 Time", now.strftime("%Y-%m-%d %H:%M:%S"))],
        issuer="设备测试 Device test",
        issued_at=now.strftime("%Y-%m-%d"),
        note="此页为设备测试，无效。This page is a device test and is not valid.",
    )


def print_test_page(printer: DocumentPrinter, terminal_id: str) -> str:
    """Send the test page; returns the line to show (with the job id)."""
    job = printer.print_certificate(sample_page(terminal_id, dt.datetime.now()))
    return f"测试页已送出 Test page sent: {job}"


def capture_photo(camera: Camera) -> tuple[str, np.ndarray]:
    """Grab one frame; returns the line to show and an RGB thumbnail."""
    frame = camera.grab()
    if frame is None:
        raise DeviceError("the camera gave no frame")
    height, width = frame.shape[:2]
    scale = THUMBNAIL_WIDTH / width
    small = cv2.resize(frame, (THUMBNAIL_WIDTH, max(1, int(height * scale))))
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    return f"拍照成功 Photo taken: {width}×{height}", rgb


def describe_card(card: Any) -> str:
    """The line for a card read in a test: the masked number only; the card is wiped."""
    try:
        return f"读卡成功 Card read: {mask_id_number(card.id_number)}"
    finally:
        card.wipe()


def describe_code(payload: str) -> str:
    """The line for a scanned code: its length and first characters, never all of it."""
    head = payload[:12] + ("…" if len(payload) > 12 else "")
    return f"扫码成功 Code read: {len(payload)} characters, {head}"
