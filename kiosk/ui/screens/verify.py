"""The certificate check: a certificate's QR code was scanned; say in plain words what it is.

The verdict comes from ``hall.schema.verify_certificate_qr`` on this terminal, with the hall's
keys cached here, so it works offline. It is said in Chinese and English at once (the headline),
then what to do next. Details are shown only when the signature checked out (genuine or
expired): the fields of a tampered code, or one signed with a key we do not know, are not
trustworthy and are not repeated to the citizen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import NARROW_WIDTH, ActionBar, Screen, button, card, clear_layout, label

_STYLE = {
    "genuine": "outcomeOk",
    "expired": "outcomeBad",
    "tampered": "outcomeBad",
    "unknown_key": "outcomeInfo",
    "malformed": "outcomeBad",
}


@dataclass(frozen=True)
class CertificateView:
    """What the screen shows of a checked certificate; the name and ID number come masked."""

    status: str
    """``genuine``, ``tampered``, ``expired``, ``unknown_key`` or ``malformed``."""
    certificate_id: str = ""
    holder: str = ""
    id_masked: str = ""
    item_zh: str = ""
    item_en: str = ""
    issued: str = ""
    valid_until: str = ""
    """Empty for a certificate without an end date."""


class VerifyScreen(Screen):
    """The result of checking a certificate's QR code."""

    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.verdict = label("", "outcomeInfo")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_other = label("", "titleEn")
        self.verdict_other.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.advice = label("", "subtitle")
        self.advice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.title, self.verdict, self.verdict_other, self.advice):
            self.body.addWidget(widget)
        self.frame, layout = card()
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(18)
        self.grid.setHorizontalSpacing(36)
        layout.addLayout(self.grid)
        self.body.addWidget(self.frame)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button(primary=True), right=True)
        self.back_button.clicked.connect(self.back_requested)
        self.body.addWidget(bar)
        self.view: CertificateView | None = None
        self._pairs = 0
        self.reset()

    def reset(self) -> None:
        """Forget the certificate shown (its holder's masked name too)."""
        self.view = None
        self.retranslate()

    def show_check(self, view: CertificateView) -> None:
        """Show the verdict on one certificate."""
        self.view = view
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts in the screen's language, the verdict in both."""
        lang = self.language
        other = "en" if lang == "zh" else "zh"
        self.title.setText(tr("verify_title", lang))
        self.back_button.setText(tr("back", lang))
        clear_layout(self.grid)
        view = self.view
        if view is None:
            for widget in (self.verdict, self.verdict_other, self.advice):
                widget.setText("")
            self.frame.hide()
            return
        key = f"verify_{view.status}"
        self.verdict.setObjectName(_STYLE.get(view.status, "outcomeInfo"))
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        self.verdict.setText(tr(key, lang))
        self.verdict_other.setText(tr(key, other))
        self.advice.setText(tr(f"{key}_advice", lang))
        if view.status not in ("genuine", "expired"):
            self.frame.hide()
            return
        item = view.item_en if lang == "en" else view.item_zh
        until = view.valid_until or tr("verify_no_end", lang)
        rows = [
            ("verify_cid", view.certificate_id),
            ("verify_item", item),
            ("verify_holder", view.holder),
            ("verify_id", view.id_masked),
            ("verify_issued", view.issued),
            ("verify_until", until),
        ]
        # Two pairs of columns on a landscape screen: six rows of elder-mode type do not fit
        # 1,080 px under the verdict (返回 fell off at y = 1,173).
        pairs = 2 if self.width() >= NARROW_WIDTH else 1
        self._pairs = pairs
        per_column = -(-len(rows) // pairs)
        for index, (name, value) in enumerate(rows):
            row, pair = index % per_column, index // per_column
            self.grid.addWidget(label(tr(name, lang), "sectionTitle"), row, pair * 2)
            self.grid.addWidget(label(value), row, pair * 2 + 1)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column % 2 and column // 2 < pairs else 0)
        self.frame.show()

    def elder_changed(self) -> None:
        """Elder mode drops the verdict's second language (the type is large enough)."""
        self.verdict_other.setVisible(not self.elder)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Lay the signed values out again when the screen turns narrow or wide."""
        super().resizeEvent(event)
        if self.view is not None and (2 if self.width() >= NARROW_WIDTH else 1) != self._pairs:
            self.retranslate()
