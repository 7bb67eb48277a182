"""Face match (人证核验): "look at the camera", with progress, the time left and retries."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, label

PREVIEW_SIZE = (400, 300)
"""The mirror the citizen sees themselves in (width, height in pixels)."""

LOOK_PROMPTS = {"turn": "face_look_turn", "blink_or_turn": "face_look"}
"""The prompt of a try by what liveness asks for; ``face_look_still`` without liveness."""


class FaceScreen(Screen):
    """Asks the citizen to look at the camera while the terminal compares the card's photo."""

    retry_requested = Signal()
    skip_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen in its preparing state."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.hint = label("", "body")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.countdown = label("", "body")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.message = label("", "error")
        self.message.hide()
        # A mirror of the camera, so the citizen can see where to stand; only in memory, cleared
        # with every reset (the session's wipe resets the screen).
        self.preview = QLabel()
        self.preview.setFixedSize(*PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #1f2933; border-radius: 12px;")
        self.body.addWidget(self.title)
        self.body.addWidget(self.prompt)
        self.body.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        for widget in (self.hint, self.bar, self.countdown, self.message):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        bar = ActionBar()
        self.cancel_button = bar.add(button())
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.skip_button = bar.add(button())
        self.skip_button.clicked.connect(self.skip_requested)
        self.retry_button = bar.add(button(primary=True), right=True)
        self.retry_button.clicked.connect(self.retry_requested)
        self.body.addWidget(bar)
        self.state = "preparing"
        self._hint = ""
        self._message = ""
        self._attempt = (0, 0)
        self._left = 0
        self._look = "face_look_still"
        self.optional = False
        self.reset()

    def reset(self, *, optional: bool = False) -> None:
        """Back to "preparing" (the card's photo is being read)."""
        self.optional = optional
        self.state = "preparing"
        self._hint = self._message = ""
        self._left = 0
        self.bar.setRange(0, 0)
        self.message.hide()
        self.retry_button.hide()
        self.preview.clear()
        self.retranslate()

    def show_preview(self, rgb: npt.NDArray[np.uint8] | None) -> None:
        """Show a mirrored RGB frame (already cut to the preview's size); ``None`` clears it."""
        if rgb is None:
            self.preview.clear()
            return
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self.preview.setPixmap(QPixmap.fromImage(image.copy()))

    def show_looking(self, attempt: int, attempts: int, seconds: int, moves: str = "") -> None:
        """An attempt is under way: look at the camera; ``seconds`` left.

        ``moves`` is what liveness asks for (``FaceCheck.moves``): the prompt says it.
        """
        self.state = "looking"
        self._look = LOOK_PROMPTS.get(moves, "face_look_still")
        self._attempt = (attempt, attempts)
        self._message = ""
        self.message.hide()
        self.retry_button.hide()
        self.bar.setRange(0, max(1, seconds))
        self.show_time_left(seconds)
        self.retranslate()

    def show_time_left(self, seconds: int) -> None:
        """Move the bar and say how long is left."""
        self._left = max(0, seconds)
        if self.bar.maximum() > 0:
            self.bar.setValue(self.bar.maximum() - min(self._left, self.bar.maximum()))
        self.countdown.setText(tr("face_seconds_left", self.language, s=self._left))

    def show_hint(self, key: str) -> None:
        """What the last frame asks of the citizen (``face_hint_*``)."""
        if key != self._hint:
            self._hint = key
            self.hint.setText(tr(key, self.language) if key else "")

    def show_retry(self, key: str, attempts_left: int) -> None:
        """The attempt failed (``key`` says why); offer another."""
        self.state = "retry"
        self._message = key
        self._hint = ""  # the last frame's hint ("good, now turn") does not stand beside a failure
        self._attempt = (self._attempt[0], attempts_left)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.preview.clear()
        self.message.show()
        self.retry_button.show()
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        self.title.setText(tr("face_title", lang))
        self.cancel_button.setText(tr("face_cancel", lang))
        self.skip_button.setText(tr("face_skip", lang))
        self.skip_button.setVisible(self.optional)
        self.retry_button.setText(tr("face_retry", lang))
        if self.state == "preparing":
            self.prompt.setText(tr("face_preparing", lang))
            self.countdown.setText("")
        elif self.state == "looking":
            self.prompt.setText(tr(self._look, lang))
            self.show_time_left(self._left)
        else:
            self.prompt.setText(tr("face_retry_prompt", lang, n=self._attempt[1]))
            self.countdown.setText("")
        self.hint.setText(tr(self._hint, lang) if self._hint else "")
        self.message.setText(tr(self._message, lang) if self._message else "")
