"""容缺受理: the citizen promises to bring a missing material by a date, in plain words."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, Screen, button, card, label


class CommitmentScreen(Screen):
    """What is promised (the material, the date, what follows if not), "I promise" or back."""

    confirmed = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.body.addWidget(self.title)
        frame, layout = card()
        self.promise = label("", "subtitle")
        self.deadline = label("", "sectionTitle")
        self.consequence = label("", "body")
        for widget in (self.promise, self.deadline, self.consequence):
            layout.addWidget(widget)
        self.body.addWidget(frame)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.promise_button = bar.add(button(primary=True), right=True)
        self.promise_button.clicked.connect(self.confirmed)
        self.body.addWidget(bar)
        self.texts: tuple[str, str] = ("", "")
        self.deadline_text: tuple[str, str] = ("", "")

    def set_commitment(self, texts: tuple[str, str], deadline: tuple[str, str]) -> None:
        """The promise (Chinese, English) and its deadline as words (Chinese, English)."""
        self.texts = texts
        self.deadline_text = deadline
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        pick = 1 if lang == "en" else 0
        self.title.setText(tr("commit_title", lang))
        self.promise.setText(self.texts[pick])
        date = self.deadline_text[pick]
        self.deadline.setText(tr("commit_deadline", lang, date=date) if date else "")
        self.consequence.setText(tr("commit_consequence", lang))
        self.back_button.setText(tr("back", lang))
        self.promise_button.setText(tr("commit_confirm", lang))
