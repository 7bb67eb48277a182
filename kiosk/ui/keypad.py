"""An on-screen letter pad for the search: pinyin and its initials without a keyboard.

Terminals have a touch screen and no keyboard; the system's input methods are not there in a
kiosk session. Twenty-six letter keys (QWERTY rows, as on phones), a space, delete and clear,
each at least 64 px square, and the suggested phrases as big buttons under them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.strings import tr
from kiosk.ui.widgets import button, clear_layout, label

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
MAX_QUERY = 32
"""Letters a query may hold (longer is a finger resting on a key)."""


class LetterPadWidget(QWidget):
    """Letter keys that build a query; ``query_changed`` after every key."""

    query_changed = Signal(str)
    phrase_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the keys; ``set_suggestions`` adds the phrase buttons."""
        super().__init__(parent)
        self.setObjectName("letterPad")
        self.language = "zh"
        self._query = ""
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.keys: dict[str, QPushButton] = {}
        for row, letters in enumerate(ROWS):
            for column, letter in enumerate(letters):
                key = button(letter.upper())
                key.setMinimumSize(64, 64)
                # The theme's side padding is for words; a single letter needs the whole key.
                key.setStyleSheet("padding: 0px;")
                key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                key.clicked.connect(lambda _=False, ch=letter: self._type(ch))
                grid.addWidget(key, row, column + row)  # staggered like a keyboard
                self.keys[letter] = key
        outer.addLayout(grid)
        controls = QHBoxLayout()
        self.space_key = button("␣")
        self.space_key.clicked.connect(lambda: self._type(" "))
        self.backspace_key = button()
        self.backspace_key.clicked.connect(self._on_backspace_clicked)
        self.clear_key = button()
        self.clear_key.clicked.connect(self.clear)
        for key in (self.space_key, self.backspace_key, self.clear_key):
            key.setMinimumHeight(64)
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            controls.addWidget(key, 1)
        outer.addLayout(controls)
        self.suggested_label = label("", "body")
        outer.addWidget(self.suggested_label)
        self.suggestions = QHBoxLayout()
        self.suggestions.setSpacing(12)
        outer.addLayout(self.suggestions)
        self.phrase_buttons: list[QPushButton] = []
        self.retranslate()

    @property
    def query(self) -> str:
        """The letters typed so far."""
        return self._query

    def set_suggestions(self, phrases: list[str]) -> None:
        """Offer ``phrases`` (at most six) as buttons that search for them at once."""
        clear_layout(self.suggestions)
        self.phrase_buttons = []
        for phrase in phrases[:6]:
            push = button(phrase)
            push.setMinimumHeight(64)
            push.clicked.connect(lambda _=False, text=phrase: self.phrase_chosen.emit(text))
            self.suggestions.addWidget(push)
            self.phrase_buttons.append(push)

    def clear(self) -> None:
        """Forget the query."""
        self._set("")

    def _type(self, letter: str) -> None:
        if len(self._query) < MAX_QUERY and not (letter == " " and self._query.endswith(" ")):
            self._set(self._query + letter)

    def _on_backspace_clicked(self) -> None:
        self._set(self._query[:-1])

    def _set(self, query: str) -> None:
        if query != self._query:
            self._query = query
            self.query_changed.emit(query)

    def retranslate(self) -> None:
        """Set the texts of the control keys."""
        self.backspace_key.setText(tr("pad_backspace", self.language))
        self.clear_key.setText(tr("pad_clear", self.language))
        self.suggested_label.setText(tr("pad_suggested", self.language))
