"""The machine checks the lease at once: the verdict in plain words, retake, and the review
screen pre-filled from what was read, on the real widgets with the real OCR engine."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from assets import SAMPLES_DIR
from kiosk.app import KioskApp
from tests.e2e.leases import lease_photo
from tests.e2e.screens import click, review_text, to_lease_capture, verdict

pytest.importorskip("rapidocr_onnxruntime")
# Each check is a PP-OCR run on a 2-core machine that other tests load too.
pytestmark = [pytest.mark.ocr_checks, pytest.mark.timeout(300)]

WAIT = 15_000
"""Warm-up and one check on a loaded 2-core machine."""


def test_the_applicants_lease_passes_and_prefills_the_review(
    qtbot: QtBot, kiosk: KioskApp, tmp_path: Path
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(lease_photo("王秀英"))
    to_lease_capture(qtbot, kiosk, "elder")
    assert verdict(qtbot, kiosk) == "ok"
    assert w.capture.verdict.text() == "✓ 材料核验通过"
    assert w.capture.verdict.objectName() == "notice", "a pass is said in green"
    assert w.capture.grab().save(str(tmp_path / "verdict-pass.png"))

    click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    shown = review_text(kiosk)
    assert "北京市海淀区中关村大街27号1层108室" in shown
    assert "2026-01-01 至 2030-12-31" in shown
    assert "王*英" in shown and "王秀英" not in shown
    assert any("已核验" in text for text in shown)
    draft = ctl.services.journey.draft(ctl.session)
    assert draft.form["lease-contract.lessee"] == "王秀英"
    assert draft.form["lease-contract.end_date"] == "2030-12-31"
    assert w.review.grab().save(str(tmp_path / "review-prefilled.png"))


def test_someone_elses_lease_is_refused_in_plain_words_then_retaken(
    qtbot: QtBot, kiosk: KioskApp, tmp_path: Path
) -> None:
    w = kiosk.window
    capture = w.capture
    assert kiosk.still_camera is not None
    # The sample contract's lessee is 李建国; the card on the reader is 王秀英's.
    kiosk.still_camera.show_file(SAMPLES_DIR / "lease-contract.jpg")
    to_lease_capture(qtbot, kiosk, "elder")
    assert verdict(qtbot, kiosk) == "failed"
    assert "材料上的姓名与申请人不一致" in capture.verdict.text()
    assert not capture.use_button.isVisible(), "a refused document cannot be used"
    assert capture.take_button.text() == "重拍"
    assert capture.grab().save(str(tmp_path / "verdict-name-mismatch.png"))
    w.header.language_toggled.emit()
    assert "not the applicant" in capture.verdict.text()
    w.header.language_toggled.emit()

    kiosk.still_camera.show(lease_photo("王秀英"))
    click(qtbot, capture.take_button)
    assert verdict(qtbot, kiosk) == "ok"
    click(qtbot, capture.use_button)
    assert w.current_screen() is w.review


def test_a_photo_that_is_not_a_lease_is_named_the_wrong_document(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.still_camera is not None
    page = np.full((1200, 1600, 3), 235, np.uint8)
    for row, text in enumerate(("NOTICE", "Opening hours 9:00-17:00", "Please queue here")):
        cv2.putText(
            page, text, (120, 250 + 220 * row), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8
        )
    kiosk.still_camera.show(page)
    to_lease_capture(qtbot, kiosk, "adult")
    assert verdict(qtbot, kiosk) == "failed"
    assert "这不是所需的材料" in kiosk.window.capture.verdict.text()


def test_an_expired_lease_is_refused(qtbot: QtBot, kiosk: KioskApp) -> None:
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(lease_photo("李建国", start="2023年01月01日", end="2025年12月31日"))
    to_lease_capture(qtbot, kiosk, "adult")
    assert verdict(qtbot, kiosk) == "failed"
    assert "材料已过期" in kiosk.window.capture.verdict.text()
    assert not kiosk.window.capture.use_button.isVisible()
