"""``kiosk-hall demo-screens OUT``: a demo hall photographed in Debian's chromium."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from hall.cli import main
from hall.web.screens import SCREENS


def test_demo_screens_writes_the_three_pages_as_png(tmp_path: Path) -> None:
    out = tmp_path / "hall"
    assert main(["demo-screens", str(out)]) == 0
    for name in SCREENS:
        with Image.open(out / name) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert width >= 1600 and height >= 900, name
            # Not a blank page: a real page has many colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50, name
    with Image.open(out / "bigscreen.png") as wall:
        assert wall.size == (1920, 1080)
