"""``kiosk doctor``: probe every configured device and the hall; say what is wrong and where.

The foundation version checks reachability; the devices issue deepens each probe.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass

from devices.a4.cups_printer import USABLE_QUEUE_STATES, CupsDocumentPrinter
from devices.camera.opencv_camera import OpenCvCamera
from devices.errors import DeviceError
from devices.idcard.serial_reader import SamSerialReader
from devices.receipt.escpos_printer import EscposReceiptPrinter
from kiosk.config import KioskSettings
from offline_cache.hall_client import HallClient


@dataclass
class Check:
    """One line of the doctor's table."""

    device: str
    driver: str
    port: str
    status: str
    reason: str = ""
    required: bool = True


def _probe(check: Check, probe: Callable[[], str]) -> Check:
    try:
        check.status = probe() or "ok"
    except (DeviceError, OSError) as err:
        check.status = "fail"
        check.reason = str(err) or type(err).__name__
    return check


def run_checks(settings: KioskSettings) -> list[Check]:
    """Probe each configured part; simulated ones are reported as such."""
    dev = settings.devices
    checks: list[Check] = []
    reader = dev.id_reader
    check = Check("id_reader", reader.driver, reader.port or "-", "simulated")
    if reader.driver == "sam-serial":
        assert reader.port is not None

        def probe_reader() -> str:
            device = SamSerialReader(reader.port or "", reader.baud)
            try:
                device.sam_status()
            finally:
                device.close()
            return "ok"

        _probe(check, probe_reader)
    checks.append(check)
    rp = dev.receipt_printer
    check = Check("receipt_printer", rp.driver, f"{rp.host}:{rp.port}", "simulated")
    if rp.driver == "escpos-network":
        _probe(check, lambda: EscposReceiptPrinter(rp.host, rp.port, timeout=2.0).status())
    checks.append(check)
    dp = dev.document_printer
    check = Check(
        "document_printer",
        dp.driver,
        dp.queue if dp.driver == "cups" else str(settings.printed_folder),
        "ok",
    )
    if dp.driver == "cups":

        def probe_cups() -> str:
            state = CupsDocumentPrinter(dp.queue, timeout=3.0).queue_state()
            if state not in USABLE_QUEUE_STATES:
                raise DeviceError(
                    f"queue {dp.queue} is {state}; certificates fall back to a folder"
                )
            return "ok"

        _probe(check, probe_cups)
        check.required = False
    checks.append(check)
    cam = dev.camera
    check = Check("camera", cam.driver, cam.source if cam.driver == "opencv" else "-", "simulated")
    if cam.driver == "opencv":

        def probe_camera() -> str:
            source: int | str = int(cam.source) if cam.source.isdigit() else cam.source
            camera = OpenCvCamera(source)
            try:
                if camera.grab() is None:
                    raise DeviceError("the camera opened but gave no frame")
            finally:
                camera.close()
            return "ok"

        _probe(check, probe_camera)
    checks.append(check)
    hall = settings.hall
    check = Check(
        "hall", "embedded" if hall.embedded else "http", hall.url or "loopback", "embedded"
    )
    check.required = False
    if not hall.embedded and hall.url:
        client = HallClient(hall.url, connect_timeout=2.0, read_timeout=3.0)
        try:
            check.status = "ok" if client.health() else "fail"
            check.reason = "" if check.status == "ok" else "no answer; submissions queue up offline"
        finally:
            client.close()
    checks.append(check)
    return checks


def run_doctor(settings: KioskSettings, *, as_json: bool) -> int:
    """Print the table (or JSON); exit 1 when a required device fails."""
    checks = run_checks(settings)
    if as_json:
        sys.stdout.write(
            json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        # Columns as wide as their longest value: a long device path must not run into the status.
        table = [("device", "driver", "port", "status", "reason")]
        table += [(c.device, c.driver, c.port, c.status, c.reason) for c in checks]
        widths = [max(len(row[i]) for row in table) + 2 for i in range(4)]
        lines = [
            ("".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + row[4]).rstrip()
            for row in table
        ]
        lines.insert(1, "-" * max(len(line) for line in lines))
        sys.stdout.write("\n".join(lines) + "\n")
    failed = any(c.status == "fail" and c.required for c in checks)
    return 1 if failed else 0
