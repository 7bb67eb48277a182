"""``kiosk print test receipt|a4`` and ``kiosk print status``, run as a technician runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from devices.a4.cupsd import CupsSetup
from devices.receipt.oracle import decode_receipt
from devices.receipt.simulator import LoopbackReceiptPrinter, SerialReceiptPrinterSimulator
from devices.receipt.testpage import CHINESE_CHECK_LINE

KIOSK = Path(sys.executable).parent / "kiosk"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without KIOSK_ variables, data and config dirs under tmp_path."""
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    clean["KIOSK_STORAGE__DATA_DIR"] = str(tmp_path / "data")
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    return clean


def _kiosk(
    args: Sequence[str], env: dict[str, str], config: str | None = None, tmp: Path | None = None
) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if config is not None:
        assert tmp is not None
        path = tmp / "kiosk.toml"
        path.write_text(config, encoding="utf-8")
        prefix = ["--config", str(path)]
    return subprocess.run(
        [str(KIOSK), *prefix, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    value = json.loads(done.stdout)
    assert isinstance(value, dict)
    return value


def test_receipt_test_page_on_the_simulated_printer_shows_the_paper(env: dict[str, str]) -> None:
    done = _kiosk(["print", "test", "receipt"], env)
    assert done.returncode == 0, done.stderr
    assert "〇一二三" in done.stdout
    assert "[QR: KIOSK-PRINT-TEST DEMO01 " in done.stdout
    assert "~~ cut ~~" in done.stdout
    assert "receipt test page printed" in done.stdout


def test_receipt_test_page_on_a_network_printer(
    env: dict[str, str], tmp_path: Path, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    config = (
        '[devices.receipt_printer]\ndriver = "escpos-network"\nhost = "127.0.0.1"\n'
        f'port = {receipt_printer_listener.port}\npaper_width_mm = 80\nqr = "native"\n'
    )
    done = _kiosk(["print", "test", "receipt", "--json"], env, config, tmp_path)
    assert done.returncode == 0, done.stderr
    outcome = _json(done)
    assert outcome["ok"] is True
    assert outcome["status"] == "ok"
    [job] = receipt_printer_listener.wait_for_jobs(1, timeout=5)
    decoded = decode_receipt(job, paper_dots=576)
    assert decoded.lines[0] == "打印测试"
    assert "终端 Terminal: DEMO01" in decoded.lines
    # Every character of the hard line is on paper (〇 and the marks python-escpos would lose).
    assert CHINESE_CHECK_LINE in "".join(line.strip() for line in decoded.lines)
    assert not any(line.strip().startswith(("。", "”", "）")) for line in decoded.lines)
    [payload] = decoded.qr_payloads
    assert payload.startswith("KIOSK-PRINT-TEST DEMO01 ")
    assert decoded.cut_kind == "partial"


def test_receipt_test_page_on_a_serial_printer(
    env: dict[str, str], tmp_path: Path, receipt_printer_tty: SerialReceiptPrinterSimulator
) -> None:
    config = (
        '[devices.receipt_printer]\ndriver = "escpos-serial"\n'
        f'serial_port = "{receipt_printer_tty.port}"\nbaud = 115200\ncut = "full"\n'
    )
    done = _kiosk(["print", "test", "receipt"], env, config, tmp_path)
    assert done.returncode == 0, done.stderr
    [job] = receipt_printer_tty.wait_for_jobs(1, timeout=5)
    decoded = decode_receipt(job, paper_dots=384)
    assert decoded.qr_payloads[0].startswith("KIOSK-PRINT-TEST DEMO01 ")
    assert decoded.cut_kind == "full"


def test_receipt_printer_out_of_paper_fails_clearly(
    env: dict[str, str], tmp_path: Path, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    receipt_printer_listener.set_state("paper_out")
    config = (
        '[devices.receipt_printer]\ndriver = "escpos-network"\nhost = "127.0.0.1"\n'
        f"port = {receipt_printer_listener.port}\n"
    )
    done = _kiosk(["print", "test", "receipt", "--json"], env, config, tmp_path)
    assert done.returncode == 1
    outcome = _json(done)
    assert (outcome["ok"], outcome["status"], outcome["retry_safe"]) == (False, "paper_out", True)
    assert "out of paper" in done.stderr and "Nothing was printed" in done.stderr
    assert receipt_printer_listener.jobs == []

    status = _kiosk(["print", "status", "--json"], env, config, tmp_path)
    assert status.returncode == 0
    rows = json.loads(status.stdout)
    assert rows[0]["printer"] == "receipt" and rows[0]["status"] == "paper_out"


def test_missing_usb_printer_fails_with_a_clear_message(
    env: dict[str, str], tmp_path: Path
) -> None:
    config = (
        '[devices.receipt_printer]\ndriver = "escpos-usb"\n'
        "usb_vendor_id = 0x0416\nusb_product_id = 0x5011\n"
    )
    done = _kiosk(["print", "test", "receipt"], env, config, tmp_path)
    assert done.returncode == 1
    assert "usb:0416:5011 not found" in done.stderr


@pytest.mark.cups
def test_a4_test_page_completes_on_the_cups_queue(
    env: dict[str, str], tmp_path: Path, cups_pdf: CupsSetup
) -> None:
    config = f'[devices.document_printer]\ndriver = "cups"\nqueue = "{cups_pdf.queue}"\n'
    done = _kiosk(["print", "test", "a4", "--json"], env, config, tmp_path)
    assert done.returncode == 0, done.stderr
    outcome = _json(done)
    assert outcome["ok"] is True
    assert outcome["state"] == "completed"
    assert str(outcome["job_id"]).startswith(f"{cups_pdf.queue}-")


@pytest.mark.cups
def test_a4_test_page_on_a_missing_queue_fails_clearly(
    env: dict[str, str], tmp_path: Path, cups_pdf: CupsSetup
) -> None:
    config = '[devices.document_printer]\ndriver = "cups"\nqueue = "NO-SUCH-QUEUE"\n'
    done = _kiosk(["print", "test", "a4"], env, config, tmp_path)
    assert done.returncode == 1
    assert "CUPS queue NO-SUCH-QUEUE cannot take jobs: missing" in done.stderr
