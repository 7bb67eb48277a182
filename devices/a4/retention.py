"""Retention of the PDFs a terminal leaves on its own disk: certificates name their holder.

The folder printer writes ``<certificate_id>.pdf``, and the cups-pdf queue writes each job into
its output folder (``/var/spool/cups-pdf/<user>`` or ``~/PDF``). Those files are outside the
store's sealing and retention, so they are deleted here ``keep`` after they were written: after
each certificate the terminal prints, and with the store's hourly housekeeping. Only regular
``*.pdf`` files (and the folder printer's leftover ``.*.pdf.part``) directly in the folders are
touched, never a sub-folder or a link.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)


class OutputRetention:
    """Delete the printed PDFs in ``folders`` once they are older than ``keep``."""

    def __init__(
        self,
        folders: Sequence[Path],
        keep: dt.timedelta,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Watch ``folders`` (missing ones are skipped); ``clock`` gives wall time (mtimes)."""
        self.folders = tuple(Path(f) for f in folders)
        self.keep = keep
        self._clock = clock

    def expired(self) -> list[Path]:
        """The PDFs older than ``keep`` now, oldest first."""
        cutoff = self._clock() - self.keep.total_seconds()
        found: list[tuple[float, Path]] = []
        for folder in self.folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if not (name.endswith(".pdf") or name.endswith(".pdf.part")):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and st.st_mtime <= cutoff:
                    found.append((st.st_mtime, Path(entry.path)))
        return [path for _, path in sorted(found)]

    def sweep(self, _cutoff: dt.datetime | None = None) -> int:
        """Delete the expired PDFs; returns how many went (the housekeeping purge's shape)."""
        removed = failed = 0
        for path in self.expired():
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
            except OSError as err:
                failed += 1
                log.warning("cannot delete printed PDF in %s: %s", path.parent, err.strerror)
        if removed:
            log.info("deleted %d printed PDFs older than %s", removed, self.keep)
        return removed


def printed_output_retention(
    *, driver: str, printed_folder: Path, output_folder: Path | None, keep_s: float
) -> OutputRetention:
    """The sweep of a terminal's printed PDFs: the folder printer's, and the PDF queue's."""
    folders = [printed_folder]
    if driver == "cups":
        from devices.a4.cupsd import cups_pdf_output_dir

        folders.append(output_folder or cups_pdf_output_dir())
    return OutputRetention(folders, dt.timedelta(seconds=keep_s))
