"""The default engine reads Chinese text, gives boxes where the text is, and is built offline."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from bench.docgen import page_for
from ocr.engine import OcrEngine, TextLine
from ocr.engines import EngineOptions, EngineUnavailable, build_engine, warm_up
from ocr.engines.rapid import reading_order

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def render(lines: list[tuple[str, tuple[int, int]]], size=(900, 400)) -> np.ndarray:
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 40)
    for text, xy in lines:
        draw.text(xy, text, fill="black", font=font)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def test_reads_chinese_lines_in_reading_order(ocr_engine: OcrEngine) -> None:
    image = render(
        [
            ("房屋租赁合同", (300, 30)),
            ("出租方（甲方）：张伟", (40, 150)),
            ("2025年3月1日", (40, 260)),
        ]
    )
    lines = ocr_engine.recognize(image)
    texts = [line.text for line in lines]
    assert texts == ["房屋租赁合同", "出租方（甲方）：张伟", "2025年3月1日"]
    title = lines[0]
    # The box is where the title was drawn (40 px type from x=300, y=30).
    assert 280 <= title.left <= 310 and title.right >= 520
    assert 20 <= title.top <= 60 and 70 <= title.bottom <= 110
    assert all(0.5 <= line.confidence <= 1.0 for line in lines)


def test_reads_a_generated_business_licence(ocr_engine: OcrEngine) -> None:
    page, spec, _who = page_for("business_license", seed=4)
    text = "".join(line.text for line in ocr_engine.recognize(page))
    assert "营业执照" in text
    assert spec.fields["uscc"] in text
    assert spec.fields["name"] in text
    assert spec.fields["legal_representative"] in text


def test_blank_image_has_no_lines(ocr_engine: OcrEngine) -> None:
    assert ocr_engine.recognize(np.full((200, 300, 3), 255, np.uint8)) == []


def test_grey_images_are_read(ocr_engine: OcrEngine) -> None:
    grey = cv2.cvtColor(render([("营业执照", (300, 150))]), cv2.COLOR_BGR2GRAY)
    assert [line.text for line in ocr_engine.recognize(grey)] == ["营业执照"]


def test_engine_satisfies_the_port_and_warms_up(ocr_engine: OcrEngine) -> None:
    assert isinstance(ocr_engine, OcrEngine)
    assert ocr_engine.name == "rapid"
    warm_up(ocr_engine)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "det.onnx"
    with pytest.raises(EngineUnavailable, match=r"det model file .*det\.onnx does not exist"):
        build_engine("rapid", EngineOptions(det_model=missing))


def test_unknown_engine_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown OCR engine 'easyocr'"):
        build_engine("easyocr")


def box(x0: float, y0: float, x1: float, y1: float) -> tuple:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def test_reading_order_puts_a_row_left_to_right() -> None:
    right = TextLine("值", box(300, 102, 400, 140), 1.0)
    left = TextLine("名称", box(10, 100, 100, 138), 1.0)
    below = TextLine("下一行", box(10, 160, 200, 198), 1.0)
    assert reading_order([below, right, left]) == [left, right, below]


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_recognize_upright_reads_a_turned_page_in_its_turned_pixels(
    ocr_engine: OcrEngine, turn: int
) -> None:
    from ocr.page import rotate

    image = render(
        [
            ("房屋租赁合同", (300, 30)),
            ("出租方（甲方）：张伟", (40, 150)),
            ("2025年3月1日", (40, 260)),
        ]
    )
    degrees, lines = ocr_engine.recognize_upright(rotate(image, turn))  # type: ignore[attr-defined]
    assert (turn + degrees) % 360 == 0
    assert [line.text for line in lines] == ["房屋租赁合同", "出租方（甲方）：张伟", "2025年3月1日"]
    # Boxes are in the upright image: the title where it was drawn.
    assert 280 <= lines[0].left <= 310 and 20 <= lines[0].top <= 60


def test_turn_box_keeps_corners_clockwise_from_the_top_left() -> None:
    from ocr.engines.rapid import turn_box

    box = np.array([[10, 20], [110, 20], [110, 40], [10, 40]], np.float32)
    # A 200 high, 300 wide image turned clockwise: (x, y) -> (200 - y, x).
    assert turn_box(box, 90, (200, 300)).tolist() == [[160, 10], [180, 10], [180, 110], [160, 110]]
    assert turn_box(box, 180, (200, 300)).tolist() == [
        [190, 160],
        [290, 160],
        [290, 180],
        [190, 180],
    ]


WORDS = [
    "名称：",
    "法定代表人：许远豪",
    "统一社会信用代码：91110108L3W10W45JE",
    "2032年4月28日",
    "住所",
]


def word_crop(text: str) -> np.ndarray:
    """A tight line crop of ``text``, as the detector hands the recogniser."""
    font = ImageFont.truetype(FONT, 36)
    left, top, right, bottom = font.getbbox(text)
    page = Image.new("RGB", (right - left + 12, bottom - top + 12), "white")
    ImageDraw.Draw(page).text((6 - left, 6 - top), text, fill="black", font=font)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_line_crops_of_every_width_come_back_in_their_order(threads: int) -> None:
    """The crops run on one session per thread, longest first, and return in the order given."""
    engine = build_engine("rapid", EngineOptions(threads=threads))
    crops = [word_crop(word) for word in WORDS]
    recognised = engine._recognise(crops)  # type: ignore[attr-defined]
    assert [text.replace(":", "：") for text, _score in recognised] == WORDS
    assert all(score > 0.8 for _text, score in recognised)
    assert engine._recognise([]) == []  # type: ignore[attr-defined]


def test_a_failing_recognition_thread_fails_the_call() -> None:
    """An error on a helper thread reaches the caller; it is not a line silently left out."""
    engine = build_engine("rapid", EngineOptions(threads=2))
    sessions = engine._rec_sessions  # type: ignore[attr-defined]
    if len(sessions) < 2:
        pytest.skip("one core: no helper thread to fail")
    helper_ran = threading.Event()

    class Broken:
        """The helper's session: onnxruntime fails on it."""

        def __init__(self, real: Any) -> None:
            self.real = real

        def get_inputs(self) -> Any:
            return self.real.get_inputs()

        def run(self, *_args: object) -> object:
            helper_ran.set()
            raise RuntimeError("onnxruntime: out of memory")

    class Patient:
        """The caller's session: it waits until the helper has taken a line, then works."""

        def __init__(self, real: Any) -> None:
            self.real = real

        def get_inputs(self) -> Any:
            return self.real.get_inputs()

        def run(self, *args: Any) -> Any:
            helper_ran.wait(timeout=10)
            return self.real.run(*args)

    sessions[0], sessions[1] = Patient(sessions[0]), Broken(sessions[1])
    with pytest.raises(RuntimeError, match="out of memory"):
        engine._recognise([word_crop(word) for word in WORDS])  # type: ignore[attr-defined]
    assert helper_ran.is_set()


def test_float32_detection_input_finds_the_wheels_boxes(ocr_engine: OcrEngine) -> None:
    """The engine's own detector input (float32) gives the boxes of the wheel's (float64)."""
    from ocr.engines.rapid import RapidEngine

    assert isinstance(ocr_engine, RapidEngine)
    page, _spec, _who = page_for("business_license", seed=4)
    small = cv2.resize(page, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    wheel, _elapsed = ocr_engine._ocr.text_det(small)
    ours = ocr_engine._detect_boxes(small)
    assert len(ours) == len(wheel) > 10
    assert np.abs(np.asarray(ours) - np.asarray(wheel)).max() <= 1.0
