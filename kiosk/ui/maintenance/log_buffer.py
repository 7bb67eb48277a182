"""The last warnings and errors of the running terminal, kept in memory for the maintenance screen.

Log lines never carry ID numbers (the project's rule); as a second line of defence anything shaped
like a resident ID number is masked (first 6, last 4) before it is kept, and tracebacks are cut to
their exception type, so the buffer holds nothing a log file would not.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import re
from dataclasses import dataclass

from hall.schema import mask_id_number

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    """``text`` with every 18-character ID number masked."""
    return _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), text)


@dataclass(frozen=True)
class LogEntry:
    """One kept record."""

    when: dt.datetime
    level: str
    logger: str
    message: str

    def line(self) -> str:
        """``HH:MM:SS LEVEL logger: message``."""
        return f"{self.when:%H:%M:%S} {self.level} {self.logger}: {self.message}"


class RecentErrorsHandler(logging.Handler):
    """A bounded ``logging.Handler``: the last ``capacity`` WARNING-or-worse records."""

    def __init__(self, capacity: int = 200, level: int = logging.WARNING) -> None:
        """Keep at most ``capacity`` records of ``level`` or above."""
        super().__init__(level)
        self._entries: collections.deque[LogEntry] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's message, masked; never its traceback text."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            message += f" ({record.exc_info[0].__name__})"
        self._entries.append(
            LogEntry(
                dt.datetime.fromtimestamp(record.created),
                record.levelname,
                record.name,
                redact(message),
            )
        )

    def entries(self) -> list[LogEntry]:
        """The kept records, oldest first."""
        return list(self._entries)
