"""``kiosk-hall demo-screens OUT``: a demo hall photographed in Debian's chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from hall.web.screens import SCREENS

_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(240)
def test_demo_screens_writes_the_three_pages_as_png(tmp_path: Path) -> None:
    out = tmp_path / "hall"
    # Its own process, as `make demo` runs it (and Playwright's sync API wants a thread of its own).
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "hall", "demo-screens", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=220,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [str(out / name) for name in SCREENS]
    for name in SCREENS:
        with Image.open(out / name) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert width >= 1600 and height >= 900, name
            # Not a blank page: a real page has many colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50, name
    with Image.open(out / "bigscreen.png") as wall:
        assert wall.size == (1920, 1080)
