"""Photographing a paper material with the document camera."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWidget

from hall.schema import LocalizedText
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, label


class CaptureScreen(Screen):
    """Take a photo, see it, retake or use it."""

    take_requested = Signal()
    accepted = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.preview = label("", "body")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(420)
        self.preview.setStyleSheet("background: #E6EAF0; border-radius: 16px;")
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        for widget in (self.title, self.hint):
            self.body.addWidget(widget)
        self.body.addWidget(self.preview, 1)
        self.body.addWidget(self.busy)
        self.body.addWidget(self.error)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.take_button = bar.add(button(), right=True)
        self.take_button.clicked.connect(self.take_requested)
        self.use_button = bar.add(button(primary=True), right=True)
        self.use_button.clicked.connect(self.accepted)
        self.body.addWidget(bar)
        self.material_name: LocalizedText | None = None
        self.material_hint: LocalizedText | None = None
        self.has_photo = False

    def set_material(self, name: LocalizedText | None, hint: LocalizedText | None) -> None:
        """Ask for one material (texts in both languages, shown in the screen's)."""
        self.material_name = name
        self.material_hint = hint
        self.has_photo = False
        self.preview.clear()
        self.error.hide()
        self.busy.hide()
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        self.title.setText(tr("capture_title", lang, material=loc(self.material_name, lang)))
        self.hint.setText(loc(self.material_hint, lang) or tr("capture_hint", lang))
        self.back_button.setText(tr("back", lang))
        self.take_button.setText(tr("capture_retake" if self.has_photo else "capture_take", lang))
        self.take_button.setObjectName("secondary" if self.has_photo else "primary")
        self.take_button.style().unpolish(self.take_button)
        self.take_button.style().polish(self.take_button)
        self.use_button.setText(tr("capture_use", lang))
        self.use_button.setVisible(self.has_photo)

    def show_taking(self) -> None:
        """The camera is working."""
        self.error.hide()
        self.take_button.setEnabled(False)
        self.busy.show_busy(tr("capture_busy", self.language))

    def show_photo(self, image: QImage) -> None:
        """Show the photo just taken, scaled to the preview."""
        self.busy.hide()
        self.take_button.setEnabled(True)
        self.has_photo = True
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview.width(),
            max(self.preview.height(), 400),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview.setPixmap(pixmap)
        self.retranslate()

    def show_error(self, message: str) -> None:
        """The photo failed."""
        self.busy.hide()
        self.take_button.setEnabled(True)
        self.error.setText(message)
        self.error.show()
