"""Collecting what was approved elsewhere, end to end on the real widgets and parts.

The embedded hall holds the demo's documents approved at a window; the card is read over a pty,
certificates print through the real CUPS PDF queue (see conftest).
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from pyzbar import pyzbar
from sqlalchemy import select

from devices.a4.cupsd import CupsSetup
from devices.idcard.demo_cards import demo_card
from hall.collect import DocumentCollection, RegulatorReport
from hall.collect_schema import enterprise_from_qr, enterprise_qr
from hall.db import Database
from hall.schema import verify_certificate_qr
from kiosk.app import KioskApp

WAIT = 15_000


class Touches:
    """Counts the citizen's touches (clicks on buttons) in a journey."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def click(self, button: QPushButton) -> None:
        assert button.isVisible() and button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.count += 1


def _choose(touches: Touches, kiosk: KioskApp, item_id: str) -> None:
    touches.click(kiosk.window.choose.reveal(item_id))


def _pdf_texts(folder: Path, since: float) -> dict[Path, str]:
    texts = {}
    for pdf in folder.glob("*.pdf"):
        if pdf.stat().st_mtime >= since:
            texts[pdf] = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False
            ).stdout
    return texts


def _qr(pdf: Path, tmp_path: Path) -> str:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = cv2.imread(str(tmp_path / "page.png"), cv2.IMREAD_GRAYSCALE)
    found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    assert found, f"no QR code on {pdf.name}"
    return str(found[0].data.decode("utf-8"))


def _copies(kiosk: KioskApp, document_id: str) -> list[int]:
    assert kiosk.hall is not None
    db = Database(kiosk.hall.settings.database_url)
    try:
        with db.read() as session:
            rows = session.scalars(
                select(DocumentCollection.copy).where(DocumentCollection.document_id == document_id)
            ).all()
        return sorted(rows)
    finally:
        db.dispose()


@pytest.mark.cups
def test_a_certificate_approved_at_a_window_is_collected_in_two_touches_then_reprinted(
    qtbot: QtBot,
    kiosk: KioskApp,
    cups_pdf: CupsSetup,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    w, flow = kiosk.window, kiosk.controller.collect
    touches = Touches(qtbot)
    since = time.time() - 1
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    with qtbot.waitSignal(flow.documents_shown, timeout=WAIT) as shown:
        _choose(touches, kiosk, "certificate-collect")
    assert shown.args == [2]
    assert w.current_screen() is w.collect
    screen = w.collect
    texts = [b.text() for b in screen.buttons]
    assert any("不动产权证书" in t for t in texts)
    # Both are new, so both are chosen already: one touch prints them.
    assert len(screen.chosen()) == 2
    # The medical filing expires within 90 days: pointed out with the item that renews it.
    assert screen.reminders.isVisible()
    assert "异地就医备案凭证" in screen.reminders.text() and "续办" in screen.reminders.text()
    with qtbot.waitSignal(flow.printing_finished, timeout=6 * WAIT) as done:
        touches.click(screen.print_button)
    assert done.args == [2, 0]
    assert touches.count == 2
    assert "已打印 2 份" in screen.message.text()

    deed = next(d for d in screen.ready.documents if d.title.zh == "不动产权证书")  # type: ignore[union-attr]
    found: dict[Path, str] = {}
    qtbot.waitUntil(
        lambda: bool(
            found.update(_pdf_texts(cups_pdf.output_dir, since))
            or any(deed.document_id in t for t in found.values())
        ),
        timeout=20_000,
    )
    pdf = next(p for p, t in found.items() if deed.document_id in t)
    check = verify_certificate_qr(_qr(pdf, tmp_path), kiosk.keys(), dt.date.today())
    assert check.status == "genuine"
    assert check.claims is not None and check.claims.cid == deed.document_id
    assert _copies(kiosk, deed.document_id) == [0]

    # Back and in again: the deed is collected now, offered as a reprint and not chosen.
    touches.click(screen.back_button)
    assert w.current_screen() is w.choose
    with qtbot.waitSignal(flow.documents_shown, timeout=WAIT):
        _choose(touches, kiosk, "certificate-collect")
    assert screen.chosen() == []
    button = next(b for b in screen.buttons if b.property("document_id") == deed.document_id)
    assert "已领取" in button.text() and "补打还可3次" in button.text()
    touches.click(button)
    with qtbot.waitSignal(flow.printing_finished, timeout=6 * WAIT) as again:
        touches.click(screen.print_button)
    assert again.args == [1, 0]
    assert _copies(kiosk, deed.document_id) == [0, 1]
    printing = kiosk.printing
    assert printing is not None
    assert printing.queue.reprints_used(deed.document_id) == 1
    # Every layer logged this (reader, hall client, hall, print queue): nothing personal.
    assert deed.document_id in caplog.text
    for secret in ("王秀英", "110105195203141221", "建国路"):
        assert secret not in caplog.text


@pytest.mark.cups
def test_the_legal_representative_prints_a_business_licence_with_its_enterprise_qr(
    qtbot: QtBot, kiosk: KioskApp, cups_pdf: CupsSetup, tmp_path: Path
) -> None:
    w, flow = kiosk.window, kiosk.controller.collect
    touches = Touches(qtbot)
    since = time.time() - 1
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    with qtbot.waitSignal(flow.documents_shown, timeout=WAIT) as shown:
        _choose(touches, kiosk, "business-license-print")
    assert shown.args == [2]
    screen = w.collect
    assert "营业执照打印" in screen.title.text()
    assert any("北京中关村科技有限公司" in b.text() for b in screen.buttons)
    # Print only the restaurant's licence.
    for b in screen.buttons:
        if "菜馆" not in b.text():
            touches.click(b)
    assert len(screen.chosen()) == 1
    with qtbot.waitSignal(flow.printing_finished, timeout=6 * WAIT) as done:
        touches.click(screen.print_button)
    assert done.args == [1, 0]
    found: dict[Path, str] = {}
    qtbot.waitUntil(
        lambda: bool(
            found.update(_pdf_texts(cups_pdf.output_dir, since))
            or any("海淀区李记家常菜馆" in t for t in found.values())
        ),
        timeout=20_000,
    )
    pdf = next(p for p, t in found.items() if "海淀区李记家常菜馆" in t)
    assert enterprise_from_qr(_qr(pdf, tmp_path)) == "92110108MA02EFGH2P"


def test_a_card_holder_with_nothing_ready_is_told_what_to_do(qtbot: QtBot, kiosk: KioskApp) -> None:
    w, flow = kiosk.window, kiosk.controller.collect
    touches = Touches(qtbot)
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("uninsured"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    with qtbot.waitSignal(flow.documents_shown, timeout=WAIT) as shown:
        _choose(touches, kiosk, "certificate-collect")
    assert shown.args == [0]
    assert "暂时没有您可领取的证照" in w.collect.message.text()
    assert not w.collect.print_button.isVisible()


def test_the_hall_unreachable_is_said_plainly(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    assert kiosk.hall is not None and kiosk.card_simulator is not None
    kiosk.hall.stop()
    touches = Touches(qtbot)
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(touches, kiosk, "certificate-collect")
    qtbot.waitUntil(lambda: "暂时连不上" in w.collect.message.text(), timeout=WAIT)
    assert w.collect.message.isVisible()
    assert w.collect.buttons == []


def test_a_licence_qr_at_the_attract_screen_shows_the_record_and_takes_a_report(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, lookup = kiosk.window, kiosk.controller.lookup
    assert kiosk.still_camera is not None and kiosk.hall is not None
    assert w.current_screen() is w.attract
    image = qrcode.make(enterprise_qr("92110108MA02EFGH2P"), box_size=4).get_image().convert("L")
    with qtbot.waitSignal(lookup.enterprise_shown, timeout=WAIT) as shown:
        kiosk.still_camera.show(cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_GRAY2BGR))
    assert shown.args == ["shown"]
    assert w.current_screen() is w.enterprise
    text = w.enterprise.visible_text()
    assert "海淀区李记家常菜馆" in text and "李*国" in text and "李建国" not in text
    with qtbot.waitSignal(lookup.report_finished, timeout=WAIT) as done:
        Touches(qtbot).click(w.enterprise.report_buttons["food_safety"])
    assert done.args == ["queued"]
    assert "转交市场监管部门" in w.enterprise.message.text()
    assert not w.enterprise.report_buttons["food_safety"].isEnabled()  # one report per scan
    kiosk.sync.wake()

    def stored() -> list[tuple[str, str]]:
        db = Database(kiosk.hall.settings.database_url)  # type: ignore[union-attr]
        try:
            with db.read() as session:
                return [
                    (r.uscc, r.category) for r in session.scalars(select(RegulatorReport)).all()
                ]
        finally:
            db.dispose()

    qtbot.waitUntil(lambda: stored() == [("92110108MA02EFGH2P", "food_safety")], timeout=30_000)
    Touches(qtbot).click(w.enterprise.back_button)
    assert w.current_screen() is w.attract


def _instant_journey(qtbot: QtBot, kiosk: KioskApp, card_key: str, item_id: str) -> Touches:
    """Card on the reader, then the citizen's touches up to the printed certificate."""
    w, ctl = kiosk.window, kiosk.controller
    touches = Touches(qtbot)
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card(card_key))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(touches, kiosk, item_id)
    touches.click(w.guide.start_button)
    with qtbot.waitSignal(ctl.printing_finished, timeout=6 * WAIT) as printed:
        touches.click(w.review.submit_button)
    assert printed.args == ["done"]
    return touches


def _finish(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    touches = Touches(qtbot)
    touches.click(w.result.done_button)
    with qtbot.waitSignal(kiosk.controller.session_wiped, timeout=WAIT):
        if w.rate.stage == "coarse":  # elder mode asks 满意 / 不满意 first
            touches.click(w.rate.coarse_good)
        touches.click(w.rate.level_buttons[5])
    assert kiosk.card_simulator is not None
    # The watcher counts a card as lifted after a few empty polls; only then is a new one new.
    with qtbot.waitSignal(kiosk.controller.services.card_watcher.card_removed, timeout=WAIT):
        kiosk.card_simulator.remove()


def test_first_time_card_to_printed_certificate_takes_at_most_three_touches(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    touches = _instant_journey(qtbot, kiosk, "elder", "elder-card")
    assert kiosk.controller.session.result is not None
    assert kiosk.controller.session.result.status == "approved"
    assert touches.count <= 3


def test_laying_the_card_at_the_progress_screen_lists_the_holders_cases(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    cases = []
    for item in ("elder-card", "si-insured-certificate"):
        _instant_journey(qtbot, kiosk, "elder", item)
        cases.append(kiosk.controller.session.case_number)
        _finish(qtbot, kiosk)
    touches = Touches(qtbot)
    touches.click(w.attract.progress_button)
    assert w.current_screen() is w.progress
    assert "身份证" in w.progress.prompt.text()
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: len(w.progress.case_buttons) == 2, timeout=WAIT)
    assert sorted(c.case_number for c in w.progress.cases) == sorted(cases)
    assert kiosk.controller.session.card is None  # the card was only asked about, not kept
    touches.click(w.progress.case_buttons[0])
    progress = w.progress.progress
    assert progress is not None and progress.case_number in cases
    shown = w.progress.visible_text()
    assert "不到1分钟" in shown and "0秒" not in shown
    assert "已办结" in w.progress.deadline.text()
    assert "王秀英" not in shown and "110105195203141221" not in shown


def test_typing_the_case_number_on_the_pad_shows_its_progress(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _instant_journey(qtbot, kiosk, "elder", "elder-card")
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    _finish(qtbot, kiosk)
    touches = Touches(qtbot)
    touches.click(w.attract.progress_button)
    touches.click(w.progress.type_button)
    assert w.current_screen() is w.case_number
    prefix, day, seq = case_number.split("-")
    assert w.case_number.display.text() == f"{prefix}-"
    for digit in day + seq[:-1]:
        touches.click(w.case_number.keys[digit])
    touches.click(w.case_number.confirm_button)  # one digit short: said, nothing asked
    assert "还差" in w.case_number.message.text() and w.current_screen() is w.case_number
    touches.click(w.case_number.keys[seq[-1]])
    assert w.case_number.display.text() == case_number
    touches.click(w.case_number.confirm_button)
    qtbot.waitUntil(lambda: w.progress.progress is not None, timeout=WAIT)
    assert w.progress.progress is not None and w.progress.progress.case_number == case_number
