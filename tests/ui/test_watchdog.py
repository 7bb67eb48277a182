"""The watchdog: sd_notify datagrams on a real Unix socket, pinged from the Qt event loop, and a
frozen GUI thread that stops the pings and shows in the heartbeat as a frozen UI."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.services.watchdog import SystemdNotifier, UiLiveness
from kiosk.watchdog import UiWatchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket standing in for systemd's notify socket."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5.0)
    yield sock, path
    sock.close()


def drain(sock: socket.socket) -> list[str]:
    """Every datagram waiting now."""
    got = []
    sock.setblocking(False)
    try:
        while True:
            got.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.setblocking(True)
        sock.settimeout(5.0)
    return got


def test_notify_speaks_the_datagram_protocol(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert notifier.enabled and notifier.ping_interval_s == 2.0
    assert notifier.ready("attract screen shown")
    assert sock.recv(4096) == b"READY=1\nSTATUS=attract screen shown"
    assert notifier.notify("WATCHDOG=1")
    assert sock.recv(4096) == b"WATCHDOG=1"
    notifier.close()


def test_abstract_socket_names_are_understood() -> None:
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(5.0)
    try:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "@" + name})
        assert notifier.stopping()
        assert sock.recv(4096) == b"STOPPING=1"
        notifier.close()
    finally:
        sock.close()


def test_without_systemd_everything_is_a_no_op() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled
    assert notifier.ping_interval_s is None
    assert not notifier.ready()
    # A watchdog meant for another process (WATCHDOG_PID) is not ours to feed.
    other = SystemdNotifier(
        {"NOTIFY_SOCKET": "/nowhere", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"}
    )
    assert other.ping_interval_s is None


def test_a_vanished_manager_does_not_raise(tmp_path: Path) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.notify("WATCHDOG=1") is False
    notifier.close()


def test_a_frozen_gui_thread_stops_the_pings_and_reports_frozen(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, path = notify_socket
    # WatchdogSec=0.2 s: pings every 100 ms from the event loop.
    notifier = SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    liveness = UiLiveness(stale_after_s=0.3)
    watchdog = UiWatchdog(notifier, liveness)
    assert watchdog.interval_ms == 100
    watchdog.start()
    qtbot.waitUntil(lambda: watchdog.pings >= 3, timeout=5000)
    assert liveness.status() == "ok"
    drain(sock)

    release = threading.Event()
    seen: dict[str, object] = {}

    def observer() -> None:
        # While the GUI thread is blocked: wait until liveness calls it frozen, then count what
        # the manager received in the meantime, then let the GUI thread go.
        frozen = threading.Event()
        while not frozen.wait(0.05):
            if liveness.status().startswith("frozen"):
                frozen.set()
        seen["status"] = liveness.status()
        seen["pings_during_freeze"] = drain(sock)
        release.set()

    def freeze() -> None:
        thread = threading.Thread(target=observer, name="freeze-observer")
        thread.start()
        release.wait(30)  # the GUI thread is stuck, as in the 25 s freeze of the issue
        thread.join()

    # Let the pings queued before the freeze land first, then block the loop from inside it.
    qtbot.wait(0)
    drain(sock)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, freeze)
    qtbot.waitUntil(lambda: "status" in seen, timeout=30000)
    assert str(seen["status"]).startswith("frozen")
    assert seen["pings_during_freeze"] == []
    # The loop runs again: pings and liveness come back.
    before = watchdog.pings
    qtbot.waitUntil(lambda: watchdog.pings > before, timeout=5000)
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert liveness.status() == "ok"
    watchdog.stop()
    notifier.close()
