"""Choosing a service item: the most used first, categories, pages, and a search by letter pad.

At most six items on a page (the design's six choices), big buttons each saying what the item
gives (done on the spot, documents needed, a bundle, a counter); a page line and big previous /
next buttons say there is more. The letter pad searches as the citizen types: pinyin, initials,
English, or a suggested phrase (``kiosk.services.search``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QScrollArea, QWidget

from hall.schema import CatalogPublic, CategoryPublic, ServiceItem
from kiosk.services.search import CatalogSearch
from kiosk.ui.keypad import LetterPadWidget
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import (
    NARROW_WIDTH,
    Screen,
    WrappingButton,
    button,
    clear_layout,
    label,
    touch_scrolling,
)

MAX_CHOICES = 6
"""Items on one page of a landscape screen (three columns, two rows)."""
NARROW_CHOICES = 4
"""Items on one page of a portrait screen (one column: six big buttons would not fit its
height in elder mode with the categories and the search)."""
WIDE_COLUMNS = 3
"""Columns of items on a landscape screen."""
ELDER_CHOICES = 3
"""Items on one page in elder mode: with "more" (▶) at most four choices a screen, one column,
no categories and no search (one decision a screen)."""
POPULAR = "popular"
"""The first view: every item, the most used first."""
SEARCH = "search"

_TAGS = {
    "instant": "tag_instant",
    "materials": "tag_materials",
    "bundle": "tag_bundle",
    "service": "tag_service",
    "handoff": "tag_handoff",
}


class ChooseScreen(Screen):
    """The catalog's items for this terminal, greeting the citizen by masked name."""

    item_chosen = Signal(object)
    home_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the empty screen; ``set_items`` (or ``set_catalog``) fills it."""
        super().__init__(parent)
        self.greeting = label("", "subtitle")
        self.title = label("", "title")
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.title, 1)
        top.addWidget(self.greeting)
        self.search_button = button()
        self.search_button.clicked.connect(self._on_search_button_clicked)
        top.addWidget(self.search_button)
        self.body.addLayout(top)
        self.search_line = label("", "subtitle")
        self.search_line.hide()
        self.body.addWidget(self.search_line)
        self.pad = LetterPadWidget()
        self.pad.hide()
        self.pad.query_changed.connect(self._on_pad_query_changed)
        self.pad.phrase_chosen.connect(self._on_pad_phrase_chosen)
        self.body.addWidget(self.pad)
        # Categories: one row of big buttons; when they do not all fit, ◀ and ▶ at its ends
        # turn it (and a finger may drag it sideways). A scroll bar would be a thin line no one
        # at arm's length can hit.
        strip = QWidget()
        strip.setObjectName("categoryStrip")
        self.category_row = QHBoxLayout(strip)
        self.category_row.setContentsMargins(0, 0, 0, 0)
        self.category_row.setSpacing(16)
        self.category_area = touch_scrolling(QScrollArea(), Qt.Orientation.Horizontal)
        self.category_area.setWidget(strip)
        self.category_area.setWidgetResizable(True)
        self.category_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.category_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.category_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.category_area.viewport().setAutoFillBackground(False)
        strip.setAutoFillBackground(False)
        strip.setStyleSheet("QWidget#categoryStrip { background: transparent; }")
        self.category_prev = button("◀")
        self.category_prev.clicked.connect(lambda: self._turn_categories(-1))
        self.category_next = button("▶")
        self.category_next.clicked.connect(lambda: self._turn_categories(1))
        bar = self.category_area.horizontalScrollBar()
        bar.rangeChanged.connect(self._update_category_arrows)
        bar.valueChanged.connect(self._update_category_arrows)
        self.category_box = QWidget()
        categories = QHBoxLayout(self.category_box)
        categories.setContentsMargins(0, 0, 0, 0)
        categories.setSpacing(16)
        categories.addWidget(self.category_prev)
        categories.addWidget(self.category_area, 1)
        categories.addWidget(self.category_next)
        self.body.addWidget(self.category_box)
        self.category_buttons: dict[str, QPushButton] = {}
        self.notice = label("", "subtitle")
        self.notice.hide()
        self.body.addWidget(self.notice)
        self.grid = QGridLayout()
        self.grid.setSpacing(28)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        # The bottom row: home on the left, the pages on the right (one row: a landscape
        # screen's 1080 px hold three rows of items, the categories and the search).
        pager = QHBoxLayout()
        pager.setSpacing(24)
        self.home_button = button()
        self.home_button.setMinimumWidth(280)
        self.home_button.clicked.connect(self.home_requested)
        self.prev_button = button("◀")
        self.prev_button.setFixedWidth(112)
        self.prev_button.clicked.connect(lambda: self._turn(-1))
        self.page_label = label("", "body", wrap=False)
        self.next_button = button("▶")
        self.next_button.setFixedWidth(112)
        self.next_button.clicked.connect(lambda: self._turn(1))
        self.more_button = self.next_button
        """Elder mode's "more": the next page, back to the first after the last."""
        pager.addWidget(self.home_button)
        pager.addStretch(1)
        pager.addWidget(self.prev_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        self.body.addLayout(pager)
        self._all: list[ServiceItem] = []
        self._categories: list[CategoryPublic] = []
        self._search: CatalogSearch | None = None
        self._view = POPULAR
        self._shown: list[ServiceItem] = []
        self._page = 0
        self._items: list[ServiceItem] = []
        self.buttons: list[QPushButton] = []
        self._holder = ""
        self._columns = WIDE_COLUMNS

    # --- Filling --------------------------------------------------------------------------------

    def set_items(self, items: list[ServiceItem], holder_masked: str) -> None:
        """Show ``items``, the most used first, for a holder shown by masked name (or none)."""
        self.set_catalog(CatalogPublic(version="-", items=items), holder_masked)

    def set_catalog(self, catalog: CatalogPublic, holder_masked: str) -> None:
        """Show a catalog's items and categories; the search is built for it."""
        self._all = sorted(catalog.items, key=lambda item: (item.usage_rank, item.order))
        present = {item.category for item in catalog.items}
        self._categories = [c for c in catalog.categories if c.id in present]
        self._search = CatalogSearch(catalog) if catalog.items else None
        self.pad.set_suggestions(self._search.suggestions() if self._search else [])
        self._holder = holder_masked
        self.pad.clear()
        self.pad.hide()
        # A notice is about the last items (an item named, why it cannot be chosen): the next
        # citizen's catalog starts without it, the flows set their own after this.
        self.notice.setText("")
        self.notice.hide()
        self._build_categories()
        self._show_view(POPULAR)

    def _build_categories(self) -> None:
        clear_layout(self.category_row)
        self.category_buttons = {}
        for key in (POPULAR, *(c.id for c in self._categories)):
            push = button()
            push.setCheckable(True)
            push.setMinimumHeight(64)
            push.clicked.connect(lambda _=False, view=key: self._show_view(view))
            self.category_row.addWidget(push)
            self.category_buttons[key] = push
        self.category_row.addStretch(1)
        # As high as its buttons (which the theme sizes), so none is cut at the top or bottom.
        for push in self.category_buttons.values():
            push.ensurePolished()
        heights = [push.sizeHint().height() for push in self.category_buttons.values()]
        self.category_area.setFixedHeight(max(heights, default=0))
        self.category_area.horizontalScrollBar().setValue(0)
        # Elder mode shows none (one decision a screen): its three big rows fill 1080 px.
        self.category_box.setVisible(bool(self._categories) and not self.elder)

    def _show_view(self, view: str, page: int = 0) -> None:
        self._view = view
        if view == POPULAR:
            self._shown = list(self._all)
        elif view == SEARCH:
            query = self.pad.query.strip()
            self._shown = [h.item for h in self._search.search(query)] if self._search else []
        else:
            self._shown = [item for item in self._all if item.category == view]
        for key, push in self.category_buttons.items():
            push.setChecked(key == view)
            # The chosen category is drawn as the primary button: seen at arm's length.
            style = "primary" if key == view else "secondary"
            if push.objectName() != style:
                push.setObjectName(style)
                push.style().unpolish(push)
                push.style().polish(push)
        self._page = page
        self._fill_page()

    @property
    def pages(self) -> int:
        """How many pages the current view has (at least one)."""
        return max(1, -(-len(self._shown) // self.per_page))

    @property
    def per_page(self) -> int:
        """Items on one page for the current layout (and mode)."""
        if self.elder:
            # A notice above the items (the photo path's note, why an item cannot be chosen)
            # takes a row's height: at elder mode's type four rows do not fit 1080 px.
            return ELDER_CHOICES - 1 if self._notice_shown() else ELDER_CHOICES
        return MAX_CHOICES if self._columns > 1 else NARROW_CHOICES

    @property
    def page(self) -> int:
        """The page shown, from 0."""
        return self._page

    def _turn(self, step: int) -> None:
        if self.elder:
            # One "more" button: it goes round to the first page after the last.
            self._page = (self._page + step) % self.pages
        else:
            self._page = min(max(self._page + step, 0), self.pages - 1)
        self._fill_page()

    def _fill_page(self) -> None:
        self._columns = self._wanted_columns()
        start = self._page * self.per_page
        self._items = self._shown[start : start + self.per_page]
        self._fill_buttons()

    def _fill_buttons(self) -> None:
        for old in self.buttons:
            self.grid.removeWidget(old)
            old.hide()  # a deleteLater alone leaves it drawn behind the next session's buttons
            old.setParent(None)
            old.deleteLater()
        self.buttons = []
        for item in self._items:
            push = WrappingButton("itemButton")
            push.clicked.connect(lambda _=False, chosen=item: self.item_chosen.emit(chosen))
            self.buttons.append(push)
        self._place_buttons()
        self.retranslate()

    def reveal(self, item_id: str) -> QPushButton:
        """Show the page that holds ``item_id`` (its category's) and return its button."""
        item = next(item for item in self._all if item.id == item_id)
        view = item.category if item.category in self.category_buttons else POPULAR
        if self.elder:
            view = POPULAR  # elder mode shows no categories: the most used first, paged
        self._show_view(view)
        index = next(i for i, shown in enumerate(self._shown) if shown.id == item_id)
        self._columns = self._wanted_columns()
        self._page = index // self.per_page
        self._fill_page()
        return self.buttons[index % self.per_page]

    def show_notice(self, text: str, *, error: bool = False) -> None:
        """A line above the items (the photo path's note, or why an item cannot be chosen)."""
        style = "error" if error else "subtitle"
        if self.notice.objectName() != style:
            self.notice.setObjectName(style)
            self.notice.style().unpolish(self.notice)
            self.notice.style().polish(self.notice)
        self.notice.setText(text)
        first = self._page * self.per_page
        self.notice.setVisible(bool(text))
        if self.elder and self._shown:
            # The page holds one item fewer (or more) now: keep its first item on it.
            self._page = first // self.per_page
            self._fill_page()

    def _notice_shown(self) -> bool:
        return not self.notice.isHidden() and bool(self.notice.text())

    def _turn_categories(self, step: int) -> None:
        """Turn the category row: the button cut at the edge comes whole to the other edge."""
        bar = self.category_area.horizontalScrollBar()
        width = self.category_area.viewport().width()
        pushes = list(self.category_buttons.values())
        at = bar.value()
        if step > 0:
            cut = [p for p in pushes if p.x() + p.width() > at + width]
            target = cut[0].x() if cut else bar.maximum()
        else:
            cut = [p for p in pushes if p.x() < at]
            target = cut[-1].x() + cut[-1].width() - width if cut else bar.minimum()
        bar.setValue(target)

    def _update_category_arrows(self) -> None:
        bar = self.category_area.horizontalScrollBar()
        self.category_prev.setVisible(bar.value() > bar.minimum())
        self.category_next.setVisible(bar.value() < bar.maximum())

    # --- Search ---------------------------------------------------------------------------------

    def _on_search_button_clicked(self) -> None:
        opening = self.pad.isHidden()
        self.pad.setVisible(opening)
        self.category_box.setVisible(not opening and bool(self._categories))
        if opening:
            self._show_view(SEARCH if self.pad.query.strip() else POPULAR)
        else:
            self.pad.clear()
            self._show_view(POPULAR)

    def _on_pad_query_changed(self, query: str) -> None:
        self._show_view(SEARCH if query.strip() else POPULAR)

    def _on_pad_phrase_chosen(self, phrase: str) -> None:
        self.pad.clear()
        self._show_view(POPULAR)
        self._view = SEARCH
        self._shown = [h.item for h in self._search.search(phrase)] if self._search else []
        self._searched = phrase
        self._page = 0
        self._fill_page()

    def search_for(self, query: str) -> None:
        """Search as if ``query`` had been typed on the pad (letters) or chosen as a phrase."""
        if self.pad.isHidden():
            self._on_search_button_clicked()
        if query.isascii():
            self.pad.clear()
            for letter in query.lower():
                if letter == " ":
                    self.pad.space_key.click()
                else:
                    self.pad.keys[letter].click()
        else:
            self._on_pad_phrase_chosen(query)

    # --- Layout ---------------------------------------------------------------------------------

    def _place_buttons(self) -> None:
        # Three equal columns (two rows) on a landscape screen, which is 1080 px high; one on a
        # portrait one, where two columns would wrap each name onto four or five short lines.
        columns = self._columns
        for index, push in enumerate(self.buttons):
            self.grid.removeWidget(push)
            self.grid.addWidget(push, index // columns, index % columns)
            # A page turned while the screen is up: its new buttons show now, not at the next
            # layout pass (a button a finger lands on at once must be there).
            if self.isVisible():
                push.show()
        for column in range(WIDE_COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def _wanted_columns(self, width: int | None = None) -> int:
        # A hidden screen has no width of its own yet: wide until it is shown (``showEvent``
        # lays it out again for the width it has then).
        if width is None:
            if not self.isVisible():
                return WIDE_COLUMNS
            width = self._width()
        if self.elder:
            return 1
        return 1 if width < NARROW_WIDTH else WIDE_COLUMNS

    def elder_changed(self) -> None:
        """Elder mode: one column of three items and "more", no categories, no search."""
        self.category_box.setVisible(bool(self._categories) and not self.elder)
        self.search_button.setVisible(not self.elder)
        if self.elder:
            self.pad.hide()
            if self._view != POPULAR:
                self._show_view(POPULAR)
                return
        self._page = 0
        self._fill_page()

    def shown_buttons(self) -> list[QPushButton]:
        """The item buttons on the screen now (this page's)."""
        return list(self.buttons)

    def spoken_prompt(self) -> str:
        """The question, then the items shown, one by one (and "more" when there are pages)."""
        parts = [self.title.text()]
        if self.notice.isVisibleTo(self):
            parts.append(self.notice.text())
        parts += [push.text().split("\n")[0] for push in self.shown_buttons()]
        if self.pages > 1:
            parts.append(tr("choose_more", self.language, page=self._page + 1, pages=self.pages))
        return "\n".join(parts)

    def _relayout(self, columns: int) -> None:
        """Lay the page out again for ``columns``, keeping its first item on screen."""
        first = self._page * self.per_page
        self._columns = columns
        self._page = first // self.per_page
        start = self._page * self.per_page
        self._items = self._shown[start : start + self.per_page]
        self._fill_buttons()

    def _width(self) -> int:
        # Just shown, the screen may still have the width it had when it was last up; the
        # stack it sits in already has the window's.
        parent = self.parentWidget()
        return parent.width() if parent is not None else self.width()

    def showEvent(self, event: QShowEvent) -> None:
        """Lay the buttons for the width the screen is shown at.

        Items are set while the screen is hidden, and on a kiosk whose window never changes size
        the screen comes back at the same width, so no resize would place them for a portrait
        screen.
        """
        super().showEvent(event)
        wanted = self._wanted_columns(self._width())
        if wanted != self._columns:
            self._relayout(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-lay the buttons when the screen turns narrow or wide."""
        super().resizeEvent(event)
        if not self.isVisible():
            return
        wanted = self._wanted_columns(event.size().width())
        if wanted != self._columns:
            self._relayout(wanted)

    def retranslate(self) -> None:
        """Set the texts."""
        language = self.language
        self.greeting.setText(tr("hello", language, name=self._holder) if self._holder else "")
        self.greeting.setVisible(bool(self._holder))
        self.title.setText(tr("choose_title", language))
        self.home_button.setText(tr("home", language))
        searching = not self.pad.isHidden()
        self.search_button.setText(
            tr("choose_search_hide" if searching else "choose_search", language)
        )
        self.pad.language = language
        self.pad.retranslate()
        if searching:
            query = self.pad.query.strip() or getattr(self, "_searched", "")
            if self._view == SEARCH and not self._shown:
                text = tr("choose_search_none", language, query=query)
            elif self._view == SEARCH:
                text = tr("choose_search_query", language, query=query)
            else:
                text = tr("choose_search_prompt", language)
            self.search_line.setText(text)
        self.search_line.setVisible(searching)
        for key, push in self.category_buttons.items():
            if key == POPULAR:
                push.setText(tr("choose_popular", language))
            else:
                category = next(c for c in self._categories if c.id == key)
                push.setText(loc(category.name, language))
        for push, item in zip(self.buttons, self._items, strict=True):
            tag = tr(_TAGS[item.kind], language)
            push.setText(f"{loc(item.name, language)}\n· {tag}")
        many = self.pages > 1
        self.page_label.setText(
            tr(
                "choose_page",
                language,
                page=self._page + 1,
                pages=self.pages,
                count=len(self._shown),
            )
        )
        # Elder mode's "more" button says the page itself: the line beside it would squeeze it.
        self.page_label.setVisible(bool(self._shown) and not self.elder)
        self.prev_button.setAccessibleName(tr("choose_prev", language))
        self.next_button.setAccessibleName(tr("choose_next", language))
        self.prev_button.setVisible(many and not self.elder)
        self.next_button.setVisible(many)
        self.prev_button.setEnabled(self._page > 0)
        if self.elder:
            # Elder mode's one "more" button, in words, going round the pages.
            self.next_button.setText(
                tr("choose_more", language, page=self._page + 1, pages=self.pages)
            )
            self.next_button.setMinimumWidth(112)
            self.next_button.setMaximumWidth(16_777_215)  # Qt's "no limit"
            self.next_button.setEnabled(True)
        else:
            self.next_button.setText("▶")
            self.next_button.setFixedWidth(112)
            self.next_button.setEnabled(self._page < self.pages - 1)
