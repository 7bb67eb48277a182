"""The print queue with real printers: the loopback ESC/POS receipt printer runs out of paper and
comes back, certificates go to the PDF folder printer, reprints are limited and recorded."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.a4.cups_printer import FolderDocumentPrinter
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
from offline_cache.print_queue import PrintQueue, ReprintLimitError
from offline_cache.store import Store

CASE = "DEMO01-20250314-00001"
RECEIPT = Receipt(
    title="受理回执", rows=[("办件编号", CASE), ("申请人", "王*英")], qr_data=CASE, footer=["谢谢"]
)
CERTIFICATE = CertificateDocument(
    title_zh="老年人优待证",
    title_en="Senior citizen card",
    certificate_id="CERT-20250314-0001",
    rows=[("姓名 Name", "王秀英")],
    qr_payload="ZWCERT1.x.y",
    issuer="民政局",
    issued_at="2025-03-14",
)


class CountingFolderPrinter(FolderDocumentPrinter):
    """The real folder printer, counting the certificates it wrote (reprints overwrite a file)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.printed: list[str] = []

    def print_certificate(self, document: CertificateDocument) -> str:
        path = super().print_certificate(document)
        self.printed.append(document.certificate_id)
        return path


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        tick.wait(0.02)
    return predicate()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "outbox.db")
    yield s
    s.close()


@pytest.fixture
def queue(store: Store, tmp_path: Path) -> PrintQueue:
    return PrintQueue(store, FieldCipher.from_key_file(tmp_path / "field.key"))


@pytest.fixture
def a4(tmp_path: Path) -> CountingFolderPrinter:
    return CountingFolderPrinter(tmp_path / "printed")


@pytest.fixture
def printing(
    queue: PrintQueue, receipt_printer_listener: LoopbackReceiptPrinter, a4: CountingFolderPrinter
) -> Iterator[QueuedPrinting]:
    driver = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=2.0)
    p = QueuedPrinting(queue, driver, a4, reprint_limit=2, base_delay=0.05, max_delay=0.2)
    yield p
    assert p.stop()


def test_a_receipt_queued_while_out_of_paper_prints_once_when_paper_is_back(
    printing: QueuedPrinting, queue: PrintQueue, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    receipt_printer_listener.set_state("paper_out")
    job = printing.job("receipt", CASE, encode_receipt(RECEIPT))
    with pytest.raises(PrintJobError) as caught:
        job()  # the result screen's print: the citizen is told, the job stays queued
    assert caught.value.job is not None and caught.value.job.state == "queued"
    assert "PaperOut" in (caught.value.job.last_error or "")
    printing.start()
    # The worker keeps trying while the paper is out, and nothing comes out.
    assert wait_until(lambda: queue.get(caught.value.job.id).attempts >= 3)  # type: ignore[union-attr]
    assert receipt_printer_listener.jobs == []

    receipt_printer_listener.set_state("ok")
    printing.wake()
    assert len(receipt_printer_listener.wait_for_jobs(1, timeout=15.0)) == 1
    assert wait_until(lambda: queue.get(caught.value.job.id).state == "printed")  # type: ignore[union-attr]
    # "Print again" on the screen now finds it printed: no second receipt.
    assert job().state == "printed"
    assert len(receipt_printer_listener.jobs) == 1
    assert queue.document(queue.get(caught.value.job.id)) is None  # type: ignore[arg-type]


def test_a_job_caught_printing_by_a_crash_waits_for_a_person(
    store: Store,
    tmp_path: Path,
    printing: QueuedPrinting,
    queue: PrintQueue,
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    first = queue.enqueue("receipt", CASE, encode_receipt(RECEIPT))
    assert queue.claim(dt.datetime.now(dt.UTC)) is not None  # the power went during the send
    printing.start()
    assert wait_until(lambda: queue.get(first.id).state == "uncertain")  # type: ignore[union-attr]
    # Nothing is due: the worker has no job it could print by itself.
    assert queue.next_due_at() is None
    assert receipt_printer_listener.jobs == []
    # Staff decide to print it (kiosk queue retry --print ID): it prints once.
    queue.retry(first.id)
    printing.wake()
    assert len(receipt_printer_listener.wait_for_jobs(1, timeout=15.0)) == 1
    assert wait_until(lambda: queue.get(first.id).state == "printed")  # type: ignore[union-attr]


def test_certificate_reprints_are_limited_and_recorded(
    printing: QueuedPrinting, queue: PrintQueue, a4: CountingFolderPrinter
) -> None:
    document = encode_certificate(CERTIFICATE)
    assert printing.job("certificate", CASE, document)().state == "printed"
    assert printing.reprint("certificate", CASE, document).state == "printed"
    assert printing.reprint("certificate", CASE, document).state == "printed"
    with pytest.raises(ReprintLimitError):
        printing.reprint("certificate", CASE, document)
    assert a4.printed == [CERTIFICATE.certificate_id] * 3
    jobs = queue.jobs(case_number=CASE)
    assert [(j.kind, j.reprint, j.state) for j in jobs] == [
        ("certificate", False, "printed"),
        ("certificate", True, "printed"),
        ("certificate", True, "printed"),
    ]
    assert queue.reprints_used(CASE) == 2
    assert (Path(a4.folder) / f"{CERTIFICATE.certificate_id}.pdf").read_bytes().startswith(b"%PDF")
