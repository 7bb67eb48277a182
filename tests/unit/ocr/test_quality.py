"""The added quality gates (glare, too_small, cut_off, wrong_side) on crafted generated photos."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from bench.docgen import page_for, photograph
from bench.docgen.camera import A4_CAMERA, CARD_CAMERA, glare_spot
from ocr.quality import HINTS, assess, side_problem


def photo_of(document_type: str, seed: int, **kwargs) -> tuple[np.ndarray, list]:
    page, _spec, _who = page_for(document_type, seed)
    camera = CARD_CAMERA if document_type.startswith("resident_id") else A4_CAMERA
    jpeg, shot = photograph(page, random.Random(seed), camera=camera, **kwargs)
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), shot.corners


@pytest.fixture(scope="module")
def good() -> tuple[np.ndarray, list]:
    return photo_of("business_license", 21, skew=1.5)


@pytest.mark.parametrize(
    "document_type", ["resident_id_front", "resident_id_back", "lease_contract"]
)
def test_good_photos_pass_every_gate(document_type: str) -> None:
    photo, _corners = photo_of(document_type, 22)
    report = assess(photo)
    assert report.problems == []
    assert report.coverage is not None and report.coverage > 0.1
    assert report.glare == 0.0


def test_glare_is_caught(good) -> None:
    photo, _corners = good
    assert assess(photo).ok
    report = assess(glare_spot(photo, random.Random(1)))
    assert report.problems == ["glare"]
    assert report.glare > 0.015
    assert report.hint("zh") == HINTS["glare"][0]
    assert "glare" in report.hint("en").lower()


def test_a_small_card_far_away_is_too_small() -> None:
    photo, _corners = photo_of("resident_id_front", 23, fill=0.2)
    report = assess(photo)
    assert report.problems == ["too_small"]
    assert report.coverage is not None and report.coverage < 0.08


def test_a_page_partly_outside_the_frame_is_cut_off(good) -> None:
    photo, corners = good
    right = max(x for x, _ in corners)
    left = min(x for x, _ in corners)
    # Move the frame so a fifth of the page falls outside its right edge.
    cropped = photo[:, : int(right - 0.2 * (right - left))]
    report = assess(cropped)
    assert report.problems == ["cut_off"]
    assert report.hint("en") == HINTS["cut_off"][1]
    assert "完整" in report.hint("zh") or "整个" in report.hint("zh")


def test_a_page_filling_the_frame_is_not_cut_off() -> None:
    # A scan or rendered page: all paper, no desk to judge the edges against.
    page, _spec, _who = page_for("lease_contract", 24)
    report = assess(page)
    assert "cut_off" not in report.problems and "too_small" not in report.problems
    assert "glare" not in report.problems


def test_blur_is_still_caught_on_a_generated_photo(good) -> None:
    photo, _corners = good
    assert assess(cv2.GaussianBlur(photo, (0, 0), 6)).problems == ["blurred"]


def test_wrong_side_of_the_card_is_a_gate(good) -> None:
    assert side_problem("resident_id_front", "resident_id_back") == "wrong_side"
    assert side_problem("resident_id_back", "resident_id_front") == "wrong_side"
    assert side_problem("resident_id_front", "resident_id_front") is None
    assert side_problem("business_license", "lease_contract") is None
    report = assess(good[0]).with_problem("wrong_side")
    assert report.problems == ["wrong_side"]
    assert report.hint("zh") == "拍到的是证件的另一面，请把证件翻过来再拍。"
    assert report.with_problem("wrong_side").problems == ["wrong_side"]
    with pytest.raises(ValueError, match="unknown quality gate"):
        report.with_problem("upside_down")


def test_every_gate_has_a_hint_in_both_languages() -> None:
    assert {"glare", "too_small", "cut_off", "wrong_side"} <= set(HINTS)
    for zh, en in HINTS.values():
        assert zh and en and zh != en
        assert any("\u4e00" <= char <= "\u9fff" for char in zh)
