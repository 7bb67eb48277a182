"""The receipt a technician prints to check a printer: everything our receipts need, on one."""

from __future__ import annotations

import datetime as dt

from devices.receipt.layout import Receipt

CHINESE_CHECK_LINE = "〇一二三，全角标点：（）、《》“”。"
"""Characters python-escpos's own text path loses (〇, punctuation-only runs): all must print."""


def receipt_test_page(terminal_id: str, now: dt.datetime) -> Receipt:
    """A test receipt: terminal id, local time, a line of hard Chinese, and a QR code."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    return Receipt(
        title="打印测试",
        rows=[
            ("终端 Terminal", terminal_id),
            ("时间 Time", stamp),
            ("中文 Chinese", CHINESE_CHECK_LINE),
        ],
        qr_data=f"KIOSK-PRINT-TEST {terminal_id} {now.strftime('%Y%m%dT%H%M%S')}",
        footer=["扫码应读出终端编号。", "The QR code reads back the terminal id."],
    )
