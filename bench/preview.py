"""The capture screen's live preview: delivered frame rate and the GUI thread's cost per frame.

Subject: the real ``CameraPreview`` thread on a 1920x1080 source (the sample contract on a desk,
served by ``StillCamera``) at the configured 12 fps, with the real ``CaptureScreen`` painting each
frame offscreen, for a few seconds. Baseline: the frame period the configuration asks for. The
report gives the delivered rate against the asked one, the spread of the intervals between
painted frames (a steady preview keeps them close to the period), the preview thread's work per
frame (grab, judge, scale) and the GUI thread's work per frame (QImage and paint), which must
stay far below the 50 ms DESIGN.md allows.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

import assets
from devices.camera.autocapture import AutoCapture
from devices.camera.still import StillCamera
from kiosk.ui.preview import CameraPreview, PreviewFrame
from kiosk.ui.screens.capture import CaptureScreen

FPS = 12.0
SECONDS = 5.0


def _desk_frame() -> np.ndarray:
    page = cv2.imread(str(assets.SAMPLES_DIR / "lease-contract.jpg"))
    assert page is not None
    return np.asarray(cv2.resize(page, (1920, 1080), interpolation=cv2.INTER_AREA), np.uint8)


def _worker_cost(frame: np.ndarray, runs: int = 60) -> list[float]:
    judge = AutoCapture()
    costs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        judge.feed(frame)
        small = cv2.resize(frame, (960, 540), interpolation=cv2.INTER_AREA)
        cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        costs.append((time.perf_counter() - t0) * 1000)
    return costs


def main() -> None:
    """Run the preview for a few seconds and print the report."""
    app = QApplication.instance() or QApplication([])
    frame = _desk_frame()
    camera = StillCamera(frame)
    screen = CaptureScreen()
    screen.resize(1920, 1080)
    screen.show()
    preview = CameraPreview(camera, fps=FPS, auto_capture=False)
    painted: list[float] = []
    gui_ms: list[float] = []

    def on_frame(item: PreviewFrame) -> None:
        t0 = time.perf_counter()
        height, width, _ = item.rgb.shape
        image = QImage(item.rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        screen.show_live(image.copy(), item.assessment.advice.value)
        gui_ms.append((time.perf_counter() - t0) * 1000)
        painted.append(time.monotonic())
        preview.frame_painted()

    preview.frame_ready.connect(on_frame)
    preview.start()
    preview.enable(True)
    loop = QEventLoop()
    QTimer.singleShot(int(SECONDS * 1000), loop.quit)
    loop.exec()
    preview.stop()
    QCoreApplication.processEvents()
    intervals = [(b - a) * 1000 for a, b in itertools.pairwise(painted)]
    worker = _worker_cost(frame)
    delivered = (len(painted) - 1) / (painted[-1] - painted[0])
    report = {
        "asked_fps": FPS,
        "delivered_fps": round(delivered, 2),
        "delivered_over_asked": round(delivered / FPS, 3),
        "interval_ms_median": round(statistics.median(intervals), 1),
        "interval_ms_p95": round(sorted(intervals)[int(0.95 * (len(intervals) - 1))], 1),
        "period_ms": round(1000 / FPS, 1),
        "worker_ms_median_1080p": round(statistics.median(worker), 2),
        "gui_ms_median": round(statistics.median(gui_ms), 2),
        "gui_ms_p95": round(sorted(gui_ms)[int(0.95 * (len(gui_ms) - 1))], 2),
        "gui_ms_max": round(max(gui_ms), 2),
    }
    print("preview (1920x1080 source, 12 fps asked; baseline: the asked frame period)")
    for key, value in report.items():
        print(f"  {key:28} {value}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "preview.json").write_text(json.dumps(report, indent=2) + "\n")
    del app


if __name__ == "__main__":
    main()
