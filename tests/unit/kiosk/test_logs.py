"""The terminal's log set-up, in a child process each (it owns the root logger): journald's
priority prefixes without timestamps, size rotation for files, ID numbers masked, repeats cut."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ID_NUMBER = "110101194905150026"

SCRIPT = """
import logging, sys
from pathlib import Path
from kiosk.logs import configure_logging
log_file = Path(sys.argv[1]) if len(sys.argv) > 1 else None
configure_logging(log_file=log_file, max_bytes=2000, backups=2, repeat_window=3600)
log = logging.getLogger("kiosk.test")
log.warning("card %s read", "110101194905150026")
log.error("printer said: %s", "PaperOutError: out of paper")
for n in range(80):
    log.info("line %d of filler text that takes room in the file", n)
for _ in range(5):
    log.warning("the printer is out of paper")
log.warning("card %s again", "110101194905150026")
"""


def run(tmp_path: Path, *args: str, journal: bool) -> str:
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "wb") as err:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("KIOSK_LOG_FILE", None)
        env.pop("JOURNAL_STREAM", None)
        if journal:
            st = os.fstat(err.fileno())
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        subprocess.run(
            [sys.executable, "-c", SCRIPT, *args], stderr=err, env=env, check=True, timeout=60
        )
    return err_path.read_text()


def test_under_journald_lines_carry_priorities_and_no_timestamps(tmp_path: Path) -> None:
    lines = run(tmp_path, journal=True).splitlines()
    assert lines[0] == "<4>kiosk.test: card 110101********0026 read"
    assert lines[1] == "<3>kiosk.test: printer said: PaperOutError: out of paper"
    assert lines[2].startswith("<6>kiosk.test: line 0 ")
    # Five identical warnings in the window: one line.
    assert lines.count("<4>kiosk.test: the printer is out of paper") == 1
    assert ID_NUMBER not in "\n".join(lines)


def test_off_journald_lines_are_timestamped(tmp_path: Path) -> None:
    first = run(tmp_path, journal=False).splitlines()[0]
    assert first.endswith("WARNING kiosk.test: card 110101********0026 read")
    assert first[:4].isdigit() and not first.startswith("<")


def test_a_log_file_rotates_by_size_and_is_masked(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "kiosk.log"
    assert run(tmp_path, str(log_file), journal=False) == ""
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    for path in log_file.parent.iterdir():
        assert path.stat().st_size <= 2000
        assert ID_NUMBER not in path.read_text()
    assert "the printer is out of paper" in log_file.read_text()
    assert "card 110101********0026 again" in log_file.read_text()
