"""A4 certificate printers: a CUPS queue through ``lp``, or a folder of PDFs as the fallback."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from devices.a4.document import CertificateDocument
from devices.a4.render import render_certificate_pdf
from devices.errors import PrinterError

log = logging.getLogger(__name__)

QUEUE_IDLE = "idle"
QUEUE_PRINTING = "printing"
QUEUE_DISABLED = "disabled"
QUEUE_NOT_ACCEPTING = "not-accepting"
QUEUE_MISSING = "missing"
QUEUE_SCHEDULER_DOWN = "scheduler-down"
QUEUE_NO_CUPS = "no-cups"
USABLE_QUEUE_STATES = frozenset({QUEUE_IDLE, QUEUE_PRINTING})

JOB_PENDING = "pending"
JOB_PROCESSING = "processing"
JOB_COMPLETED = "completed"
"""A job CUPS has finished with; ``lpstat`` lists completed, cancelled and aborted jobs alike."""
JOB_UNKNOWN = "unknown"

_REQUEST_ID = re.compile(r"request id is (\S+)")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def c_locale_env() -> dict[str, str]:
    """Return the environment with the C locale: we parse the English messages of lp/lpstat."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


class CupsDocumentPrinter:
    """``DocumentPrinter`` that submits the rendered PDF to a CUPS queue with ``lp``.

    Using the command-line clients keeps us off the C bindings (pycups) and works against any
    CUPS server, local or given with ``server`` (``host[:port]``).
    """

    def __init__(
        self, queue: str = "PDF", *, server: str | None = None, timeout: float = 10.0
    ) -> None:
        """Remember the queue; nothing is checked until the first call."""
        self.queue = queue
        self.server = server
        self.timeout = timeout

    def describe(self) -> str:
        """Say where certificates go."""
        where = f" on {self.server}" if self.server else ""
        return f"CUPS queue {self.queue}{where}"

    def print_certificate(self, document: CertificateDocument) -> str:
        """Render the certificate, submit it and return the CUPS job id (e.g. ``PDF-12``).

        Raises ``PrinterError`` when the queue is not usable, ``lp`` is missing or fails.
        """
        pdf = render_certificate_pdf(document)
        state = self.queue_state()
        if state not in USABLE_QUEUE_STATES:
            raise PrinterError(f"CUPS queue {self.queue} cannot take jobs: {state}")
        args = ["-d", self.queue, "-t", _safe_name(document.certificate_id), "-"]
        result = self._run("lp", args, stdin=pdf)
        if result.returncode != 0:
            raise PrinterError(f"lp failed for queue {self.queue}: {_first_line(result.stderr)}")
        match = _REQUEST_ID.search(result.stdout)
        if match is None:
            raise PrinterError(
                f"lp gave no job id for queue {self.queue}: {_first_line(result.stdout)}"
            )
        job_id = match.group(1)
        log.info("certificate submitted to CUPS queue %s as %s", self.queue, job_id)
        return job_id

    def queue_state(self) -> str:
        """Return the queue's state; never raises.

        One of idle, printing, disabled, not-accepting, missing, scheduler-down or no-cups (the
        CUPS clients are not installed).
        """
        try:
            running = self._run("lpstat", ["-r"])
            if "not running" in running.stdout or running.returncode != 0:
                return QUEUE_SCHEDULER_DOWN
            printer = self._run("lpstat", ["-p", self.queue])
            if printer.returncode != 0 or not printer.stdout.strip():
                return QUEUE_MISSING
            accepting = self._run("lpstat", ["-a", self.queue])
        except PrinterError:
            return QUEUE_NO_CUPS
        status = printer.stdout
        if "disabled" in status:
            return QUEUE_DISABLED
        if "not accepting" in accepting.stdout:
            return QUEUE_NOT_ACCEPTING
        if "now printing" in status:
            return QUEUE_PRINTING
        return QUEUE_IDLE

    def job_state(self, job_id: str) -> str:
        """Return ``pending``, ``processing``, ``completed`` or ``unknown`` for a job id.

        Raises ``PrinterError`` when CUPS cannot be asked.
        """
        active = self._run("lpstat", ["-W", "not-completed", "-o", self.queue])
        if active.returncode == 0 and _lists_job(active.stdout, job_id):
            printer = self._run("lpstat", ["-p", self.queue])
            return JOB_PROCESSING if f"now printing {job_id}" in printer.stdout else JOB_PENDING
        done = self._run("lpstat", ["-W", "completed", "-o", self.queue])
        if done.returncode != 0:
            raise PrinterError(f"lpstat failed for queue {self.queue}: {_first_line(done.stderr)}")
        return JOB_COMPLETED if _lists_job(done.stdout, job_id) else JOB_UNKNOWN

    def _run(
        self, command: str, args: list[str], *, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        binary = shutil.which(command)
        if binary is None:
            raise PrinterError(f"{command} is not installed (CUPS client missing)")
        server = ["-h", self.server] if self.server else []
        try:
            raw = subprocess.run(
                [binary, *server, *args],
                input=stdin if stdin is not None else b"",
                capture_output=True,
                timeout=self.timeout,
                env=c_locale_env(),
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise PrinterError(f"{command} timed out after {self.timeout:g} s") from err
        except OSError as err:
            raise PrinterError(f"{command} could not run: {err.strerror}") from err
        return subprocess.CompletedProcess(
            raw.args,
            raw.returncode,
            raw.stdout.decode("utf-8", errors="replace"),
            raw.stderr.decode("utf-8", errors="replace"),
        )


class FolderDocumentPrinter:
    """``DocumentPrinter`` that writes ``<certificate_id>.pdf`` into a folder, atomically.

    The fallback when no CUPS queue is usable: the file is complete or absent, never half
    written, so a later reprint or a technician can pick it up.
    """

    def __init__(self, folder: Path) -> None:
        """Remember the folder; it is created on the first certificate."""
        self.folder = Path(folder)

    def describe(self) -> str:
        """Say where certificates go."""
        return f"PDF folder {self.folder}"

    def print_certificate(self, document: CertificateDocument) -> str:
        """Write the PDF; return its path as the job id. Raises ``PrinterError`` on I/O errors."""
        pdf = render_certificate_pdf(document)
        target = self.folder / f"{_safe_name(document.certificate_id)}.pdf"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=".", suffix=".pdf.part", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(pdf)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp_name, target)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise
            _fsync_dir(self.folder)
        except OSError as err:
            raise PrinterError(
                f"cannot write certificate PDF into {self.folder}: {err.strerror}"
            ) from err
        log.info("certificate written to %s", target)
        return str(target)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable: the directory entry lives in the folder's own blocks."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _safe_name(name: str) -> str:
    """Turn a certificate id into a file name and job title without path or shell surprises."""
    cleaned = _SAFE_NAME.sub("_", name).strip("._") or "certificate"
    return cleaned[:100]


def _lists_job(lpstat_output: str, job_id: str) -> bool:
    return any(line.split(maxsplit=1)[:1] == [job_id] for line in lpstat_output.splitlines())


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"
