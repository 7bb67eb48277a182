"""Time from ``print_receipt`` to the last byte at the printer, against a raw socket send.

Subject: the real ``EscposReceiptPrinter`` printing the acceptance receipt to the loopback
network printer (``devices.receipt.simulator``): layout and GB18030 encoding, the raster QR, the
cover and paper status requests before the job and the confirmation after it. The clock starts
when ``print_receipt`` is called and stops when the listener receives the job's last byte.
Variants: ``print_job`` with the same pre-rendered bytes (the driver's link cost alone: the
status round trips and python-escpos), with and without status checks, and a native-QR receipt
(the printer draws the code: no raster to compute). Baseline (same run, same listener):
connect, ``sendall`` the identical pre-rendered bytes, half-close: the floor any driver pays on
this machine. Medians and p95 over ``repeats`` jobs.
"""

from __future__ import annotations

import json
import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from devices.receipt.commands import encode_receipt
from devices.receipt.escpos_printer import EscposReceiptPrinter
from devices.receipt.layout import Receipt
from devices.receipt.simulator import LoopbackReceiptPrinter

RESULTS = Path(__file__).parent / "results" / "receipt.json"

RECEIPT = Receipt(
    title="受理回执",
    rows=[
        ("办件编号", "SL-20240501-000123"),
        ("事项", "个体工商户设立登记（一件事一次办）"),
        ("申请人", "张〇三"),
        ("受理时间", "二〇二四年五月一日 09:30"),
        ("承诺时限", "3个工作日"),
        ("办理地点", "区政务服务中心 24小时自助区"),
    ],
    qr_data="GK1.SL-20240501-000123.MEUCIQDx3m6Zp8Kq9r0k2wzGg7e4gkzqf1Y1o0bq3s8o0l9XQ",
    footer=["请妥善保管本回执，凭码查询进度。", "Keep this receipt: scan to track your case."],
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _measure(
    listener: LoopbackReceiptPrinter, send: Callable[[], None], repeats: int
) -> list[float]:
    times: list[float] = []
    for _ in range(repeats):
        before = len(listener.jobs)
        start = time.perf_counter()
        send()
        listener.wait_for_jobs(before + 1, timeout=10)
        times.append(listener.job_last_byte_at[before] - start)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(_percentile(times, 0.95) * 1000, 2),
    }


def main(repeats: int = 50) -> dict[str, object]:
    """Measure, print a JSON report, write ``bench/results/receipt.json`` and return it."""
    job = encode_receipt(RECEIPT)
    with LoopbackReceiptPrinter() as listener:
        port = listener.port

        def raw_send() -> None:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(job)
                sock.shutdown(socket.SHUT_WR)

        checked = EscposReceiptPrinter("127.0.0.1", port)
        unchecked = EscposReceiptPrinter("127.0.0.1", port, check_paper=False)
        native = EscposReceiptPrinter("127.0.0.1", port, native_qr=True)
        assert checked.render(RECEIPT) == job
        # Warm-up: first connections and imports are not what a citizen waits for.
        for send in (raw_send, lambda: checked.print_receipt(RECEIPT)):
            _measure(listener, send, 3)
        baseline = _measure(listener, raw_send, repeats)
        subject = _measure(listener, lambda: checked.print_receipt(RECEIPT), repeats)
        link = _measure(listener, lambda: checked.print_job(job), repeats)
        link_unchecked = _measure(listener, lambda: unchecked.print_job(job), repeats)
        native_qr = _measure(listener, lambda: native.print_receipt(RECEIPT), repeats)
    render = []
    for _ in range(repeats):
        start = time.perf_counter()
        encode_receipt(RECEIPT)
        render.append(time.perf_counter() - start)
    report: dict[str, object] = {
        "baseline": "raw socket: connect, sendall the same pre-rendered bytes, half-close",
        "job_bytes": len(job),
        "repeats": repeats,
        "baseline_raw_socket": _summary(baseline),
        "print_receipt_raster_qr": _summary(subject),
        "print_receipt_native_qr": _summary(native_qr),
        "print_job_prerendered_with_status_checks": _summary(link),
        "print_job_prerendered_without_status_checks": _summary(link_unchecked),
        "render_only_raster_qr": _summary(render),
        "link_ratio_to_baseline_median": round(
            statistics.median(link) / statistics.median(baseline), 1
        ),
        "print_receipt_ratio_to_baseline_median": round(
            statistics.median(subject) / statistics.median(baseline), 1
        ),
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
