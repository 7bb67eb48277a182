"""The card reader cannot read the card: the citizen photographs its two sides instead, on the
real widgets with the real OCR engine, through the real outbox to the hall over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from devices.idcard.demo_cards import demo_card
from hall.db import Database, Submission
from hall.keys import open_with_key_file
from hall.service import payload_context
from kiosk.app import KioskApp
from tests.e2e.id_cards import id_back_photo, id_front_photo
from tests.e2e.leases import lease_photo
from tests.e2e.screens import click, rate, review_text, verdict

pytest.importorskip("rapidocr_onnxruntime")
# Each check is a PP-OCR run on a 2-core machine that other tests load too.
pytestmark = [pytest.mark.ocr_checks, pytest.mark.timeout(400)]

WAIT = 15_000
"""Warm-up and one check on a loaded 2-core machine."""


def _choose(qtbot: QtBot, kiosk: KioskApp, item_id: str) -> None:
    click(qtbot, kiosk.window.choose.reveal(item_id))


def _photo_path_to_capture(qtbot: QtBot, kiosk: KioskApp) -> None:
    """From the attract screen, without a card: photos, the sole proprietorship, its guide."""
    w = kiosk.window
    assert w.current_screen() is w.attract
    assert w.attract.photo_id_button.text() == "身份证读不出？拍照办理"
    click(qtbot, w.attract.photo_id_button)
    assert w.current_screen() is w.choose
    assert w.choose.notice.isVisible() and "拍照办理" in w.choose.notice.text()
    _choose(qtbot, kiosk, "sole-proprietor-registration")
    click(qtbot, w.guide.start_button)
    assert w.current_screen() is w.capture


def _visible_text(kiosk: KioskApp) -> str:
    texts = [label.text() for label in kiosk.window.findChildren(QLabel)]
    texts += [button.text() for button in kiosk.window.findChildren(QPushButton)]
    return "\n".join(texts)


def test_photographed_card_names_the_applicant_the_lease_must_match(
    qtbot: QtBot, kiosk: KioskApp, tmp_path: Path
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    camera = kiosk.still_camera
    assert camera is not None
    camera.show(id_front_photo())
    _photo_path_to_capture(qtbot, kiosk)
    assert "身份证人像面" in w.capture.title.text()
    assert verdict(qtbot, kiosk) == "ok", w.capture.verdict.text()

    camera.show(id_back_photo())  # laid down before "use", so the next screen sees the back
    assert not w.elder_mode
    click(qtbot, w.capture.use_button)
    assert w.elder_mode, "born 1952: the larger type, as for a card read"
    assert "身份证国徽面" in w.capture.title.text()
    assert verdict(qtbot, kiosk) == "ok", w.capture.verdict.text()

    camera.show(lease_photo("王秀英"))
    click(qtbot, w.capture.use_button)
    assert "租赁合同" in w.capture.title.text()
    assert verdict(qtbot, kiosk) == "ok", w.capture.verdict.text()
    click(qtbot, w.capture.use_button)

    assert w.current_screen() is w.review
    shown = review_text(kiosk)
    assert "王*英" in shown and "110105********1221" in shown
    assert "王秀英" not in shown and "110105195203141221" not in "".join(shown)
    assert "身份证照片（工作人员核验）" in shown
    session = ctl.session
    photos = [session.materials[key].image for key in ("id-card:front", "id-card:back")]
    assert all(len(photo) > 1000 for photo in photos)
    front_fields = session.materials["id-card:front"].fields
    assert front_fields["id_number"] == "110105195203141221"

    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as result:
        click(qtbot, w.review.submit_button)
    assert result.args[0] == "accepted"
    case_number = session.case_number
    assert case_number is not None

    payload: dict[str, object] = {}

    def stored() -> bool:
        db = Database(kiosk.hall.settings.database_url)
        try:
            with db.read() as s:
                row = s.scalar(select(Submission).where(Submission.case_number == case_number))
                if row is not None:
                    key_file = kiosk.hall.settings.data_key_path  # sealed at rest
                    payload.update(
                        open_with_key_file(key_file, row.payload, payload_context(case_number))
                    )
        finally:
            db.dispose()
        return bool(payload)

    kiosk.sync.wake()
    qtbot.waitUntil(stored, timeout=30_000)
    assert payload["identity"] == "photo"
    applicant = payload["applicant"]
    assert isinstance(applicant, dict)
    assert applicant["name"] == "王秀英" and applicant["id_number"] == "110105195203141221"
    assert applicant["valid_to"] == "long-term"
    materials = payload["materials"]
    assert isinstance(materials, list)
    assert sorted(m["material_id"] for m in materials) == [
        "id-card:back",
        "id-card:front",
        "lease-contract",
    ]

    # The session ends: the card's photos and what was read from them are gone.
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)
    click(qtbot, w.result.done_button)
    with qtbot.waitSignal(ctl.session_wiped, timeout=WAIT):
        rate(qtbot, w.rate, 5)
    assert not session.holds_personal_data() and not session.photo_identity
    assert not any(any(photo) for photo in photos), "an ID card photo was not zeroed"
    assert front_fields == {}, "what was read from the card was not dropped"
    text = _visible_text(kiosk)
    for secret in ("王秀英", "王*英", "110105********1221"):
        assert secret not in text


def test_the_back_laid_for_the_front_asks_to_turn_the_card_over(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(id_back_photo())
    _photo_path_to_capture(qtbot, kiosk)
    assert verdict(qtbot, kiosk) == "failed"
    assert "请把身份证翻过来再拍" in w.capture.verdict.text()
    assert not w.capture.use_button.isVisible()
    w.header.language_toggled.emit()
    assert "turn the card over" in w.capture.verdict.text()


def test_a_card_number_with_a_wrong_check_character_is_refused(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(id_front_photo(id_number="110105195203141222"))
    _photo_path_to_capture(qtbot, kiosk)
    assert verdict(qtbot, kiosk) == "failed"
    assert "身份证号码不正确，请核对证件" in w.capture.verdict.text()
    assert not w.capture.use_button.isVisible()


def test_an_instant_item_needs_the_card_read_and_says_so(
    qtbot: QtBot, kiosk: KioskApp, tmp_path: Path
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    click(qtbot, w.attract.photo_id_button)
    _choose(qtbot, kiosk, "si-insured-certificate")
    assert w.current_screen() is w.choose, "a photo is not proof enough for an instant approval"
    assert ctl.session.item is None
    notice = w.choose.notice
    assert notice.isVisible() and "必须用读卡器读取身份证原件" in notice.text()
    # The other way on is still there: an item that accepts photos.
    _choose(qtbot, kiosk, "sole-proprietor-registration")
    assert w.current_screen() is w.guide


def test_after_a_failed_read_the_photo_way_is_offered_on_the_attract_screen(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    simulator = kiosk.card_simulator
    assert simulator is not None
    simulator.inject("read_failure", times=1000)  # a damaged chip: every read fails
    simulator.insert(demo_card("elder"))
    qtbot.waitUntil(w.attract.error.isVisible, timeout=WAIT)
    assert w.current_screen() is w.attract and ctl.session.card is None
    assert w.attract.photo_id_button.isVisible()
    click(qtbot, w.attract.photo_id_button)
    assert w.current_screen() is w.choose and ctl.session.photo_identity
    simulator.inject(None)
    simulator.remove()
