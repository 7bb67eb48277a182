"""The A4 page a technician prints to check the certificate printer, laid out as a certificate."""

from __future__ import annotations

import datetime as dt

from devices.a4.document import CertificateDocument


def certificate_test_page(terminal_id: str, now: dt.datetime) -> CertificateDocument:
    """A certificate-style test page: Chinese and English rows, a QR code, the border."""
    stamp = now.strftime("%Y%m%dT%H%M%S")
    return CertificateDocument(
        title_zh="打印测试页",
        title_en="Printer Test Page",
        certificate_id=f"TEST-{terminal_id}-{stamp}",
        rows=[
            ("终端 Terminal", terminal_id),
            ("时间 Time", now.strftime("%Y-%m-%d %H:%M:%S")),
            ("中文 Chinese", "〇一二三，全角标点：（）、《》“”。"),
            ("说明 Note", "本页仅用于检查打印机，不是证照。This page is not a certificate."),
        ],
        qr_payload=f"KIOSK-PRINT-TEST {terminal_id} {stamp}",
        issuer="自助终端维护 Terminal maintenance",
        issued_at=now.strftime("%Y-%m-%d"),
    )
