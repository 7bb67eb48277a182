"""`make demo` without a screen: the whole offscreen demo runs end to end in its own process.

The demo is the README's first command; a screen flow that changes under it (a rating where
the demo expected the attract screen) used to break it with nothing in the suite noticing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

# The demo prints to the machine's cups-pdf queue like the tests that request ``cups_pdf``.
pytestmark = pytest.mark.cups


def test_the_offscreen_demo_runs_to_the_end_and_writes_its_pictures(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--offscreen", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "demo done" in done.stderr
    for name in ("01-attract.png", "06-result-approved.png", "13-progress-stages.png"):
        with Image.open(out / name) as shot:
            assert shot.size == (1920, 1080)
    assert (out / "certificate.pdf").read_bytes().startswith(b"%PDF")
    assert "社会保险" in (out / "receipt.txt").read_text(encoding="utf-8")
    for mode in ("zh", "en", "zh_TW", "elder"):
        assert len(list((out / "gallery" / mode).glob("*.png"))) >= 20, mode
