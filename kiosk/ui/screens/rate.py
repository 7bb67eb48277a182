"""Rating the service ("好差评"), then goodbye."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import Screen, button, label


class RateScreen(Screen):
    """Three big faces and a skip; any choice ends the session."""

    rated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.body.addStretch(1)
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.goodbye = label("", "subtitle")
        self.goodbye.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.title)
        row = QHBoxLayout()
        row.setSpacing(32)
        self.buttons = []
        for score in (3, 2, 1):
            push = button(primary=score == 3)
            # Wide when there is room, never wider than a portrait panel allows.
            push.setMinimumHeight(140)
            push.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            push.clicked.connect(lambda _=False, s=score: self.rated.emit(s))
            row.addWidget(push)
            self.buttons.append(push)
        self.body.addLayout(row)
        self.skip = button()
        self.skip.clicked.connect(lambda: self.rated.emit(0))
        self.body.addWidget(self.skip, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addWidget(self.goodbye)
        self.body.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        self.title.setText(tr("rate_title", lang))
        for push, key in zip(self.buttons, ("rate_good", "rate_ok", "rate_bad"), strict=True):
            face = {"rate_good": "☺", "rate_ok": "😐", "rate_bad": "☹"}[key]
            push.setText(f"{face}  {tr(key, lang)}")
        self.skip.setText(tr("rate_skip", lang))
        self.goodbye.setText(tr("goodbye", lang))
