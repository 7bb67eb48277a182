"""Page finding, flattening, turning upright and deskewing on generated document photos."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from bench.docgen import page_for, photograph
from bench.docgen.camera import A4_CAMERA, CARD_CAMERA
from ocr.engine import OcrEngine
from ocr.page import (
    OrientationAware,
    deskew,
    find_page,
    flatten,
    locate,
    order_corners,
    orientation,
    rotate,
    skew_angle,
    straighten,
    upright,
)


def shoot(document_type: str, seed: int, **kwargs):
    page, spec, _who = page_for(document_type, seed)
    camera = CARD_CAMERA if document_type.startswith("resident_id") else A4_CAMERA
    jpeg, shot = photograph(page, random.Random(seed), camera=camera, **kwargs)
    photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return photo, page, shot, spec


@pytest.mark.parametrize(
    ("document_type", "seed", "skew", "tilt"),
    [
        ("business_license", 1, 3.0, 0.035),
        ("lease_contract", 2, -2.5, 0.02),
        ("resident_id_front", 3, 4.0, 0.03),
        ("food_business_license", 4, 0.0, 0.04),
    ],
)
def test_finds_and_flattens_a_perspective_warped_page(document_type, seed, skew, tilt) -> None:
    photo, page, shot, _spec = shoot(document_type, seed, skew=skew, tilt=tilt)
    found = find_page(photo)
    assert found is not None
    truth = np.array(shot.corners)
    tolerance = 0.01 * max(photo.shape[:2])  # 1% of the frame: 26 px on a 2592 px photo
    for corner in truth:
        assert np.min(np.linalg.norm(np.array(found.corners) - corner, axis=1)) < tolerance
    # Flattened, the page has the document's proportions (seen upright here: rotation 0).
    height, width = found.image.shape[:2]
    assert width / height == pytest.approx(page.shape[1] / page.shape[0], rel=0.04)
    # And it lines up with the page as drawn: compare at a common small size.
    a = cv2.resize(cv2.cvtColor(found.image, cv2.COLOR_BGR2GRAY), (200, 280))
    b = cv2.resize(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), (200, 280))
    a = (a - a.mean()) / a.std()
    b = (b - b.mean()) / b.std()
    assert float((a * b).mean()) > 0.5


def test_flatten_falls_back_to_deskewing_a_page_that_fills_the_photo() -> None:
    page, _spec, _who = page_for("lease_contract", 12)
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 3.0, 1.0)
    tilted = cv2.warpAffine(page, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    level = flatten(tilted)
    assert level.shape == page.shape
    assert abs(skew_angle(level)) < 0.5
    photo, _page, _shot, _spec = shoot("lease_contract", 12, skew=2.0)
    flat = flatten(photo)
    assert flat.shape[0] < photo.shape[0]  # the page alone, not the desk


def test_a_photo_without_a_page_edge_gives_none() -> None:
    rng = np.random.default_rng(3)
    assert find_page(np.clip(rng.normal(120, 4, (720, 1280, 3)), 0, 255).astype(np.uint8)) is None
    page, _spec, _who = page_for("lease_contract", 5)
    assert locate(page) is None  # all paper, no desk: nothing to find


def test_corners_are_ordered_clockwise_from_the_top_left() -> None:
    points = np.array([[90, 210], [10, 12], [100, 5], [5, 200]], np.float32)
    assert order_corners(points).tolist() == [[10, 12], [100, 5], [90, 210], [5, 200]]


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_the_engine_turns_a_page_upright(ocr_engine: OcrEngine, turn: int) -> None:
    page, _spec, _who = page_for("business_license", 6)
    turned = rotate(page, turn)
    assert isinstance(ocr_engine, OrientationAware)
    fixed, applied = upright(turned, ocr_engine)
    assert (turn + applied) % 360 == 0
    assert fixed.shape == page.shape
    # The title is read at the top of the turned page.
    top = fixed[: fixed.shape[0] // 5]
    assert "营业执照" in "".join(line.text for line in ocr_engine.recognize(top))


def test_an_upright_page_is_left_alone(ocr_engine: OcrEngine) -> None:
    page, _spec, _who = page_for("resident_id_front", 7)
    assert orientation(page, ocr_engine) == 0


@pytest.mark.parametrize("turn", [90, 270])
def test_without_an_engine_lying_text_is_seen(turn: int) -> None:
    page, _spec, _who = page_for("lease_contract", 8)
    assert orientation(rotate(page, turn)) in (90, 270)
    assert orientation(page) == 0


def test_straighten_flattens_and_turns_a_photo(ocr_engine: OcrEngine) -> None:
    photo, _page, _shot, _spec = shoot("food_business_license", 9, rotation=180, skew=2.0)
    flat = straighten(photo, ocr_engine)
    assert flat.shape[0] > flat.shape[1]  # A4 standing
    lines = ocr_engine.recognize(flat[: flat.shape[0] // 5])
    assert lines[0].text.replace(" ", "") == "食品经营许可证"


@pytest.mark.parametrize("angle", [-4.0, 2.5, 6.0])
def test_deskew_levels_the_text(angle: float) -> None:
    page, _spec, _who = page_for("lease_contract", 10)
    height, width = page.shape[:2]
    # Turn the page counter-clockwise by ``angle`` as it would lie on the desk.
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    tilted = cv2.warpAffine(page, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    assert skew_angle(tilted) == pytest.approx(angle, abs=0.5)
    level, removed = deskew(tilted)
    assert removed == pytest.approx(angle, abs=0.5)
    assert abs(skew_angle(level)) < 0.5
