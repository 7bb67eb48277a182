"""Asking for the card when an item needs it and none has been read yet."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from hall.schema import LocalizedText
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, label


class IdentifyScreen(Screen):
    """Asks for the ID card when a chosen item needs it."""

    back_requested = Signal()
    photo_id_requested = Signal()
    """After a failed read: photograph the card instead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.body.addStretch(1)
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        for widget in (self.title, self.subtitle, self.busy, self.error):
            self.body.addWidget(widget)
        self.photo_id_button = button()
        self.photo_id_button.clicked.connect(self.photo_id_requested)
        self.photo_id_button.hide()
        self.body.addWidget(self.photo_id_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addStretch(2)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.body.addWidget(bar)
        self.item_name: LocalizedText | None = None

    def set_item_name(self, name: LocalizedText | None) -> None:
        """The item waiting for the card (both languages; shown in the screen's)."""
        self.item_name = name
        self.error.hide()
        self.photo_id_button.hide()
        self.busy.hide()
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        self.title.setText(tr("identify_title", self.language))
        self.subtitle.setText(
            tr("identify_sub", self.language, item=loc(self.item_name, self.language))
        )
        self.back_button.setText(tr("back", self.language))
        self.photo_id_button.setText(tr("identify_photo_id", self.language))

    def show_error(self, message: str) -> None:
        """A read failed."""
        self.busy.hide()
        self.error.setText(message)
        self.error.show()

    def offer_photos(self, on: bool) -> None:
        """Offer photographing the card (after a failed read, for an item that accepts it)."""
        self.photo_id_button.setVisible(on)
