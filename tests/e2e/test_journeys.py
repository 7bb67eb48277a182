"""Citizen journeys end to end, on the real widgets and real parts (see conftest)."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from pyzbar import pyzbar

from devices.a4.cupsd import CupsSetup
from devices.idcard.demo_cards import demo_card
from devices.receipt.oracle import DecodedReceipt, decode_receipt
from hall.db import Database
from hall.schema import case_number_from_qr, verify_certificate_qr
from kiosk.app import KioskApp
from kiosk.demo import receipt_qr_photo
from kiosk.services.session import Step
from tests.e2e.screens import rate

WAIT = 15_000


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _choose(qtbot: QtBot, kiosk: KioskApp, item_id: str) -> None:
    _click(qtbot, kiosk.window.choose.reveal(item_id))


def _journey(qtbot: QtBot, kiosk: KioskApp, card_key: str, item_id: str) -> str:
    """Lay the card, choose the item, read the guide, submit; returns the outcome shown."""
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card(card_key))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, item_id)
    assert w.current_screen() is w.guide
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


def _last_receipt(kiosk: KioskApp) -> DecodedReceipt:
    assert kiosk.receipt_simulator is not None
    jobs = kiosk.receipt_simulator.wait_for_jobs(1, timeout=10)
    return decode_receipt(jobs[-1])


def _finish(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    _click(qtbot, w.result.done_button)
    assert w.current_screen() is w.rate
    with qtbot.waitSignal(kiosk.controller.session_wiped, timeout=WAIT):
        rate(qtbot, w.rate, 5)
    assert w.current_screen() is w.attract


def _visible_text(kiosk: KioskApp) -> str:
    texts = [label.text() for label in kiosk.window.findChildren(QLabel)]
    texts += [button.text() for button in kiosk.window.findChildren(QPushButton)]
    return "\n".join(texts)


def _pdf_with(qtbot: QtBot, folder: Path, needle: str, since: float) -> Path:
    """The PDF the queue wrote after ``since`` (epoch seconds) that contains ``needle``."""
    found: list[Path] = []

    def written() -> bool:
        fresh = [p for p in folder.glob("*.pdf") if p.stat().st_mtime >= since]
        for pdf in fresh:
            text = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False
            ).stdout
            if needle in text:
                found.append(pdf)
                return True
        return False

    qtbot.waitUntil(written, timeout=20_000)
    return found[0]


def _receipt_cases(receipt: DecodedReceipt) -> list[str | None]:
    """The case numbers of the receipt's QR codes: URLs of the hall's public progress page."""
    assert all(p.startswith("http") and "/verify?case=" in p for p in receipt.qr_payloads)
    return [case_number_from_qr(payload) for payload in receipt.qr_payloads]


def _qr_in_pdf(pdf: Path, tmp_path: Path) -> str:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = cv2.imread(str(tmp_path / "page.png"), cv2.IMREAD_GRAYSCALE)
    found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    assert found, "no QR code found on the printed certificate"
    return str(found[0].data.decode("utf-8"))


def test_online_instant_approval_prints_certificate_and_receipt_then_wipes(
    qtbot: QtBot,
    kiosk: KioskApp,
    cups_pdf: CupsSetup,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    started = time.time() - 1
    outcome = _journey(qtbot, kiosk, "elder", "si-insured-certificate")
    assert outcome == "approved"
    session = kiosk.controller.session
    case_number = session.case_number
    assert case_number is not None
    result = session.result
    assert result is not None and result.certificate is not None
    assert kiosk.window.result.print_state == "done"

    receipt = _last_receipt(kiosk)
    # Long values wrap at the paper's width: compare the text as printed, lines joined.
    text = "".join(line.strip() for line in receipt.lines)
    assert case_number in text
    assert "社会保险个人参保证明打印" in text
    assert "王*英" in text and "110105********1221" in text
    assert "王秀英" not in text and "110105195203141221" not in text
    assert _receipt_cases(receipt) == [case_number]
    assert receipt.cut

    pdf = _pdf_with(qtbot, cups_pdf.output_dir, result.certificate.certificate_id, since=started)
    payload = _qr_in_pdf(pdf, tmp_path)
    assert payload == result.certificate.qr_payload
    assert kiosk.hall is not None
    check = verify_certificate_qr(payload, kiosk.hall.public_keys(), dt.date.today())
    assert check.status == "genuine"
    assert check.claims is not None and check.claims.case == case_number

    old_session = session
    card = old_session.card
    assert card is not None
    _finish(qtbot, kiosk)
    assert not old_session.holds_personal_data()
    assert card.name == "" and card.id_number == "" and not card.photo
    assert "王秀英" not in _visible_text(kiosk)
    # Every layer logged this journey (reader, outbox, sync, hall, printers): nothing personal.
    assert case_number in caplog.text
    for secret in ("王秀英", "110105195203141221", "建国路"):
        assert secret not in caplog.text


def test_elder_card_refused_under_60_with_reason(qtbot: QtBot, kiosk: KioskApp) -> None:
    outcome = _journey(qtbot, kiosk, "adult", "elder-card")
    assert outcome == "refused"
    shown = kiosk.window.result.detail.text()
    assert "60" in shown and "周岁" in shown
    receipt = _last_receipt(kiosk)
    assert any("不予批准" in line for line in receipt.lines)
    _finish(qtbot, kiosk)


@pytest.mark.decision_wait(2.0)
def test_offline_submission_gets_a_receipt_and_is_delivered_exactly_once(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.hall is not None
    kiosk.hall.stop()
    outcome = _journey(qtbot, kiosk, "elder", "si-insured-certificate")
    assert outcome == "accepted"
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    assert "网络暂时不通" in kiosk.window.result.detail.text()
    receipt = _last_receipt(kiosk)
    assert _receipt_cases(receipt) == [case_number]
    entry = kiosk.outbox.get(case_number)
    assert entry is not None and entry.state in ("pending", "sending")
    _finish(qtbot, kiosk)

    kiosk.hall.start()
    kiosk.sync.wake()
    qtbot.waitUntil(lambda: kiosk.outbox.get(case_number).state == "decided", timeout=30_000)  # type: ignore[union-attr]
    stored = kiosk.outbox.result(case_number)
    assert stored is not None and stored.status == "approved"
    db = Database(kiosk.hall.settings.database_url)
    try:
        assert db.count_submissions(case_number=case_number) == 1
    finally:
        db.dispose()


def test_idle_citizen_is_warned_then_wiped_from_session_and_screen(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "sole-proprietor-registration")
    _click(qtbot, w.guide.start_button)
    _click(qtbot, w.capture.take_button)
    qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
    _click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    assert "王*英" in _visible_text(kiosk)
    session = ctl.session
    card = session.card
    assert card is not None
    photo = session.materials["lease-contract"].image
    assert len(photo) > 1000

    # The citizen walks away: move the last touch back past the warning threshold.
    ctl.idle.last_activity -= ctl.idle.warning_after_s + 1
    qtbot.waitUntil(w.overlay.isVisible, timeout=WAIT)
    assert w.overlay.count.text().isdigit()
    assert int(w.overlay.count.text()) <= ctl.idle.countdown_s
    ctl.idle.last_activity -= ctl.idle.countdown_s
    qtbot.waitUntil(lambda: w.current_screen() is w.attract, timeout=WAIT)

    assert not w.overlay.isVisible()
    assert not session.holds_personal_data()
    assert card.name == "" and card.id_number == "" and card.address == ""
    assert not any(photo), "the document photo was not zeroed"
    shown = _visible_text(kiosk)
    for secret in ("王秀英", "王*英", "110105195203141221", "110105********1221", "建国路"):
        assert secret not in shown


def test_still_here_keeps_the_session(qtbot: QtBot, kiosk: KioskApp) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    ctl.idle.last_activity -= ctl.idle.warning_after_s + 1
    qtbot.waitUntil(w.overlay.isVisible, timeout=WAIT)
    _click(qtbot, w.overlay.stay)
    assert not w.overlay.isVisible()
    assert w.current_screen() is w.choose and ctl.session.card is not None


def test_scanning_a_receipt_shows_the_case_stages(qtbot: QtBot, kiosk: KioskApp) -> None:
    outcome = _journey(qtbot, kiosk, "adult", "sole-proprietor-registration")
    assert outcome == "accepted"
    case_number = kiosk.controller.session.case_number
    receipt = _last_receipt(kiosk)
    _finish(qtbot, kiosk)
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.remove()

    # Hold the printed receipt's QR code (its raster, as printed) up to the camera.
    assert kiosk.still_camera is not None and receipt.images
    kiosk.still_camera.show(np.asarray(receipt_qr_photo(receipt.images[0]), dtype=np.uint8))
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    qtbot.waitUntil(lambda: w.progress.progress is not None, timeout=WAIT)
    progress = w.progress.progress
    assert progress is not None and progress.case_number == case_number
    assert len(progress.stages) >= 2
    assert progress.stages[0].finished_at is not None
    shown = _visible_text(kiosk)
    assert case_number in shown
    assert progress.stages[0].name.zh in shown


def test_unknown_code_gets_a_plain_message(qtbot: QtBot, kiosk: KioskApp) -> None:
    import qrcode

    image = qrcode.make("https://example.invalid/not-ours").get_image().convert("L")
    bgr = cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_GRAY2BGR)
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(bgr)
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    qtbot.waitUntil(w.progress.error.isVisible, timeout=WAIT)
    assert "不是本中心回执" in w.progress.error.text()


def test_receipt_printer_refusing_is_told_and_printing_again_works(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.receipt_simulator is not None
    kiosk.receipt_simulator.refuse = True
    outcome = _journey(qtbot, kiosk, "elder", "elder-card")
    assert outcome == "approved"
    w = kiosk.window
    assert w.result.print_state == "failed"
    assert w.result.print_error.isVisible() and "重新打印" in w.result.print_error.text()
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    qtbot.waitUntil(lambda: kiosk.outbox.get(case_number).state == "decided", timeout=WAIT)  # type: ignore[union-attr]
    assert kiosk.receipt_simulator.jobs == []

    # The paper jam is cleared: "print again" prints the receipt only (the A4 one went out).
    kiosk.receipt_simulator.refuse = False
    with qtbot.waitSignal(kiosk.controller.printing_finished, timeout=WAIT) as finished:
        _click(qtbot, w.result.reprint_button)
    assert finished.args == ["done"]
    assert not w.result.reprint_button.isVisible()
    assert _receipt_cases(_last_receipt(kiosk)) == [case_number]
    assert len(kiosk.receipt_simulator.jobs) == 1
    _finish(qtbot, kiosk)


def test_corrupt_card_frame_shows_a_message_and_the_next_read_works(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.card_simulator is not None
    w = kiosk.window
    kiosk.card_simulator.inject("corrupt_checksum", times=3)
    with qtbot.waitSignal(kiosk.controller.services.card_watcher.read_failed, timeout=WAIT):
        kiosk.card_simulator.insert(demo_card("elder"))
    assert w.attract.error.text() == "读取出错，请重试。"
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    assert kiosk.controller.session.card is not None
    assert kiosk.controller.session.card.id_number == "110105195203141221"


@pytest.mark.decision_wait(2.0)
def test_progress_of_a_case_queued_offline_says_so_while_the_hall_is_down(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.hall is not None
    kiosk.hall.stop()
    outcome = _journey(qtbot, kiosk, "adult", "sole-proprietor-registration")
    assert outcome == "accepted"
    receipt = _last_receipt(kiosk)
    _finish(qtbot, kiosk)
    assert kiosk.card_simulator is not None and kiosk.still_camera is not None
    kiosk.card_simulator.remove()
    kiosk.still_camera.show(receipt_qr_photo(receipt.images[0]))
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    qtbot.waitUntil(w.progress.error.isVisible, timeout=WAIT)
    assert "暂时无法连接" in w.progress.error.text()
    assert "正在等待提交" in w.progress.error.text()


def test_a_certificate_held_to_the_camera_is_verified_offline(
    qtbot: QtBot, kiosk: KioskApp, tmp_path: Path
) -> None:
    outcome = _journey(qtbot, kiosk, "elder2", "elder-card")
    assert outcome == "approved"
    result = kiosk.controller.session.result
    assert result is not None and result.certificate is not None
    _finish(qtbot, kiosk)
    assert kiosk.card_simulator is not None and kiosk.still_camera is not None and kiosk.hall
    kiosk.card_simulator.remove()
    # The hall is down: the terminal verifies with the key it cached at start.
    kiosk.hall.stop()
    import qrcode

    image = qrcode.make(result.certificate.qr_payload, box_size=4).get_image().convert("L")
    kiosk.still_camera.show(cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_GRAY2BGR))
    w = kiosk.window
    # Held up at the attract screen, the certificate's check has a screen of its own.
    qtbot.waitUntil(lambda: w.current_screen() is w.verify, timeout=WAIT)
    shown = w.verify.visible_text()
    assert w.verify.verdict.objectName() == "outcomeOk"
    assert "真实有效" in shown and "Genuine" in shown
    assert result.certificate.certificate_id in shown
    assert "赵德明" not in shown


def test_the_language_switch_turns_every_screen_english_and_back(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _click(qtbot, w.header.language_button)
    assert w.attract.title.text() == "Please place your ID card on the reader"
    assert w.header.staff_button.text() == "Call staff"
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    texts = [button.text() for button in w.choose.buttons]
    assert any("social insurance" in text for text in texts), texts
    _choose(qtbot, kiosk, "elder-card")
    assert "Who can apply" in _visible_text(kiosk)
    _click(qtbot, w.header.language_button)
    assert "办理条件" in _visible_text(kiosk)


def test_older_card_holders_get_larger_type_until_the_wipe(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    standard = w.attract.title.font().pixelSize()
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))  # born 1952
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    assert w.elder_mode
    assert w.choose.title.font().pixelSize() > standard
    with qtbot.waitSignal(kiosk.controller.session_wiped, timeout=WAIT):
        _click(qtbot, w.choose.home_button)
    assert not w.elder_mode
    assert w.attract.title.font().pixelSize() == standard


def test_switching_language_mid_submit_cannot_submit_twice(qtbot: QtBot, kiosk: KioskApp) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "elder-card")
    _click(qtbot, w.guide.start_button)
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT):
        _click(qtbot, w.review.submit_button)
        # Before the outbox has answered (its callback is queued behind these clicks):
        qtbot.mouseClick(w.header.language_button, Qt.MouseButton.LeftButton)
        assert not w.review.submit_button.isEnabled()
        assert not w.review.back_button.isEnabled()
        qtbot.mouseClick(w.review.submit_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(w.review.back_button, Qt.MouseButton.LeftButton)
    assert sum(kiosk.outbox.counts().values()) == 1
    assert w.current_screen() is w.result


@pytest.mark.tap_guard(300)
def test_a_double_tap_does_not_carry_onto_the_next_screen(qtbot: QtBot, kiosk: KioskApp) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    qtbot.waitUntil(lambda: not ctl.tap_guarded(), timeout=WAIT)
    _choose(qtbot, kiosk, "si-insured-certificate")
    qtbot.waitUntil(lambda: not ctl.tap_guarded(), timeout=WAIT)
    qtbot.mouseClick(w.guide.start_button, Qt.MouseButton.LeftButton)
    assert w.current_screen() is w.review
    # The second tap of a double tap lands where "Submit" now stands: it is ignored.
    qtbot.mouseClick(w.review.submit_button, Qt.MouseButton.LeftButton)
    assert ctl.session.step is Step.REVIEW
    assert kiosk.outbox.counts() == {} or sum(kiosk.outbox.counts().values()) == 0
    qtbot.waitUntil(lambda: not ctl.tap_guarded(), timeout=WAIT)
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT):
        qtbot.mouseClick(w.review.submit_button, Qt.MouseButton.LeftButton)


def test_the_receipt_qr_reprints_an_approved_certificate_a_limited_number_of_times(
    qtbot: QtBot, kiosk: KioskApp, cups_pdf: CupsSetup
) -> None:
    outcome = _journey(qtbot, kiosk, "elder", "elder-card")
    assert outcome == "approved"
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    qtbot.waitUntil(lambda: kiosk.window.result.print_state == "done", timeout=WAIT)
    receipt = _last_receipt(kiosk)
    _finish(qtbot, kiosk)
    assert kiosk.card_simulator is not None and kiosk.still_camera is not None
    kiosk.card_simulator.remove()
    printing = kiosk.printing
    assert printing is not None
    limit = printing.reprint_limit
    assert limit >= 1

    kiosk.still_camera.show(np.asarray(receipt_qr_photo(receipt.images[0]), dtype=np.uint8))
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    qtbot.waitUntil(w.progress.reprint_button.isVisible, timeout=WAIT)
    assert f"还可{limit}次" in w.progress.reprint_button.text()
    for used in range(1, limit + 1):
        # A reprint ends when the real CUPS queue says the job completed: behind the jobs of
        # earlier tests, cups-pdf can take longer than the screens' usual wait.
        with qtbot.waitSignal(kiosk.controller.reprint_finished, timeout=4 * WAIT) as done:
            _click(qtbot, w.progress.reprint_button)
        assert done.args == ["printed"]
        assert printing.queue.reprints_used(case_number) == used
        assert "证书已重新打印" in w.progress.error.text()
    assert not w.progress.reprint_button.isVisible()
    jobs = printing.queue.jobs(case_number=case_number)
    assert [(j.kind, j.reprint, j.state) for j in jobs if j.kind == "certificate"] == [
        ("certificate", False, "printed"),
        *[("certificate", True, "printed")] * limit,
    ]
    # Scanning the receipt again says the reprints are used up, without a button.
    _click(qtbot, w.progress.back_button)
    assert w.current_screen() is w.rate  # the progress journey is rated like any other
    _click(qtbot, w.rate.skip_button)
    _click(qtbot, w.attract.progress_button)
    qtbot.waitUntil(
        lambda: w.progress.error.isVisible() and "补打次数已用完" in w.progress.error.text(),
        timeout=WAIT,
    )
    assert not w.progress.reprint_button.isVisible()


def test_a_full_store_tells_the_citizen_and_the_retry_works_once_space_is_back(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, ctl = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _choose(qtbot, kiosk, "sole-proprietor-registration")
    _click(qtbot, w.guide.start_button)
    _click(qtbot, w.capture.take_button)
    qtbot.waitUntil(lambda: w.capture.has_photo, timeout=WAIT)
    _click(qtbot, w.capture.use_button)
    assert w.current_screen() is w.review
    # The disk fills up: the free pages inside the file are taken, and the file may not grow.
    with kiosk.store.read() as conn:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    kiosk.store.put_meta("filler", bytes(free * size))
    with kiosk.store.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    _click(qtbot, w.review.submit_button)
    qtbot.waitUntil(lambda: "存储空间已满" in w.review.error.text(), timeout=WAIT)
    assert w.current_screen() is w.review and w.review.error.isVisible()
    assert kiosk.outbox.full_since is not None
    assert sum(kiosk.outbox.counts().values()) == 0

    with kiosk.store.read() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    with qtbot.waitSignal(ctl.result_shown, timeout=WAIT) as shown:
        _click(qtbot, w.review.submit_button)
    assert shown.args == ["accepted"]
    assert kiosk.outbox.full_since is None
    assert sum(kiosk.outbox.counts().values()) == 1
    qtbot.waitUntil(lambda: w.result.print_state in ("done", "failed"), timeout=WAIT)


def test_a_receipt_the_printer_could_not_take_prints_by_itself_once_it_is_back(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    assert kiosk.receipt_simulator is not None and kiosk.printing is not None
    kiosk.receipt_simulator.refuse = True
    outcome = _journey(qtbot, kiosk, "elder", "elder-card")
    assert outcome == "approved"
    assert kiosk.window.result.print_state == "failed"
    case_number = kiosk.controller.session.case_number
    assert case_number is not None
    # The citizen walks away without pressing "print again".
    _finish(qtbot, kiosk)
    queue = kiosk.printing.queue
    [receipt_job] = [j for j in queue.jobs(case_number=case_number) if j.kind == "receipt"]
    assert receipt_job.state == "queued" and receipt_job.last_error

    kiosk.receipt_simulator.refuse = False
    # The printer says it is ready (without this the worker prints it on its own backoff).
    assert kiosk.printing.printer_back("receipt") == 1
    qtbot.waitUntil(lambda: queue.get(receipt_job.id).state == "printed", timeout=30_000)  # type: ignore[union-attr]
    assert _receipt_cases(_last_receipt(kiosk)) == [case_number]
    assert len(kiosk.receipt_simulator.jobs) == 1
    certificates = [j for j in queue.jobs(case_number=case_number) if j.kind == "certificate"]
    assert [j.state for j in certificates] == ["printed"]
