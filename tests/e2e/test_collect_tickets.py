"""Hand-off tickets (无声叫号) end to end: the hall's number online, a local number offline.

The ticket prints on the real ESC/POS driver over loopback TCP and is decoded by the oracle; the
offline ticket reaches the hall through the real event channel once the hall is back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from devices.receipt.oracle import DecodedReceipt, decode_receipt
from hall.db import Database
from hall.tickets import HandoffTicket, ticket_case
from hall.tickets_schema import TICKET_QR_PREFIX
from kiosk.app import KioskApp
from kiosk.services.session import Step

WAIT = 15_000


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _choose(qtbot: QtBot, kiosk: KioskApp, item_id: str) -> None:
    _click(qtbot, kiosk.window.choose.reveal(item_id))


def _receipts(kiosk: KioskApp, n: int) -> list[DecodedReceipt]:
    assert kiosk.receipt_simulator is not None
    return [decode_receipt(job) for job in kiosk.receipt_simulator.wait_for_jobs(n, timeout=10)]


def _text(receipt: DecodedReceipt) -> str:
    return "".join(line.strip() for line in receipt.lines)


def _hall_db(kiosk: KioskApp) -> Database:
    assert kiosk.hall is not None
    return Database(kiosk.hall.settings.database_url)


def test_a_refusal_offers_a_ticket_for_the_right_window_with_the_case_so_far(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "elder-card")
    _click(qtbot, w.guide.start_button)
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as shown:
        _click(qtbot, w.review.submit_button)
    assert shown.args == ["refused"]
    qtbot.waitUntil(lambda: w.result.print_state == "done", timeout=WAIT)
    case_number = ctl.session.case_number
    _click(qtbot, w.result.ticket_button)
    assert w.current_screen() is w.ticket
    with (
        qtbot.waitSignal(ctl.handoff.ticket_printed, timeout=WAIT) as printed,
        qtbot.waitSignal(ctl.handoff.ticket_issued, timeout=WAIT) as issued,
    ):
        _click(qtbot, w.ticket.print_button)
    number, offline = issued.args
    assert not offline and number.startswith("M")  # elder cards continue at civil affairs
    assert printed.args == ["printed"]
    assert number in w.ticket.number.text() and "民政服务窗口" in w.ticket.window_label.text()

    ticket = _receipts(kiosk, 2)[-1]
    text = _text(ticket)
    assert "排队号" in text and number in text and "民政服务窗口" in text
    assert case_number is not None and case_number in text
    assert "李*国" in text and "110108********3012" in text
    assert "李建国" not in text and "110108199008213012" not in text
    assert "60" in text  # the refusal's reason travels with the case
    assert len(ticket.qr_payloads) == 1 and ticket.qr_payloads[0].startswith(TICKET_QR_PREFIX)

    # The window scans the code and sees the case so far.
    db = _hall_db(kiosk)
    try:
        case = ticket_case(db, ticket.qr_payloads[0][len(TICKET_QR_PREFIX) :])
    finally:
        db.dispose()
    assert case.ticket.number == number and case.case_number == case_number
    assert case.reason == "refused" and case.item_id == "elder-card"
    assert case.id_masked == "110108********3012"

    # Back to the result, and on to the end as before.
    _click(qtbot, w.ticket.back_button)
    assert w.current_screen() is w.result
    assert ctl.session.step is Step.PRINT


def test_call_staff_offline_prints_a_local_number_that_the_hall_takes_later(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.hall is not None and kiosk.card_simulator is not None
    kiosk.hall.stop()
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "si-insured-certificate")
    assert w.current_screen() is w.guide
    _click(qtbot, w.header.staff_button)
    assert w.current_screen() is w.ticket
    with qtbot.waitSignal(ctl.handoff.ticket_issued, timeout=WAIT) as issued:
        _click(qtbot, w.ticket.print_button)
    number, offline = issued.args
    terminal = kiosk.settings.terminal.id
    assert offline and number == f"{terminal}-L001"
    assert "临时号" in w.ticket.note.text()
    ticket = _receipts(kiosk, 1)[-1]
    text = _text(ticket)
    assert "排队号" in text and number in text and "社会保障窗口" in text and "临时号" in text
    assert "王*英" in text and "王秀英" not in text
    ticket_id = ticket.qr_payloads[0][len(TICKET_QR_PREFIX) :]
    _click(qtbot, w.ticket.back_button)
    assert w.current_screen() is w.guide  # back where the citizen was

    kiosk.hall.start()
    kiosk.sync.wake()

    def reconciled() -> bool:
        db = _hall_db(kiosk)
        try:
            with db.read() as session:
                row = session.get(HandoffTicket, ticket_id)
                return row is not None and row.reconciled and row.number == number
        finally:
            db.dispose()

    qtbot.waitUntil(reconciled, timeout=30_000)


@pytest.mark.decision_wait(2.0)
def test_a_phone_number_left_offline_gets_the_decision_through_the_file_gateway(
    qtbot: QtBot, kiosk: KioskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.hall is not None and kiosk.card_simulator is not None
    kiosk.hall.stop()
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "si-insured-certificate")
    _click(qtbot, w.guide.start_button)
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as shown:
        _click(qtbot, w.review.submit_button)
    assert shown.args == ["accepted"]
    case_number = ctl.session.case_number
    assert case_number is not None
    _click(qtbot, w.result.phone_button)
    assert w.current_screen() is w.phone
    _click(qtbot, w.phone.confirm_button)  # nothing typed: a plain error, nothing kept
    assert "11位" in w.phone.message.text()
    for digit in "13812345678":
        _click(qtbot, w.phone.keys[digit])
    assert w.phone.display.text() == "138****5678"
    assert "13812345678" not in w.phone.visible_text()
    with qtbot.waitSignal(ctl.contact.contact_kept, timeout=WAIT) as kept:
        _click(qtbot, w.phone.confirm_button)
    assert kept.args == ["queued"]
    assert "138****5678" in w.phone.message.text()
    slip = _text(_receipts(kiosk, 2)[-1])  # the case's receipt, then the slip
    assert "138****5678" in slip and case_number in slip and "13812345678" not in slip
    _click(qtbot, w.phone.back_button)
    assert w.current_screen() is w.result and not w.result.phone_button.isVisible()

    outbox_db = (kiosk.settings.storage.data_dir / "outbox.db").read_bytes()
    assert b"13812345678" not in outbox_db  # sealed in the terminal's event queue

    monkeypatch.setenv("HALL_NOTIFY_POLL_S", "0.2")
    kiosk.hall.start()
    kiosk.sync.wake()
    # The embedded hall keeps its files in the terminal's data folder, not in the user's home.
    assert kiosk.hall.settings.data_dir.is_relative_to(kiosk.settings.storage.data_dir)
    sent = kiosk.hall.settings.data_dir / "notifications.jsonl"
    qtbot.waitUntil(
        lambda: sent.exists() and case_number in sent.read_text("utf-8"), timeout=30_000
    )
    lines = [json.loads(line) for line in sent.read_text("utf-8").splitlines()]
    assert [line["case"] for line in lines] == [case_number]
    assert lines[0]["to"] == "138****5678" and "已办结" in lines[0]["text"]
    hall_db = Path(kiosk.hall.settings.database_url.removeprefix("sqlite:///")).read_bytes()
    assert b"13812345678" not in hall_db  # sealed at the hall too
