"""The Qt binding keeps Python's reference counts: a terminal runs for days on millions of calls.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` each time a method that returns
nothing (``update``, ``updateGeometry``, ``processEvents``...) was called; a kiosk painting its
camera preview twelve times a second then died within hours with "deallocating None" (and the
test suite at exit). Python 3.12 made ``None`` immortal, so the count cannot be watched there.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

CALLS = 1000


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_methods_that_return_nothing_leave_nones_count_alone(qtbot: QtBot) -> None:
    widget = QLabel("x")
    qtbot.addWidget(widget)
    app = QApplication.instance()
    assert app is not None
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.update()
        widget.updateGeometry()
        widget.setText("营业执照")
    lost = before - sys.getrefcount(None)
    # Other code may take or free a handful of references meanwhile; a binding that drops one
    # per call loses thousands.
    assert lost < CALLS // 10, f"{lost} references to None lost over {3 * CALLS} calls"
