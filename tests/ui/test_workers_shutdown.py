"""The shutdown's wait: all workers in one deadline, an engine still loading a little longer."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from kiosk.ui.navigator import ENGINE_GRACE_S, Workers

assert ENGINE_GRACE_S > 1.5  # the compile below ends within the grace


def test_an_engine_still_loading_is_waited_for_and_other_workers_are_not(qtbot: QtBot) -> None:
    parent = QObject()
    workers = Workers(parent)
    threads: dict[str, threading.Thread] = {}
    started = {"ocr": threading.Event(), "hall": threading.Event()}
    loaded, answered = threading.Event(), threading.Event()

    def task(name: str, done: threading.Event) -> None:
        threads[name] = threading.current_thread()
        started[name].set()
        done.wait(timeout=30)

    # The OCR engine compiles its models (native code, uninterruptible); a hall query hangs.
    workers.ocr.run(lambda: task("ocr", loaded))
    workers.hall.run(lambda: task("hall", answered))
    assert started["ocr"].wait(5) and started["hall"].wait(5)
    # The compile ends 1.5 s into the shutdown: past the common deadline, within the grace.
    threading.Timer(1.5, loaded.set).start()
    workers.shutdown(timeout=0.3)
    try:
        assert not threads["ocr"].is_alive(), "the engine's worker was left running"
        assert threads["hall"].is_alive(), "the hung query was waited for past the deadline"
    finally:
        answered.set()
        threads["hall"].join(timeout=5)
