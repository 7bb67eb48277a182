"""A4 certificate printers: a CUPS queue through ``lp``, or a folder of PDFs as the fallback.

CUPS is driven with its command-line clients (``lp``, ``lpstat``, ``ipptool``), not pycups: the
C bindings are not on PyPI for our Python and the clients work against any server. A job's fate
is read over IPP (``ipptool`` Get-Job-Attributes: pending, processing, completed, aborted,
cancelled, with the printer's message); without ``ipptool`` ``lpstat -W`` is the fallback, which
cannot tell completed from aborted or cancelled.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
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
"""Waiting in the queue (also held, or waiting for a stopped printer)."""
JOB_PROCESSING = "processing"
JOB_STOPPED = "stopped"
"""IPP processing-stopped: the printer stopped under the job (jam, filter failure); not final."""
JOB_COMPLETED = "completed"
JOB_ABORTED = "aborted"
"""The system gave up on the job (filter or backend failure)."""
JOB_CANCELLED = "cancelled"
JOB_UNKNOWN = "unknown"
FINAL_JOB_STATES = frozenset({JOB_COMPLETED, JOB_ABORTED, JOB_CANCELLED})

_IPP_JOB_STATES = {
    "pending": JOB_PENDING,
    "pending-held": JOB_PENDING,
    "processing": JOB_PROCESSING,
    "processing-stopped": JOB_STOPPED,
    "canceled": JOB_CANCELLED,
    "aborted": JOB_ABORTED,
    "completed": JOB_COMPLETED,
}
_GET_JOB_TEST = """{
    OPERATION Get-Job-Attributes
    GROUP operation-attributes-tag
    ATTR charset attributes-charset utf-8
    ATTR naturalLanguage attributes-natural-language en
    ATTR uri printer-uri $uri
    ATTR integer job-id $job-id
    ATTR keyword requested-attributes job-state,job-state-reasons,job-printer-state-message
    DISPLAY job-state
    DISPLAY job-state-reasons
    DISPLAY job-printer-state-message
}
"""


class CertificateNotPrintedError(PrinterError):
    """CUPS did not take the job (queue unusable, ``lp`` refused it): safe to send again."""

    retry_safe = True


class CertificateMaybePrintedError(PrinterError):
    """``lp`` may have handed the job to CUPS but did not say so (timed out).

    Never resend it automatically; look at the queue (``lpstat -W all``) first.
    """

    retry_safe = False


@dataclass(frozen=True)
class QueueStatus:
    """A queue's state and the reason CUPS gives (``cupsdisable -r``, the printer's message)."""

    state: str
    reason: str = ""

    @property
    def usable(self) -> bool:
        """Whether a job sent now would be printed."""
        return self.state in USABLE_QUEUE_STATES

    def __str__(self) -> str:
        """``disabled (paper jam)`` for messages."""
        return f"{self.state} ({self.reason})" if self.reason else self.state


@dataclass(frozen=True)
class JobStatus:
    """One print job's state, with CUPS's reasons and the printer's message when it has one."""

    job_id: str
    state: str
    reasons: str = ""
    message: str = ""

    @property
    def final(self) -> bool:
        """Completed, aborted or cancelled: the state will not change any more."""
        return self.state in FINAL_JOB_STATES

    def __str__(self) -> str:
        """``PDF-12 aborted: filter failed`` for messages."""
        detail = self.message or ("" if self.reasons in ("", "none") else self.reasons)
        return f"{self.job_id} {self.state}" + (f": {detail}" if detail else "")


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

        Raises ``CertificateNotPrintedError`` (``retry_safe``) when the queue is not usable or
        ``lp`` is missing or refuses the job, ``CertificateMaybePrintedError`` when ``lp`` did not
        finish or gave no job id. Returning means CUPS has the job, not that paper came out:
        ``wait_for_job(job_id, timeout)`` tells that.
        """
        pdf = render_certificate_pdf(document)
        status = self.queue_status()
        if not status.usable:
            raise CertificateNotPrintedError(f"CUPS queue {self.queue} cannot take jobs: {status}")
        if shutil.which("lp") is None:
            raise CertificateNotPrintedError("lp is not installed (CUPS client missing)")
        args = ["-d", self.queue, "-t", _safe_name(document.certificate_id), "-"]
        try:
            result = self._run("lp", args, stdin=pdf)
        except PrinterError as err:
            raise CertificateMaybePrintedError(str(err)) from err
        if result.returncode != 0:
            raise CertificateNotPrintedError(
                f"lp failed for queue {self.queue}: {_first_line(result.stderr)}"
            )
        match = _REQUEST_ID.search(result.stdout)
        if match is None:
            raise CertificateMaybePrintedError(
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
        return self.queue_status().state

    def queue_status(self) -> QueueStatus:
        """Return the queue's state and CUPS's reason for it; never raises."""
        try:
            running = self._run("lpstat", ["-r"])
            if "not running" in running.stdout or running.returncode != 0:
                return QueueStatus(QUEUE_SCHEDULER_DOWN, _first_line(running.stderr, ""))
            printer = self._run("lpstat", ["-p", self.queue])
            if printer.returncode != 0 or not printer.stdout.strip():
                # "lpstat: Invalid destination name ...": the message without the tool's path.
                why = _first_line(printer.stderr, "").rsplit("lpstat: ", 1)[-1]
                return QueueStatus(QUEUE_MISSING, why)
            accepting = self._run("lpstat", ["-a", self.queue])
        except PrinterError as err:
            return QueueStatus(QUEUE_NO_CUPS, str(err))
        status = printer.stdout
        message = _indented(status)
        if "disabled" in status:
            return QueueStatus(QUEUE_DISABLED, message)
        if "not accepting" in accepting.stdout:
            return QueueStatus(QUEUE_NOT_ACCEPTING, _indented(accepting.stdout))
        if "now printing" in status:
            return QueueStatus(QUEUE_PRINTING, message)
        return QueueStatus(QUEUE_IDLE, message)

    def job_state(self, job_id: str) -> str:
        """Return pending, processing, stopped, completed, aborted, cancelled or unknown.

        Raises ``PrinterError`` when CUPS cannot be asked.
        """
        return self.job_status(job_id).state

    def job_status(self, job_id: str) -> JobStatus:
        """Return the job's state with CUPS's reasons and message; ``PrinterError`` if unasked."""
        if shutil.which("ipptool") is not None:
            return self._ipp_job_status(job_id)
        return self._lpstat_job_status(job_id)

    def wait_for_job(self, job_id: str, timeout: float, *, poll_interval: float = 0.2) -> JobStatus:
        """Poll the job until it is completed, aborted or cancelled, or ``timeout`` runs out.

        Returns the last status seen: a final one, or pending/processing/stopped on timeout (the
        queue's reason is added as the message when the job has none, e.g. a disabled queue).
        Raises ``PrinterError`` when CUPS cannot be asked.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.job_status(job_id)
            if status.final or status.state == JOB_UNKNOWN:
                return status
            if time.monotonic() >= deadline:
                if not status.message:
                    queue = self.queue_status()
                    if not queue.usable or queue.reason:
                        status = JobStatus(job_id, status.state, status.reasons, f"queue {queue}")
                return status
            time.sleep(min(poll_interval, max(0.0, deadline - time.monotonic())))

    def _ipp_job_status(self, job_id: str) -> JobStatus:
        number = job_id.rsplit("-", 1)[-1]
        if not number.isdigit():
            return JobStatus(job_id, JOB_UNKNOWN)
        server = self.server or "localhost"
        uri = f"ipp://{server}/printers/{self.queue}"
        timeout = str(max(1, int(self.timeout)))
        result = self._run(
            "ipptool",
            ["-c", "-T", timeout, uri, "-d", f"job-id={number}", "/dev/stdin"],
            stdin=_GET_JOB_TEST.encode(),
            with_server=False,
        )
        if result.returncode != 0:
            raise PrinterError(
                f"ipptool could not ask CUPS about {job_id}: {_first_line(result.stderr)}"
            )
        return parse_ipp_job_csv(job_id, result.stdout)

    def _lpstat_job_status(self, job_id: str) -> JobStatus:
        active = self._run("lpstat", ["-W", "not-completed", "-o", self.queue])
        if active.returncode == 0 and _lists_job(active.stdout, job_id):
            printer = self._run("lpstat", ["-p", self.queue])
            state = JOB_PROCESSING if f"now printing {job_id}" in printer.stdout else JOB_PENDING
            return JobStatus(job_id, state)
        done = self._run("lpstat", ["-W", "completed", "-o", self.queue])
        if done.returncode != 0:
            raise PrinterError(f"lpstat failed for queue {self.queue}: {_first_line(done.stderr)}")
        # lpstat lists completed, cancelled and aborted jobs alike.
        return JobStatus(job_id, JOB_COMPLETED if _lists_job(done.stdout, job_id) else JOB_UNKNOWN)

    def _run(
        self,
        command: str,
        args: list[str],
        *,
        stdin: bytes | None = None,
        with_server: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        binary = shutil.which(command)
        if binary is None:
            raise PrinterError(f"{command} is not installed (CUPS client missing)")
        server = ["-h", self.server] if self.server and with_server else []
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


def parse_ipp_job_csv(job_id: str, text: str) -> JobStatus:
    """Read ``ipptool -c`` output (a header and one row) into a ``JobStatus``.

    No row means CUPS does not know the job (never existed, or purged from its history).
    """
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or not rows[1]:
        return JobStatus(job_id, JOB_UNKNOWN)
    values = dict(zip(rows[0], rows[1], strict=False))
    state = _IPP_JOB_STATES.get(values.get("job-state", ""), JOB_UNKNOWN)
    return JobStatus(
        job_id,
        state,
        reasons=values.get("job-state-reasons", ""),
        message=values.get("job-printer-state-message", "").strip(),
    )


def _indented(lpstat_output: str) -> str:
    """The tab-indented line under an lpstat entry: the reason or the printer's message."""
    for line in lpstat_output.splitlines()[1:]:
        if line.startswith(("\t", " ")) and line.strip():
            return line.strip()
    return ""


def _lists_job(lpstat_output: str, job_id: str) -> bool:
    return any(line.split(maxsplit=1)[:1] == [job_id] for line in lpstat_output.splitlines())


def _first_line(text: str, default: str = "no message") -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else default
