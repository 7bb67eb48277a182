"""Out of service: the hall locked this terminal, or it is installing a signed update.

A hall's ``lock`` command holds until it unlocks; an update until the installer restarts it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import Screen, label


class OutOfServiceScreen(Screen):
    """Says the terminal is not taking citizens and where to go instead; no dead end.

    The header's language switch and 呼叫工作人员 stay usable above it.
    """

    def __init__(self, phone: str, parent: QWidget | None = None) -> None:
        """Build the screen with the help line to show."""
        super().__init__(parent)
        self._phone = phone
        self.updating = False
        """Installing an update (it says so, and that it comes back by itself)."""
        self.body.addStretch(1)
        self.title = label("", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = label("", "subtitle")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.title)
        self.body.addWidget(self.detail)
        self.body.addStretch(2)
        self.retranslate()

    def set_updating(self, updating: bool) -> None:
        """Say why: an update being installed, or (``False``) out of service."""
        self.updating = updating
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words in ``self.language``."""
        key = "updating" if self.updating else "out_of_service"
        self.title.setText(tr(f"{key}_title", self.language))
        self.detail.setText(tr(f"{key}_body", self.language, phone=self._phone))
