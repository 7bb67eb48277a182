"""A required value the detector missed is re-read where its label says it stands (real engine)."""

from __future__ import annotations

from ocr.documents import DOCUMENT_TYPES
from ocr.documents.reread import reread_missing
from ocr.engine import OcrEngine
from tests.unit.ocr.test_engine import render

FRONT = DOCUMENT_TYPES["resident_id_front"]


def _card() -> tuple[object, list]:
    return render(
        [
            ("姓名 李明", (40, 30)),
            ("性别 男", (40, 110)),
            ("民族", (300, 110)),
            ("回", (440, 110)),
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
