"""A required value the detector missed is re-read where its label says it stands (real engine)."""

from __future__ import annotations

import numpy as np

from ocr.documents import DOCUMENT_TYPES
from ocr.documents.reread import ink_region, reread_missing
from ocr.engine import OcrEngine
from tests.unit.ocr.test_engine import render

FRONT = DOCUMENT_TYPES["resident_id_front"]


def _card(nation: str = "回") -> tuple[object, list]:
    return render(
        [
            ("姓名 李明", (40, 30)),
            ("性别 男", (40, 110)),
            ("民族", (300, 110)),
            (nation, (440, 110)),
            ("出生 1990年1月2日", (40, 190)),
        ],
        size=(900, 280),
    ), []


def test_a_lone_value_the_detector_missed_is_read_from_beside_its_label(
    ocr_engine: OcrEngine,
) -> None:
    image, _ = _card()
    _, upright, lines = ocr_engine.recognize_upright_page(image)  # type: ignore[attr-defined]
    # As on the photos that failed, the detector finds no box for the lone 回 here (and were it
    # found, it is dropped, so the re-read is what is tested).
    lines = [line for line in lines if line.text.strip() != "回"]
    assert not any("回" in line.text for line in lines)
    fields: dict[str, object] = {"name": "李明", "gender": "男"}
    confidence: dict[str, float] = {}
    unreadable: list[str] = []
    filled = reread_missing(
        FRONT, lines, fields, confidence, unreadable, upright, ocr_engine.recognize_crop, 0.6
    )  # type: ignore[attr-defined]
    assert "ethnicity" in filled
    assert fields["ethnicity"] == "回"
    assert confidence["ethnicity"] >= 0.6
    # Fields with open values (names, addresses) are never re-read from a guessed region.
    assert "address" not in fields


def test_a_value_that_fails_its_check_or_is_weak_is_never_taken(ocr_engine: OcrEngine) -> None:
    image, _ = _card()
    _, upright, lines = ocr_engine.recognize_upright_page(image)  # type: ignore[attr-defined]
    lines = [line for line in lines if line.text.strip() != "回"]

    def weak(image: object, box: tuple[float, float, float, float]) -> tuple[str, float]:
        return "回", 0.4

    def not_a_nation(image: object, box: tuple[float, float, float, float]) -> tuple[str, float]:
        return "同", 0.99

    fields: dict[str, object] = {}
    confidence: dict[str, float] = {}
    unreadable: list[str] = []
    assert reread_missing(FRONT, lines, fields, confidence, unreadable, upright, weak, 0.6) == []
    # 民族 stands on the card, so its value is unreadable, not guessed.
    assert "ethnicity" not in fields
    assert "ethnicity" in unreadable and confidence["ethnicity"] == 0.4
    fields, confidence, unreadable = {}, {}, []
    assert (
        reread_missing(FRONT, lines, fields, confidence, unreadable, upright, not_a_nation, 0.6)
        == []
    )
    assert "ethnicity" not in fields and "ethnicity" not in unreadable


def test_a_lone_character_misread_with_blank_beside_it_is_read_cut_to_its_print(
    ocr_engine: OcrEngine,
) -> None:
    # PP-OCRv4 reads a lone 壮 as 并 in the detector's box, and so again in the re-read's
    # region, which runs 4.5 line heights right of 民族: the recogniser was trained on crops
    # that end where the print ends. 并 is no nation, so the field is missing, and the re-read
    # cut down to the print reads 壮.
    image, _ = _card("壮")
    _, upright, lines = ocr_engine.recognize_upright_page(image)  # type: ignore[attr-defined]
    assert "壮" not in "".join(line.text for line in lines)
    fields: dict[str, object] = {"name": "李明", "gender": "男", "birth_date": "1990-01-02"}
    confidence: dict[str, float] = {}
    unreadable: list[str] = []
    filled = reread_missing(
        FRONT, lines, fields, confidence, unreadable, upright, ocr_engine.recognize_crop, 0.6
    )  # type: ignore[attr-defined]
    assert filled == ["ethnicity"] and fields["ethnicity"] == "壮"
    assert confidence["ethnicity"] >= 0.6 and unreadable == []


def test_a_region_is_cut_to_the_print_of_its_own_row() -> None:
    page = np.full((120, 400, 3), 235, np.uint8)
    page[0:12, 20:380] = 30  # the bottom of the line above, inside the region's top margin
    page[45:75, 200:228] = 20  # the value: one character, 30 px high
    page[112:120, 10:390] = 30  # the top of the line below
    cut = ink_region(page, (0.0, 0.0, 400.0, 120.0))
    assert cut is not None
    left, top, right, bottom = cut
    # A quarter of the print's height across, a fifth up and down; the other rows are left out.
    assert (left, right) == (200 - 7.5, 228 + 7.5)
    assert (top, bottom) == (45 - 6.0, 75 + 6.0)
    # No print, or nothing to cut away: the region is read as it is.
    assert ink_region(np.full((120, 400, 3), 235, np.uint8), (0.0, 0.0, 400.0, 120.0)) is None
    tight = (192.5, 39.0, 235.5, 81.0)
    assert ink_region(page, tight) is None
