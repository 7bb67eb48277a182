"""The case progress query: scan a receipt or lay the card, see each stage with its own clock.

Stages show human durations ("不到1分钟", not "0秒") and the case its promised deadline; an open
case past it says so (超期). A card holder with several cases picks one first.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hall.schema import CaseProgressPublic
from kiosk.services.progress import deadline, overdue_days, short_duration
from kiosk.ui.screens import loc
from kiosk.ui.strings import duration, tr
from kiosk.ui.widgets import (
    ActionBar,
    BusyPanel,
    Screen,
    WrappingButton,
    button,
    card,
    clear_layout,
    label,
)


class ProgressScreen(Screen):
    """Waits for a QR code, then lists the case's stages."""

    back_requested = Signal()
    reprint_requested = Signal()
    """The citizen asked to reprint the certificate of the case on the screen."""
    typing_requested = Signal()
    """The citizen wants to type the case number on a pad."""
    case_chosen = Signal(object)
    """A card holder picked one of their cases (a ``CaseProgressPublic``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.prompt = label("", "subtitle")
        self.case = label("", "bigNumber")
        self.item = label("", "subtitle")
        self.deadline = label("", "body")
        self.overdue = label("", "error")
        self.overdue.hide()
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        self.body.addWidget(self.title)
        self.body.addWidget(self.prompt)
        self.body.addWidget(self.case)
        # The item and its deadline on one line: with the stages and the buttons, elder mode's
        # type did not fit 1080 px with them on two (both wrap, so a portrait screen holds them).
        item_line = QHBoxLayout()
        item_line.setSpacing(36)
        item_line.addWidget(self.item, 1)
        item_line.addWidget(self.deadline, 0, Qt.AlignmentFlag.AlignVCenter)
        self.body.addLayout(item_line)
        for widget in (
            self.overdue,
            self.busy,
            self.error,
        ):
            self.body.addWidget(widget)
        self.choices = QVBoxLayout()
        self.choices.setSpacing(16)
        self.body.addLayout(self.choices)
        self.case_buttons: list[QPushButton] = []
        self.cases: list[CaseProgressPublic] = []
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
        self.type_button = bar.add(button())
        self.type_button.clicked.connect(self.typing_requested)
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
        self.deadline.setText("")
        self.overdue.hide()
        self._set_cases([])
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
        self._set_cases([])
        self.case.setText(case_number)
        self.busy.show_busy(tr("progress_looking", self.language))

    def show_cases(self, cases: list[CaseProgressPublic]) -> None:
        """A card holder's cases, one button each, to pick the one to show."""
        self.progress = None
        self.busy.hide()
        self.error.hide()
        self.frame.hide()
        self.case.setText("")
        self._set_cases(cases[:6])
        self.retranslate()

    def _set_cases(self, cases: list[CaseProgressPublic]) -> None:
        for old in self.case_buttons:
            self.choices.removeWidget(old)
            old.deleteLater()
        self.cases = cases
        self.case_buttons = []
        for progress in cases:
            push = WrappingButton("itemButton")
            push.clicked.connect(lambda _=False, p=progress: self.case_chosen.emit(p))
            self.choices.addWidget(push)
            push.show()  # added to a screen already on view: Qt leaves new children hidden
            self.case_buttons.append(push)

    def show_progress(self, progress: CaseProgressPublic) -> None:
        """Show the stages."""
        self._set_cases([])
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
        self._show_prompt()

    def _show_prompt(self) -> None:
        showing_case = self.progress is not None and self.message is None
        self.prompt.setVisible(not (self.elder and showing_case))

    def retranslate(self) -> None:
        """Set the texts and the stage table."""
        lang = self.language
        self.title.setText(tr("progress_title", lang))
        self.prompt.setText(tr("progress_scan", lang))
        # Elder mode shows one thing a screen: the case shown, not how to scan the next one
        # (a code scanned still shows its case). Its type would not fit 1080 px otherwise.
        self._show_prompt()
        self.back_button.setText(tr("back", lang))
        self.type_button.setText(tr("progress_type_button", lang))
        self.reprint_button.setText(tr("progress_reprint", lang, n=self.reprint_left))
        if self.message is not None and self.error.isVisible():
            key, values, _ = self.message
            self.error.setText(tr(key, lang, **values))
        clear_layout(self.grid)
        progress = self.progress
        if progress is not None:
            self.case.setText(progress.case_number)
            self.item.setText(loc(progress.item_name, lang))
        for push, case in zip(self.case_buttons, self.cases, strict=False):
            status = tr(f"status_{case.status}", lang)
            push.setText(
                tr(
                    "progress_case_choice",
                    lang,
                    case=case.case_number,
                    item=loc(case.item_name, lang),
                    status=status,
                )
            )
        self.deadline.setText("")
        self.overdue.hide()
        progress = self.progress
        if progress is None:
            return
        self._show_deadline(progress, lang)
        for row, stage in enumerate(progress.stages):
            mark = "●" if stage.finished_at else ("◐" if stage.started_at else "○")
            name = label(f"{mark}  {loc(stage.name, lang)}", "sectionTitle")
            seconds = stage.seconds or 0
            spent = (
                tr("under_a_minute", lang) if short_duration(seconds) else duration(seconds, lang)
            )
            if stage.finished_at is not None:
                state = tr("progress_stage_done", lang, t=spent)
            elif stage.started_at is not None:
                state = tr("progress_stage_running", lang, t=spent)
            else:
                state = tr("progress_stage_waiting", lang)
            when = stage.started_at.astimezone().strftime("%m-%d %H:%M") if stage.started_at else ""
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(label(when), row, 1)
            self.grid.addWidget(label(state), row, 2, alignment=Qt.AlignmentFlag.AlignRight)

    def elder_changed(self) -> None:
        """Lay the screen out again for the mode (elder mode hides the scan prompt by a case)."""
        self.retranslate()

    def _show_deadline(self, progress: CaseProgressPublic, lang: str) -> None:
        if progress.status != "accepted":
            self.deadline.setText(tr("progress_decided", lang))
            return
        due = deadline(progress)
        if due is None:
            return
        self.deadline.setText(tr("progress_deadline", lang, day=due.isoformat()))
        late = overdue_days(progress, dt.date.today())
        if late:
            self.overdue.setText(tr("progress_overdue", lang, n=late))
            self.overdue.show()
