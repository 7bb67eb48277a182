"""Time from process start to the attract screen, against a bare Qt window in the same run.

Baseline: a fresh Python process that imports PySide6, creates a QApplication and shows an empty
QMainWindow: the floor any Qt terminal pays. Subject: a fresh process that builds the whole
terminal from its embedded defaults (embedded hall on SQLite, card reader simulator on a pty,
loopback receipt printer, outbox, sync worker, every screen) and shows the attract screen. Each
runs offscreen, several times; the report gives medians and their ratio, and how long the
terminal's clean stop takes (DESIGN.md: under 2 s, no thread left; the subject asserts the
latter).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

BASELINE = """
import time; t0 = time.monotonic()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1920, 1080); w.show(); app.processEvents()
print(time.monotonic() - t0)
"""

SUBJECT = """
import time; t0 = time.monotonic()
import pathlib, sys
from PySide6.QtWidgets import QApplication
from kiosk.app import build_app
from kiosk.config import load_settings
app = QApplication([])
settings = load_settings(None, storage={"data_dir": pathlib.Path(sys.argv[1])},
                         terminal={"full_screen": False})
kiosk = build_app(settings); kiosk.start(); kiosk.window.resize(1920, 1080); kiosk.window.show()
app.processEvents()
assert kiosk.window.current_screen() is kiosk.window.attract
shown = time.monotonic() - t0
t1 = time.monotonic(); kiosk.stop(); stopped = time.monotonic() - t1
import threading
assert threading.active_count() == 1, threading.enumerate()
print(shown, stopped)
"""


def _run(code: str, *args: str) -> list[float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    ).stdout
    return [float(x) for x in out.strip().splitlines()[-1].split()]


def main(repeats: int = 5) -> dict[str, float]:
    """Measure both, print a JSON report and return it."""
    baseline, subject, shutdown = [], [], []
    for _ in range(repeats):
        baseline.append(_run(BASELINE)[0])
        with tempfile.TemporaryDirectory() as data_dir:
            shown, stopped = _run(SUBJECT, data_dir)
        subject.append(shown)
        shutdown.append(stopped)
    report = {
        "baseline": "bare QApplication + empty QMainWindow shown",
        "baseline_median_s": round(statistics.median(baseline), 3),
        "attract_screen_median_s": round(statistics.median(subject), 3),
        "attract_screen_max_s": round(max(subject), 3),
        "ratio_to_baseline": round(statistics.median(subject) / statistics.median(baseline), 2),
        "shutdown_median_s": round(statistics.median(shutdown), 3),
        "shutdown_max_s": round(max(shutdown), 3),
        "repeats": repeats,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
