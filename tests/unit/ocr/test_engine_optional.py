"""The optional engines behind the same port: paddleocr (the paddle extra) and Tesseract.

Tesseract is the benchmark's baseline. Each is skipped, with the reason, where it is not installed.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.engine import OcrEngine
from ocr.engines import EngineUnavailable, build_engine

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def engine_or_skip(name: str) -> OcrEngine:
    try:
        return build_engine(name)
    except EngineUnavailable as err:
        pytest.skip(f"{name} engine not installed here: {err}")


@pytest.fixture(scope="module")
def paddle_engine() -> OcrEngine:
    return engine_or_skip("paddle")


@pytest.fixture(scope="module")
def tesseract_engine() -> OcrEngine:
    return engine_or_skip("tesseract")


def page() -> np.ndarray:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44, index=2)
    draw.text((60, 40), "食品经营许可证", fill="black", font=font)
    draw.text((60, 170), "法定代表人：王建国", fill="black", font=font)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def test_paddle_reads_chinese_lines(paddle_engine: OcrEngine) -> None:
    lines = paddle_engine.recognize(page())
    assert [line.text for line in lines] == ["食品经营许可证", "法定代表人：王建国"]
    assert lines[0].top < 80 < lines[1].top
    assert paddle_engine.name == "paddle"


def test_tesseract_reads_chinese_lines(tesseract_engine: OcrEngine) -> None:
    # The baseline's page layout analysis drops lines now and then (here often the title):
    # what it does read comes back as lines with boxes where the text is.
    lines = tesseract_engine.recognize(page())
    named = [line for line in lines if "王建国" in line.text.replace(" ", "")]
    assert len(named) == 1
    assert "法定代表人" in named[0].text.replace(" ", "")
    assert 150 < named[0].top < named[0].bottom < 250 and named[0].left < 100
    assert all(0.0 <= line.confidence <= 1.0 for line in lines)
    assert tesseract_engine.name == "tesseract"


def test_tesseract_joins_words_as_written() -> None:
    from ocr.engines.tesseract import _join

    assert _join(["营业", "执照"]) == "营业执照"
    assert _join(["No.", "123"]) == "No. 123"
    assert _join(["编号", "JY123"]) == "编号JY123"
