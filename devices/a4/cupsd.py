"""Bring up a local CUPS scheduler with a cups-pdf queue, and pick the A4 printer to use.

Terminals and CI machines have no systemd: when the scheduler is down and we are root we start
``cupsd`` ourselves (it daemonises and signals readiness before its parent exits), then create
the queue with Debian's ``printer-driver-cups-pdf`` PPD.
"""

from __future__ import annotations

import logging
import os
import pwd
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devices.a4.cups_printer import (
    USABLE_QUEUE_STATES,
    CupsDocumentPrinter,
    FolderDocumentPrinter,
    c_locale_env,
)

if TYPE_CHECKING:
    from devices.ports import DocumentPrinter

log = logging.getLogger(__name__)

CUPS_PDF_PPD_PATHS = (
    Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"),
    Path("/usr/share/cups/model/CUPS-PDF_opt.ppd"),
)
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
CUPS_PDF_DEFAULT_OUT = "/var/spool/cups-pdf/${USER}"
SEARCH_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")
_COMMAND_TIMEOUT = 10.0


@dataclass(frozen=True)
class CupsSetup:
    """A usable cups-pdf queue: its name and the folder where its PDFs land."""

    queue: str
    output_dir: Path
    started_scheduler: bool
    """True when this call started ``cupsd`` (it keeps running after us, as a system service)."""


class _SetupFailed(Exception):
    """One reason the queue cannot be set up; becomes the single log line."""


def ensure_cups_pdf_queue(queue: str = "PDF", *, timeout: float = 10.0) -> CupsSetup | None:
    """Make ``queue`` a usable cups-pdf queue on the local scheduler, starting it if needed.

    Returns where the PDFs land, or ``None`` (after one warning line) when it cannot: CUPS not
    installed, not root, the scheduler does not come up, or the queue cannot be created.
    """
    try:
        started = _ensure_scheduler(timeout)
        ensure_no_job_files(timeout)
        _ensure_queue(queue)
        state = CupsDocumentPrinter(queue, timeout=_COMMAND_TIMEOUT).queue_state()
        if state not in USABLE_QUEUE_STATES:
            raise _SetupFailed(f"queue {queue} is {state} after set-up")
        output_dir = cups_pdf_output_dir()
    except _SetupFailed as err:
        log.warning("CUPS PDF queue %s unavailable: %s", queue, err)
        return None
    log.info("CUPS PDF queue %s ready; PDFs land in %s", queue, output_dir)
    return CupsSetup(queue=queue, output_dir=output_dir, started_scheduler=started)


CUPSD_CONF = Path("/etc/cups/cupsd.conf")


def spool_keeps_job_files(conf: Path = CUPSD_CONF) -> bool | None:
    """Whether the scheduler keeps printed jobs' files in its spool; ``None`` when unreadable.

    CUPS keeps a job's document (here: a certificate with the holder's name, in clear) for a day
    after it printed unless ``PreserveJobFiles No``. Job *history* stays: the A4 driver reads a
    job's end (completed, aborted) from it.
    """
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    value = "86400"  # CUPS's default: one day
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].lower() == "preservejobfiles":
            value = words[1]
    return value.lower() not in ("no", "off", "false", "0")


def ensure_no_job_files(timeout: float = 10.0, conf: Path = CUPSD_CONF) -> bool:
    """Set ``PreserveJobFiles No`` (as root, through ``cupsctl``); returns whether it holds.

    ``cupsctl`` rewrites cupsd.conf and restarts the scheduler, so this waits for it to answer.
    Not root or no ``cupsctl``: the setting is left as it is and ``kiosk doctor`` warns.
    """
    if spool_keeps_job_files(conf) is False:
        return True
    if os.geteuid() != 0 or _find("cupsctl") is None:
        log.warning("the CUPS spool keeps printed certificates for a day (PreserveJobFiles)")
        return False
    result = _run("cupsctl", "PreserveJobFiles=No")
    if result.returncode != 0:
        log.warning("cupsctl PreserveJobFiles=No failed: %s", _first_line(result.stderr))
        return False
    deadline = time.monotonic() + timeout
    while not _scheduler_running():
        if time.monotonic() > deadline:
            raise _SetupFailed(f"cupsd did not answer within {timeout:g} s after cupsctl")
        time.sleep(0.05)
    log.info("CUPS no longer keeps printed jobs' files (PreserveJobFiles No)")
    return spool_keeps_job_files(conf) is False


def cups_pdf_output_dir(conf: Path = CUPS_PDF_CONF, *, user: str | None = None) -> Path:
    """Return where cups-pdf writes the PDFs of ``user`` (default: us), from its ``Out`` line."""
    template = CUPS_PDF_DEFAULT_OUT
    try:
        for raw in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            line = raw.strip()
            if line.startswith("Out ") or line.startswith("Out\t"):
                template = line[3:].strip()
    except OSError:
        log.debug("no readable %s; assuming cups-pdf's default output folder", conf)
    entry = pwd.getpwnam(user) if user else pwd.getpwuid(os.getuid())
    expanded = template.replace("${HOME}", entry.pw_dir).replace("${USER}", entry.pw_name)
    return Path(expanded)


def pick_document_printer(
    queue: str,
    fallback_folder: Path,
    *,
    server: str | None = None,
    ensure_pdf_queue: bool = False,
) -> DocumentPrinter:
    """Return the CUPS printer when ``queue`` takes jobs, otherwise a ``FolderDocumentPrinter``.

    With ``ensure_pdf_queue`` (local demo and tests) the cups-pdf queue is set up first. The
    choice is logged in one line so a technician sees where certificates go.
    """
    if ensure_pdf_queue and server is None:
        ensure_cups_pdf_queue(queue)
    cups = CupsDocumentPrinter(queue, server=server)
    state = cups.queue_state()
    if state in USABLE_QUEUE_STATES:
        log.info("A4 certificates go to %s (%s)", cups.describe(), state)
        return cups
    folder = FolderDocumentPrinter(fallback_folder)
    log.warning("A4 certificates go to %s: %s is %s", folder.describe(), cups.describe(), state)
    return folder


def _find(command: str) -> str | None:
    """Find a CUPS tool on PATH or in the sbin folders a non-login PATH may lack."""
    found = shutil.which(command)
    if found:
        return found
    for folder in SEARCH_DIRS:
        candidate = Path(folder) / command
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    binary = _find(command)
    if binary is None:
        raise _SetupFailed(f"{command} is not installed")
    try:
        return subprocess.run(
            [binary, *args],
            capture_output=True,
            text=True,
            input="",
            timeout=_COMMAND_TIMEOUT,
            env=c_locale_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise _SetupFailed(f"{command} did not finish in {_COMMAND_TIMEOUT:g} s") from err
    except OSError as err:
        raise _SetupFailed(f"{command} could not run: {err.strerror}") from err


def _scheduler_running() -> bool:
    result = _run("lpstat", "-r")
    return result.returncode == 0 and "is running" in result.stdout


def _ensure_scheduler(timeout: float) -> bool:
    """Start cupsd when it is not running; returns whether we started it."""
    if _scheduler_running():
        return False
    if _find("cupsd") is None:
        raise _SetupFailed("the scheduler is not running and cupsd is not installed")
    if os.geteuid() != 0:
        raise _SetupFailed("the scheduler is not running and only root may start cupsd")
    result = _run("cupsd")
    if result.returncode != 0:
        raise _SetupFailed(f"cupsd exited with {result.returncode}: {_first_line(result.stderr)}")
    deadline = time.monotonic() + timeout
    while not _scheduler_running():
        if time.monotonic() > deadline:
            raise _SetupFailed(f"cupsd started but did not answer within {timeout:g} s")
        time.sleep(0.05)
    log.info("started cupsd")
    return True


def _ensure_queue(queue: str) -> None:
    exists = _run("lpstat", "-v", queue)
    if exists.returncode == 0 and exists.stdout.strip():
        if "cups-pdf:" not in exists.stdout:
            raise _SetupFailed(f"queue {queue} exists but is not a cups-pdf queue")
    else:
        result = _run("lpadmin", "-p", queue, "-v", "cups-pdf:/", *_ppd_args(), "-E")
        if result.returncode != 0:
            raise _SetupFailed(f"lpadmin failed: {_first_line(result.stderr)}")
        log.info("created CUPS queue %s (cups-pdf)", queue)
    if _find("pdftocairo"):
        # cups-pdf feeds PostScript to Ghostscript. Poppler's pdftops names glyphs c00..cff, so
        # the PDFs it writes lose their Chinese text; cairo's PostScript keeps Unicode names.
        result = _run("lpadmin", "-p", queue, "-o", "pdftops-renderer-default=pdftocairo")
        if result.returncode != 0:
            log.info("could not select pdftocairo for %s: %s", queue, _first_line(result.stderr))
    # An existing queue may have been stopped by a failed job; set-up means usable again.
    for command in ("cupsenable", "cupsaccept"):
        result = _run(command, queue)
        if result.returncode != 0:
            raise _SetupFailed(f"{command} failed: {_first_line(result.stderr)}")


def _ppd_args() -> list[str]:
    """Return lpadmin's PPD option: the file when it is where Debian puts it, else ask lpinfo."""
    for path in CUPS_PDF_PPD_PATHS:
        if path.is_file():
            return ["-P", str(path)]
    models = _run("lpinfo", "-m")
    for line in models.stdout.splitlines():
        name = line.split(maxsplit=1)[0] if line.strip() else ""
        if re.search(r"CUPS-PDF_opt\.ppd$", name):
            return ["-m", name]
    raise _SetupFailed("the cups-pdf PPD is missing; install printer-driver-cups-pdf")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # lpadmin prints a deprecation notice first on recent CUPS; the real error follows it.
    useful = [line for line in lines if "deprecated" not in line]
    return (useful or lines or ["no message"])[0]
