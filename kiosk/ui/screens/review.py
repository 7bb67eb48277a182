"""Checking what will be submitted: the item, the masked applicant and the materials."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import (
    ActionBar,
    BusyPanel,
    Screen,
    button,
    card,
    clear_layout,
    label,
    touch_scrolling,
)


class ReviewScreen(Screen):
    """One look before submitting; the submit button is the screen's one primary action."""

    submit_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.body.addWidget(self.title)
        frame, layout = card()
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(40)
        self.grid.setVerticalSpacing(18)
        self.grid.setColumnStretch(1, 1)
        layout.addLayout(self.grid)
        # An item with many pre-filled fields scrolls inside the card rather than pushing the
        # submit button off a 1080 px screen (or the busy panel under it).
        self.scroll_area = touch_scrolling(QScrollArea())
        self.scroll_area.setWidgetResizable(True)
        content = QWidget()
        content.setObjectName("root")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(frame)
        column.addStretch(1)
        self.scroll_area.setWidget(content)
        self.body.addWidget(self.scroll_area, 1)
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        self.body.addWidget(self.busy)
        self.body.addWidget(self.error)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.submit_button = bar.add(button(primary=True), right=True)
        self.submit_button.clicked.connect(self.submit_requested)
        self.body.addWidget(bar)
        self.rows: list[tuple[str, str]] = []
        self.wait_seconds = 10

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """(label key, value) rows; values are already masked. Leaves the buttons' state alone."""
        self.rows = rows
        self.retranslate()

    def reset(self) -> None:
        """Ready to submit: no message, both buttons live."""
        self.error.hide()
        self.busy.hide()
        self.submit_button.setEnabled(True)
        self.back_button.setEnabled(True)

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        self.title.setText(tr("review_title", lang))
        self.back_button.setText(tr("back", lang))
        self.submit_button.setText(tr("retry" if self.error.isVisible() else "submit", lang))
        clear_layout(self.grid)
        for row, (key, value) in enumerate(self.rows):
            self.grid.addWidget(label(tr(key, lang), "sectionTitle"), row, 0)
            self.grid.addWidget(label(value), row, 1)

    def show_submitting(self) -> None:
        """Submission under way: say so at once, and how long it may take."""
        self.error.hide()
        self.submit_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.busy.show_busy(
            tr("submitting", self.language)
            + "\n"
            + tr("submitting_sub", self.language, seconds=self.wait_seconds)
        )

    def show_error(self, message: str) -> None:
        """Submission failed: nothing lost, the citizen can retry."""
        self.busy.hide()
        self.submit_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.retranslate()
