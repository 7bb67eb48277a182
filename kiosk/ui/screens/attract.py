"""The attract screen: place your card, or scan a receipt to check a case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from kiosk.ui.illustrations import CardReaderIllustration
from kiosk.ui.strings import tr
from kiosk.ui.widgets import BusyPanel, Screen, button, label


class AttractScreen(Screen):
    """What a passer-by sees: one instruction in big type and one other way in."""

    progress_requested = Signal()
    photo_id_requested = Signal()
    """The card cannot be read: the citizen will photograph it instead."""
    elder_requested = Signal()
    """长辈版: larger type and spoken prompts from this screen on (pressed again: standard)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.body.addStretch(2)
        self.card_icon = CardReaderIllustration()
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_en = label("", "titleEn")
        self.title_en.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        self.body.addWidget(self.card_icon, 0, Qt.AlignmentFlag.AlignHCenter)
        for widget in (self.title, self.title_en, self.subtitle, self.busy):
            self.body.addWidget(widget)
        self.body.addWidget(self.error)
        self.body.addStretch(2)
        self.progress_button = button()
        self.progress_button.clicked.connect(self.progress_requested)
        self.body.addWidget(self.progress_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress_button.setMinimumWidth(560)
        self.photo_id_button = button()
        self.photo_id_button.clicked.connect(self.photo_id_requested)
        self.photo_id_button.setMinimumWidth(560)
        self.body.addWidget(self.photo_id_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.elder_button = button(name="elderEntry")
        self.elder_button.clicked.connect(self.elder_requested)
        self.elder_button.setMinimumWidth(560)
        self.body.addWidget(self.elder_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts; the English line stays visible under the Chinese title either way."""
        self.title.setText(tr("attract_title", self.language))
        other = "zh" if self.language == "en" else "en"
        self.title_en.setText(tr("attract_title", other))
        self.subtitle.setText(tr("attract_sub", self.language))
        self.progress_button.setText(tr("attract_progress", self.language))
        self.photo_id_button.setText(tr("attract_photo_id", self.language))
        self.elder_button.setText(tr("elder_off" if self.elder else "attract_elder", self.language))

    def elder_changed(self) -> None:
        """Elder mode drops the second language's line and the picture, keeping the big type.

        The title says where the card goes; the button says how to go back.
        """
        self.card_icon.setVisible(not self.elder)
        self.title_en.setVisible(not self.elder)
        self.retranslate()

    def spoken_prompt(self) -> str:
        """The invitation and what to do."""
        return "\n".join([self.title.text(), self.subtitle.text()])

    def show_reading(self) -> None:
        """The card was felt: say we are reading it."""
        self.error.hide()
        self.card_icon.hide()  # the picture of where the card goes has done its job
        self.busy.show_busy(tr("attract_reading", self.language))

    def show_error(self, message: str) -> None:
        """A read failed: say what to do, stay on this screen."""
        self.busy.hide()
        self.card_icon.hide()  # room for the message on a 1,080 px screen
        self.error.setText(message)
        self.error.show()

    def reset(self) -> None:
        """Back to the plain invitation."""
        self.busy.hide()
        self.error.hide()
        self.card_icon.setVisible(not self.elder)
