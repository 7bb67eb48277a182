"""Accessibility, enforced over every screen in every state, mode, language and orientation.

The screens are enumerated from the window's stack (a screen another engineer adds is checked
too, in its default state at least); the states come from the screens' own setters fed with the
catalog's data. For each combination the window is rendered and measured:

- it fits the panel (1920x1080 landscape, 1080x1920 portrait) and no button falls off it;
- every visible target, header included, is at least 60 px each way, and wide enough for its words;
- text is at least 24 px (18 pt, the 适老化 floor), at least 36 px in elder mode (1.5x);
- contrast from the rendered pixels: text 4.5:1 on what is behind it, a button's edge 3:1
  against its surroundings, a scroll handle 3:1 against its groove;
- after a second session's data replaces the first's, nothing of the first is visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollBar, QWidget
from pytestqt.qtbot import QtBot

import assets
from hall.schema import CaseProgressPublic, CatalogPublic, LocalizedText, StagePublic
from kiosk.config import KioskSettings
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.screens.verify import CertificateView
from kiosk.ui.widgets import Screen
from tests.ui.test_screens import _fill_photo_and_promise

ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
MIN_TARGET_PX = 60
MIN_TEXT_PX = {False: 24, True: 36}
TEXT_CONTRAST = 4.5
BOUNDARY_CONTRAST = 3.0

State = Callable[[KioskWindow, CatalogPublic], None]


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (..., 3) in 0..255."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: np.ndarray, b: np.ndarray) -> float:
    """The WCAG contrast ratio of two colours."""
    la, lb = float(_luminance(a)), float(_luminance(b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine() // 4, 4)
    return raw[:, :width, 2::-1].copy()  # BGRA in memory -> RGB


def text_contrast(crop: np.ndarray) -> float:
    """Text against its background in a rendered crop: the commonest colour is the background,
    the text the colour (covering a few pixels at least) that stands out most from it."""
    flat = crop.reshape(-1, 3)
    packed = (flat[:, 0].astype(np.int64) << 16) | (flat[:, 1].astype(np.int64) << 8) | flat[:, 2]
    colours, counts = np.unique(packed, return_counts=True)
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1)
    background = rgb[np.argmax(counts)]
    enough = rgb[counts >= 4]
    if len(enough) < 2:
        return 0.0
    lum = _luminance(enough)
    lb = float(_luminance(background))
    ratios = (np.maximum(lum, lb) + 0.05) / (np.minimum(lum, lb) + 0.05)
    return float(ratios.max())


def _rect_in(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` actually on screen (clipped by scroll areas), in window pixels."""
    visible = widget.visibleRegion().boundingRect()
    return QRect(widget.mapTo(window, visible.topLeft()), visible.size())


# --- the states each screen can be in, filled with the flows' own data --------------------------


def _result_state(status: str, *, offline: bool = False, printing: str = "") -> State:
    def fill(window: KioskWindow, _catalog: CatalogPublic) -> None:
        window.result.set_result(
            status,
            "DEMO01-20261122-00001",
            reason="申请人未满60周岁，不符合办理条件。" if status == "refused" else "",
            offline=offline,
            promised_days=1,
        )
        if printing:
            window.result.set_printing(printing)

    return fill


def _rate_state(*clicks: str) -> State:
    def fill(window: KioskWindow, _catalog: CatalogPublic) -> None:
        rate = window.rate
        rate.reset()
        for name in clicks:
            if name == "coarse_bad" and not rate.elder:
                continue  # standard mode: the five levels are on the first screen
            if name.isdigit():
                rate.level_buttons[int(name)].click()
            elif name.startswith("reason:"):
                rate.reason_buttons[name.removeprefix("reason:")].click()
            else:
                getattr(rate, name).click()

    return fill


def _attract_reading(window: KioskWindow, _catalog: CatalogPublic) -> None:
    window.attract.show_reading()


def _attract_error(window: KioskWindow, _catalog: CatalogPublic) -> None:
    window.attract.show_error("身份证读取失败，请把身份证平放在读卡区，不要移动，再试一次。")


def _guide_each(item_id: str) -> State:
    def fill(window: KioskWindow, catalog: CatalogPublic) -> None:
        window.guide.set_item(catalog.item(item_id))

    return fill


def _verify_state(status: str) -> State:
    def fill(window: KioskWindow, _catalog: CatalogPublic) -> None:
        window.verify.show_check(
            CertificateView(
                status=status,
                certificate_id="SB2026112200001",
                holder="王*英",
                id_masked="110105********1221",
                item_zh="社会保险个人参保证明打印",
                item_en="Social insurance contribution certificate",
                issued="2026-11-22",
                valid_until="2027-02-20" if status != "expired" else "2026-11-30",
            )
        )

    return fill


def _progress_stages(window: KioskWindow, catalog: CatalogPublic) -> None:
    item = catalog.item("sole-proprietor-registration")
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    window.progress.show_progress(
        CaseProgressPublic(
            case_number="DEMO01-20261122-00001",
            item_id=item.id,
            item_name=item.name,
            status="accepted",
            promised_days=3,
            stages=[
                StagePublic(
                    code="received",
                    name=LocalizedText(zh="受理", en="Received"),
                    started_at=start,
                    finished_at=start,
                    seconds=0.0,
                ),
                StagePublic(
                    code="review",
                    name=LocalizedText(zh="审核", en="Review"),
                    started_at=start,
                    seconds=5400.0,
                ),
                StagePublic(code="decision", name=LocalizedText(zh="决定", en="Decision")),
            ],
        )
    )
    window.progress.offer_reprint(2)


def _progress_message(window: KioskWindow, _catalog: CatalogPublic) -> None:
    window.progress.show_message("progress_unreachable")


def _choose_page_two(window: KioskWindow, _catalog: CatalogPublic) -> None:
    if window.choose.more_button.isVisibleTo(window.choose):
        window.choose.more_button.click()


def _choose_categories_turned(window: KioskWindow, _catalog: CatalogPublic) -> None:
    for _ in range(10):
        if window.choose.category_next.isVisibleTo(window.choose):
            window.choose.category_next.click()


STATES: dict[str, dict[str, State]] = {
    "AttractScreen": {"reading": _attract_reading, "error": _attract_error},
    "ChooseScreen": {"next page": _choose_page_two, "categories turned": _choose_categories_turned},
    "VerifyScreen": {
        status: _verify_state(status)
        for status in ("genuine", "tampered", "expired", "unknown_key", "malformed")
    },
    "ProgressScreen": {"stages": _progress_stages, "unreachable": _progress_message},
    "GuideScreen": {
        item: _guide_each(item)
        for item in ("si-insured-certificate", "elder-card", "sole-proprietor-registration")
    },
    "ResultScreen": {
        "approved, printing": _result_state("approved", printing="busy"),
        "approved, printed": _result_state("approved", printing="done"),
        "refused": _result_state("refused", printing="done"),
        "accepted": _result_state("accepted", printing="done"),
        "offline, print failed": _result_state("accepted", offline=True, printing="failed"),
    },
    "RateScreen": {
        "first question": _rate_state(),
        "satisfied: how much": _rate_state("coarse_good"),
        "dissatisfied: how much": _rate_state("coarse_bad"),
        "reasons": _rate_state("coarse_bad", "1", "reason:slow"),
    },
}


def _window(qtbot: QtBot) -> tuple[KioskWindow, CatalogPublic]:
    terminal = KioskSettings().terminal
    window = KioskWindow((terminal.location_zh, terminal.location_en))
    qtbot.addWidget(window)
    catalog = assets.load_catalog()
    # The whole catalog with its categories, as the app sets it (a bare item list has none,
    # and elder mode once showed the category row over its three rows, 1156 px high).
    window.choose.set_catalog(catalog, "王*英")
    window.guide.set_item(catalog.item("sole-proprietor-registration"))
    window.identify.set_item_name(catalog.item("elder-card").name)
    _fill_photo_and_promise(window)
    window.review.reset()
    return window, catalog


def _screens(window: KioskWindow) -> list[Screen]:
    """Every page of the stack: the code's list, not a hand-kept one."""
    pages = [window.stack.widget(i) for i in range(window.stack.count())]
    return [page for page in pages if isinstance(page, Screen)]


def _states(window: KioskWindow, catalog: CatalogPublic) -> Iterator[tuple[Screen, str]]:
    for screen in _screens(window):
        yield screen, "as filled"
        for name, fill in STATES.get(type(screen).__name__, {}).items():
            if type(screen).__name__ == "RateScreen" and "how much" in name and not screen.elder:
                # Standard mode shows the five levels at once: the two-step path is elder's.
                continue
            fill(window, catalog)
            yield screen, name


# --- the checks ---------------------------------------------------------------------------------


def _check(
    window: KioskWindow, screen: Screen, state: str, elder: bool, panel: tuple[int, int]
) -> list[str]:
    window.resize(*panel)
    QApplication.processEvents()
    QApplication.processEvents()
    where = f"{type(screen).__name__} [{state}]"
    problems: list[str] = []
    size = window.size()
    if size.toTuple() != panel:
        # The window grew past the panel: what the screen needs does not fit on it.
        problems.append(f"{where}: the window grew to {size.toTuple()} on {panel}")
    needed = window.minimumSizeHint()
    if needed.width() > size.width() or needed.height() > size.height():
        problems.append(f"{where}: needs {needed.width()}x{needed.height()} on {size.toTuple()}")
    pixels = _pixels(window.grab().toImage())
    area = QRect(QPoint(0, 0), size)
    roots: list[QWidget] = [screen, window.header]
    if window.overlay.isVisible():
        roots = [window.overlay]
    for root in roots:
        for push in root.findChildren(QPushButton):
            if not push.isVisibleTo(window):
                continue
            name = push.text().split("\n")[0][:16]
            full = QRect(push.mapTo(window, QPoint(0, 0)), push.size())
            if push.height() < MIN_TARGET_PX or push.width() < MIN_TARGET_PX:
                problems.append(f"{where}: {name!r} is {push.width()}x{push.height()} px")
            if push.objectName() != "itemButton" and push.text():
                # Its words fit it: a button squeezed below them shows a label cut at both ends
                # (20 px for its border and the least padding of the theme).
                words = max(
                    push.fontMetrics().horizontalAdvance(line) for line in push.text().split("\n")
                )
                if words > push.width() - 20:
                    problems.append(f"{where}: {name!r} needs {words} px, is {push.width()} px")
            rect = _rect_in(push, window)
            if rect.isEmpty():
                continue  # scrolled out of sight: the scroll bar below is checked instead
            if not area.contains(full) and rect.height() < push.height():
                problems.append(f"{where}: {name!r} is cut off at {full.getRect()}")
            # Boundary: the button's edge (or fill) against what is just outside it.
            y = full.center().y()
            x0 = full.left()
            # A button scrolled partly out of a row at its left shows no left edge to judge.
            clipped = rect.left() > x0
            if not clipped and 3 <= x0 < size.width() - 3 and 0 <= y < size.height():
                # The edge's strongest pixel (a border, or the fill when there is none).
                outside = pixels[y, x0 - 3]
                edge = max(contrast(pixels[y, x0 + dx], outside) for dx in range(4))
                if edge < BOUNDARY_CONTRAST:
                    problems.append(f"{where}: {name!r}'s edge is {edge:.2f}:1")
        for text in root.findChildren(QLabel):
            if not text.isVisibleTo(window) or not text.text().strip():
                continue
            px = text.font().pixelSize()
            if px < MIN_TEXT_PX[elder]:
                problems.append(f"{where}: {text.text()[:12]!r} at {px} px")
        for widget in [*root.findChildren(QLabel), *root.findChildren(QPushButton)]:
            if not widget.isVisibleTo(window) or not widget.text().strip():
                continue
            if isinstance(widget, QPushButton) and widget.objectName() == "itemButton":
                continue  # its text is the label inside it, checked as a label
            rect = _rect_in(widget, window) & area
            if rect.width() < 4 or rect.height() < widget.font().pixelSize():
                continue  # scrolled almost out of sight: not a line of text to read
            crop = pixels[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
            ratio = text_contrast(crop)
            if ratio < TEXT_CONTRAST:
                problems.append(f"{where}: {widget.text()[:12]!r} contrast {ratio:.2f}:1")
        for bar in root.findChildren(QScrollBar):
            if not bar.isVisibleTo(window) or bar.maximum() == 0:
                continue
            rect = _rect_in(bar, window)
            crop = pixels[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
            # Handle and groove are the bar's two colours, whichever covers more of it.
            ratio = text_contrast(crop)
            if ratio < BOUNDARY_CONTRAST:
                problems.append(f"{where}: scroll handle {ratio:.2f}:1")
    return problems


COUNTED: dict[str, int] = {}


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_screen_in_every_state_is_readable_and_reachable(
    qtbot: QtBot, elder: bool, language: str, orientation: str
) -> None:
    window, catalog = _window(qtbot)
    window.set_language(language)
    window.set_elder_mode(elder)
    window.resize(*ORIENTATIONS[orientation])
    window.show()
    problems: list[str] = []
    checked = 0
    for screen, state in _states(window, catalog):
        window.show_screen(screen)
        problems += _check(window, screen, state, elder, ORIENTATIONS[orientation])
        checked += 1
    # The idle warning over a screen mid-journey.
    window.show_screen(window.choose)
    window.overlay.show_countdown(25, language)
    problems += _check(window, window.choose, "idle warning", elder, ORIENTATIONS[orientation])
    window.overlay.hide()
    checked += 1
    COUNTED[f"{elder}-{language}-{orientation}"] = checked
    assert checked >= len(_screens(window)) + sum(map(len, STATES.values())) - 2
    assert not problems, f"{len(problems)} problems in {checked} states:\n" + "\n".join(problems)


def test_the_contrast_measure_fails_what_it_should() -> None:
    # The measure itself: the old 2.48:1 scroll handle fails, black on white passes.
    assert contrast(np.array([0x8A, 0x96, 0xA8]), np.array([0xE6, 0xEA, 0xF0])) < 3.0
    assert contrast(np.array([0, 0, 0]), np.array([255, 255, 255])) == pytest.approx(21.0)
    grey_on_grey = np.full((20, 60, 3), 200, np.uint8)
    grey_on_grey[5:15, 10:50] = 170
    assert text_contrast(grey_on_grey) < TEXT_CONTRAST


def test_nothing_of_the_last_session_shows_behind_the_next(qtbot: QtBot) -> None:
    window, catalog = _window(qtbot)
    window.resize(*ORIENTATIONS["landscape"])
    window.show()
    window.show_screen(window.choose)
    QApplication.processEvents()
    items = list(catalog.items)
    # The next citizen, before Qt has run the deferred deletes of the last one's buttons.
    window.choose.set_items(items[:2], "李*国")
    pixels_text = []
    for push in window.choose.findChildren(QPushButton):
        if push.isVisibleTo(window):
            pixels_text.append(push.text())
    for widget in window.choose.findChildren(QLabel):
        if widget.isVisibleTo(window):
            pixels_text.append(widget.text())
    shown = "\n".join(pixels_text)
    assert "李*国" in shown and "王*英" not in shown
    names = [item.name.zh for item in items[2:]]
    assert not [name for name in names if name in shown], "the last session's items still show"


def test_the_rating_steps_never_grow_the_window_past_the_panel(qtbot: QtBot) -> None:
    """Each step of the elder rating, and the wipe back to standard mode, stays on 1920x1080.

    A top-level window grows to hold what its layout needs and does not shrink back: a stage
    whose buttons were shown before the old ones were hidden once grew it to 1320 px, and every
    later screen's action bar sat below the bottom of the panel.
    """
    window, _catalog = _window(qtbot)
    window.resize(1920, 1080)
    window.show()
    window.set_elder_mode(True)
    window.show_screen(window.rate)
    rate = window.rate
    heights: list[int] = []
    for step in (
        lambda: None,
        rate.coarse_good.click,
        rate.back_button.click,
        rate.coarse_bad.click,
        lambda: rate.level_buttons[1].click(),
        rate.reset,
        lambda: window.set_elder_mode(False),
        rate.reset,
    ):
        step()
        QApplication.processEvents()
        heights.append(window.height())
    assert heights == [1080] * len(heights)
