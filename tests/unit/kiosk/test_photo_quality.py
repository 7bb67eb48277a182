"""The photo quality gates (ocr/quality.py) on the real sample document and degraded copies."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from assets import SAMPLES_DIR
from ocr.quality import HINTS, assess

Image = npt.NDArray[np.uint8]


@pytest.fixture(scope="module")
def sample() -> Image:
    image = cv2.imread(str(SAMPLES_DIR / "lease-contract.jpg"))
    assert image is not None
    return image


def test_the_sample_contract_passes(sample: Image) -> None:
    report = assess(sample)
    assert report.ok
    assert report.problems == []
    assert report.hint("zh") == report.hint("en") == ""
    assert report.sharpness > 1000
    assert 50 < report.brightness < 235


def test_a_grey_copy_passes_too(sample: Image) -> None:
    assert assess(cv2.cvtColor(sample, cv2.COLOR_BGR2GRAY)).ok


def test_heavy_blur_fails_as_blurred(sample: Image) -> None:
    # A sigma of 0.004 of the long side (8 px on this 2000 px photo) smears small print.
    report = assess(cv2.GaussianBlur(sample, (0, 0), 8))
    assert not report.ok
    assert report.problems == ["blurred"]
    assert report.hint("zh") == "照片模糊，请把材料放平并保持不动，再拍一次。"
    assert report.hint("en").startswith("The photo is blurred.")


def test_a_milder_blur_lets_ocr_try_and_names_the_blur_if_it_fails(sample: Image) -> None:
    # Sigma 5 px (0.0025 of the long side): an ID card's print still reads, an A4 page's
    # small print may not; the gate is unsure, so OCR decides and a failure is put down to it.
    report = assess(cv2.GaussianBlur(sample, (0, 0), 5))
    assert report.ok
    assert report.suspect[0] == "blurred"
    assert 1.3 < report.blur < 2.7


def test_a_dark_photo_fails_as_too_dark(sample: Image) -> None:
    dark = (sample.astype(np.float32) * 0.15).astype(np.uint8)
    report = assess(dark)
    assert report.problems == ["too_dark"]
    assert report.hint("zh") == HINTS["too_dark"][0]
    assert report.hint("en") == HINTS["too_dark"][1]


def test_a_washed_out_photo_fails_as_too_bright() -> None:
    report = assess(np.full((900, 1200, 3), 250, np.uint8))
    assert report.problems == ["too_bright"]


def test_a_blank_frame_fails_as_empty() -> None:
    rng = np.random.default_rng(1)
    blank = np.clip(rng.normal(170, 3, (1080, 1920, 3)), 0, 255).astype(np.uint8)
    report = assess(blank)
    assert report.problems == ["empty"]
    assert "没有拍到材料" in report.hint("zh")
    assert report.hint("en") == "No document was seen. Place the document in the camera area."


def test_every_hint_has_both_languages() -> None:
    # The first four gates; ocr/quality.py adds glare, too_small, cut_off and wrong_side.
    assert {"blurred", "too_dark", "too_bright", "empty"} <= set(HINTS)
    for zh, en in HINTS.values():
        assert zh and en and zh != en
