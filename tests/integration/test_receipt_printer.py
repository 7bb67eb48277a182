"""The ESC/POS driver over a real loopback socket, against the simulated network printer."""

from __future__ import annotations

import socket

import pytest

from devices.errors import PrinterError
from devices.ports import ReceiptPrinter
from devices.receipt.escpos_printer import EscposReceiptPrinter
from devices.receipt.oracle import decode_receipt
from devices.receipt.simulator import LoopbackReceiptPrinter
from tests.unit.devices_printers.receipts import ACCEPTANCE, CASE_NUMBER


def _closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_driver_implements_the_port() -> None:
    assert isinstance(EscposReceiptPrinter("127.0.0.1"), ReceiptPrinter)


@pytest.mark.parametrize("native", [False, True], ids=["raster", "native"])
def test_receipt_arrives_byte_exact_and_decodes(
    receipt_printer_listener: LoopbackReceiptPrinter, native: bool
) -> None:
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, native_qr=native)

    printer.print_receipt(ACCEPTANCE)

    [job] = receipt_printer_listener.wait_for_jobs(1, timeout=5)
    assert job == printer.render(ACCEPTANCE)
    decoded = decode_receipt(job)
    assert decoded.qr_payloads == [CASE_NUMBER]
    assert "申请人: 张〇三" in decoded.lines
    assert decoded.cut


def test_each_receipt_is_one_job(receipt_printer_listener: LoopbackReceiptPrinter) -> None:
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port)
    printer.print_receipt(ACCEPTANCE)
    printer.print_receipt(ACCEPTANCE)
    jobs = receipt_printer_listener.wait_for_jobs(2, timeout=5)
    assert len(jobs) == 2
    assert jobs[0] == jobs[1]


def test_status_reports_paper_without_leaving_a_job(
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port)
    assert printer.status() == "ok"
    receipt_printer_listener.paper_status = 0x1E
    assert printer.status() == "paper-low"
    with pytest.raises(TimeoutError):
        receipt_printer_listener.wait_for_jobs(1, timeout=0.2)


def test_out_of_paper_fails_before_sending(
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    receipt_printer_listener.paper_status = 0x72
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port)
    assert printer.status() == "paper-out"
    with pytest.raises(PrinterError, match="out of paper"):
        printer.print_receipt(ACCEPTANCE)
    assert receipt_printer_listener.jobs == []


def test_refused_connection_is_a_printer_error() -> None:
    printer = EscposReceiptPrinter("127.0.0.1", _closed_port(), timeout=2)
    with pytest.raises(PrinterError, match="connection refused") as caught:
        printer.print_receipt(ACCEPTANCE)
    # The technician's message names the printer, never the citizen.
    assert "张" not in str(caught.value)
    assert CASE_NUMBER not in str(caught.value)
    assert printer.status() == "unreachable"


def test_printer_dropping_connections_is_a_printer_error(
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    receipt_printer_listener.refuse = True
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=2)
    with pytest.raises(PrinterError):
        printer.print_receipt(ACCEPTANCE)
    assert receipt_printer_listener.jobs == []

    receipt_printer_listener.refuse = False
    printer.print_receipt(ACCEPTANCE)
    assert len(receipt_printer_listener.wait_for_jobs(1, timeout=5)) == 1


def test_simulator_as_context_manager_frees_its_port() -> None:
    with LoopbackReceiptPrinter() as listener:
        port = listener.port
        EscposReceiptPrinter("127.0.0.1", port).print_receipt(ACCEPTANCE)
        assert len(listener.wait_for_jobs(1, timeout=5)) == 1
    with pytest.raises(PrinterError):
        EscposReceiptPrinter("127.0.0.1", port, timeout=2).print_receipt(ACCEPTANCE)
