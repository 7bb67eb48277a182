"""Choosing a service item: at most six big buttons, each saying whether it finishes on the spot."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from hall.schema import ServiceItem
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, label

MAX_CHOICES = 6


class ChooseScreen(Screen):
    """The catalog's items for this terminal, greeting the citizen by masked name."""

    item_chosen = Signal(object)
    home_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build an empty grid; ``set_items`` fills it."""
        super().__init__(parent)
        self.greeting = label("", "subtitle")
        self.title = label("", "title")
        self.body.addWidget(self.greeting)
        self.body.addWidget(self.title)
        self.grid = QGridLayout()
        self.grid.setSpacing(28)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        bar = ActionBar()
        self.home_button = bar.add(button())
        self.home_button.clicked.connect(self.home_requested)
        self.body.addWidget(bar)
        self._items: list[ServiceItem] = []
        self.buttons: list[QPushButton] = []
        self._holder = ""

    def set_items(self, items: list[ServiceItem], holder_masked: str) -> None:
        """Show ``items`` (the first six) for a holder shown by masked name, or anonymously."""
        self._items = items[:MAX_CHOICES]
        self._holder = holder_masked
        for old in self.buttons:
            self.grid.removeWidget(old)
            old.deleteLater()
        self.buttons = []
        for index, item in enumerate(self._items):
            push = button(name="itemButton")
            push.clicked.connect(lambda _=False, chosen=item: self.item_chosen.emit(chosen))
            self.grid.addWidget(push, index // 2, index % 2)
            self.buttons.append(push)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        self.greeting.setText(tr("hello", self.language, name=self._holder) if self._holder else "")
        self.greeting.setVisible(bool(self._holder))
        self.title.setText(tr("choose_title", self.language))
        self.home_button.setText(tr("home", self.language))
        for push, item in zip(self.buttons, self._items, strict=True):
            if item.kind == "progress_query":
                tag = tr("tag_query", self.language)
            elif item.instant:
                tag = tr("tag_instant", self.language)
            else:
                tag = tr("tag_materials", self.language)
            push.setText(f"{loc(item.name, self.language)}\n· {tag}")
