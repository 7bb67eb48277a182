"""``kiosk demo``: the terminal on its embedded defaults.

With a display it is the full-screen terminal plus a simulator panel. Without one it walks the
online journey offscreen, as a citizen would, and leaves in ``demo-out/`` a PNG of every screen,
the certificate PDF exactly as the A4 queue received it, and the receipt decoded from the bytes
the receipt printer received.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from devices.a4.cupsd import ensure_cups_pdf_queue
from devices.camera.still import receipt_qr_photo
from devices.idcard.demo_cards import demo_card
from devices.receipt.oracle import decode_receipt, render_text
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.services.session import Step

log = logging.getLogger(__name__)


class DemoError(Exception):
    """The offscreen journey did not reach the state it waited for."""


def _wait(
    app: QApplication, condition: Callable[[], bool], what: str, timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise DemoError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
"""The offscreen platform cannot size top-level windows from hints and says so at every show:
harmless there, and forty such lines hide the demo's own log."""


def _quiet_offscreen_hints(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages as Qt prints them, less the offscreen platform's size-hint notice."""
    if OFFSCREEN_NOISE in message:
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(kind, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)


def _shot(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise DemoError(f"could not write {path}")
    log.info("wrote %s", path)


def run_demo(*, out_dir: Path, config: Path | None, offscreen: bool) -> int:
    """Run the demo; returns the process exit code."""
    started = time.monotonic()
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    overrides: dict[str, Any] = {
        "storage": {"data_dir": data_dir},
        "terminal": {"full_screen": not offscreen},
    }
    settings = load_settings(config, **overrides)
    setup = None
    if settings.devices.document_printer.driver == "cups":
        setup = ensure_cups_pdf_queue(settings.devices.document_printer.queue)
        if setup is None:
            # The demo's one fallback, said in one line: certificates land in a folder.
            log.warning("no CUPS PDF queue: the demo prints certificates to %s", data_dir)
            overrides["devices"] = {"document_printer": {"driver": "folder"}}
            settings = load_settings(config, **overrides)
    if not offscreen:
        from kiosk.runtime import run_gui

        try:
            return run_gui(settings, with_simulator_panel=True)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    # No screen: Qt's offscreen platform renders the same widgets into memory.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    previous = qInstallMessageHandler(_quiet_offscreen_hints)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    kiosk = build_app(settings)
    try:
        kiosk.start()
        kiosk.window.resize(1920, 1080)
        kiosk.window.show()
        log.info("attract screen shown %.2f s after start", time.monotonic() - started)
        out_dir.mkdir(parents=True, exist_ok=True)
        _online_journey(app, kiosk, out_dir, setup.output_dir if setup else None)
        _other_screens(app, kiosk, out_dir)
    finally:
        kiosk.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        qInstallMessageHandler(previous)
    log.info("demo done in %.1f s; see %s", time.monotonic() - started, out_dir)
    return 0


def _online_journey(app: QApplication, kiosk: KioskApp, out: Path, cups_out: Path | None) -> None:
    window, controller = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None and kiosk.receipt_simulator is not None
    _wait(app, lambda: kiosk.keys() != {}, "the hall's keys")
    _shot(window, out / "01-attract.png")
    kiosk.card_simulator.insert(demo_card("elder"))
    _wait(app, lambda: controller.session.step is Step.CHOOSE, "the card to be read")
    _shot(window, out / "02-choose.png")
    item = kiosk.catalog().item("si-insured-certificate")
    window.choose.item_chosen.emit(item)
    _shot(window, out / "03-guide.png")
    window.guide.start_button.click()
    _shot(window, out / "04-review.png")
    jobs_before = len(kiosk.receipt_simulator.jobs)
    submitted = time.time() - 1
    window.review.submit_button.click()
    _shot(window, out / "05-submitting.png")
    _wait(app, lambda: controller.session.step is Step.PRINT, "the hall's decision")
    _wait(app, lambda: window.result.print_state in ("done", "failed"), "printing")
    _shot(window, out / "06-result-approved.png")
    receipt_bytes = kiosk.receipt_simulator.wait_for_jobs(jobs_before + 1, timeout=10)[-1]
    decoded = decode_receipt(receipt_bytes)
    (out / "receipt.txt").write_text(render_text(decoded), encoding="utf-8")
    (out / "receipt.escpos").write_bytes(receipt_bytes)
    result = controller.session.result
    if result is None or result.certificate is None:
        raise DemoError("the demo journey was not approved with a certificate")
    _copy_certificate(kiosk, out, cups_out, submitted, result.certificate.certificate_id)
    window.result.done_button.click()
    _shot(window, out / "07-rate.png")
    window.rate.buttons[0].click()
    _wait(app, lambda: controller.session.step is Step.ATTRACT, "the wipe")
    kiosk.card_simulator.remove()


def _copy_certificate(
    kiosk: KioskApp, out: Path, cups_out: Path | None, since: float, certificate_id: str
) -> None:
    """Copy the certificate's PDF the A4 queue wrote after ``since``, once it is complete.

    cups-pdf names its files after the job title, which is the certificate id; the folder
    printer names them ``<certificate id>.pdf``.
    """
    deadline = time.monotonic() + 20
    folders = [p for p in (cups_out, kiosk.settings.printed_folder) if p is not None]
    while time.monotonic() < deadline:
        for folder in folders:
            fresh = [p for p in folder.glob(f"{certificate_id}*.pdf") if p.stat().st_mtime >= since]
            for pdf in fresh:
                # cups-pdf writes in place: a PDF is whole once it ends with its EOF marker.
                if pdf.read_bytes().rstrip().endswith(b"%%EOF"):
                    shutil.copy(pdf, out / "certificate.pdf")
                    log.info("wrote %s (from %s)", out / "certificate.pdf", folder)
                    return
        time.sleep(0.2)
    raise DemoError("no certificate PDF appeared in " + ", ".join(map(str, folders)))


def _other_screens(app: QApplication, kiosk: KioskApp, out: Path) -> None:
    """The screens the first journey does not pass: materials, identify, progress, idle warning."""
    window, controller = kiosk.window, kiosk.controller
    assert kiosk.card_simulator is not None and kiosk.still_camera is not None
    window.attract.progress_requested.emit()
    _wait(app, lambda: controller.session.step is Step.PROGRESS, "the progress screen")
    _shot(window, out / "08-progress-scan.png")
    window.progress.back_button.click()
    _wait(app, lambda: controller.session.step is Step.ATTRACT, "the attract screen")

    # The machine looks at the materials: a lease that is not the card holder's is refused in
    # plain words (the sample lease is 李建国's, the card on the reader someone else's)...
    kiosk.card_simulator.insert(demo_card("elder2"))
    _wait(app, lambda: controller.session.step is Step.CHOOSE, "the card to be read")
    _photograph_lease(app, kiosk)
    if window.capture.verdict_state != "failed":
        raise DemoError("someone else's lease was not refused")
    _shot(window, out / "09-capture-refused.png")
    controller.wipe()
    kiosk.card_simulator.remove()
    _wait(app, lambda: controller.session.step is Step.ATTRACT, "the wipe")

    # ...and the holder's own lease passes, and what was read fills the application.
    kiosk.card_simulator.insert(demo_card("adult"))
    _wait(app, lambda: controller.session.step is Step.CHOOSE, "the card to be read")
    _photograph_lease(app, kiosk)
    if window.capture.verdict_state != "ok":
        raise DemoError(f"the holder's lease was {window.capture.verdict_state}, not ok")
    _shot(window, out / "10-capture-verified.png")
    window.capture.use_button.click()
    _shot(window, out / "11-review-prefilled.png")
    window.review.submit_button.click()
    _wait(app, lambda: controller.session.step is Step.PRINT, "the acceptance")
    _wait(app, lambda: window.result.print_state in ("done", "failed"), "printing")
    _shot(window, out / "12-result-accepted.png")
    case_number = controller.session.case_number
    window.result.done_button.click()
    window.rate.skip.click()
    kiosk.card_simulator.remove()
    _wait(app, lambda: controller.session.step is Step.ATTRACT, "the wipe")

    # Scan the receipt just printed: its QR code is held up to the camera.
    receipt = decode_receipt(kiosk.receipt_simulator.jobs[-1]) if kiosk.receipt_simulator else None
    if receipt is not None and receipt.images:
        kiosk.still_camera.show(receipt_qr_photo(receipt.images[0]))
        window.attract.progress_requested.emit()
        _wait(app, lambda: window.progress.progress is not None, f"the progress of {case_number}")
        _shot(window, out / "13-progress-stages.png")
        window.progress.back_button.click()

    # The idle warning, as it looks 20 s before the wipe.
    kiosk.card_simulator.insert(demo_card("elder"))
    _wait(app, lambda: controller.session.step is Step.CHOOSE, "the card to be read")
    controller.idle.last_activity -= controller.idle.warning_after_s + 5
    _wait(app, lambda: window.overlay.isVisible(), "the idle warning")
    _shot(window, out / "14-idle-warning.png")
    controller.wipe()
    kiosk.card_simulator.remove()


def _photograph_lease(app: QApplication, kiosk: KioskApp) -> None:
    """Choose the registration item, photograph the camera's lease and wait for its check."""
    window = kiosk.window
    window.choose.item_chosen.emit(kiosk.catalog().item("sole-proprietor-registration"))
    window.guide.start_button.click()
    if not window.capture.has_photo:
        window.capture.take_button.click()
    # The engine warms up at start-up; one check is a second or two on a 2-core terminal.
    _wait(app, lambda: window.capture.verdict_state is not None, "the lease's check", 90.0)
