"""What the e2e tests do on the terminal's screens: press a button, wait for a verdict, read."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp

CHECK_WAIT = 90_000
"""A material check's wait: the OCR engine warms up on a busy 2-core machine first."""


def click(qtbot: QtBot, button: QPushButton) -> None:
    """Press a button a citizen can see and use."""
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


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
