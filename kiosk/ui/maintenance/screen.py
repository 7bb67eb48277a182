"""The maintenance screen: each device's live status and self-test, the settings, recent errors.

For staff: denser than the citizen's screens, but every target is at least 64 px high. All the
work (probes, tests, saving) is done by ``MaintenanceMode`` on workers; this screen shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.doctor import Check
from kiosk.services.enrolment import CODE_ALPHABET, CODE_LENGTH, EnrolmentStatus
from kiosk.ui.maintenance.config_editor import DeviceConfigEditor
from kiosk.ui.maintenance.words import DEVICE_NAMES, STATUS_WORDS, word
from kiosk.ui.widgets import Screen, button, card, clear_layout, label

SELF_TESTS: dict[str, tuple[str, ...]] = {
    "id_reader": ("test_card",),
    "scanner": ("test_scan",),
    "camera": ("test_photo",),
    "receipt_printer": ("test_receipt",),
    "document_printer": ("test_page",),
}
"""Which self-tests each row offers (by the word key of its button)."""

STYLE = """
QWidget#maintenance QLabel { font-size: 22px; }
QWidget#maintenance QLabel#title { font-size: 36px; font-weight: bold; }
QWidget#maintenance QLabel#sectionTitle { font-size: 26px; }
QWidget#maintenance QLabel#fieldName { font-size: 22px; color: #3D4656; }
QWidget#maintenance QLabel#fieldError { font-size: 22px; color: #A1261D; }
QWidget#maintenance QLabel#statusOk { font-size: 22px; font-weight: bold; color: #0A6B3A; }
QWidget#maintenance QLabel#statusFail { font-size: 22px; font-weight: bold; color: #A1261D; }
QWidget#maintenance QLabel#statusWarn { font-size: 22px; font-weight: bold; color: #7A2E00; }
QWidget#maintenance QLabel#statusOther { font-size: 22px; font-weight: bold; color: #3D4656; }
QWidget#maintenance QLabel#error, QWidget#maintenance QLabel#notice {
    font-size: 22px; padding: 12px;
}
QWidget#maintenance QPushButton {
    font-size: 22px; min-height: 64px; padding: 0 20px; border-radius: 12px;
}
QWidget#maintenance QPushButton#pageButton:checked { background: #0B4DA2; color: white; }
QWidget#maintenance QLineEdit#maintField, QWidget#maintenance QComboBox#maintField {
    font-size: 22px; min-height: 60px; padding: 0 12px; border: 2px solid #9AA3B2;
    border-radius: 10px; background: white;
}
QWidget#maintenance QComboBox#maintField QAbstractItemView { font-size: 22px; }
QWidget#maintenance QPlainTextEdit { font-size: 20px; background: white; }
QWidget#maintenance QPushButton#codeKey {
    font-size: 28px; font-weight: bold; min-width: 72px; padding: 0 4px;
}
QWidget#maintenance QLineEdit#maintField[readOnly="true"] { font-size: 36px; letter-spacing: 4px; }
"""


class StatusRowWidgets:
    """The widgets of one device's row."""

    def __init__(self, check: Check) -> None:
        """Make the row's labels and test buttons for ``check``."""
        self.device = check.device
        self.name = label(DEVICE_NAMES.get(check.device, check.device), "body", wrap=False)
        self.detail = label("", "fieldName", wrap=False)
        self.status = label("", "statusOther", wrap=False)
        self.reason = label("", "body")
        self.tests: dict[str, QPushButton] = {}
        for key in SELF_TESTS.get(check.device, ()):
            self.tests[key] = button(word(key), name="testButton")
        self.update(check)

    def update(self, check: Check) -> None:
        """Show ``check``'s status and reason."""
        # Long paths are cut in the middle (the full one is in the tooltip): the row stays one
        # line high and the table fits a portrait screen.
        where = f"{check.driver} · {check.port}"
        self.detail.setText(where if len(where) <= 34 else f"{where[:10]}…{where[-23:]}")
        self.detail.setToolTip(where)
        kind = {"ok": "statusOk", "fail": "statusFail", "warn": "statusWarn"}.get(
            check.status, "statusOther"
        )
        self.status.setObjectName(kind)
        self.status.setText(STATUS_WORDS.get(check.status, check.status))
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        optional = "" if check.required else "（可选 optional）"
        self.reason.setText((check.reason + " " + optional).strip())


class MaintenanceScreen(Screen):
    """Three pages (status, settings, errors) and the way out."""

    exit_requested = Signal()
    refresh_requested = Signal()
    test_requested = Signal(str, str)
    """(device, test word key)"""
    save_requested = Signal()
    page_changed = Signal(int)
    enrol_requested = Signal(str)
    """(the typed one-time code)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen; rows appear with the first status."""
        super().__init__(parent)
        self.setObjectName("maintenance")
        self.setStyleSheet(STYLE)
        self.body.setContentsMargins(40, 24, 40, 24)
        self.body.setSpacing(16)
        # Two rows, so that the screen fits a 1080 px wide portrait panel as well.
        top = QHBoxLayout()
        top.setSpacing(12)
        self.title = label(word("title"), "title", wrap=False)
        top.addWidget(self.title)
        top.addStretch(1)
        self.exit_button = button(word("exit"), primary=True)
        self.exit_button.clicked.connect(self.exit_requested)
        top.addWidget(self.exit_button)
        self.body.addLayout(top)
        tabs = QHBoxLayout()
        tabs.setSpacing(12)
        self.page_buttons: list[QPushButton] = []
        for index, key in enumerate(("page_status", "page_settings", "page_errors", "page_enrol")):
            push = button(word(key), name="pageButton")
            push.setCheckable(True)
            push.clicked.connect(lambda _=False, i=index: self.show_page(i))
            self.page_buttons.append(push)
            tabs.addWidget(push)
        tabs.addStretch(1)
        self.body.addLayout(tabs)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.pages.addWidget(self._status_page())
        self.pages.addWidget(self._settings_page())
        self.pages.addWidget(self._errors_page())
        self.pages.addWidget(self._enrol_page())
        self.rows: dict[str, StatusRowWidgets] = {}
        self.show_page(0)

    # --- pages ----------------------------------------------------------------------------------

    def _status_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        bar = QHBoxLayout()
        self.status_note = label("", "body")
        bar.addWidget(self.status_note, 1)
        self.refresh_button = button(word("refresh"))
        self.refresh_button.clicked.connect(self.refresh_requested)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)
        frame, inner = card()
        inner.setContentsMargins(24, 16, 24, 16)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(20)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(2, 1)
        inner.addLayout(self.grid)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(frame)
        layout.addWidget(scroll, 1)
        result_row = QHBoxLayout()
        self.test_result = label("", "notice")
        self.test_result.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.test_result.hide()
        result_row.addWidget(self.test_result, 1)
        self.thumbnail = QLabel()
        self.thumbnail.hide()
        result_row.addWidget(self.thumbnail)
        layout.addLayout(result_row)
        return page

    def _settings_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor = DeviceConfigEditor()
        layout.addWidget(self.editor, 1)
        bar = QHBoxLayout()
        self.save_message = label("", "notice")
        self.save_message.hide()
        bar.addWidget(self.save_message, 1)
        bar.addStretch(0)
        self.save_button = button(word("save"), primary=True)
        self.save_button.setMinimumWidth(320)
        self.save_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.save_button.clicked.connect(self.save_requested)
        bar.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(bar)
        return page

    def _errors_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.errors = QPlainTextEdit()
        self.errors.setReadOnly(True)
        self.errors.setPlaceholderText(word("no_errors"))
        layout.addWidget(self.errors)
        return page

    def _enrol_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(label(word("enrol_title"), "sectionTitle"))
        self.enrol_state = label("", "body")
        layout.addWidget(self.enrol_state)
        self.enrol_hint = label("", "fieldName")
        layout.addWidget(self.enrol_hint)
        self.enrol_code = QLineEdit()
        self.enrol_code.setObjectName("maintField")
        self.enrol_code.setReadOnly(True)
        self.enrol_code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.enrol_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.enrol_code)
        pad = QGridLayout()
        pad.setSpacing(8)
        self.enrol_keys: dict[str, QPushButton] = {}
        for index, ch in enumerate(CODE_ALPHABET):
            push = button(ch, name="codeKey")
            push.clicked.connect(lambda _=False, c=ch: self._type_code(c))
            self.enrol_keys[ch] = push
            pad.addWidget(push, index // 8, index % 8)
        layout.addLayout(pad)
        bar = QHBoxLayout()
        self.enrol_backspace = button(word("enrol_backspace"))
        self.enrol_backspace.clicked.connect(self._erase_code)
        bar.addWidget(self.enrol_backspace)
        self.enrol_clear = button(word("clear"))
        self.enrol_clear.clicked.connect(self.clear_code)
        bar.addWidget(self.enrol_clear)
        bar.addStretch(1)
        self.enrol_button = button(word("enrol_button"), primary=True)
        self.enrol_button.setMinimumWidth(320)
        self.enrol_button.clicked.connect(lambda: self.enrol_requested.emit(self.typed_code()))
        bar.addWidget(self.enrol_button)
        layout.addLayout(bar)
        self.enrol_message = label("", "notice")
        self.enrol_message.hide()
        layout.addWidget(self.enrol_message)
        layout.addStretch(1)
        return page

    def typed_code(self) -> str:
        """The code typed so far, without the dashes shown."""
        return self.enrol_code.text().replace("-", "")

    def _type_code(self, ch: str) -> None:
        raw = self.typed_code()
        if len(raw) < CODE_LENGTH:
            self._show_code(raw + ch)

    def _erase_code(self) -> None:
        self._show_code(self.typed_code()[:-1])

    def clear_code(self) -> None:
        """Forget the typed code."""
        self._show_code("")

    def _show_code(self, raw: str) -> None:
        self.enrol_code.setText("-".join(raw[i : i + 4] for i in range(0, len(raw), 4)))

    def show_enrolment(self, status: EnrolmentStatus) -> None:
        """Show whether and as whom the terminal is enrolled."""
        hall = status.hall_url or word("unset")
        self.enrol_hint.setText(word("enrol_hint", kiosk=status.configured_id, hall=hall))
        if status.enrolled:
            text = word(
                "enrol_state_ok", kiosk=status.kiosk_id, key_id=status.key_id, hall=status.hall_url
            )
        elif status.kiosk_id is not None:
            text = word("enrol_state_mismatch", problem=status.problem)
        else:
            text = word("enrol_state_none", problem=status.problem)
        self.enrol_state.setText(text)

    def show_enrol_message(self, text: str, *, ok: bool, busy: bool = False) -> None:
        """Say how the enrolment went (``busy``: it is running, the button waits)."""
        self.enrol_message.setObjectName("notice" if ok else "error")
        self.enrol_message.style().unpolish(self.enrol_message)
        self.enrol_message.style().polish(self.enrol_message)
        self.enrol_message.setText(text)
        self.enrol_message.show()
        self.enrol_button.setEnabled(not busy)

    def show_page(self, index: int) -> None:
        """Bring page ``index`` (0 status, 1 settings, 2 errors, 3 enrolment) to the front."""
        self.pages.setCurrentIndex(index)
        for i, push in enumerate(self.page_buttons):
            push.setChecked(i == index)
        self.page_changed.emit(index)

    # --- status ---------------------------------------------------------------------------------

    def show_checking(self) -> None:
        """A check of every device has started."""
        self.refresh_button.setEnabled(False)
        self.status_note.setText(word("checking"))

    def show_checks(self, checks: list[Check], checked_at: str) -> None:
        """Fill or update the rows."""
        self.refresh_button.setEnabled(True)
        self.status_note.setText(word("checked_at", time=checked_at))
        if [c.device for c in checks] != list(self.rows):
            self._rebuild(checks)
        for check in checks:
            self.rows[check.device].update(check)

    def show_check_failed(self, error: str) -> None:
        """The check itself could not run."""
        self.refresh_button.setEnabled(True)
        self.status_note.setText(word("check_failed", error=error))

    def _rebuild(self, checks: list[Check]) -> None:
        clear_layout(self.grid)
        self.rows = {}
        for index, check in enumerate(checks):
            row = StatusRowWidgets(check)
            self.rows[check.device] = row
            names = QVBoxLayout()
            names.setSpacing(0)
            holder = QWidget()
            holder.setLayout(names)
            names.addWidget(row.name)
            names.addWidget(row.detail)
            self.grid.addWidget(holder, index, 0)
            self.grid.addWidget(row.status, index, 1)
            self.grid.addWidget(row.reason, index, 2)
            tests = QWidget()
            tests_layout = QHBoxLayout(tests)
            tests_layout.setContentsMargins(0, 0, 0, 0)
            for key, push in row.tests.items():
                push.clicked.connect(
                    lambda _=False, d=check.device, k=key: self.test_requested.emit(d, k)
                )
                tests_layout.addWidget(push)
            self.grid.addWidget(tests, index, 3, Qt.AlignmentFlag.AlignRight)

    def show_test_result(self, text: str, *, ok: bool, image: QImage | None = None) -> None:
        """Show a self-test's outcome (and a photo's thumbnail)."""
        self.test_result.setObjectName("notice" if ok else "error")
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.test_result.setText(text)
        self.test_result.show()
        if image is not None:
            # Small enough that the device table keeps its rows in view.
            self.thumbnail.setPixmap(QPixmap.fromImage(image).scaledToHeight(160))
            self.thumbnail.show()
        else:
            self.thumbnail.clear()
            self.thumbnail.hide()

    def set_tests_enabled(self, enabled: bool) -> None:
        """One self-test at a time."""
        for row in self.rows.values():
            for push in row.tests.values():
                push.setEnabled(enabled)

    # --- settings and errors --------------------------------------------------------------------

    def show_save_message(self, text: str, *, ok: bool) -> None:
        """Say how saving went."""
        self.save_message.setObjectName("notice" if ok else "error")
        self.save_message.style().unpolish(self.save_message)
        self.save_message.style().polish(self.save_message)
        self.save_message.setText(text)
        self.save_message.show()

    def show_errors_log(self, lines: list[str]) -> None:
        """Show the recent warnings and errors, newest last."""
        self.errors.setPlainText("\n".join(lines))
        self.errors.verticalScrollBar().setValue(self.errors.verticalScrollBar().maximum())

    # --- leaving --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Staff words are bilingual already; nothing switches."""

    def reset(self) -> None:
        """Drop everything the technician saw or typed."""
        clear_layout(self.grid)
        self.rows = {}
        self.status_note.setText("")
        self.refresh_button.setEnabled(True)
        self.test_result.setText("")
        self.test_result.hide()
        self.thumbnail.clear()
        self.thumbnail.hide()
        self.editor.clear()
        self.save_message.setText("")
        self.save_message.hide()
        self.save_button.setEnabled(True)
        self.errors.clear()
        self.clear_code()
        self.enrol_state.setText("")
        self.enrol_message.setText("")
        self.enrol_message.hide()
        self.enrol_button.setEnabled(True)
        self.show_page(0)
