"""Kiosk-mode lockdown of the window, offscreen: the escape keys never reach a shortcut or a
widget, a context menu never opens, a close request is refused; ordinary typing (the keyboard
wedge scanner) still gets through. The X-level half (no window manager, xset) is the session
script's, deploy/session/kiosk-session."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.ui.main_window import ESCAPE_KEYS, KioskWindow


def test_escape_keys_are_swallowed_and_close_is_refused(qtbot: QtBot) -> None:
    window = KioskWindow(("某地", "Somewhere"))
    qtbot.addWidget(window)
    window.lock_down()
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    fired: list[str] = []
    for sequence in ("Ctrl+Q", "Ctrl+W", "Alt+F4", "F11", "Escape", "Alt+Tab", "Shift+F10"):
        shortcut = QShortcut(QKeySequence(sequence), window)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        shortcut.activated.connect(lambda s=sequence: fired.append(s))
    field = QLineEdit(window)
    field.show()
    field.setFocus()
    for modifiers, key in ESCAPE_KEYS:
        QTest.keyClick(field, key, modifiers)  # to the widget
        QTest.keyClick(window.windowHandle(), key, modifiers)  # as the platform delivers it
    assert fired == []
    assert window.lockdown.swallowed >= 4 * len(ESCAPE_KEYS)
    assert field.text() == ""
    # The wedge scanner's keystrokes are not escape keys: they still arrive.
    QTest.keyClicks(field, "ZW123")
    assert field.text() == "ZW123"
    # A right click (or a long press turned into a context menu) opens nothing.
    before = window.lockdown.swallowed
    QApplication.sendEvent(
        field,
        QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, QPoint(5, 5), field.mapToGlobal(QPoint(5, 5))
        ),
    )
    assert window.lockdown.swallowed == before + 1
    # The window system's close (Alt+F4 under a window manager, xdotool windowclose) is refused.
    assert window.close() is False
    assert window.isVisible()
    window.closing_allowed = True
    assert window.close() is True


def test_an_unlocked_window_keeps_its_keys(qtbot: QtBot) -> None:
    window = KioskWindow(("某地", "Somewhere"))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    fired: list[str] = []
    shortcut = QShortcut(QKeySequence("Ctrl+Q"), window)
    shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
    shortcut.activated.connect(lambda: fired.append("Ctrl+Q"))
    field = QLineEdit(window)
    field.show()
    field.setFocus()
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["Ctrl+Q"]
    assert window.close() is True
