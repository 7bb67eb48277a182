"""``kiosk demo``: the terminal on its embedded defaults.

With a display it is the full-screen terminal plus a simulator panel. Without one it walks the
online journey offscreen, as a citizen would, and leaves in ``demo-out/`` a PNG of every screen,
the certificate PDF exactly as the A4 queue received it, and the receipt decoded from the bytes
the receipt printer received.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QMessageLogContext, QRect, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from devices.a4.cupsd import ensure_cups_pdf_queue
from devices.camera.still import receipt_qr_photo
from devices.idcard.demo_cards import demo_card
from devices.receipt.oracle import DecodedReceipt, PrintedQr, decode_receipt, render_text
from hall.schema import CatalogPublic
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.services.session import Step
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.screens.out_of_service import OutOfServiceScreen
from kiosk.ui.widgets import Screen

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
        write_gallery(app, kiosk, out_dir / "gallery")
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
    receipt_png(decoded, out / "receipt.png")
    result = controller.session.result
    if result is None or result.certificate is None:
        raise DemoError("the demo journey was not approved with a certificate")
    _copy_certificate(kiosk, out, cups_out, submitted, result.certificate.certificate_id)
    window.result.done_button.click()
    _shot(window, out / "07-rate.png")
    if window.rate.stage == "coarse":  # elder mode asks 满意 or 不满意 first
        window.rate.coarse_good.click()
    window.rate.level_buttons[5].click()
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
                    certificate_png(out / "certificate.pdf", out / "certificate.png")
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
    window.rate.skip_button.click()
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
        if window.current_screen() is window.rate:  # a lookup of its own ends with the rating
            window.rate.skip_button.click()
        _wait(app, lambda: controller.session.step is Step.ATTRACT, "the attract screen")

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


# --- the gallery: every screen in each language and elder mode, browsable offscreen -----------

GALLERY_MODES = (
    ("zh", "zh", False),
    ("en", "en", False),
    ("zh_TW", "zh_TW", False),
    ("elder", "zh", True),
)
"""(folder, language, elder mode) for each set of pictures."""

SAMPLE_HOLDER = "王*英"
"""A masked sample name: the gallery shows no real citizen's data (the session is wiped)."""


def _sample_states(window: KioskWindow, catalog: CatalogPublic) -> list[tuple[Screen, str, Any]]:
    """(screen, state, fill) for every screen of the stack, the extra states of the main ones."""
    item = catalog.item("sole-proprietor-registration")
    pages = [window.stack.widget(i) for i in range(window.stack.count())]

    def result(status: str, printing: str, *, offline: bool = False) -> Callable[[], None]:
        def fill() -> None:
            window.result.set_result(
                status,
                "DEMO01-20261122-00001",
                reason="申请人未满60周岁，不符合办理条件。" if status == "refused" else "",
                offline=offline,
                promised_days=1,
            )
            window.result.set_printing(printing)

        return fill

    def rate(*stage: str) -> Callable[[], None]:
        def fill() -> None:
            window.rate.reset()
            for name in stage:
                if name.isdigit():
                    window.rate.level_buttons[int(name)].click()
                elif window.rate.elder or name != "coarse_bad":
                    getattr(window.rate, name).click()

        return fill

    def prefill() -> None:
        for page in pages:
            if isinstance(page, OutOfServiceScreen):
                page.set_updating(False)
        window.attract.reset()
        window.overlay.hide()
        window.choose.set_items(list(catalog.items), SAMPLE_HOLDER)
        window.guide.set_item(item)
        window.identify.set_item_name(catalog.item("elder-card").name)
        window.review.reset()
        window.review.set_rows(
            [
                ("review_item", item.name.zh),
                ("review_applicant", SAMPLE_HOLDER),
                ("review_id", "110105********1221"),
                ("review_materials", "经营场所租赁合同 ✓ 已核验"),
            ]
        )
        lease = item.materials[1]
        window.capture.set_material(lease.name, lease.hint, tolerable=True)

    states: list[tuple[Screen, str, Any]] = []
    for page in pages:
        if isinstance(page, Screen):
            states.append((page, "default", prefill))
    out_of_service = next((p for p in pages if isinstance(p, OutOfServiceScreen)), None)
    if out_of_service is not None:
        states.append((out_of_service, "updating", lambda: out_of_service.set_updating(True)))
    states += [
        (window.attract, "reading", window.attract.show_reading),
        (window.result, "approved", result("approved", "done")),
        (window.result, "refused", result("refused", "done")),
        (window.result, "accepted-print-failed", result("accepted", "failed", offline=True)),
        (window.rate, "dissatisfied", rate("coarse_bad")),
        (window.rate, "reasons", rate("coarse_bad", "1")),
    ]
    return states


def write_gallery(app: QApplication, kiosk: KioskApp, out: Path) -> list[Path]:
    """Write every screen in each mode to ``out/<mode>/`` and an ``index.html``; the pictures."""
    window = kiosk.window
    catalog = kiosk.catalog()
    written: list[Path] = []
    sections = []
    for folder, language, elder in GALLERY_MODES:
        (out / folder).mkdir(parents=True, exist_ok=True)
        window.set_language(language)
        window.set_elder_mode(elder)
        figures = []
        for index, (screen, state, fill) in enumerate(_sample_states(window, catalog), 1):
            fill()
            window.show_screen(screen)
            window.resize(1920, 1080)
            app.processEvents()
            if window.height() > 1080 or window.width() > 1920:
                log.warning("%s/%s does not fit 1920x1080: %s", folder, state, window.size())
            name = f"{index:02d}-{type(screen).__name__.removesuffix('Screen').lower()}-{state}"
            path = out / folder / f"{name}.png"
            _shot(window, path)
            written.append(path)
            figures.append(
                f'<figure><a href="{folder}/{path.name}"><img src="{folder}/{path.name}" '
                f'loading="lazy" alt="{html.escape(name)}"></a>'
                f"<figcaption>{html.escape(name)}</figcaption></figure>"
            )
        sections.append(f"<h2>{folder}</h2>\n<div class=grid>{''.join(figures)}</div>")
    window.set_elder_mode(False)
    window.set_language(kiosk.settings.terminal.language)
    kiosk.controller.wipe()
    papers = [p.name for p in (out.parent / "certificate.png", out.parent / "receipt.png")]
    links = " · ".join(f'<a href="../{name}">{name}</a>' for name in papers)
    (out / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Terminal screens</title>"
        "<style>body{font-family:sans-serif;margin:2em}.grid{display:grid;"
        "grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1em}"
        "img{width:100%;border:1px solid #ccc}figcaption{font-size:14px}</style>"
        f"<h1>Every screen, in zh, en and elder mode (1920x1080)</h1><p>Papers: {links}</p>"
        + "\n".join(sections),
        encoding="utf-8",
    )
    log.info("wrote %s (%d screens)", out / "index.html", len(written))
    return written


def certificate_png(pdf: Path, png: Path) -> None:
    """The certificate's first page as a PNG (poppler's pdftoppm, 110 dpi)."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
        capture_output=True,
        timeout=60,
    )
    log.info("wrote %s", png)


def receipt_png(decoded: DecodedReceipt, png: Path, paper_dots: int = 576) -> None:
    """The receipt as the paper would look: its lines at the printer's sizes, its QR codes."""
    line_px, margin = 30, 16
    images = list(decoded.images)
    height = margin * 2
    for block in decoded.blocks:
        if isinstance(block, PrintedQr):
            height += (images[0].shape[0] if images else 200) + 12
        else:
            height += line_px * (2 if block.double else 1) + 6
    image = QImage(paper_dots, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    y = margin
    qr_index = 0
    for block in decoded.blocks:
        if isinstance(block, PrintedQr):
            if qr_index < len(images):
                bitmap = images[qr_index]
                qr_index += 1
                rgb = np.where(bitmap[..., None] > 0, 0, 255).astype(np.uint8).repeat(3, axis=2)
                rgb = np.ascontiguousarray(rgb)
                qr = QImage(
                    rgb.data,
                    rgb.shape[1],
                    rgb.shape[0],
                    rgb.shape[1] * 3,
                    QImage.Format.Format_RGB888,
                )
                painter.drawImage((paper_dots - qr.width()) // 2, y, qr)
                y += qr.height() + 12
            continue
        size = line_px * (2 if block.double else 1)
        font = QFont("Noto Sans CJK SC")
        font.setPixelSize(size - 6)
        font.setBold(block.bold)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        align = {
            "left": Qt.AlignmentFlag.AlignLeft,
            "center": Qt.AlignmentFlag.AlignHCenter,
            "right": Qt.AlignmentFlag.AlignRight,
        }[block.align]
        painter.drawText(
            QRect(8, y, paper_dots - 16, size), align | Qt.AlignmentFlag.AlignVCenter, block.text
        )
        y += size + 6
    painter.end()
    if not image.save(str(png)):
        raise DemoError(f"could not write {png}")
    log.info("wrote %s", png)
