"""The capture screen's live preview: guidance while the document is not ready, then the photo
is taken by itself, on the real widgets with the camera preview thread running."""

from __future__ import annotations

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from assets import SAMPLES_DIR
from kiosk.app import KioskApp
from kiosk.ui.strings import tr
from tests.e2e.screens import click, to_lease_capture

WAIT = 15_000


def test_a_blurred_document_gets_guidance_then_a_sharp_one_is_taken_by_itself(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    assert kiosk.still_camera is not None
    sharp = cv2.imread(str(SAMPLES_DIR / "lease-contract.jpg"))
    assert sharp is not None
    kiosk.still_camera.show(np.asarray(cv2.GaussianBlur(sharp, (41, 41), 0), np.uint8))
    to_lease_capture(qtbot, kiosk)

    blurred_hint = tr("capture_advice_too_blurred", "zh")
    qtbot.waitUntil(lambda: w.capture.guidance.text() == blurred_hint, timeout=WAIT)
    assert w.capture.guidance.isVisible()
    pixmap = w.capture.preview.pixmap()
    assert pixmap is not None and not pixmap.isNull(), "the live preview paints nothing"
    assert not w.capture.has_photo

    kiosk.still_camera.show(np.asarray(sharp, np.uint8))
    qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
    assert not w.capture.guidance.isVisible()
    assert w.capture.use_button.isVisible()
    click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    assert len(kiosk.controller.session.materials["lease-contract"].image) > 10_000
    # Leaving the capture screen pauses the preview thread's work.
    assert kiosk.controller.services.camera_preview is not None
    assert not kiosk.controller.services.camera_preview.enabled


def test_an_empty_stand_asks_for_the_document_and_takes_nothing(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(np.full((1080, 1920, 3), 120, np.uint8))
    to_lease_capture(qtbot, kiosk)
    hint = tr("capture_advice_no_document", "zh")
    qtbot.waitUntil(lambda: w.capture.guidance.text() == hint, timeout=WAIT)
    click(qtbot, w.header.language_button)
    hint_en = tr("capture_advice_no_document", "en")
    qtbot.waitUntil(lambda: w.capture.guidance.text() == hint_en, timeout=WAIT)
    assert not w.capture.has_photo
