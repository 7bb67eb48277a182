"""Auto-capture: a document is photographed once it lies still and sharp, never while moving."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from devices.camera.autocapture import Advice, AutoCapture, AutoCaptureSettings

Frame = npt.NDArray[np.uint8]


def _table(width: int = 1280, height: int = 720) -> Frame:
    """A grey desk lit a little unevenly, as a document camera sees its empty stand."""
    ramp = np.linspace(110, 140, width, dtype=np.float32)
    return np.repeat(ramp[None, :], height, axis=0).astype(np.uint8)[..., None].repeat(3, axis=2)


def _page() -> Frame:
    page = np.full((420, 600, 3), 245, np.uint8)
    for row in range(12):
        y = 40 + row * 30
        cv2.putText(
            page,
            f"Lease contract clause {row} 2025-03-01",
            (30, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.6,
            (20, 20, 20),
            1,
            cv2.LINE_AA,
        )
    return page


def _scene(x: int, y: int, *, blur: int = 0, gain: float = 1.0, seed: int = 0) -> Frame:
    frame = _table()
    page = _page()
    frame[y : y + page.shape[0], x : x + page.shape[1]] = page
    if blur:
        frame = cv2.GaussianBlur(frame, (blur, blur), 0)
    noise = np.random.default_rng(seed).normal(0, 2.0, frame.shape)
    return np.clip(frame.astype(np.float32) * gain + noise, 0, 255).astype(np.uint8)


def test_a_still_sharp_document_is_ready_after_the_configured_frames() -> None:
    judge = AutoCapture(AutoCaptureSettings(still_frames=4))
    advices = [judge.feed(_scene(300, 150, seed=i)).advice for i in range(6)]
    # The first frame has nothing to compare with; then three of steadying, then ready.
    assert advices[0] is Advice.HOLD_STILL
    assert advices[1:4] == [Advice.STEADYING] * 3
    assert advices[4] is Advice.READY


def test_a_moving_document_is_never_taken() -> None:
    judge = AutoCapture(AutoCaptureSettings(still_frames=2))
    advices = [judge.feed(_scene(100 + 25 * i, 150, seed=i)).advice for i in range(20)]
    assert set(advices) == {Advice.HOLD_STILL}


def test_a_document_that_comes_to_rest_is_taken_only_once_it_rests() -> None:
    judge = AutoCapture(AutoCaptureSettings(still_frames=3))
    positions = [100 + 40 * i for i in range(8)] + [420] * 6
    advices = [judge.feed(_scene(x, 150, seed=i)).advice for i, x in enumerate(positions)]
    first_ready = advices.index(Advice.READY)
    assert first_ready >= 8 + 3 - 1
    assert Advice.READY not in advices[:8]


def test_a_blurred_still_document_asks_to_be_pressed_flat() -> None:
    judge = AutoCapture()
    advices = [judge.feed(_scene(300, 150, blur=31, seed=i)).advice for i in range(8)]
    assert advices[-1] is Advice.TOO_BLURRED
    assert Advice.READY not in advices


@pytest.mark.parametrize(
    ("frame", "advice"),
    [
        (np.full((720, 1280, 3), 128, np.uint8), Advice.NO_DOCUMENT),
        (_scene(300, 150, gain=0.2), Advice.TOO_DARK),
        (np.full((720, 1280, 3), 250, np.uint8), Advice.TOO_BRIGHT),
    ],
)
def test_light_and_emptiness_are_told_before_stillness(frame: Frame, advice: Advice) -> None:
    judge = AutoCapture()
    judge.feed(frame)
    assert judge.feed(frame).advice is advice


def test_after_a_refused_photo_the_same_picture_is_not_taken_again() -> None:
    judge = AutoCapture(AutoCaptureSettings(still_frames=2))
    judge.reset(wait_for_change=True)
    advices = [judge.feed(_scene(300, 150, seed=i)).advice for i in range(10)]
    assert Advice.READY not in advices
    # The citizen moves the page; once it rests again it is taken.
    judge.feed(_scene(340, 170, seed=50))
    advices = [judge.feed(_scene(340, 170, seed=60 + i)).advice for i in range(4)]
    assert Advice.READY in advices


def test_the_sharpness_figure_does_not_depend_on_the_camera_resolution() -> None:
    small = _scene(300, 150)
    large = cv2.resize(small, (2560, 1440), interpolation=cv2.INTER_CUBIC)
    a, b = AutoCapture(), AutoCapture()
    sharp_small = a.feed(small).sharpness
    sharp_large = b.feed(large).sharpness
    # Both are measured at the same working size: same order of magnitude, same verdict.
    assert sharp_large == pytest.approx(sharp_small, rel=0.5)
