"""The case progress query: scan a receipt, see each stage with its own clock ("环节分段计时")."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from hall.schema import CaseProgressPublic
from kiosk.ui.screens import loc
from kiosk.ui.strings import duration, tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, card, clear_layout, label


class ProgressScreen(Screen):
    """Waits for a QR code, then lists the case's stages."""

    back_requested = Signal()
    reprint_requested = Signal()
    """The citizen asked to reprint the certificate of the case on the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.case = label("", "bigNumber")
        self.item = label("", "subtitle")
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        for widget in (self.title, self.prompt, self.case, self.item, self.busy, self.error):
            self.body.addWidget(widget)
        self.frame, layout = card()
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(18)
        self.grid.setHorizontalSpacing(36)
        layout.addLayout(self.grid)
        self.body.addWidget(self.frame)
        self.frame.hide()
        self.body.addStretch(1)
        bar = ActionBar()
        self.reprint_button = bar.add(button())
        self.reprint_button.clicked.connect(self.reprint_requested)
        self.reprint_left = 0
        self.back_button = bar.add(button(primary=True), right=True)
        self.back_button.clicked.connect(self.back_requested)
        self.body.addWidget(bar)
        self.progress: CaseProgressPublic | None = None
        self.reset()

    def reset(self) -> None:
        """Wait for a code."""
        self.progress = None
        self.message: tuple[str, dict[str, object], bool] | None = None
        self.case.setText("")
        self.item.setText("")
        self.busy.hide()
        self.error.hide()
        self.frame.hide()
        self.reprint_button.hide()
        self.retranslate()

    def offer_reprint(self, left: int) -> None:
        """Offer to reprint the approved case's certificate, ``left`` more times."""
        self.reprint_left = left
        self.reprint_button.setEnabled(True)
        self.reprint_button.setVisible(left > 0)
        self.retranslate()

    def show_looking(self, case_number: str) -> None:
        """A case number was scanned; the hall is being asked."""
        self.reprint_button.hide()
        self.error.hide()
        self.frame.hide()
        self.case.setText(case_number)
        self.busy.show_busy(tr("progress_looking", self.language))

    def show_progress(self, progress: CaseProgressPublic) -> None:
        """Show the stages."""
        self.progress = progress
        self.message = None
        self.busy.hide()
        self.error.hide()
        self.frame.show()
        self.retranslate()

    def show_message(self, key: str, *, ok: bool = False, **values: object) -> None:
        """Say something about the code just read and keep waiting for the next one.

        Good news shows in green, a problem in amber. The message is kept as its string key,
        so a language switch says it again in the other language.
        """
        self.message = (key, values, ok)
        self.busy.hide()
        self.frame.hide()
        self.error.setObjectName("notice" if ok else "error")
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)
        self.error.setText(tr(key, self.language, **values))
        self.error.show()

    def retranslate(self) -> None:
        """Set the texts and the stage table."""
        lang = self.language
        self.title.setText(tr("progress_title", lang))
        self.prompt.setText(tr("progress_scan", lang))
        self.back_button.setText(tr("back", lang))
        self.reprint_button.setText(tr("progress_reprint", lang, n=self.reprint_left))
        if self.message is not None and self.error.isVisible():
            key, values, _ = self.message
            self.error.setText(tr(key, lang, **values))
        clear_layout(self.grid)
        progress = self.progress
        if progress is None:
            return
        self.case.setText(progress.case_number)
        self.item.setText(loc(progress.item_name, lang))
        for row, stage in enumerate(progress.stages):
            mark = "●" if stage.finished_at else ("◐" if stage.started_at else "○")
            name = label(f"{mark}  {loc(stage.name, lang)}", "sectionTitle")
            if stage.finished_at is not None:
                state = tr("progress_stage_done", lang, t=duration(stage.seconds or 0, lang))
            elif stage.started_at is not None:
                state = tr("progress_stage_running", lang, t=duration(stage.seconds or 0, lang))
            else:
                state = tr("progress_stage_waiting", lang)
            when = stage.started_at.astimezone().strftime("%m-%d %H:%M") if stage.started_at else ""
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(label(when), row, 1)
            self.grid.addWidget(label(state), row, 2, alignment=Qt.AlignmentFlag.AlignRight)
