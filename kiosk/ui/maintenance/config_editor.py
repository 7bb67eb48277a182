"""Edit the devices' configuration: one field per key, errors shown under the field they concern.

The fields are made from the settings model itself (``kiosk.config``), so a key another part of
the terminal adds to a device's section shows up here without a change: a choice of fixed values
becomes a drop-down, anything else a text field. Validation and saving are done by
``kiosk.services.maintenance.ConfigFile`` on a worker; this widget only collects and shows.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskSettings
from kiosk.ui.maintenance.words import SECTION_NAMES, word
from kiosk.ui.widgets import label

SECTIONS = ("id_reader", "scanner", "camera", "receipt_printer", "document_printer")
_UNSET = ""


def _choices(annotation: Any) -> tuple[list[Any], bool] | None:
    """The fixed values of a field (Literal / bool), and whether it may be left unset."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return [True, False], False
    if origin is typing.Literal:
        return list(args), False
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in args
        values: list[Any] = []
        for arg in args:
            if arg is type(None):
                continue
            inner = _choices(arg)
            if inner is None:
                return None
            values += inner[0]
        return values, optional
    return None


def _numeric(annotation: Any) -> type | None:
    args = set(typing.get_args(annotation)) - {type(None)}
    for kind in (int, float):
        if annotation is kind or kind in args:
            return kind
    return None


_ESCAPES = (("\\", "\\\\"), ("\r", "\\r"), ("\n", "\\n"), ("\t", "\\t"))


def _escape(text: str) -> str:
    r"""Control characters shown as ``\r\n`` (a scanner's suffix): a line edit holds them."""
    for raw, shown in _ESCAPES:
        text = text.replace(raw, shown)
    return text


def _unescape(text: str) -> str:
    out, index = [], 0
    table = {shown: raw for raw, shown in _ESCAPES}
    while index < len(text):
        pair = text[index : index + 2]
        if pair in table:
            out.append(table[pair])
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (list, tuple):
        return True
    return any(typing.get_origin(arg) in (list, tuple) for arg in typing.get_args(annotation))


def _optional(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _text(value: Any) -> str:
    if value is None:
        return _UNSET
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str):
        return _escape(value)
    return str(value)


class _Field:
    """One key: its widget, its error line and how to read the value back."""

    def __init__(self, key: str, annotation: Any, value: Any) -> None:
        self.key = key
        self.annotation = annotation
        self.initial = value
        self.error = label("", "fieldError")
        self.error.hide()
        choices = _choices(annotation)
        self.combo: QComboBox | None = None
        self.edit: QLineEdit | None = None
        self.widget: QWidget
        if choices is not None:
            values, optional = choices
            combo = QComboBox()
            combo.setObjectName("maintField")
            if optional:
                combo.addItem(word("unset"), None)
            for choice in values:
                shown = word("yes") if choice is True else word("no") if choice is False else choice
                combo.addItem(str(shown), choice)
            # Compare in Python: Qt's findData cannot look for None.
            index = next((i for i in range(combo.count()) if combo.itemData(i) == value), 0)
            combo.setCurrentIndex(index)
            self.combo = combo
            self.widget = combo
        else:
            edit = QLineEdit(_text(value))
            edit.setObjectName("maintField")
            self.edit = edit
            self.widget = edit

        self._initial_value = self.value()

    def value(self) -> Any:
        """The value as the TOML file should hold it; ``None`` removes the key."""
        if self.combo is not None:
            return self.combo.currentData()
        assert self.edit is not None
        raw = self.edit.text()
        text = raw.strip()
        if _is_list(self.annotation):
            return [item.strip() for item in text.split(",") if item.strip()]
        kind = _numeric(self.annotation)
        if not text and (kind is not None or _optional(self.annotation)):
            return None
        if kind is not None:
            try:
                return kind(text)
            except ValueError:
                return text  # kept as typed: validation says in plain words what is wrong
        return _unescape(raw)

    def changed(self) -> bool:
        """Whether the technician changed it (against what the form showed at first)."""
        return bool(self.value() != self._initial_value)

    def show_error(self, message: str | None) -> None:
        """Show ``message`` under the field, or clear it."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


class DeviceConfigEditor(QScrollArea):
    """The devices' sections of the configuration as a form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty form; ``load`` fills it."""
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.fields: dict[str, _Field] = {}
        self.section_errors: dict[str, QLabel] = {}
        self._inner = QWidget()
        self._inner.setObjectName("root")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(0, 0, 16, 0)
        self._layout.setSpacing(12)
        self.setWidget(self._inner)

    def load(self, settings: KioskSettings) -> None:
        """Build the form from ``settings`` (the values in force now)."""
        self.clear()
        devices = settings.devices
        for section in SECTIONS:
            model = getattr(devices, section, None)
            if not isinstance(model, BaseModel):
                continue
            title = label(SECTION_NAMES.get(section, section), "sectionTitle")
            self._layout.addWidget(title)
            error = label("", "fieldError")
            error.hide()
            self.section_errors[f"devices.{section}"] = error
            self._layout.addWidget(error)
            grid = QGridLayout()
            grid.setHorizontalSpacing(16)
            grid.setVerticalSpacing(6)
            grid.setColumnStretch(1, 1)
            row = 0
            for name, info in type(model).model_fields.items():
                key = f"devices.{section}.{name}"
                field = _Field(key, info.annotation, getattr(model, name))
                self.fields[key] = field
                name_label = label(name, "fieldName", wrap=False)
                name_label.setMinimumWidth(260)  # one column width for every section
                field.widget.setMinimumWidth(420)
                field.widget.setMaximumWidth(760)
                name_label.setToolTip(info.description or "")
                grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(field.widget, row, 1, Qt.AlignmentFlag.AlignLeft)
                grid.addWidget(field.error, row + 1, 1)
                row += 2
            self._layout.addLayout(grid)
        self._layout.addStretch(1)

    def clear(self) -> None:
        """Empty the form (unsaved edits are dropped)."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item is None:
                continue
            widget = item.widget()
            inner = item.layout()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
            elif inner is not None:
                while inner.count():
                    child = inner.takeAt(0)
                    child_widget = child.widget() if child is not None else None
                    if child_widget is not None:
                        child_widget.setParent(None)
                        child_widget.deleteLater()
                inner.deleteLater()
        self.fields = {}
        self.section_errors = {}

    def changes(self) -> dict[str, Any]:
        """The changed keys and their new values (``None``: remove the key)."""
        return {key: field.value() for key, field in self.fields.items() if field.changed()}

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Show each error under its field or section; returns those that have no place here."""
        for field in self.fields.values():
            field.show_error(errors.get(field.key))
        for key, error_label in self.section_errors.items():
            message = errors.get(key)
            error_label.setText(message or "")
            error_label.setVisible(bool(message))
        first = next(
            (f.error for f in self.fields.values() if f.key in errors),
            next((lbl for k, lbl in self.section_errors.items() if k in errors), None),
        )
        if first is not None:
            # After the layout has made room for the newly shown lines.
            QTimer.singleShot(0, lambda: self.ensureWidgetVisible(first, 50, 120))
        placed = set(self.fields) | set(self.section_errors)
        return [f"{key}: {message}" for key, message in errors.items() if key not in placed]
