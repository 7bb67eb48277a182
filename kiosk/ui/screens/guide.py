"""The item's guide ("一图可视"): conditions, materials, steps, time limits, fees, legal basis."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from hall.schema import ServiceItem
from kiosk.ui.screens import loc
from kiosk.ui.strings import days_unit, tr
from kiosk.ui.widgets import ActionBar, Screen, button, card, clear_layout, label, touch_scrolling


class GuideScreen(Screen):
    """Everything the citizen should know before starting, in one scrollable page."""

    start_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the frame; ``set_item`` fills it."""
        super().__init__(parent)
        self.title = label("", "title")
        self.meta = label("", "subtitle")
        self.body.addWidget(self.title)
        self.body.addWidget(self.meta)
        self.scroll_area = touch_scrolling(QScrollArea())
        self.scroll_area.setWidgetResizable(True)
        self.content = QWidget()
        self.content.setObjectName("root")
        # Two columns on a landscape screen, so the whole guide is read without scrolling.
        self.content_layout = QGridLayout(self.content)
        self.content_layout.setSpacing(20)
        self.content_layout.setColumnStretch(0, 1)
        self.content_layout.setColumnStretch(1, 1)
        self.scroll_area.setWidget(self.content)
        self.body.addWidget(self.scroll_area, 1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.start_button = bar.add(button(primary=True), right=True)
        self.start_button.clicked.connect(self.start_requested)
        self.body.addWidget(bar)
        self.item: ServiceItem | None = None

    def set_item(self, item: ServiceItem) -> None:
        """Show ``item``'s guide."""
        self.item = item
        self.retranslate()

    def retranslate(self) -> None:
        """Rebuild the guide's sections in the current language."""
        self.back_button.setText(tr("back", self.language))
        self.start_button.setText(tr("start", self.language))
        item = self.item
        if item is None:
            return
        lang = self.language
        # A counter item is guidance only: nothing to start here; its button takes a ticket.
        if item.kind == "handoff":
            self.start_button.setText(tr("ticket_offer_button", lang))
        self.title.setText(loc(item.name, lang))
        limit = item.time_limit
        promised = (
            tr("guide_on_the_spot", lang)
            if limit.promised_days == 0
            else tr("guide_days", lang, n=limit.promised_days, unit=days_unit(limit.promised_days))
        )
        self.meta.setText(
            "\n".join(
                [
                    tr("guide_department", lang, dept=loc(item.department, lang)),
                    tr(
                        "guide_time",
                        lang,
                        statutory=limit.statutory_days,
                        statutory_unit=days_unit(limit.statutory_days),
                        promised=promised,
                    )
                    + "  ·  "
                    + tr("guide_fee", lang, fee=loc(item.fee.note, lang)),
                    *([tr("guide_handoff_note", lang)] if item.kind == "handoff" else []),
                ]
            )
        )
        clear_layout(self.content_layout)
        sections = [
            ("guide_conditions", [loc(c, lang) for c in item.conditions]),
            ("guide_materials", [loc(m.name, lang) for m in item.materials]),
            ("guide_steps", [f"{i}. {loc(s, lang)}" for i, s in enumerate(item.steps, 1)]),
            ("guide_basis", [loc(b, lang) for b in item.legal_basis]),
        ]
        columns = [QVBoxLayout(), QVBoxLayout()]
        for index, (key, lines) in enumerate(sections):
            if not lines:
                continue
            frame, layout = card()
            layout.addWidget(label(tr(key, lang), "sectionTitle"))
            for line in lines:
                layout.addWidget(label(line if key == "guide_steps" else f"• {line}"))
            columns[index // 2].addWidget(frame)
        for column, layout in enumerate(columns):
            layout.addStretch(1)
            holder = QWidget()
            holder.setLayout(layout)
            layout.setContentsMargins(0, 0, 0, 0)
            self.content_layout.addWidget(holder, 0, column)
