"""Receipts shared by the printer tests."""

from __future__ import annotations

from devices.receipt.layout import Receipt

CASE_NUMBER = "SL-20240501-000123"

ACCEPTANCE = Receipt(
    title="受理回执",
    rows=[
        ("办件编号", CASE_NUMBER),
        ("事项", "个体工商户设立登记（一件事一次办）"),
        ("申请人", "张〇三"),
        ("受理时间", "二〇二四年五月一日"),
        ("承诺时限", "3个工作日"),
    ],
    qr_data=CASE_NUMBER,
    footer=["请妥善保管本回执，凭码查询进度。", "Keep this receipt: scan to track your case."],
)
