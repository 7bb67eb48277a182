"""Printed certificates do not stay on the terminal's disk in clear: the folder printer's PDFs
and the real cups-pdf queue's output are deleted ``keep_output_s`` after they were written, by
the sweep that runs after each certificate; the doctor warns about leftovers."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.a4.cups_printer import CupsDocumentPrinter, FolderDocumentPrinter
from devices.a4.cupsd import CupsSetup
from devices.a4.document import CertificateDocument
from devices.a4.retention import OutputRetention
from devices.receipt.simulator import LoopbackReceiptPrinter
from kiosk.config import load_settings
from kiosk.doctor import OK, WARN, run_checks
from kiosk.services.print_jobs import QueuedPrinting, encode_certificate
from offline_cache.crypto import FieldCipher
from offline_cache.print_queue import PrintQueue
from offline_cache.store import Store


def certificate(name: str) -> CertificateDocument:
    return CertificateDocument(
        title_zh="老年人优待证",
        title_en="Senior citizen card",
        certificate_id=name,
        rows=[("姓名 Name", "王*英")],
        qr_payload="ZWCERT1.x.y",
        issuer="民政局",
        issued_at="2025-03-14",
    )


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[PrintQueue]:
    store = Store(tmp_path / "outbox.db")
    yield PrintQueue(store, FieldCipher.from_key_file(tmp_path / "field.key"))
    store.close()


def test_the_sweep_deletes_only_old_pdfs_directly_in_the_folders(tmp_path: Path) -> None:
    folder = tmp_path / "printed"
    (folder / "sub").mkdir(parents=True)
    old, fresh, other = folder / "CERT-1.pdf", folder / "CERT-2.pdf", folder / "notes.txt"
    part, nested = folder / ".x.pdf.part", folder / "sub" / "CERT-3.pdf"
    for path in (old, fresh, other, part, nested):
        path.write_bytes(b"%PDF-1.4")
    for path in (old, other, part, nested):
        age(path, 700)
    link = folder / "link.pdf"
    link.symlink_to(old)
    retention = OutputRetention([folder, tmp_path / "missing"], dt.timedelta(seconds=600))
    assert sorted(retention.expired()) == sorted([old, part])
    assert retention.sweep() == 2
    assert not old.exists() and not part.exists()
    assert fresh.exists() and other.exists() and nested.exists() and link.is_symlink()


def test_folder_certificates_go_after_the_next_print_and_the_doctor_sees_leftovers(
    tmp_path: Path, queue: PrintQueue, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        devices={"document_printer": {"driver": "folder", "keep_output_s": 600}},
    )
    from kiosk.app import printed_output_retention

    retention = printed_output_retention(settings)
    a4 = FolderDocumentPrinter(settings.printed_folder)
    printing = QueuedPrinting(queue, a4, a4, after_certificate=retention.sweep)  # type: ignore[arg-type]
    first = printing.job("certificate", "RET01-1", encode_certificate(certificate("CERT-A")))()
    assert first.state == "printed"
    pdf_a = settings.printed_folder / "CERT-A.pdf"
    assert pdf_a.exists()  # fresh: the citizen may still need it printed again
    age(pdf_a, 2 * 3600)
    doctor = {c.device: c for c in run_checks(settings)}["document_printer"]
    assert doctor.status == WARN and "1 printed PDFs" in doctor.reason
    printing.job("certificate", "RET01-2", encode_certificate(certificate("CERT-B")))()
    assert not pdf_a.exists()
    assert (settings.printed_folder / "CERT-B.pdf").exists()
    assert {c.device: c for c in run_checks(settings)}["document_printer"].status == OK


def test_the_cups_pdf_output_is_swept_after_the_job_completes(
    tmp_path: Path, queue: PrintQueue, cups_pdf: CupsSetup
) -> None:
    retention = OutputRetention([cups_pdf.output_dir], dt.timedelta(seconds=0))
    a4 = CupsDocumentPrinter(cups_pdf.queue)
    name = f"CERT-RET-{os.getpid()}"
    job_id = a4.print_certificate(certificate(name))
    assert a4.wait_for_job(job_id, timeout=30).state == "completed"
    written = [p for p in cups_pdf.output_dir.glob("*.pdf") if name in p.name]
    assert written, "cups-pdf wrote no file"
    retention.sweep()
    assert [p for p in cups_pdf.output_dir.glob("*.pdf") if name in p.name] == []


def test_the_doctor_warns_about_old_pdfs_behind_a_working_cups_queue(
    tmp_path: Path, cups_pdf: CupsSetup
) -> None:
    output = tmp_path / "cups-out"
    output.mkdir()
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        devices={
            "document_printer": {
                "driver": "cups",
                "queue": cups_pdf.queue,
                "output_folder": output,
                "keep_output_s": 60,
            }
        },
    )
    row = {c.device: c for c in run_checks(settings)}["document_printer"]
    assert row.status == OK, row.reason
    old = output / "CERT-OLD.pdf"
    old.write_bytes(b"%PDF-1.4")
    age(old, 2 * 3600)
    row = {c.device: c for c in run_checks(settings)}["document_printer"]
    assert row.status == WARN
    assert f"1 printed PDFs older than 60 s + 1 h in clear in {output}" in row.reason
