"""Drawn pictures that say what to do without words: a card going onto the reader."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.theme import PRIMARY, PRIMARY_DARK


class CardReaderIllustration(QWidget):
    """An ID card above the reader with an arrow down: "put your card here"."""

    # The drawing's own coordinates; it is scaled to the widget, keeping its proportions.
    WIDTH, HEIGHT = 440.0, 300.0

    def __init__(self, parent: QWidget | None = None) -> None:
        """A picture that shrinks to three quarters when the screen is short of room."""
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        """Big enough to read from a step away."""
        return QSize(int(self.WIDTH), int(self.HEIGHT))

    def minimumSizeHint(self) -> QSize:
        """Three quarters of the hint, so elder-mode text keeps its room on a 1080 px screen."""
        return QSize(int(self.WIDTH * 0.75), int(self.HEIGHT * 0.75))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the reader, the card and the arrow."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = min(self.width() / self.WIDTH, self.height() / self.HEIGHT)
        painter.translate((self.width() - self.WIDTH * scale) / 2, 0)
        painter.scale(scale, scale)
        w = self.WIDTH
        # The reader: a dark slab with a lit reading area.
        reader = QRectF(w / 2 - 190, 200, 380, 80)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2B3445"))
        painter.drawRoundedRect(reader, 18, 18)
        painter.setBrush(QColor("#5DA9F6"))
        painter.drawRoundedRect(reader.adjusted(90, 18, -90, -18), 8, 8)
        # The card, hovering above the reading area.
        card = QRectF(w / 2 - 130, 20, 260, 160)
        painter.setBrush(QColor("#E8F1FC"))
        painter.setPen(QPen(QColor(PRIMARY), 5))
        painter.drawRoundedRect(card, 16, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#B8CDEA"))
        painter.drawRoundedRect(QRectF(card.right() - 86, card.top() + 26, 60, 76), 6, 6)
        painter.setBrush(QColor("#9FB4D3"))
        for row in range(4):
            length = 130 if row < 3 else 200
            painter.drawRoundedRect(
                QRectF(card.left() + 24, card.top() + 30 + row * 26, length - row * 12, 10), 5, 5
            )
        # The arrow from the card down to the reader.
        painter.setBrush(QColor(PRIMARY_DARK))
        tip = QPointF(w / 2 + 150, 196)
        shaft = QPainterPath()
        shaft.addRoundedRect(QRectF(tip.x() - 7, 60, 14, 110), 7, 7)
        painter.drawPath(shaft)
        painter.drawPolygon(
            QPolygonF([QPointF(tip.x() - 26, 160), QPointF(tip.x() + 26, 160), tip])
        )
        painter.end()
