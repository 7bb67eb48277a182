"""HID keyboard-wedge scanners: an event filter on the application that takes scans out of typing.

Installed on the ``QApplication``, it sees every key press before any widget does. Printable keys
are held back and fed to ``devices.scanner.wedge.KeystrokeBurst``: a fast run ended by Enter is a
scan (``code_scanned``) and never reaches the focused input field; a run that turns out to be a
person typing is sent on to the focused widget, in order, as the same key presses. Keys with
Ctrl, Alt or Meta, and editing keys (Backspace, arrows), pass through at once, after any held
keys have been typed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from devices.scanner.repeats import RepeatFilter
from devices.scanner.wedge import DEFAULT_MAX_GAP, DEFAULT_MIN_LENGTH, KeystrokeBurst
from kiosk.ui.workers import CodeSource

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


@dataclass(frozen=True)
class _Key:
    """What is needed to type a held key later."""

    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    target: QObject


class KeyboardWedge(CodeSource):
    """The keyboard-wedge scanner as a code source: an application event filter.

    ``clock`` (monotonic seconds) times the keys; tests pass their own so that "fast" and
    "slow" do not depend on how busy the machine is.
    """

    def __init__(
        self,
        *,
        max_gap: float = DEFAULT_MAX_GAP,
        min_length: int = DEFAULT_MIN_LENGTH,
        repeat_window: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        """Hold keys at most ``max_gap`` seconds apart; call ``start()`` to install."""
        super().__init__(parent)
        self._burst: KeystrokeBurst[_Key] = KeystrokeBurst(max_gap, min_length)
        self._repeats = RepeatFilter(repeat_window, clock)
        self.clock = clock
        """Where key times come from; a test may swap it for its own."""
        self._enabled = False
        self._installed = False
        self._typing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        """Install the filter on the application."""
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def enable(self, on: bool, *, forget: bool = True) -> None:
        """Report scans, or swallow them silently (they are never typed either way)."""
        self._enabled = on
        if on and forget:
            self._repeats.reset()

    @property
    def enabled(self) -> bool:
        """Whether scans are reported now."""
        return self._enabled

    def stop(self) -> None:
        """Remove the filter; keys held at this moment are dropped."""
        self._timer.stop()
        self._burst.drop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Hold printable keys; turn a fast run ended by Enter into ``code_scanned``."""
        if self._typing or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        now = self.clock()
        if event.key() in _ENTER_KEYS:
            payload, replay = self._burst.enter(now)
            if payload is not None:
                self._timer.stop()
                if self._enabled and self._repeats.accept(payload):
                    self.code_scanned.emit(payload)
                return True
            self._type(replay)
            return False
        text = event.text()
        if text and text.isprintable() and not (event.modifiers() & _COMMAND_MODIFIERS):
            replay = self._burst.key(text, _Key(event.key(), event.modifiers(), text, watched), now)
            self._type(replay)
            self._arm()
            return True
        # Backspace, arrows, shortcuts: what was typed before them must land first.
        self._type(self._burst.flush())
        return False

    def _arm(self) -> None:
        wait = self._burst.remaining(self.clock())
        # At least a few ms, so that a frozen test clock does not spin the event loop.
        self._timer.start(max(5, round(wait * 1000)))

    def _on_timer_timeout(self) -> None:
        self._type(self._burst.expire(self.clock()))
        if self._burst.holding:
            self._arm()

    def _type(self, keys: list[_Key]) -> None:
        if not keys:
            return
        focus = QApplication.focusWidget()
        self._typing = True
        try:
            for key in keys:
                target = focus if focus is not None else key.target
                press = QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text)
                QApplication.sendEvent(target, press)
        finally:
            self._typing = False
