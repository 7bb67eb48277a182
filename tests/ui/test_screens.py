"""Every screen at both orientations a terminal ships in: targets big enough, nothing cut off."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

import assets
from kiosk.config import KioskSettings
from kiosk.services.materials import commitment_for
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.strings import tr
from kiosk.ui.widgets import Screen

ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
MIN_TARGET_PX = 60
MIN_TEXT_PX = 24  # 18 pt at 96 dpi: the 适老化 floor for body text


def _fill_photo_and_promise(window: KioskWindow) -> None:
    """The states the photo-identity and 容缺受理 paths add: their buttons and texts shown."""
    catalog = assets.load_catalog()
    item = catalog.item("sole-proprietor-registration")
    lease = item.materials[1]
    promise = commitment_for(item, lease, dt.date(2026, 11, 22))
    window.commitment.set_commitment(
        (promise.text_zh, promise.text_en), ("2026年11月27日", "27 November 2026")
    )
    window.capture.set_material(lease.name, lease.hint, tolerable=True)
    # A photo held and refused with two reasons: the tallest the capture screen gets.
    photo = QImage(2592, 1944, QImage.Format.Format_RGB888)
    photo.fill(QColor("#5a5048"))
    window.capture.show_photo(photo)
    window.capture.show_verdict(
        "failed",
        [
            ("材料上的姓名与申请人不一致，请提供本人的材料。", "The name is not the applicant's."),
            ("材料已过期，请提供有效期内的材料。", "The document has expired."),
        ],
    )
    # The longest review: an item's every pre-filled field, while it is being submitted.
    window.review.set_rows(
        [("review_item", "个体工商户设立登记"), ("review_id", "110105********1221")]
        + [("review_materials", "经营场所租赁合同 ✓ 已核验")] * 3
        + [("review_item", "北京市海淀区中关村大街27号1层108室，建筑面积140.1平方米")] * 8
    )
    window.review.show_submitting()
    window.identify.offer_photos(True)
    window.choose.show_notice(
        "“社会保险个人参保证明打印”是即时办结事项，必须用读卡器读取身份证原件，"
        "照片不能用于即时审批。请选其他事项，或请工作人员帮助读卡。",
        error=True,
    )


def _window(qtbot: QtBot, size: tuple[int, int]) -> KioskWindow:
    window = KioskWindow(("区政务服务中心", "District Service Centre"))
    qtbot.addWidget(window)
    catalog = assets.load_catalog()
    window.choose.set_items(list(catalog.items), "王*英")
    window.guide.set_item(catalog.item("sole-proprietor-registration"))
    window.identify.set_item_name(catalog.item("elder-card").name)
    window.review.set_rows(
        [("review_item", "个体工商户设立登记"), ("review_id", "110105********1221")]
    )
    window.result.set_result(
        "refused",
        "DEMO01-20261122-00001",
        reason="申请人未满60周岁。",
        offline=False,
        promised_days=0,
    )
    _fill_photo_and_promise(window)
    window.resize(*size)
    window.show()
    return window


def _check_screen(window: KioskWindow, screen: Screen) -> list[str]:
    window.show_screen(screen)
    problems = []
    area = QRect(QPoint(0, 0), window.size())
    for push in screen.findChildren(QPushButton):
        if not push.isVisibleTo(window):
            continue
        rect = QRect(push.mapTo(window, QPoint(0, 0)), push.size())
        if push.height() < MIN_TARGET_PX:
            problems.append(
                f"{type(screen).__name__}: button {push.text()!r} is {push.height()} px high"
            )
        if not area.contains(rect):
            problems.append(f"{type(screen).__name__}: button {push.text()!r} is cut off at {rect}")
    for text in screen.findChildren(QLabel):
        if text.isVisibleTo(window) and text.text() and text.font().pixelSize() < MIN_TEXT_PX:
            problems.append(
                f"{type(screen).__name__}: {text.text()[:12]!r} at {text.font().pixelSize()} px"
            )
    return problems


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_every_screen_fits_with_touch_sized_targets(qtbot: QtBot, orientation: str) -> None:
    window = _window(qtbot, ORIENTATIONS[orientation])
    problems: list[str] = []
    for screen in window.screens:
        problems += _check_screen(window, screen)
    assert not problems, "\n".join(problems)


def test_elder_mode_makes_text_larger_and_back(qtbot: QtBot) -> None:
    window = _window(qtbot, ORIENTATIONS["landscape"])
    standard = window.guide.title.font().pixelSize()
    window.set_elder_mode(True)
    assert window.guide.title.font().pixelSize() > standard
    window.set_elder_mode(False)
    assert window.guide.title.font().pixelSize() == standard


@pytest.mark.parametrize("verdict", ["failed", "ok"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_screen_needs_more_than_a_portrait_screen_is_wide_or_a_landscape_one_is_high(
    qtbot: QtBot, language: str, elder: bool, verdict: str
) -> None:
    # The window grows past the screen when a screen's minimum size is larger: the check above
    # would then measure a window already too big, so ask the minimum directly. The stack is
    # sized by the screen it shows, so each screen is measured shown, in its tallest state.
    terminal = KioskSettings().terminal
    window = KioskWindow((terminal.location_zh, terminal.location_en))
    qtbot.addWidget(window)
    catalog = assets.load_catalog()
    window.choose.set_items(list(catalog.items), "王*英")
    window.guide.set_item(catalog.item("sole-proprietor-registration"))
    _fill_photo_and_promise(window)
    if verdict == "ok":
        # The photo passed: "use this photo" joins back and retake in the bottom row.
        window.capture.show_verdict("ok", [])
    window.set_language(language)
    window.set_elder_mode(elder)
    window.show()
    too_big = []
    # Portrait limits the width, landscape the height; layouts adapt to the width they get.
    for orientation, (width, height) in ORIENTATIONS.items():
        window.resize(width, height)
        for screen in window.screens:
            window.show_screen(screen)
            # The screen lays itself out for its new width: let the posted layout requests run.
            QApplication.processEvents()
            QApplication.processEvents()
            needed = window.minimumSizeHint()
            if orientation == "portrait" and needed.width() > width:
                too_big.append(f"{type(screen).__name__} needs {needed.width()} px wide")
            if orientation == "landscape" and needed.height() > height:
                too_big.append(f"{type(screen).__name__} needs {needed.height()} px high")
    assert not too_big, "\n".join(too_big)


def test_the_instruction_gives_way_to_a_verdict_and_returns_when_a_retake_fails(
    qtbot: QtBot,
) -> None:
    window = _window(qtbot, ORIENTATIONS["landscape"])
    capture = window.capture
    lease = assets.load_catalog().item("sole-proprietor-registration").materials[1]
    capture.set_material(lease.name, lease.hint, tolerable=True)
    window.show_screen(capture)
    assert capture.hint.isVisible()
    photo = QImage(1600, 1200, QImage.Format.Format_RGB888)
    photo.fill(QColor("#5a5048"))
    capture.show_photo(photo)
    capture.show_verdict("failed", [("材料已过期。", "The document has expired.")])
    assert capture.verdict.isVisible() and not capture.hint.isVisible()
    capture.show_taking()  # the citizen retakes
    assert capture.hint.isVisible() and not capture.verdict.isVisible()
    capture.show_error("照片模糊，请重拍。")  # and the camera's photo is refused
    assert capture.hint.isVisible() and capture.error.isVisible()
    assert capture.take_button.text() == tr("capture_take", "zh")
    assert not capture.use_button.isVisible()


def test_a_finger_drags_a_long_review_up(qtbot: QtBot) -> None:
    """The review's rows scroll under a dragging finger (a touch screen's taps are mouse events)."""
    window = _window(qtbot, ORIENTATIONS["landscape"])
    window.set_elder_mode(True)
    review = window.review
    review.reset()
    window.show_screen(review)
    bar = review.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    viewport = review.scroll_area.viewport()
    start = QPoint(viewport.width() // 2, viewport.height() * 4 // 5)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 13):
        qtbot.wait(16)  # a finger's moves arrive frame by frame
        QTest.mouseMove(viewport, start - QPoint(0, 30 * step))
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start - QPoint(0, 360)
    )
    qtbot.waitUntil(lambda: bar.value() > 0)


@pytest.mark.parametrize(("orientation", "columns"), [("portrait", 1), ("landscape", 3)])
def test_items_set_while_hidden_take_one_column_on_a_portrait_screen(
    qtbot: QtBot, orientation: str, columns: int
) -> None:
    """The card is read on the attract screen, so the items are set before the screen shows."""
    window = _window(qtbot, ORIENTATIONS[orientation])
    window.show_screen(window.choose)
    QApplication.processEvents()
    window.show_screen(window.attract)
    catalog = assets.load_catalog()
    window.choose.set_items(list(catalog.items), "李*国")  # hidden: no width of its own
    window.show_screen(window.choose)
    QApplication.processEvents()
    lefts = {push.geometry().left() for push in window.choose.buttons}
    assert len(lefts) == columns
