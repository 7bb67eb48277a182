"""The hidden way into maintenance mode: five taps in the header's left corner within 3 seconds."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget

TAPS = 5
WINDOW_S = 3.0
CORNER_PX = 160


class HotCornerWidget(QWidget):
    """An invisible square over the header's left corner that counts taps.

    Touch screens deliver taps to widgets as synthesised mouse presses, so counting presses
    works for fingers, mice and ``QTest.mouseClick`` alike. The corner holds only the title
    text, so a citizen's stray tap there does nothing else.
    """

    triggered = Signal()

    def __init__(self, header: QWidget) -> None:
        """Lay the corner over ``header`` and follow its size."""
        super().__init__(header)
        self.setObjectName("hotCorner")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self._taps: list[float] = []
        header.installEventFilter(self)
        self._fit(header)
        self.raise_()

    def _fit(self, header: QWidget) -> None:
        self.setGeometry(0, 0, CORNER_PX, max(header.height(), 60))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the header's size."""
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self._fit(watched)
            self.raise_()
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Count the tap; the fifth within the window opens the PIN pad."""
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t <= WINDOW_S]
        self._taps.append(now)
        if len(self._taps) >= TAPS:
            self._taps = []
            self.triggered.emit()
        event.accept()

    def reset(self) -> None:
        """Forget the taps counted so far."""
        self._taps = []
