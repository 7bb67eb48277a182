"""The print race of issue 10: the result screen's own print and the background print worker
must never both go for the same fresh job. Many journeys against the loopback ESC/POS printer
and the real CUPS queue, with the worker woken all the time: every journey's print is reported
printed, and each job is on paper exactly once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.a4.cups_printer import CupsDocumentPrinter
from devices.a4.cupsd import CupsSetup
from devices.a4.document import CertificateDocument
from devices.receipt.escpos_printer import EscposReceiptPrinter
from devices.receipt.layout import Receipt
from devices.receipt.simulator import LoopbackReceiptPrinter
from kiosk.services.print_jobs import (
    PrintJobError,
    QueuedPrinting,
    encode_certificate,
    encode_receipt,
)
from offline_cache.crypto import FieldCipher
from offline_cache.print_queue import PrintQueue
from offline_cache.store import Store


def receipt(case: str) -> Receipt:
    return Receipt(title="受理回执", rows=[("办件编号", case)], qr_data=case, footer=["谢谢"])


def certificate(n: int) -> CertificateDocument:
    return CertificateDocument(
        title_zh="老年人优待证",
        title_en="Senior citizen card",
        certificate_id=f"CERT-RACE-{n:04d}",
        rows=[("姓名 Name", "王*英")],
        qr_payload="ZWCERT1.x.y",
        issuer="民政局",
        issued_at="2025-03-14",
    )


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[PrintQueue]:
    store = Store(tmp_path / "outbox.db")
    yield PrintQueue(store, FieldCipher.from_key_file(tmp_path / "field.key"))
    store.close()


class Waker:
    """Wakes the print workers over and over, as enqueues, printer-back events and the idle
    interval do in a running terminal: the worker looks for due jobs all the time."""

    def __init__(self, printing: QueuedPrinting) -> None:
        self._printing = printing
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waker")

    def _run(self) -> None:
        while not self._stop.wait(0.0005):
            self._printing.wake()

    def __enter__(self) -> Waker:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_many_journeys_on_the_receipt_printer_never_report_a_false_failure(
    queue: PrintQueue, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    driver = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=5.0)
    printing = QueuedPrinting(queue, driver, driver, base_delay=0.05, max_delay=0.2)  # type: ignore[arg-type]
    printing.start()
    failures: list[str] = []
    journeys = 300
    try:
        with Waker(printing):
            for n in range(journeys):
                case = f"RACE01-20250314-{n:05d}"
                try:
                    assert printing.job("receipt", case, encode_receipt(receipt(case)))().state == (
                        "printed"
                    )
                except PrintJobError as err:
                    failures.append(str(err))
    finally:
        assert printing.stop()
    assert failures == []
    assert len(receipt_printer_listener.wait_for_jobs(journeys, timeout=30.0)) == journeys
    assert queue.counts()["printed"] == journeys
    assert queue.held() == frozenset()


def test_many_journeys_on_real_cups_never_report_a_false_failure(
    queue: PrintQueue, cups_pdf: CupsSetup, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    receipts = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=5.0)
    a4 = CupsDocumentPrinter(cups_pdf.queue)
    printing = QueuedPrinting(queue, receipts, a4, base_delay=0.05, max_delay=0.2)
    printing.start()
    failures: list[str] = []
    journeys = 30
    try:
        with Waker(printing):
            for n in range(journeys):
                case = f"RACE02-20250314-{n:05d}"
                job = printing.job("certificate", case, encode_certificate(certificate(n)))
                try:
                    assert job().state == "printed"
                except PrintJobError as err:
                    failures.append(str(err))
    finally:
        assert printing.stop()
    assert failures == []
    assert queue.counts()["printed"] == journeys
    # One CUPS submission per certificate: the queue says each was printed once, and the job
    # rows each took exactly one attempt.
    assert [j.attempts for j in queue.jobs()] == [1] * journeys


class GatedReceiptPrinter:
    """The real ESC/POS driver behind a gate: a test holds one print in the worker's hands."""

    def __init__(self, driver: EscposReceiptPrinter) -> None:
        self._driver = driver
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    def print_receipt(self, r: Receipt) -> None:
        self.entered.set()
        assert self.gate.wait(30)
        self._driver.print_receipt(r)


def test_print_again_while_the_worker_prints_waits_for_its_outcome(
    queue: PrintQueue,
    receipt_printer_listener: LoopbackReceiptPrinter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gated = GatedReceiptPrinter(
        EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=5.0)
    )
    printing = QueuedPrinting(queue, gated, gated, base_delay=0.05, max_delay=0.2)  # type: ignore[arg-type]
    case = "RACE03-20250314-00001"
    receipt_printer_listener.set_state("paper_out")
    job = printing.job("receipt", case, encode_receipt(receipt(case)))
    with caplog.at_level(logging.WARNING), pytest.raises(PrintJobError) as caught:
        job()  # the screen's own print: out of paper, truly not printed
    # The log says why, not only "PrintJobError".
    assert "PaperOut" in caplog.text
    assert caught.value.job is not None and caught.value.job.state == "queued"
    assert queue.held() == frozenset()  # the worker owns it now

    gated.entered.clear()
    gated.gate.clear()
    receipt_printer_listener.set_state("ok")
    printing.start()
    try:
        printing.wake()
        assert gated.entered.wait(30)  # the worker has the job in hand
        outcome: dict[str, object] = {}

        def press_print_again() -> None:
            try:
                outcome["job"] = job()
            except PrintJobError as err:
                outcome["error"] = err

        citizen = threading.Thread(target=press_print_again, name="print-again")
        citizen.start()
        gated.gate.set()
        citizen.join(30)
        assert not citizen.is_alive()
    finally:
        gated.gate.set()
        assert printing.stop()
    assert "error" not in outcome, outcome
    assert getattr(outcome["job"], "state", None) == "printed"
    assert len(receipt_printer_listener.wait_for_jobs(1, timeout=15.0)) == 1
    assert len(receipt_printer_listener.jobs) == 1
