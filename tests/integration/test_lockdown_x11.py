"""The lockdown proof of issue 10 on a real X server: ``kiosk run`` full screen under Xvfb, once
with a window manager (openbox, which binds Alt+F4, Alt+Space, Alt+Tab) and once in the session
we ship (no window manager). Each escape key or gesture is sent with xdotool; an escape is the
process gone, its window no longer shown, or any other window shown (a menu, a run dialog, a
task switcher). The expected count is 0 for every row. The session script's screen blanking and
DPMS settings are checked on the same server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ESCAPES: list[tuple[str, list[str]]] = [
    ("Alt+F4", ["key", "alt+F4"]),
    ("Alt+Tab", ["key", "alt+Tab"]),
    ("Alt+Space", ["key", "alt+space"]),
    ("Ctrl+Q", ["key", "ctrl+q"]),
    ("Ctrl+W", ["key", "ctrl+w"]),
    ("Escape", ["key", "Escape"]),
    ("F11", ["key", "F11"]),
    ("Super", ["key", "super"]),
    ("Ctrl+Esc", ["key", "ctrl+Escape"]),
    ("Shift+F10", ["key", "shift+F10"]),
    ("Menu", ["key", "Menu"]),
    ("Alt+F2", ["key", "alt+F2"]),
    ("Ctrl+Alt+Backspace", ["key", "ctrl+alt+BackSpace"]),
    ("right click", ["mousemove", "960", "540", "click", "3"]),
    ("long press", ["mousemove", "960", "540", "mousedown", "1", "sleep", "1.2", "mouseup", "1"]),
    (
        "edge swipe from the left",
        ["mousemove", "0", "540", "mousedown", "1", "mousemove", "400", "540", "mouseup", "1"],
    ),
    (
        "edge swipe from the top",
        ["mousemove", "960", "0", "mousedown", "1", "mousemove", "960", "400", "mouseup", "1"],
    ),
]


def _tools() -> None:
    missing = [t for t in ("Xvfb", "xdotool", "xwininfo", "openbox", "xset") if not shutil.which(t)]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: make system installs them (APT_PACKAGES)")


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb at 1920x1080; its display name."""
    _tools()
    read, write = os.pipe()
    # -noreset as the kiosk's Xorg: no reset to defaults when the last client leaves.
    command = ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-noreset"]
    server = subprocess.Popen(
        [*command, "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number.isdigit(), "Xvfb gave no display number"
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def x(display: str, *args: str) -> str:
    return subprocess.run(
        args, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=30
    ).stdout


def shown_windows(display: str) -> set[str]:
    """Top-level windows that are mapped and larger than the 1x1 helpers."""
    shown = set()
    for line in x(display, "xwininfo", "-root", "-children").splitlines():
        match = re.match(r"\s+(0x[0-9a-f]+) .*\s(\d+)x(\d+)\+", line)
        if not match or (int(match.group(2)) <= 3 and int(match.group(3)) <= 3):
            continue
        if "IsViewable" in x(display, "xwininfo", "-id", match.group(1)):
            shown.add(match.group(1))
    return shown


def kiosk_toplevel(display: str) -> str:
    """The root's child that holds the terminal's window (itself, or a window manager's frame)."""
    [client] = x(display, "xdotool", "search", "--name", "政务服务自助终端").split()[:1]
    window = hex(int(client))
    while True:
        tree = x(display, "xwininfo", "-id", window, "-tree")
        parent = re.search(r"Parent window id: (0x[0-9a-f]+)", tree)
        assert parent is not None, tree
        if "(the root window)" in tree.split("Parent window id:")[1].splitlines()[0]:
            return window
        window = parent.group(1)


def settle(display: str) -> None:
    """Let the server and the clients act on the last input (a round trip, then a short pause
    for a window manager's menu to map)."""
    x(display, "xset", "q")
    threading.Event().wait(0.4)
    x(display, "xset", "q")


def run_escapes(display: str, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "[terminal]\nfull_screen = true\n"
        f'[storage]\ndata_dir = "{tmp_path / "data"}"\n'
        '[devices.document_printer]\ndriver = "folder"\n[ocr]\ncheck_materials = false\n'
    )
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(90)
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "PYTHONPATH": str(ROOT),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    outcome: dict[str, str] = {}
    try:
        assert notify.recv(4096).startswith(b"READY=1")
        settle(display)
        before = shown_windows(display)
        window = kiosk_toplevel(display)
        assert window in before
        for name, command in ESCAPES:
            x(display, "xdotool", *command)
            settle(display)
            now = shown_windows(display)
            if app.poll() is not None:
                outcome[name] = f"app exited {app.returncode}"
                break
            if window not in now:
                outcome[name] = "window hidden"
            elif now - before:
                outcome[name] = f"other window shown: {sorted(now - before)}"
            else:
                outcome[name] = "held"
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=30)
        assert app.returncode == 0, err.decode(errors="replace")[-2000:]
    finally:
        notify.close()
        if app.poll() is None:
            app.kill()
            app.wait()
    return outcome


def test_no_escape_under_a_window_manager(display: str, tmp_path: Path) -> None:
    wm = subprocess.Popen(
        ["openbox", "--sm-disable"],
        env={**os.environ, "DISPLAY": display},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        outcome = run_escapes(display, tmp_path)
    finally:
        wm.terminate()
        wm.wait(10)
    assert outcome == {name: "held" for name, _ in ESCAPES}


def test_no_escape_in_the_shipped_session(display: str, tmp_path: Path) -> None:
    session = subprocess.run(
        ["sh", str(ROOT / "deploy" / "session" / "kiosk-session")],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert session.returncode == 0, session.stderr
    saver = x(display, "xset", "q")
    assert re.search(r"prefer blanking:\s+no", saver)
    assert re.search(r"timeout:\s+0\s", saver)
    outcome = run_escapes(display, tmp_path)
    assert outcome == {name: "held" for name, _ in ESCAPES}
