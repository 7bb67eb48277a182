"""How long ``kiosk doctor`` takes when devices hang, against the same probes run one by one.

Baseline: every probe of the plan called one after another in this process (what a doctor
without threads would take). Subject: ``run_checks``, every probe at once, each bounded. Two
scenarios: "hanging" (a SAM module on a pty that never answers, a receipt printer and a hall that
accept connections and say nothing, a camera that does not exist) and "healthy" (the SAM
simulator on a pty, the loopback receipt printer). Medians of a few runs; the ratio is
subject / baseline. DESIGN.md wants the whole doctor within a few seconds even when devices hang.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from devices.idcard.simulator import SamSimulator
from devices.receipt.simulator import LoopbackReceiptPrinter
from kiosk.config import load_settings
from kiosk.doctor import plan_checks, run_checks

RUNS = 3


class _Silent:
    """A loopback port that accepts and never answers."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                self.held.append(self.server.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.server.close()


def _time(fn: Any) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def _sequential(settings: Any) -> None:
    for _, probe in plan_checks(settings):
        if probe is not None:
            with contextlib.suppress(Exception):  # the baseline only measures time
                probe()


def _report(name: str, settings: Any) -> dict[str, float]:
    base = statistics.median(_time(lambda: _sequential(settings)) for _ in range(RUNS))
    subject = statistics.median(_time(lambda: run_checks(settings)) for _ in range(RUNS))
    statuses = {c.device: c.status for c in run_checks(settings)}
    print(
        f"doctor {name:8s} one-by-one {base:5.2f} s  concurrent {subject:5.2f} s  "
        f"ratio {subject / base:4.2f}  {statuses}"
    )
    return {"baseline_s": base, "subject_s": subject, "ratio": subject / base}


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-doctor-"))
    silent = _Silent()
    controller, device = os.openpty()
    try:
        hanging = load_settings(
            None,
            storage={"data_dir": data},
            hall={"embedded": False, "url": f"http://127.0.0.1:{silent.port}"},
            devices={
                "id_reader": {"driver": "sam-serial", "port": os.ttyname(device)},
                "receipt_printer": {"driver": "escpos-network", "port": silent.port},
                "document_printer": {"driver": "folder"},
                "camera": {"driver": "opencv", "source": str(data / "no-camera")},
            },
        )
        _report("hanging", hanging)
    finally:
        os.close(device)
        os.close(controller)
        silent.close()
    with SamSimulator() as sam, LoopbackReceiptPrinter() as printer:
        healthy = load_settings(
            None,
            storage={"data_dir": data},
            devices={
                "id_reader": {"driver": "sam-serial", "port": sam.port},
                "receipt_printer": {"driver": "escpos-network", "port": printer.port},
                "document_printer": {"driver": "folder"},
            },
        )
        _report("healthy", healthy)
