"""``kiosk maintenance set-pin`` asking twice on a real terminal (a pty as its controlling tty),
and the bounded, masking log buffer of the maintenance screen."""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from kiosk.config import load_settings
from kiosk.services.maintenance import verify_pin
from kiosk.ui.maintenance.log_buffer import RecentErrorsHandler

KIOSK = Path(sys.executable).parent / "kiosk"


def _read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {needle!r}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _set_pin_on_a_terminal(config: Path, first: str, second: str) -> tuple[int, bytes]:
    controller, device = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    child = subprocess.Popen(
        [str(KIOSK), "--config", str(config), "maintenance", "set-pin"],
        stdin=device,
        stdout=device,
        stderr=device,
        # No controlling terminal of ours: getpass then turns echo off on stdin, the pty.
        start_new_session=True,
        env={**env, "TERM": "dumb"},
    )
    os.close(device)
    try:
        output = _read_until(controller, b"(6-12 digits): ")
        os.write(controller, first.encode() + b"\n")
        output += _read_until(controller, b": ")
        os.write(controller, second.encode() + b"\n")
        code = child.wait(timeout=60)
        output += _read_until(controller, b"\n", timeout=1.0) if code else b""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(controller)
    return code, output


def test_set_pin_asks_twice_and_refuses_a_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("# terminal 3\n", encoding="utf-8")
    code, output = _set_pin_on_a_terminal(path, "975310", "975311")
    assert code == 1, output
    assert path.read_text(encoding="utf-8") == "# terminal 3\n"
    code, output = _set_pin_on_a_terminal(path, "975310", "975310")
    assert code == 0, output
    assert b"975310" not in output  # getpass does not echo
    pin_hash = load_settings(path).maintenance.pin_hash
    assert pin_hash is not None and verify_pin("975310", pin_hash)


def test_log_buffer_keeps_the_last_warnings_masked() -> None:
    handler = RecentErrorsHandler(capacity=3)
    logger = logging.getLogger("test.maintenance.buffer")
    logger.addHandler(handler)
    try:
        logger.info("not kept")
        for n in range(5):
            logger.warning("warning %d", n)
        try:
            raise ValueError("card 44052418800101001X rejected")
        except ValueError:
            logger.exception("read failed for 44052418800101001X")
    finally:
        logger.removeHandler(handler)
    lines = [entry.line() for entry in handler.entries()]
    assert len(lines) == 3
    assert lines[0].endswith("WARNING test.maintenance.buffer: warning 3")
    assert lines[2].endswith("read failed for 440524********001X (ValueError)")
    assert all("44052418800101001X" not in line for line in lines)
