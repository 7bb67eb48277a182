"""Collecting documents approved elsewhere (证照领取) and business licences: pick, then print.

Each ready document is one big toggle button, chosen at once unless its copies are used up, so a
citizen with one certificate waiting prints it with one touch ("打印所选"). Documents whose
first copy was taken are marked as reprints with the copies left.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from hall.collect_schema import ReadyDocumentPublic, ReadyDocumentsPublic
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, WrappingButton, button, label

MAX_DOCUMENTS = 6
"""At most six choices on a screen (DESIGN.md); more wait for the next visit or a window."""


class CollectScreen(Screen):
    """The documents ready for the card holder, to print the chosen ones."""

    back_requested = Signal()
    print_requested = Signal(list)
    """The ids of the chosen documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build an empty screen; ``show_documents`` fills it."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.busy = BusyPanel()
        self.message = label("", "error")
        self.message.hide()
        self.reminders = label("", "notice")
        self.reminders.hide()
        for widget in (self.title, self.prompt, self.busy, self.message, self.reminders):
            self.body.addWidget(widget)
        self.list = QVBoxLayout()
        self.list.setSpacing(20)
        self.body.addLayout(self.list)
        self.body.addStretch(1)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.print_button = bar.add(button(primary=True), right=True)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.body.addWidget(bar)
        self.buttons: list[QPushButton] = []
        self.licences = False
        self.ready: ReadyDocumentsPublic | None = None
        self._message: tuple[str, dict[str, object], bool] | None = None
        self.reset()

    def reset(self, *, licences: bool = False) -> None:
        """Forget the documents (their titles name the holder's affairs)."""
        self.licences = licences
        self.ready = None
        self._message = None
        self._set_buttons([])
        self.busy.hide()
        self.message.hide()
        self.reminders.hide()
        self.print_button.hide()
        self.retranslate()

    def show_looking(self) -> None:
        """The hall is being asked."""
        self.busy.show_busy(tr("collect_looking", self.language))

    def show_documents(self, ready: ReadyDocumentsPublic) -> None:
        """List the ready documents, the printable ones chosen."""
        self.ready = ready
        self.busy.hide()
        docs = ready.documents[:MAX_DOCUMENTS]
        buttons: list[QPushButton] = []
        for doc in docs:
            push = WrappingButton("itemButton")
            push.setCheckable(True)
            printable = not doc.collected or doc.reprints_left > 0
            push.setEnabled(printable)
            push.setChecked(printable and not doc.collected)
            push.setProperty("document_id", doc.document_id)
            buttons.append(push)
        self._set_buttons(buttons)
        if not docs:
            self.show_message(
                "collect_none_licences" if self.licences else "collect_none_certificates"
            )
        self.retranslate()

    def show_message(self, key: str, *, ok: bool = False, **values: object) -> None:
        """Say one thing about the query or the printing, kept by key for a language switch."""
        self._message = (key, values, ok)
        self.busy.hide()
        self.message.setObjectName("notice" if ok else "error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(tr(key, self.language, **values))
        self.message.show()

    def chosen(self) -> list[str]:
        """The ids of the documents chosen now."""
        return [str(b.property("document_id")) for b in self.buttons if b.isChecked()]

    def _set_buttons(self, buttons: list[QPushButton]) -> None:
        for old in self.buttons:
            self.list.removeWidget(old)
            old.deleteLater()
        self.buttons = buttons
        for push in buttons:
            push.toggled.connect(self._on_document_toggled)
            self.list.addWidget(push)
            push.show()  # added to a screen already on view: Qt leaves new children hidden

    def _on_document_toggled(self, _: bool) -> None:
        self.print_button.setEnabled(bool(self.chosen()))

    def _on_print_button_clicked(self) -> None:
        chosen = self.chosen()
        if chosen:
            self.print_requested.emit(chosen)

    def _document_text(self, doc: ReadyDocumentPublic) -> str:
        lang = self.language
        title = loc(doc.title, lang)
        if doc.kind == "business_license" and doc.enterprise_name:
            return tr("collect_licence", lang, name=doc.enterprise_name, uscc=doc.uscc or "")
        if doc.collected and doc.reprints_left <= 0:
            return tr("collect_doc_used_up", lang, title=title)
        if doc.collected:
            return tr(
                "collect_doc_reprint",
                lang,
                title=title,
                n=doc.reprints_left,
                issuer=loc(doc.issuer, lang),
            )
        day = doc.approved_at.astimezone().strftime("%Y-%m-%d")
        return tr("collect_doc_new", lang, title=title, issuer=loc(doc.issuer, lang), day=day)

    def retranslate(self) -> None:
        """Set the texts in the screen's language."""
        lang = self.language
        key = "collect_title_licences" if self.licences else "collect_title_certificates"
        self.title.setText(tr(key, lang))
        self.prompt.setText(tr("collect_prompt", lang) if self.buttons else "")
        self.back_button.setText(tr("back", lang))
        self.print_button.setText(tr("collect_print", lang))
        self.print_button.setVisible(bool(self.buttons))
        self.print_button.setEnabled(bool(self.chosen()))
        if self._message is not None and self.message.isVisible():
            mkey, values, _ = self._message
            self.message.setText(tr(mkey, lang, **values))
        ready = self.ready
        if ready is None:
            return
        for push, doc in zip(self.buttons, ready.documents, strict=False):
            push.setText(self._document_text(doc))
        lines = [
            tr(
                "collect_reminder",
                lang,
                title=loc(r.title, lang),
                day=r.valid_until.isoformat(),
                renew=loc(r.renew_item, lang),
            )
            for r in ready.reminders
        ]
        self.reminders.setText("\n".join(lines))
        self.reminders.setVisible(bool(lines))
