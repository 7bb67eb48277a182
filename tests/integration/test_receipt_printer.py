"""The ESC/POS driver against simulated printers over a real loopback socket and a real pty.

One contract suite runs against both links: what arrives decodes to what the citizen should
hold; every status the sensors can report is told apart; and each failure lands on the right
side of "safe to retry" versus "may have printed".
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from devices.errors import DeviceUnavailableError, PrinterError
from devices.ports import ReceiptPrinter
from devices.receipt.errors import (
    ReceiptCoverOpenError,
    ReceiptMaybePrintedError,
    ReceiptNotPrintedError,
    ReceiptPaperOutError,
    ReceiptPrinterOfflineError,
)
from devices.receipt.escpos_printer import (
    EscposDriver,
    EscposReceiptPrinter,
    serial_receipt_printer,
    usb_receipt_printer,
)
from devices.receipt.oracle import decode_receipt
from devices.receipt.profile import PrinterProfile
from devices.receipt.simulator import LoopbackReceiptPrinter, SerialReceiptPrinterSimulator
from devices.receipt.status import ReceiptPrinterStatus
from tests.unit.devices_printers.receipts import ACCEPTANCE, CASE_NUMBER

Sim = LoopbackReceiptPrinter | SerialReceiptPrinterSimulator


@dataclass
class Link:
    """A simulated printer and a way to build the real driver pointed at it."""

    sim: Sim
    make: Callable[..., EscposDriver]


@pytest.fixture(params=["network", "serial"])
def link(request: pytest.FixtureRequest) -> Iterator[Link]:
    """The same suite over a loopback TCP printer and over a pty serial printer."""
    if request.param == "network":
        with LoopbackReceiptPrinter() as net:

            def make_net(
                profile: PrinterProfile | None = None, timeout: float = 2.0
            ) -> EscposDriver:
                return EscposReceiptPrinter("127.0.0.1", net.port, timeout=timeout, profile=profile)

            yield Link(net, make_net)
    else:
        with SerialReceiptPrinterSimulator() as tty:

            def make_tty(
                profile: PrinterProfile | None = None, timeout: float = 2.0
            ) -> EscposDriver:
                return serial_receipt_printer(tty.port, 115200, profile, timeout=timeout)

            yield Link(tty, make_tty)


def _closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_drivers_implement_the_port() -> None:
    assert isinstance(EscposReceiptPrinter("127.0.0.1"), ReceiptPrinter)
    assert isinstance(serial_receipt_printer("/dev/null"), ReceiptPrinter)
    assert isinstance(usb_receipt_printer(0x0416, 0x5011), ReceiptPrinter)


@pytest.mark.parametrize(
    "profile",
    [
        PrinterProfile.for_paper(58, qr="raster", cut="partial"),
        PrinterProfile.for_paper(58, qr="native", cut="full"),
        PrinterProfile.for_paper(80, qr="raster", cut="none"),
        PrinterProfile.for_paper(80, qr="native", cut="partial"),
    ],
    ids=["58-raster-partial", "58-native-full", "80-raster-nocut", "80-native-partial"],
)
def test_receipt_arrives_byte_exact_and_decodes(link: Link, profile: PrinterProfile) -> None:
    printer = link.make(profile)

    printer.print_receipt(ACCEPTANCE)

    [job] = link.sim.wait_for_jobs(1, timeout=5)
    assert job == printer.render(ACCEPTANCE)
    decoded = decode_receipt(job, paper_dots=profile.paper_dots)
    assert decoded.qr_payloads == [CASE_NUMBER]
    assert "申请人: 张〇三" in decoded.lines
    assert "请妥善保管本回执，凭码查询进度。" in decoded.lines
    assert decoded.cut_kind == (None if profile.cut == "none" else profile.cut)
    assert decoded.status_requests == 0  # status requests are answered, never printed
    assert len(decoded.images) == 1  # the QR code, as dots: ours, or the printer engine's
    assert max(len(line) for line in decoded.lines) <= profile.width_chars


def test_each_receipt_is_one_job(link: Link) -> None:
    printer = link.make()
    printer.print_receipt(ACCEPTANCE)
    printer.print_receipt(ACCEPTANCE)
    jobs = link.sim.wait_for_jobs(2, timeout=5)
    assert len(jobs) == 2
    assert jobs[0] == jobs[1]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("ok", ReceiptPrinterStatus.OK),
        ("paper_near_end", ReceiptPrinterStatus.PAPER_NEAR_END),
        ("paper_out", ReceiptPrinterStatus.PAPER_OUT),
        ("cover_open", ReceiptPrinterStatus.COVER_OPEN),
    ],
)
def test_status_tells_each_sensor_state_apart(
    link: Link, state: str, expected: ReceiptPrinterStatus
) -> None:
    link.sim.set_state(state)  # type: ignore[arg-type]
    assert link.make().status() is expected
    with pytest.raises(TimeoutError):
        link.sim.wait_for_jobs(1, timeout=0.3)


def test_no_status_reply_is_unknown_not_ok_and_printing_still_works(link: Link) -> None:
    link.sim.answer_status = False
    printer = link.make(timeout=2.0)
    assert printer.status() is ReceiptPrinterStatus.UNKNOWN
    # A printer without status support still prints; nothing could confirm it, nothing fails.
    printer.print_receipt(ACCEPTANCE)
    [job] = link.sim.wait_for_jobs(1, timeout=5)
    assert decode_receipt(job).qr_payloads == [CASE_NUMBER]


def test_near_end_prints(link: Link) -> None:
    link.sim.set_state("paper_near_end")
    link.make().print_receipt(ACCEPTANCE)
    assert len(link.sim.wait_for_jobs(1, timeout=5)) == 1


@pytest.mark.parametrize(
    ("state", "error"),
    [("paper_out", ReceiptPaperOutError), ("cover_open", ReceiptCoverOpenError)],
)
def test_paper_out_or_cover_open_fails_before_sending_and_is_safe_to_retry(
    link: Link, state: str, error: type[ReceiptNotPrintedError]
) -> None:
    link.sim.set_state(state)  # type: ignore[arg-type]
    printer = link.make()
    with pytest.raises(error) as caught:
        printer.print_receipt(ACCEPTANCE)
    assert caught.value.retry_safe
    assert isinstance(caught.value, PrinterError)
    with pytest.raises(TimeoutError):
        link.sim.wait_for_jobs(1, timeout=0.3)

    # Paper refilled, cover shut: the retry prints exactly once.
    link.sim.set_state("ok")
    printer.print_receipt(ACCEPTANCE)
    assert len(link.sim.wait_for_jobs(1, timeout=5)) == 1


def test_link_lost_mid_job_is_maybe_printed_and_never_claimed_done(link: Link) -> None:
    printer = link.make(timeout=1.0)
    job = printer.render(ACCEPTANCE)
    link.sim.drop_after = len(job) // 2
    with pytest.raises(ReceiptMaybePrintedError) as caught:
        printer.print_receipt(ACCEPTANCE)
    assert not caught.value.retry_safe
    assert isinstance(caught.value, PrinterError)
    [torn] = link.sim.torn_jobs
    assert job.startswith(torn) and len(torn) < len(job)
    assert link.sim.jobs == []
    # The message names the printer, never the citizen.
    assert "张" not in str(caught.value) and CASE_NUMBER not in str(caught.value)


def test_refused_connection_is_offline_and_safe_to_retry() -> None:
    printer = EscposReceiptPrinter("127.0.0.1", _closed_port(), timeout=2)
    with pytest.raises(ReceiptPrinterOfflineError, match="connection refused") as caught:
        printer.print_receipt(ACCEPTANCE)
    assert caught.value.retry_safe
    assert isinstance(caught.value, DeviceUnavailableError)
    assert "张" not in str(caught.value)
    assert CASE_NUMBER not in str(caught.value)
    assert printer.status() is ReceiptPrinterStatus.OFFLINE


def test_printer_dropping_connections_is_offline_and_nothing_printed(
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    receipt_printer_listener.refuse = True
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=2)
    with pytest.raises(ReceiptPrinterOfflineError):
        printer.print_receipt(ACCEPTANCE)
    assert printer.status() is ReceiptPrinterStatus.OFFLINE
    assert receipt_printer_listener.jobs == []

    receipt_printer_listener.refuse = False
    printer.print_receipt(ACCEPTANCE)
    assert len(receipt_printer_listener.wait_for_jobs(1, timeout=5)) == 1


def test_missing_serial_port_is_offline(tmp_path: pytest.TempPathFactory) -> None:
    printer = serial_receipt_printer("/dev/ttyNOSUCH-receipt", 9600, timeout=1)
    with pytest.raises(ReceiptPrinterOfflineError, match="ttyNOSUCH-receipt") as caught:
        printer.print_receipt(ACCEPTANCE)
    assert caught.value.retry_safe
    assert printer.status() is ReceiptPrinterStatus.OFFLINE


def test_serial_status_requests_inside_raster_data_are_dots_not_requests() -> None:
    """A raster row can hold the bytes 10 04 04; the printer (and we) must not answer it."""
    with SerialReceiptPrinterSimulator() as tty:
        printer = serial_receipt_printer(tty.port, 115200, timeout=2)
        before = tty.status_requests
        job = printer.render(ACCEPTANCE)
        printer.print_job(job[:-4] + b"\x1dv0\x00\x03\x00\x01\x00\x10\x04\x04" + job[-4:])
        [got] = tty.wait_for_jobs(1, timeout=5)
        assert b"\x10\x04\x04" in got
        # Two before the job (cover, paper), one after it (confirmation): none from the image.
        assert tty.status_requests - before == 3


def test_missing_usb_printer_is_a_clear_offline_error() -> None:
    # No USB receipt printer on a CI machine: this is the path a terminal takes when unplugged.
    printer = usb_receipt_printer(0x0416, 0x5011, timeout=1)
    assert "usb:0416:5011" in printer.describe()
    with pytest.raises(ReceiptPrinterOfflineError, match="usb:0416:5011") as caught:
        printer.print_receipt(ACCEPTANCE)
    assert caught.value.retry_safe
    assert printer.status() is ReceiptPrinterStatus.OFFLINE


def test_simulator_as_context_manager_frees_its_port() -> None:
    with LoopbackReceiptPrinter() as listener:
        port = listener.port
        EscposReceiptPrinter("127.0.0.1", port).print_receipt(ACCEPTANCE)
        assert len(listener.wait_for_jobs(1, timeout=5)) == 1
    with pytest.raises(ReceiptPrinterOfflineError):
        EscposReceiptPrinter("127.0.0.1", port, timeout=2).print_receipt(ACCEPTANCE)


def test_printer_answering_only_the_paper_sensor_is_asked_only_that(link: Link) -> None:
    link.sim.unanswered = {2}
    printer = link.make(timeout=2.0)
    printer.print_receipt(ACCEPTANCE)
    assert link.sim.requests_seen == [2, 4, 4]  # cover (no answer), paper, confirmation
    printer.print_receipt(ACCEPTANCE)
    assert link.sim.requests_seen[3:] == [4, 4]
    assert len(link.sim.wait_for_jobs(2, timeout=5)) == 2
    assert printer.status() is ReceiptPrinterStatus.OK


def test_status_polls_during_jobs_never_tear_a_job(
    receipt_printer_listener: LoopbackReceiptPrinter,
) -> None:
    printer = EscposReceiptPrinter("127.0.0.1", receipt_printer_listener.port, timeout=2)
    errors: list[BaseException] = []

    def print_five() -> None:
        try:
            for _ in range(5):
                printer.print_receipt(ACCEPTANCE)
        except BaseException as err:  # reported to the test thread, which asserts on it
            errors.append(err)

    worker = threading.Thread(target=print_five)
    worker.start()
    seen = set()
    while worker.is_alive():
        seen.add(printer.status())
    worker.join(timeout=30)
    assert not errors
    assert seen <= {ReceiptPrinterStatus.OK, ReceiptPrinterStatus.UNKNOWN}
    jobs = receipt_printer_listener.wait_for_jobs(5, timeout=5)
    assert jobs == [printer.render(ACCEPTANCE)] * 5
