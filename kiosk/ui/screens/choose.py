"""Choosing a service item: at most six big buttons, each saying whether it finishes on the spot."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from hall.schema import ServiceItem
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import NARROW_WIDTH, ActionBar, Screen, WrappingButton, button, label

MAX_CHOICES = 6
ELDER_CHOICES = 4
"""Elder mode offers at most this many choices a screen: three items and "more", page by page."""


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
        self.notice = label("", "subtitle")
        self.notice.hide()
        self.body.addWidget(self.notice)
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
        self._columns = 2
        self.page = 0
        self.more_button = button()
        self.more_button.clicked.connect(self._on_more_clicked)
        self.more_button.hide()

    def set_items(self, items: list[ServiceItem], holder_masked: str) -> None:
        """Show ``items`` (the first six) for a holder shown by masked name, or anonymously."""
        self._items = items[:MAX_CHOICES]
        self._holder = holder_masked
        for old in self.buttons:
            self.grid.removeWidget(old)
            old.hide()  # a deleteLater alone left it drawn behind the next session's buttons
            old.deleteLater()
        self.buttons = []
        self.page = 0
        for item in self._items:
            push = WrappingButton("itemButton")
            push.clicked.connect(lambda _=False, chosen=item: self.item_chosen.emit(chosen))
            self.buttons.append(push)
        self._place_buttons()
        self.retranslate()

    def show_notice(self, text: str, *, error: bool = False) -> None:
        """A line above the items (the photo path's note, or why an item cannot be chosen)."""
        style = "error" if error else "subtitle"
        if self.notice.objectName() != style:
            self.notice.setObjectName(style)
            self.notice.style().unpolish(self.notice)
            self.notice.style().polish(self.notice)
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _place_buttons(self) -> None:
        # Two equal columns on a landscape screen; one on a portrait one, where two columns
        # would wrap each name onto four or five short lines.
        # A hidden screen has no width of its own yet: two columns until it is shown
        # (``showEvent`` places them again for the width it has then).
        columns = 1 if self.isVisible() and self.width() < NARROW_WIDTH else 2
        shown = self.shown_buttons()
        placed = shown + ([self.more_button] if self._paged() else [])
        self.grid.removeWidget(self.more_button)
        for push in self.buttons:
            self.grid.removeWidget(push)
            push.setVisible(push in shown)
        self.more_button.setVisible(self._paged())
        for index, push in enumerate(placed):
            self.grid.addWidget(push, index // columns, index % columns)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self._columns = columns

    def _paged(self) -> bool:
        return self.elder and len(self.buttons) > ELDER_CHOICES

    def _pages(self) -> int:
        per_page = ELDER_CHOICES - 1
        return -(-len(self.buttons) // per_page)

    def shown_buttons(self) -> list[QPushButton]:
        """The item buttons on the screen now (elder mode: this page's)."""
        if not self._paged():
            return list(self.buttons)
        per_page = ELDER_CHOICES - 1
        return self.buttons[self.page * per_page : (self.page + 1) * per_page]

    def _on_more_clicked(self) -> None:
        self.page = (self.page + 1) % self._pages()
        self._place_buttons()
        self.retranslate()

    def elder_changed(self) -> None:
        """Elder mode pages the items (at most four choices a screen); standard shows them all."""
        self.page = 0
        self._place_buttons()
        self.retranslate()

    def spoken_prompt(self) -> str:
        """The question, then the items shown, one by one (and "more" when paged)."""
        parts = [self.title.text()]
        if self.notice.isVisibleTo(self):
            parts.append(self.notice.text())
        parts += [push.text().split("\n")[0] for push in self.shown_buttons()]
        if self._paged():
            parts.append(self.more_button.text())
        return "\n".join(parts)

    def showEvent(self, event: QShowEvent) -> None:
        """Lay the buttons for the width the screen is shown at.

        Items are set while the screen is hidden, and on a kiosk whose window never changes size
        the screen comes back at the same width, so no resize would place them for a portrait
        screen.
        """
        super().showEvent(event)
        if (1 if self.width() < NARROW_WIDTH else 2) != self._columns:
            self._place_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-lay the buttons when the screen turns narrow or wide."""
        super().resizeEvent(event)
        if (1 if self.isVisible() and event.size().width() < NARROW_WIDTH else 2) != self._columns:
            self._place_buttons()

    def retranslate(self) -> None:
        """Set the texts."""
        self.greeting.setText(tr("hello", self.language, name=self._holder) if self._holder else "")
        self.greeting.setVisible(bool(self._holder))
        self.title.setText(tr("choose_title", self.language))
        self.home_button.setText(tr("home", self.language))
        self.more_button.setText(
            tr(
                "choose_more",
                self.language,
                page=self.page % self._pages() + 1,
                pages=self._pages(),
            )
            if self.buttons
            else ""
        )
        for push, item in zip(self.buttons, self._items, strict=True):
            if item.kind == "progress_query":
                tag = tr("tag_query", self.language)
            elif item.instant:
                tag = tr("tag_instant", self.language)
            else:
                tag = tr("tag_materials", self.language)
            push.setText(f"{loc(item.name, self.language)}\n· {tag}")
