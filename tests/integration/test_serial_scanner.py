"""A USB-CDC code scanner on a pty: the real driver against the simulator's bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.errors import ProtocolError
from devices.scanner.serial_scanner import (
    MAX_PAYLOAD,
    SerialCodeScanner,
    SerialScannerError,
    parse_suffix,
)
from devices.scanner.simulator import SerialScannerSimulator
from kiosk.ui.workers import LineScanner

CASE = b"SL-20260501-00012"
CERT = b"ZWCERT1.eyJ2IjoxfQ.c2ln"
READ = 2.0
"""Generous: a read returns as soon as its line is complete, so this only bounds a failure."""


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[SerialScannerSimulator]:
    with SerialScannerSimulator(link=tmp_path / "ttyACM-scanner") as sim:
        yield sim


@pytest.fixture
def scanner(simulator: SerialScannerSimulator) -> Iterator[SerialCodeScanner]:
    driver = SerialCodeScanner(simulator.port, 9600, reopen_interval=0.0)
    driver.open()  # opening flushes the input, as on the device: scans come after it
    yield driver
    driver.close()


def test_one_scan_is_one_payload_without_its_suffix(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    simulator.scan(CASE)
    assert scanner.read(READ) == CASE


def test_a_payload_split_across_reads_is_joined(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    simulator.send(CERT[:9])
    assert scanner.read(0.1) is None  # the first half waits for the rest
    simulator.send(CERT[9:] + b"\r")
    assert scanner.read(0.1) is None  # CR arrived, LF not yet: still not a line
    simulator.send(b"\n")
    assert scanner.read(READ) == CERT


def test_a_long_payload_in_many_usb_packets(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    payload = b"ZWCERT1." + b"A" * 600 + b".B64"
    simulator.scan(payload, pieces=20)
    assert scanner.read(READ) == payload


def test_two_scans_in_one_read_come_out_one_by_one(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    simulator.send(CASE + b"\r\n" + CERT + b"\r\n")
    assert scanner.read(READ) == CASE
    assert scanner.read(READ) == CERT
    assert scanner.read(0.05) is None


def test_a_read_without_a_scan_times_out_with_none(scanner: SerialCodeScanner) -> None:
    assert scanner.read(0.1) is None


@pytest.mark.parametrize(("setting", "suffix"), [("cr", b"\r"), ("\t", b"\t"), ("LF", b"\n")])
def test_the_suffix_is_configurable(tmp_path: Path, setting: str, suffix: bytes) -> None:
    assert parse_suffix(setting) == suffix
    with SerialScannerSimulator(suffix=suffix) as sim:
        driver = SerialCodeScanner(sim.port, suffix=parse_suffix(setting))
        driver.open()
        try:
            sim.scan(CASE)
            sim.scan(CERT)
            assert [driver.read(READ), driver.read(READ)] == [CASE, CERT]
        finally:
            driver.close()


def test_a_scanner_sending_crlf_to_a_cr_setting_still_gives_clean_payloads() -> None:
    with SerialScannerSimulator(suffix=b"\r\n") as sim:
        driver = SerialCodeScanner(sim.port, suffix=b"\r")
        driver.open()
        try:
            sim.scan(CASE)
            sim.scan(CERT)
            assert [driver.read(READ), driver.read(READ)] == [CASE, CERT]
        finally:
            driver.close()


def test_an_empty_suffix_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        parse_suffix("")
    with pytest.raises(ValueError, match="cannot be empty"):
        SerialCodeScanner("/dev/null", suffix=b"")


def test_a_line_that_never_ends_is_dropped_and_the_next_scan_reads(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    simulator.send(b"x" * (MAX_PAYLOAD + 10))
    errors = []
    for _ in range(50):  # the noise may take several reads to arrive in full
        try:
            scanner.read(0.1)
        except ProtocolError as err:
            errors.append(err)
            break
    assert len(errors) == 1 and "without a line end" in str(errors[0])
    simulator.scan(CASE)
    assert scanner.read(READ) == CASE


def test_an_overlong_line_is_dropped_up_to_its_suffix_and_the_scan_behind_it_reads(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    # The noise and a good scan in one burst, the noise split across many small writes.
    noise = b"y" * (MAX_PAYLOAD + 500)
    simulator.send(noise + simulator.suffix + CASE + simulator.suffix, pieces=40)
    errors = []
    for _ in range(50):
        try:
            scanner.read(0.1)
        except ProtocolError as err:
            errors.append(str(err))
            break
    # One read or many (how the tty hands it over varies): the whole noise counted, dropped once.
    assert len(errors) == 1 and errors[0].startswith(f"{len(noise)} bytes from the scanner ")
    assert scanner.read(READ) == CASE


def test_a_port_that_disappears_is_reopened(
    simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    simulator.scan(CASE)
    assert scanner.read(READ) == CASE
    simulator.unplug()
    with pytest.raises(SerialScannerError):
        scanner.read(READ)  # the open port fails
    with pytest.raises(SerialScannerError, match="cannot be opened"):
        scanner.read(READ)  # and the path is gone
    assert not scanner.is_open
    simulator.replug()
    scanner.open()
    simulator.scan(CERT)
    assert scanner.read(READ) == CERT
    assert scanner.is_open


def test_a_missing_port_waits_its_interval_before_trying_again(tmp_path: Path) -> None:
    driver = SerialCodeScanner(str(tmp_path / "absent"), reopen_interval=3600.0)
    with pytest.raises(SerialScannerError, match="cannot be opened") as err:
        driver.read(0.1)
    assert "扫码器" in err.value.message_zh
    with pytest.raises(SerialScannerError, match="not available"):
        driver.read(0.1)


def test_the_line_scanner_worker_reports_new_codes_while_enabled(
    qtbot: QtBot, simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    worker = LineScanner(scanner, read_timeout=0.05, retry_interval=0.05)
    seen: list[str] = []
    worker.code_scanned.connect(seen.append)
    worker.start()
    try:
        simulator.scan(b"NOT-NOW")  # read while disabled, and dropped
        qtbot.waitUntil(lambda: worker.dropped == 1, timeout=5000)
        worker.enable(True)
        with qtbot.waitSignal(worker.code_scanned, timeout=5000) as first:
            simulator.scan(CASE)
        assert first.args == [CASE.decode()]
        simulator.scan(CASE)  # the same receipt again at once: not reported twice
        with qtbot.waitSignal(worker.code_scanned, timeout=5000) as second:
            simulator.scan(CERT)
        assert second.args == [CERT.decode()]
        assert seen == [CASE.decode(), CERT.decode()]
    finally:
        worker.stop()


def test_the_line_scanner_worker_survives_an_unplug(
    qtbot: QtBot, simulator: SerialScannerSimulator, scanner: SerialCodeScanner
) -> None:
    worker = LineScanner(scanner, read_timeout=0.05, retry_interval=0.05)
    worker.start()
    worker.enable(True)
    try:
        with qtbot.waitSignal(worker.scan_failed, timeout=5000) as failed:
            simulator.unplug()
        assert isinstance(failed.args[0], SerialScannerError)
        simulator.replug()
        with qtbot.waitSignal(worker.code_scanned, timeout=5000) as scanned:
            # Scan until the worker has the new port open: a scan sent before it opens is lost,
            # as it is on the real device.
            qtbot.waitUntil(lambda: scanner.is_open, timeout=5000)
            simulator.scan(CASE)
        assert scanned.args == [CASE.decode()]
    finally:
        worker.stop()
