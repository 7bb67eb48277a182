"""What the e2e tests do on the terminal's screens: press a button, wait for a verdict, read."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from kiosk.app import KioskApp
from kiosk.ui.screens.rate import RateScreen

SCREEN_WAIT = 15_000
"""A screen change after a device event (a card laid down) on a loaded 2-core machine."""

CHECK_WAIT = 90_000
"""A material check's wait: the OCR engine warms up on a busy 2-core machine first."""


def click(qtbot: QtBot, button: QPushButton) -> None:
    """Press a button a citizen can see and use."""
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def to_lease_capture(qtbot: QtBot, kiosk: KioskApp, card: str = "adult") -> None:
    """Lay ``card`` on the reader, choose the registration item and start: the lease's capture."""
    w = kiosk.window
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card(card))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=SCREEN_WAIT)
    click(qtbot, w.choose.reveal("sole-proprietor-registration"))
    click(qtbot, w.guide.start_button)
    assert w.current_screen() is w.capture


def verdict(qtbot: QtBot, kiosk: KioskApp) -> str:
    """Wait for the photo's check on the capture screen and return its state."""
    capture = kiosk.window.capture
    qtbot.waitUntil(lambda: capture.verdict_state is not None, timeout=CHECK_WAIT)
    assert capture.has_photo and capture.verdict.isVisible()
    return str(capture.verdict_state)


def review_text(kiosk: KioskApp) -> list[str]:
    """The review screen's texts, in order."""
    grid = kiosk.window.review.grid
    texts = []
    for i in range(grid.count()):
        item = grid.itemAt(i)
        widget = item.widget() if item is not None else None
        if widget is not None:
            texts.append(widget.text())  # type: ignore[attr-defined]
    return texts


def rate(qtbot: QtBot, rate_screen: RateScreen, level: int, reasons: tuple[str, ...] = ()) -> None:
    """Rate as a citizen would: in elder mode 满意 or 不满意 first, then how much; reasons."""
    if rate_screen.stage == "coarse":
        click(qtbot, rate_screen.coarse_good if level >= 3 else rate_screen.coarse_bad)
    click(qtbot, rate_screen.level_buttons[level])
    if level <= 2:
        for code in reasons:
            click(qtbot, rate_screen.reason_buttons[code])
        click(qtbot, rate_screen.send_button)
