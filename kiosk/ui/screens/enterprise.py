"""An enterprise's public record, from the QR code on its licence, and a report for the regulator.

Anyone may scan a shop's licence at the attract screen (扫码查看公示信息、留言举报): the record is
the hall's (the register's), never what the code itself says, and the report is one touch per
kind, anonymous, queued durably for the regulator.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QWidget

from hall.collect_schema import EnterprisePublic
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, card, clear_layout, label

REPORT_CHOICES = ("unlicensed", "food_safety", "pricing", "service", "praise")
"""The report kinds offered (five, with "back" the six choices a screen may have)."""


class EnterpriseScreen(Screen):
    """The record and the report buttons."""

    back_requested = Signal()
    report_requested = Signal(str)
    """The category of the report the citizen chose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.busy = BusyPanel()
        self.message = label("", "error")
        self.message.hide()
        for widget in (self.title, self.busy, self.message):
            self.body.addWidget(widget)
        self.frame, layout = card()
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(12)
        self.grid.setHorizontalSpacing(36)
        layout.addLayout(self.grid)
        self.body.addWidget(self.frame)
        self.report_prompt = label("", "subtitle")
        self.body.addWidget(self.report_prompt)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.report_buttons: dict[str, QPushButton] = {}
        for category in REPORT_CHOICES:
            push = button()
            push.clicked.connect(lambda _=False, c=category: self.report_requested.emit(c))
            row.addWidget(push)
            self.report_buttons[category] = push
        self.body.addLayout(row)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button(primary=True), right=True)
        self.back_button.clicked.connect(self.back_requested)
        self.body.addWidget(bar)
        self.record: EnterprisePublic | None = None
        self._message: tuple[str, bool] | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the record."""
        self.record = None
        self._message = None
        self.busy.hide()
        self.message.hide()
        self.retranslate()

    def show_looking(self) -> None:
        """The hall is being asked."""
        self.busy.show_busy(tr("enterprise_looking", self.language))

    def show_record(self, record: EnterprisePublic) -> None:
        """Show the public record and offer the reports."""
        self.record = record
        self.busy.hide()
        self.retranslate()

    def show_message(self, key: str, *, ok: bool = False) -> None:
        """Say how the lookup or the report went."""
        self._message = (key, ok)
        self.busy.hide()
        self.message.setObjectName("notice" if ok else "error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(tr(key, self.language))
        self.message.show()

    def set_reporting(self, enabled: bool) -> None:
        """Enable the report buttons (off while one is being queued, and after it)."""
        for push in self.report_buttons.values():
            push.setEnabled(enabled)

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        self.title.setText(tr("enterprise_title", lang))
        self.back_button.setText(tr("back", lang))
        self.report_prompt.setText(tr("enterprise_report_prompt", lang))
        for category, push in self.report_buttons.items():
            push.setText(tr(f"report_{category}", lang))
        if self._message is not None and self.message.isVisible():
            self.message.setText(tr(self._message[0], lang))
        clear_layout(self.grid)
        record = self.record
        shown = record is not None
        self.frame.setVisible(shown)
        self.report_prompt.setVisible(shown)
        for push in self.report_buttons.values():
            push.setVisible(shown)
        if record is None:
            return
        rows = [
            ("enterprise_name", record.name),
            ("enterprise_uscc", record.uscc),
            ("enterprise_rep", record.legal_representative),
            ("enterprise_kind", record.kind),
            ("enterprise_status", record.status),
            ("enterprise_established", record.established.isoformat()),
            ("enterprise_address", record.address),
            ("enterprise_scope", record.business_scope),
            ("enterprise_authority", record.authority),
        ]
        for i, (key, value) in enumerate(rows):
            self.grid.addWidget(label(tr(key, lang), "sectionTitle"), i, 0)
            self.grid.addWidget(label(value), i, 1)
