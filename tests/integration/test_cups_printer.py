"""A4 certificates through a real cupsd and the cups-pdf queue, and the folder fallback."""

from __future__ import annotations

import logging
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from devices.a4.cups_printer import (
    CertificateNotPrintedError,
    CupsDocumentPrinter,
    FolderDocumentPrinter,
)
from devices.a4.cupsd import (
    CupsSetup,
    ensure_cups_pdf_queue,
    pick_document_printer,
    spool_keeps_job_files,
)
from devices.a4.document import CertificateDocument
from devices.camera.qr import PyzbarDecoder, decode_text
from devices.errors import PrinterError
from devices.ports import DocumentPrinter

pytestmark = pytest.mark.cups


def _certificate() -> CertificateDocument:
    certificate_id = f"ZS-{uuid.uuid4().hex[:12].upper()}"
    return CertificateDocument(
        title_zh="个体工商户营业执照",
        title_en="Business Licence of Individual Industrial and Commercial Household",
        certificate_id=certificate_id,
        rows=[
            ("经营者 Operator", "张〇三"),
            ("经营场所 Address", "北京市朝阳区某某路一百二十三号"),
            ("经营范围 Scope", "日用百货、食品销售（仅销售预包装食品）"),
        ],
        qr_payload=f"GK1.{certificate_id}.MEUCIQDx3m6Zp8Kq9r0k2wzGg7e4gkzqf1Y1o0bq3s8o0l9XQ",
        issuer="北京市朝阳区市场监督管理局",
        issued_at="2024-05-01",
    )


def _finished_pdf(folder: Path, certificate_id: str) -> Path:
    """The PDF cups-pdf wrote for the certificate; called once CUPS says the job completed.

    The backend writes the file before it exits, and CUPS completes the job after that: no
    polling of the folder is needed.
    """
    [path] = folder.glob(f"*{certificate_id}*.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=30).stdout


def _qr_payloads_of(pdf: Path, tmp_path: Path) -> list[str]:
    prefix = tmp_path / "page"
    _run("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(prefix))
    [png] = sorted(tmp_path.glob("page*.png"))
    frame = cv2.imread(str(png))
    assert frame is not None
    return [decode_text(payload) for payload in PyzbarDecoder().decode(frame)]


def test_certificate_printed_to_pdf_queue_lands_as_a_pdf(
    cups_pdf: CupsSetup, tmp_path: Path
) -> None:
    document = _certificate()
    printer = CupsDocumentPrinter(cups_pdf.queue)
    assert isinstance(printer, DocumentPrinter)

    job_id = printer.print_certificate(document)

    assert job_id.startswith(f"{cups_pdf.queue}-")
    final = printer.wait_for_job(job_id, timeout=30)
    assert final.state == "completed", str(final)
    assert final.final
    assert printer.job_state(job_id) == "completed"
    pdf = _finished_pdf(cups_pdf.output_dir, document.certificate_id)
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert "个体工商户营业执照" in text
    assert document.certificate_id in text
    assert "扫码验真" in text
    assert _qr_payloads_of(pdf, tmp_path) == [document.qr_payload]
    pdf.unlink()
    # The spool keeps the job's history (its end is read from it), not the certificate itself.
    number = int(job_id.rsplit("-", 1)[1])
    assert spool_keeps_job_files() is False
    assert not list(Path("/var/spool/cups").glob(f"d{number:05d}-*")), "certificate left in spool"


def test_queue_state_of_a_working_queue(cups_pdf: CupsSetup) -> None:
    assert CupsDocumentPrinter(cups_pdf.queue).queue_state() in {"idle", "printing"}
    assert CupsDocumentPrinter(cups_pdf.queue).queue_status().usable
    assert CupsDocumentPrinter(cups_pdf.queue).job_state("PDF-999999") == "unknown"
    assert CupsDocumentPrinter(cups_pdf.queue).wait_for_job("PDF-999999", 5).state == "unknown"


def test_missing_queue_is_a_printer_error(cups_pdf: CupsSetup) -> None:
    printer = CupsDocumentPrinter("NO-SUCH-QUEUE")
    assert printer.queue_state() == "missing"
    with pytest.raises(PrinterError, match="missing"):
        printer.print_certificate(_certificate())


@pytest.fixture
def spare_queue(cups_pdf: CupsSetup) -> Iterator[str]:
    """A second, working cups-pdf queue for a test to break; removed afterwards."""
    name = f"KIOSK-SPARE-{uuid.uuid4().hex[:6]}"
    assert ensure_cups_pdf_queue(name) is not None
    try:
        yield name
    finally:
        _run("lpadmin", "-x", name)


def test_disabled_queue_is_a_printer_error_with_its_reason(spare_queue: str) -> None:
    _run("cupsdisable", "-r", "paper jam in tray 2", spare_queue)
    printer = CupsDocumentPrinter(spare_queue)
    assert printer.queue_state() == "disabled"
    status = printer.queue_status()
    assert not status.usable
    assert status.reason == "paper jam in tray 2"
    with pytest.raises(PrinterError, match="disabled \\(paper jam in tray 2\\)") as caught:
        printer.print_certificate(_certificate())
    assert isinstance(caught.value, CertificateNotPrintedError)
    assert caught.value.retry_safe


def test_rejecting_queue_fails_with_a_clear_error(spare_queue: str) -> None:
    _run("cupsreject", "-r", "maintenance until 9am", spare_queue)
    printer = CupsDocumentPrinter(spare_queue)
    status = printer.queue_status()
    assert (status.state, status.reason) == ("not-accepting", "maintenance until 9am")
    with pytest.raises(PrinterError, match="not-accepting \\(maintenance until 9am\\)"):
        printer.print_certificate(_certificate())


def test_job_on_a_stopped_queue_stays_pending_then_is_cancelled(spare_queue: str) -> None:
    # CUPS still accepts jobs for a disabled queue and holds them; the driver refuses to send
    # one, so submit this one by hand, as another program on the terminal might.
    _run("cupsdisable", "-r", "cover open", spare_queue)
    out = subprocess.run(
        ["lp", "-d", spare_queue, "-t", "held", "-"],
        input=b"%!PS\nshowpage\n",
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    job_id = out.split("request id is ", 1)[1].split()[0]
    printer = CupsDocumentPrinter(spare_queue)

    waited = printer.wait_for_job(job_id, timeout=0.5, poll_interval=0.1)

    assert waited.state == "pending" and not waited.final
    assert "cover open" in str(waited)
    _run("cancel", job_id)
    cancelled = printer.wait_for_job(job_id, timeout=15)
    assert cancelled.state == "cancelled"


def test_unreachable_scheduler_is_a_printer_error() -> None:
    # Port 1 on loopback has no CUPS server: lp and lpstat fail fast.
    printer = CupsDocumentPrinter("PDF", server="127.0.0.1:1", timeout=10)
    assert printer.queue_state() == "scheduler-down"
    with pytest.raises(PrinterError, match="scheduler-down"):
        printer.print_certificate(_certificate())
    with pytest.raises(PrinterError):
        printer.job_state("PDF-1")


def test_folder_printer_writes_the_pdf_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "certificates"
    printer = FolderDocumentPrinter(folder)
    document = _certificate()

    job = printer.print_certificate(document)

    assert Path(job) == folder / f"{document.certificate_id}.pdf"
    assert Path(job).read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in folder.iterdir()) == [f"{document.certificate_id}.pdf"]
    assert str(folder) in printer.describe()


def test_folder_printer_keeps_ids_inside_the_folder(tmp_path: Path) -> None:
    document = CertificateDocument(title_zh="证明", title_en="Certificate", certificate_id="../x/y")
    job = Path(FolderDocumentPrinter(tmp_path).print_certificate(document))
    assert job.parent == tmp_path
    assert job.name == "x_y.pdf"


def test_folder_printer_error_on_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PrinterError):
        FolderDocumentPrinter(blocker / "sub").print_certificate(_certificate())


def test_pick_prefers_a_usable_queue_and_falls_back_to_folder(
    cups_pdf: CupsSetup, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="devices.a4.cupsd"):
        chosen = pick_document_printer(cups_pdf.queue, tmp_path)
    assert isinstance(chosen, CupsDocumentPrinter)
    assert len(caplog.records) == 1

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="devices.a4.cupsd"):
        fallback = pick_document_printer("NO-SUCH-QUEUE", tmp_path)
    assert isinstance(fallback, FolderDocumentPrinter)
    [record] = caplog.records
    assert "NO-SUCH-QUEUE" in record.getMessage()
    assert str(tmp_path) in record.getMessage()


@pytest.mark.parametrize(
    ("conf", "keeps"),
    [
        ("", True),
        ("LogLevel warn\nPreserveJobFiles No\n", False),
        ("PreserveJobFiles Yes\n", True),
        ("PreserveJobFiles No\nPreserveJobFiles 1d\n", True),
        ("preservejobfiles off\n", False),
    ],
)
def test_whether_the_spool_keeps_job_files(tmp_path: Path, conf: str, keeps: bool) -> None:
    path = tmp_path / "cupsd.conf"
    path.write_text(conf)
    assert spool_keeps_job_files(path) is keeps
    assert spool_keeps_job_files(tmp_path / "missing.conf") is None
