"""The certificate check: a certificate's QR code was scanned; say in plain words what it is.

The verdict comes from ``hall.schema.verify_certificate_qr`` on this terminal, with the hall's
keys cached here, so it works offline. It is said in Chinese and English at once (the headline),
then what to do next. Details are shown only when the signature checked out (genuine, expired,
or an old-format code): the fields of a tampered code, or one signed with a key we do not know,
are not trustworthy and are not repeated to the citizen. A current code signs every value printed
on the paper; the screen shows them all (name and ID number masked) for the citizen or clerk to
compare with the paper line by line.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, card, clear_layout, label

_STYLE = {
    "genuine": "outcomeOk",
    "expired": "outcomeBad",
    "tampered": "outcomeBad",
    "unknown_key": "outcomeInfo",
    "malformed": "outcomeBad",
    "outdated": "outcomeInfo",
    "unsupported": "outcomeInfo",
}

_SHOWN = ("genuine", "expired", "outdated")
"""Statuses whose signature held: their values may be shown."""

_PAIRS_FROM = 7
"""From this many rows on, two label/value pairs share a line, so the card fits the screen."""


@dataclass(frozen=True)
class CertificateView:
    """What the screen shows of a checked certificate; the name and ID number come masked."""

    status: str
    """``genuine``, ``tampered``, ``expired``, ``unknown_key``, ``malformed``, ``outdated`` or
    ``unsupported``."""
    certificate_id: str = ""
    holder: str = ""
    id_masked: str = ""
    item_zh: str = ""
    item_en: str = ""
    issued: str = ""
    valid_until: str = ""
    """Empty for a certificate without an end date."""
    title: str = ""
    issuer: str = ""
    rows: tuple[tuple[str, str, str], ...] = ()
    """The signed printed rows: (label zh, label en, value), masked as ``certificate_rows``
    gives them; empty for an old-format code, which signed none."""


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
        self.body.addWidget(self.title)
        # The verdict and its other language on one line: in elder mode's type the line saved
        # holds a line of values, so a full certificate needs fewer pages.
        verdict_line = QHBoxLayout()
        verdict_line.setSpacing(36)
        verdict_line.addStretch(1)
        verdict_line.addWidget(self.verdict)
        verdict_line.addWidget(self.verdict_other)
        verdict_line.addStretch(1)
        self.body.addLayout(verdict_line)
        self.body.addWidget(self.advice)
        self.frame, layout = card()
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(18)
        self.grid.setHorizontalSpacing(36)
        layout.addLayout(self.grid)
        self.body.addWidget(self.frame)
        self.body.addStretch(1)
        bar = ActionBar()
        self.more_button = bar.add(button())
        self.more_button.clicked.connect(self._on_more_clicked)
        self.back_button = bar.add(button(primary=True), right=True)
        self.back_button.clicked.connect(self.back_requested)
        self.body.addWidget(bar)
        self.view: CertificateView | None = None
        self._rows: list[tuple[str, str]] = []
        self._start = 0
        """The first value on the card: values that do not fit one card are shown in pages."""
        self._shown = 0
        self._filling = False
        # The screen never asks the window for more height than the panel has: values that do
        # not fit are paged (``_fill_pages``), which needs the layout to squeeze them first so
        # ``_overflows`` can see it. Left to its layout's minimum, the screen grew the window
        # past a 1080 px panel instead, and nothing was squeezed to page.
        self.setMinimumHeight(1)
        self.reset()

    def reset(self) -> None:
        """Forget the certificate shown (its holder's masked name too)."""
        self.view = None
        self.retranslate()

    def show_check(self, view: CertificateView) -> None:
        """Show the verdict on one certificate."""
        self.view = view
        self._start = 0
        self.retranslate()

    def _on_more_clicked(self) -> None:
        start = self._start + self._shown
        self._start = start if start < len(self._rows) else 0
        self._fill()

    def minimumSizeHint(self) -> QSize:
        """The layout's width, but no height of the card's values: those are paged to fit."""
        return QSize(super().minimumSizeHint().width(), 1)

    def hasHeightForWidth(self) -> bool:
        """No: the wrapped values' height must not grow the window (see ``minimumSizeHint``)."""
        return False

    def heightForWidth(self, _width: int) -> int:
        """None (see ``hasHeightForWidth``)."""
        return -1

    def showEvent(self, event: QShowEvent) -> None:
        """Measure the values for the screen as it is shown (they were set while it was hidden)."""
        super().showEvent(event)
        if self._rows:
            self._fill()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Lay the values out again for the new size (pages when they do not fit)."""
        super().resizeEvent(event)
        if self._rows:
            self._fill()

    def retranslate(self) -> None:
        """Set the texts in the screen's language, the verdict in both."""
        lang = self.language
        other = "zh" if lang == "en" else "en"
        self.title.setText(tr("verify_title", lang))
        self.back_button.setText(tr("back", lang))
        clear_layout(self.grid)
        self.more_button.hide()
        view = self.view
        if view is None:
            self._rows = []
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
        if view.status not in _SHOWN:
            self._rows = []
            self.frame.hide()
            return
        en = lang == "en"
        rows: list[tuple[str, str]] = []
        if view.title:
            rows.append((tr("verify_name", lang), f"{view.title}，{view.certificate_id}"))
        else:
            rows.append((tr("verify_item", lang), view.item_en if en else view.item_zh))
            rows.append((tr("verify_cid", lang), view.certificate_id))
        if view.rows:
            rows.extend(
                (label_en if en else label_zh, value) for label_zh, label_en, value in view.rows
            )
        else:
            rows.append((tr("verify_holder", lang), view.holder))
            rows.append((tr("verify_id", lang), view.id_masked))
        if view.issuer:
            # One cell for who signed and when: a full certificate's card stays one line shorter.
            rows.append((tr("verify_issuer", lang), f"{view.issuer}，{view.issued}"))
        else:
            rows.append((tr("verify_issued", lang), view.issued))
        if not any(label_zh.startswith("有效期") for label_zh, _, _ in view.rows):
            rows.append((tr("verify_until", lang), view.valid_until or tr("verify_no_end", lang)))
        self._rows = rows
        self._start = 0  # a new language starts at the first values again
        self._fill()

    def _fill(self) -> None:
        """Put as many values from ``_start`` on the card as fit the screen; page the rest."""
        if self._filling:
            return  # a resize while measuring
        self._filling = True
        try:
            self._fill_pages()
        finally:
            self._filling = False

    def _fill_pages(self) -> None:
        rows = self._rows
        per_line = 2 if len(rows) >= _PAIRS_FROM else 1
        count = len(rows) - self._start
        self.frame.show()  # before measuring: a hidden card's values were never found squeezed
        while True:
            self._place(rows[self._start : self._start + count], per_line)
            paged = count < len(rows)
            self.more_button.setVisible(paged)
            if count <= per_line or not self._overflows():
                break
            count -= per_line
        self._shown = count
        if self.more_button.isVisible():
            last = self._start + count >= len(rows)
            self.more_button.setText(
                tr("verify_first_page" if last else "verify_more", self.language)
            )

    def _place(self, rows: list[tuple[str, str]], per_line: int) -> None:
        clear_layout(self.grid)
        # Tight lines: six values one a line and the verdict fit one card on a 1080 px panel.
        self.grid.setVerticalSpacing(6 if per_line == 2 else 10)
        for column in range(4):
            # Labels take what they need, values share the rest (a long value wraps, not clips).
            self.grid.setColumnStretch(column, column % 2 if column < per_line * 2 else 0)
        for index, (name, value) in enumerate(rows):
            line, pair = divmod(index, per_line)
            title, shown = label(name, "sectionTitle"), label(value)
            shown.setMinimumWidth(160)
            self.grid.addWidget(title, line, pair * 2)
            self.grid.addWidget(shown, line, pair * 2 + 1)
            for widget in (title, shown):
                widget.ensurePolished()  # the theme's type size, before it is measured
                if self.isVisible():
                    widget.show()  # at once: a layout shows new children only later

    def _overflows(self) -> bool:
        """Whether the laid-out screen squeezes a text below the height its lines need."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return False  # measured when shown (``showEvent``) and on every resize
        # The values sit in the card's own layout: lay it out first (its minimum changed), then
        # the screen's, which the card's change does not mark dirty until a posted event, so
        # activating it alone measured the card's last values.
        card_layout = self.frame.layout()
        if card_layout is not None:
            card_layout.activate()
        layout.invalidate()
        layout.activate()
        texts = [self.advice, *self.frame.findChildren(QLabel)]
        return any(
            text.isVisibleTo(self)
            and text.wordWrap()
            and text.height() < text.heightForWidth(text.width()) - 1
            for text in texts
        )
