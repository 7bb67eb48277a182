"""The catalog's journeys end to end on the real widgets: bundles, the letter-pad search, and the
ID card's validity (see conftest: real card reader on a pty, embedded hall over loopback, real
receipt printer driver on a loopback socket, real outbox)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from devices.receipt.oracle import decode_receipt
from kiosk.app import KioskApp
from kiosk.services.session import Step

WAIT = 15_000


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _to_choose(qtbot: QtBot, kiosk: KioskApp, card_key: str) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card(card_key))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)


def _submit_from_guide(qtbot: QtBot, kiosk: KioskApp) -> str:
    w, ctl = kiosk.window, kiosk.controller
    _click(qtbot, w.guide.start_button)
    if ctl.session.step is Step.MATERIALS:
        _click(qtbot, w.capture.take_button)
        qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
        _click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as shown:
        _click(qtbot, w.review.submit_button)
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)
    return str(shown.args[0])


def _receipt_text(kiosk: KioskApp) -> str:
    assert kiosk.receipt_simulator is not None
    jobs = kiosk.receipt_simulator.wait_for_jobs(1, timeout=10)
    # Rows wrap at the paper's width: compare the text with the wrapping taken out.
    return "".join(line.strip() for line in decode_receipt(jobs[-1]).lines)


def test_open_restaurant_is_one_application_with_a_result_per_member(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _to_choose(qtbot, kiosk, "uninsured")
    _click(qtbot, w.choose.reveal("open-restaurant"))
    assert w.current_screen() is w.guide
    # One lease for both members: the merged materials ask for it once.
    session = kiosk.controller.session
    assert session.item is not None
    assert [spec.id for spec in session.item.materials] == ["id-card", "lease-contract"]
    outcome = _submit_from_guide(qtbot, kiosk)
    assert outcome == "accepted"
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    stored = kiosk.outbox.result(case_number)
    assert stored is not None and stored.item_id == "open-restaurant"
    assert [(m.item_id, m.status) for m in stored.members] == [
        ("sole-proprietor-registration", "accepted"),
        ("food-business-license", "accepted"),
    ]
    text = _receipt_text(kiosk)
    assert "个体工商户设立登记：已受理" in text
    assert "食品经营许可（餐饮服务）：已受理" in text
    assert text.count(case_number) >= 1


def test_a_bundle_of_instant_items_is_decided_member_by_member(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _to_choose(qtbot, kiosk, "adult")
    _click(qtbot, w.choose.reveal("new-job-bundle"))
    outcome = _submit_from_guide(qtbot, kiosk)
    assert outcome == "approved"
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    stored = kiosk.outbox.result(case_number)
    assert stored is not None
    assert [m.status for m in stored.members] == ["approved", "approved", "approved"]
    assert all(m.certificate is not None for m in stored.members)
    text = _receipt_text(kiosk)
    for name in ("社会保险个人参保证明打印", "个人所得税纳税记录开具", "无犯罪记录证明"):
        assert f"{name}：已办结" in text, text
    # Each member's certificate went through the durable queue to the real CUPS printer.
    assert w.result.print_state == "done"
    assert kiosk.printing is not None
    jobs = kiosk.printing.queue.jobs(case_number=case_number)
    assert [(j.kind, j.state) for j in jobs if j.kind == "certificate"] == [
        ("certificate", "printed")
    ] * 3


def test_search_by_pinyin_initials_on_the_letter_pad(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    _to_choose(qtbot, kiosk, "uninsured")
    choose = w.choose
    _click(qtbot, choose.search_button)
    assert choose.pad.isVisible()
    for letter in "jzz":
        _click(qtbot, choose.pad.keys[letter])
    assert choose.pad.query == "jzz"
    assert "jzz" in choose.search_line.text()
    first = choose.buttons[0]
    assert "居住证签注" in first.text()
    _click(qtbot, first)
    assert w.current_screen() is w.guide
    assert kiosk.controller.session.item is not None
    assert kiosk.controller.session.item.id == "residence-permit-endorsement"
    outcome = _submit_from_guide(qtbot, kiosk)
    assert outcome == "approved"  # 陈美玲's permit is on the residence register


def test_an_expired_card_is_refused_with_what_to_do(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None
    expired = dataclasses.replace(
        demo_card("adult"), valid_from=dt.date(2005, 9, 1), valid_to=dt.date(2025, 9, 1)
    )
    kiosk.card_simulator.insert(expired)
    qtbot.waitUntil(lambda: w.attract.error.isVisible(), timeout=WAIT)
    text = w.attract.error.text()
    assert "2025-09-01" in text and "过期" in text and "派出所" in text
    assert w.current_screen() is w.attract
    assert kiosk.controller.session.card is None  # nothing of it was kept
    with qtbot.waitSignal(kiosk.controller.services.card_watcher.card_removed, timeout=WAIT):
        kiosk.card_simulator.remove()
    assert w.attract.error.isVisible()  # lifting the card does not hide what to do


def test_a_card_expiring_within_90_days_is_pointed_out(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None
    ends = dt.date.today() + dt.timedelta(days=30)
    card = dataclasses.replace(
        demo_card("adult"), valid_from=ends - dt.timedelta(days=20 * 365), valid_to=ends
    )
    kiosk.card_simulator.insert(card)
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    assert w.choose.notice.isVisible()
    assert ends.isoformat() in w.choose.notice.text()
    assert "30" in w.choose.notice.text()


def test_a_service_whose_journey_is_missing_says_where_to_go(qtbot: QtBot, kiosk: KioskApp) -> None:
    """A catalog item naming a journey this build lacks is a clear notice, never a crash."""
    w = kiosk.window
    _to_choose(qtbot, kiosk, "adult")
    # A newer catalog's service that this build has no journey for.
    known = kiosk.catalog().item("business-license-print")
    item = known.model_copy(update={"id": "hunting-licence-print", "flow": "hunting-licence"})
    assert not kiosk.controller.navigator.offers("hunting-licence")
    w.choose.item_chosen.emit(item)
    assert w.current_screen() is w.choose
    assert w.choose.notice.isVisible()
    assert "营业执照自助打印" in w.choose.notice.text() and "窗口" in w.choose.notice.text()
