"""Where the terminal's log goes: the journal under systemd, else stderr, or rotating files.

Under systemd (``$JOURNAL_STREAM`` names our stderr) each line starts with its syslog priority
(``<3>`` for errors, sd-daemon(3)) and carries no timestamp: journald stamps and levels every line
itself, and ``journalctl -p warning -u kiosk`` then works. Off systemd, lines are timestamped;
with ``--log-file`` (or ``$KIOSK_LOG_FILE``) they go to a file rotated by size. Every line is
passed through the maintenance log's mask (``redact``) first, a second line of defence behind
"ID numbers never in logs": anything shaped like a resident ID number is masked (first 6, last 4).
Repeats of the same message from the same place are rate-limited (a printer that is out of paper
all night must not fill the disk with one line).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from kiosk.ui.maintenance.log_buffer import redact

LOG_FILE_ENV = "KIOSK_LOG_FILE"

_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def under_journald(stream: TextIO | None = None, environ: dict[str, str] | None = None) -> bool:
    """Whether ``stream`` (default stderr) is the journal's stream (``$JOURNAL_STREAM``)."""
    env = os.environ if environ is None else environ
    value = env.get("JOURNAL_STREAM", "")
    if ":" not in value:
        return False
    stream = stream if stream is not None else sys.stderr
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    device, inode = value.split(":", 1)
    return f"{st.st_dev}:{st.st_ino}" == f"{device}:{inode}"


class MaskingFormatter(logging.Formatter):
    """A formatter whose every output is masked; optionally journald's priority prefix."""

    def __init__(self, fmt: str, *, journald: bool = False) -> None:
        """``fmt`` as for :class:`logging.Formatter`."""
        super().__init__(fmt)
        self._journald = journald

    def format(self, record: logging.LogRecord) -> str:
        """The masked line (each line of a traceback prefixed too, under journald)."""
        text = redact(super().format(record))
        if not self._journald:
            return text
        prefix = f"<{_PRIORITY.get(record.levelno, 6)}>"
        return "\n".join(prefix + line for line in text.splitlines())


class RepeatFilter(logging.Filter):
    """Let one record per (logger, line, message) through per ``window`` seconds.

    The count of dropped repeats is added to the next one let through.
    """

    def __init__(self, window: float = 60.0) -> None:
        """Rate-limit repeats within ``window`` seconds."""
        super().__init__()
        self._window = window
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether to emit ``record``."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        key = (record.name, record.lineno, message)
        now = time.monotonic()
        last = self._seen.get(key)
        if last is not None and now - last[0] < self._window:
            self._seen[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.msg, record.args = f"{message} (and {last[1]} repeats)", None
        self._seen[key] = (now, 0)
        if len(self._seen) > 4096:
            self._seen.clear()
        return True


def configure_logging(
    *,
    verbose: bool = False,
    log_file: Path | None = None,
    max_bytes: int = 5_000_000,
    backups: int = 5,
    repeat_window: float = 60.0,
) -> logging.Handler:
    """Set up the root logger once for the process; returns the handler it installed."""
    if log_file is None and os.environ.get(LOG_FILE_ENV):
        log_file = Path(os.environ[LOG_FILE_ENV])
    handler: logging.Handler
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    elif under_journald():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(MaskingFormatter("%(name)s: %(message)s", journald=True))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if repeat_window > 0:
        handler.addFilter(RepeatFilter(repeat_window))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return handler
