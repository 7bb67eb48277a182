"""容缺受理 end to end: a tolerated material promised for later, on the real widgets, through the
real outbox to the hall over loopback, and onto the printed receipt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from devices.receipt.oracle import decode_receipt
from hall.db import Database, Submission
from hall.keys import open_with_key_file
from hall.service import payload_context
from kiosk.app import KioskApp
from kiosk.services.session import Step
from tests.e2e.screens import click, to_lease_capture

WAIT = 15_000


def _stored_payload(kiosk: KioskApp, case_number: str) -> dict[str, object] | None:
    db = Database(kiosk.hall.settings.database_url)
    try:
        with db.read() as session:
            row = session.scalar(select(Submission).where(Submission.case_number == case_number))
            if row is None:
                return None
            key_file = kiosk.hall.settings.data_key_path  # sealed at rest (hall.keys)
            return dict(open_with_key_file(key_file, row.payload, payload_context(case_number)))
    finally:
        db.dispose()


def test_a_promised_lease_goes_to_the_hall_and_onto_the_receipt(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    to_lease_capture(qtbot, kiosk)
    deadline = dt.date.today() + dt.timedelta(days=5)
    assert w.capture.promise_button.text() == "暂时没有，承诺补交"
    click(qtbot, w.capture.promise_button)
    assert w.current_screen() is w.commitment
    promise = w.commitment.promise.text()
    assert "经营场所租赁合同" in promise and "退回" in promise
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in promise
    assert w.commitment.promise_button.text() == "我承诺"

    # "Back" returns to the camera without promising anything.
    click(qtbot, w.commitment.back_button)
    assert w.current_screen() is w.capture and not ctl.session.commitments
    click(qtbot, w.capture.promise_button)
    click(qtbot, w.commitment.promise_button)

    assert w.current_screen() is w.review
    grid = w.review.grid
    shown = [grid.itemAt(i).widget().text() for i in range(grid.count())]  # type: ignore[union-attr]
    assert f"经营场所租赁合同 · 承诺{deadline.month}月{deadline.day}日前补交" in shown
    assert ctl.session.missing_materials() == []

    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as result:
        click(qtbot, w.review.submit_button)
    assert result.args[0] == "accepted"
    case_number = ctl.session.case_number
    assert case_number is not None
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)
    assert kiosk.receipt_simulator is not None
    receipt = decode_receipt(kiosk.receipt_simulator.wait_for_jobs(1, timeout=10)[-1])
    text = "".join(line.strip() for line in receipt.lines)
    assert f"经营场所租赁合同，{deadline.year}年{deadline.month}月{deadline.day}日前" in text
    assert "逾期未补交的，本次申请将被退回" in text

    payload: dict[str, object] | None = None

    def stored() -> bool:
        nonlocal payload
        payload = _stored_payload(kiosk, case_number)
        return payload is not None

    kiosk.sync.wake()
    qtbot.waitUntil(stored, timeout=30_000)
    assert payload is not None
    assert payload["commitment"] is True
    assert payload["identity"] == "card_reader"
    assert payload["materials"] == []
    (commitment,) = payload["commitments"]  # type: ignore[misc]
    assert commitment["material_id"] == "lease-contract"
    assert commitment["deadline"] == deadline.isoformat()
    assert "退回" in commitment["text"]["zh"] and "returned" in commitment["text"]["en"]


def test_a_photo_taken_after_the_promise_replaces_it(qtbot: QtBot, kiosk: KioskApp) -> None:
    """Back from the review to the camera: a lease photographed now cancels the promise."""
    w, ctl = kiosk.window, kiosk.controller
    to_lease_capture(qtbot, kiosk)
    click(qtbot, w.capture.promise_button)
    click(qtbot, w.commitment.promise_button)
    assert "lease-contract" in ctl.session.commitments
    click(qtbot, w.review.back_button)
    click(qtbot, w.guide.start_button)
    assert ctl.session.step is Step.MATERIALS
    click(qtbot, w.capture.take_button)
    qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
    click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    assert ctl.session.commitments == {} and "lease-contract" in ctl.session.materials
    draft = ctl.services.journey.draft(ctl.session)
    assert draft.commitments == [] and [m.material_id for m in draft.materials] == [
        "lease-contract"
    ]


def test_wipe_drops_the_promise(qtbot: QtBot, kiosk: KioskApp, tmp_path: Path) -> None:
    w, ctl = kiosk.window, kiosk.controller
    to_lease_capture(qtbot, kiosk)
    click(qtbot, w.capture.promise_button)
    session = ctl.session
    click(qtbot, w.commitment.promise_button)
    commitment = session.commitments["lease-contract"]
    ctl.idle.last_activity -= ctl.idle.warning_after_s + ctl.idle.countdown_s + 1
    qtbot.waitUntil(lambda: w.current_screen() is w.attract, timeout=WAIT)
    assert not session.holds_personal_data() and session.commitments == {}
    assert commitment.text_zh == "" and commitment.text_en == ""
    assert w.commitment.promise.text() == ""
