"""Printing through the durable print queue: the screen's print, "print again", and reprints.

Every receipt and certificate becomes a sealed job in the store before a byte goes to a printer.
The result screen asks for it to be printed now (on the printer's own worker thread) and shows
the outcome; if the printer is out of paper the job stays queued and the print worker prints it
when the printer is back, exactly once (the claim is one transaction). "Print again" on the
screen reuses the same job, so it cannot make a second copy of a job that the worker printed in
the meantime.

One owner per job: the screen's job is held by the screen from its enqueue until its attempt
ends (:meth:`PrintQueue.enqueue` with ``hold``), so the background worker never races the screen
for a fresh job. A "print again" that finds the worker printing the job waits for the worker's
outcome; the citizen reads "print failed" only when nothing printed.

Printer errors are translated here: a ``PrinterError`` whose ``retry_safe`` says nothing was
printed (the receipt driver's typed errors; any ``PrinterError`` without the attribute counts as
"not printed", since every such error is raised before data is sent) puts the job back in the
queue; one that says the job may be on paper makes it ``uncertain`` for a person to decide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from devices.a4.document import CertificateDocument
from devices.errors import PrinterError
from devices.ports import DocumentPrinter, ReceiptPrinter
from devices.receipt.layout import Receipt
from hall.schema import CertificatePublic, SubmissionPublic
from kiosk.services import documents
from offline_cache.errors import CacheError
from offline_cache.print_queue import (
    CERTIFICATE,
    PRINTED,
    PRINTING,
    QUEUED,
    RECEIPT,
    UNCERTAIN,
    PrintJob,
    PrintNotDoneError,
    PrintOutcomeUnknownError,
    PrintQueue,
    PrintWorker,
)

log = logging.getLogger(__name__)


class PrintJobError(PrinterError):
    """A queued print did not come out now; the message says whether it will later by itself."""

    def __init__(self, message: str, *, job: PrintJob | None) -> None:
        super().__init__(message)
        self.job = job


def encode_receipt(receipt: Receipt) -> bytes:
    """A receipt as JSON bytes (sealed in the queue)."""
    return json.dumps(dataclasses.asdict(receipt), ensure_ascii=False).encode()


def decode_receipt(data: bytes) -> Receipt:
    """The receipt back from :func:`encode_receipt`."""
    raw: dict[str, Any] = json.loads(data)
    raw["rows"] = [tuple(row) for row in raw.get("rows", [])]
    return Receipt(**raw)


def encode_certificate(document: CertificateDocument) -> bytes:
    """A certificate document as JSON bytes (sealed in the queue)."""
    return json.dumps(dataclasses.asdict(document), ensure_ascii=False).encode()


def decode_certificate(data: bytes) -> CertificateDocument:
    """The certificate back from :func:`encode_certificate`."""
    raw: dict[str, Any] = json.loads(data)
    raw["rows"] = [tuple(row) for row in raw.get("rows", [])]
    return CertificateDocument(**raw)


class QueuedPrinting:
    """The terminal's two printers behind one print queue, with a worker per printer."""

    def __init__(
        self,
        queue: PrintQueue,
        receipt_printer: ReceiptPrinter,
        document_printer: DocumentPrinter,
        *,
        reprint_limit: int = 2,
        base_delay: float = 5.0,
        max_delay: float = 300.0,
        settle_timeout: float = 120.0,
        after_certificate: Callable[[], object] | None = None,
    ) -> None:
        """Wire the queue to the printers; call :meth:`start` to run the workers.

        ``settle_timeout``: how long the screen waits for a print the worker has in hand;
        ``after_certificate`` runs after each certificate sent (the printed-PDF retention sweep).
        """
        self._after_certificate = after_certificate
        self.queue = queue
        self.reprint_limit = reprint_limit
        self._settle_timeout = settle_timeout
        self._receipt_printer = receipt_printer
        self._document_printer = document_printer
        # One printer, one job at a time: the screen's print and the worker's retry of an older
        # job must not interleave their bytes.
        self._locks = {RECEIPT: threading.Lock(), CERTIFICATE: threading.Lock()}
        self.workers = {
            kind: PrintWorker(
                queue,
                self.print_document,
                kinds=(kind,),
                name=f"print-{kind}",
                base_delay=base_delay,
                max_delay=max_delay,
                # Both workers share the table: only the first may turn "printing" into
                # "uncertain" at start, or it would catch the other's job in flight.
                resume_at_start=(kind == RECEIPT),
            )
            for kind in (RECEIPT, CERTIFICATE)
        }

    def start(self) -> None:
        """Start both workers (jobs left ``printing`` by a crash become ``uncertain`` first)."""
        self.queue.resume_in_flight()
        for worker in self.workers.values():
            worker.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop both workers; returns whether both ended in time."""
        return all([worker.stop(timeout / 2) for worker in self.workers.values()])

    def wake(self) -> None:
        """Make the workers look for due jobs now."""
        for worker in self.workers.values():
            worker.wake()

    def printer_back(self, kind: str) -> int:
        """A printer reports ready again: its waiting jobs are due now (blocking: a worker).

        Returns how many jobs were waiting. Without this call the worker still prints them on
        its own backoff, at most ``max_delay`` later.
        """
        count = self.queue.make_due([kind])
        self.workers[kind].wake()
        return count

    # --- The printer side -----------------------------------------------------------------------

    def print_document(self, job: PrintJob, document: bytes) -> None:
        """Send one job's document to its printer, translating the drivers' errors."""
        with self._locks[job.kind]:
            try:
                if job.kind == RECEIPT:
                    self._receipt_printer.print_receipt(decode_receipt(document))
                else:
                    self._document_printer.print_certificate(decode_certificate(document))
            except PrinterError as err:
                reason = f"{type(err).__name__}: {err}"
                if getattr(err, "retry_safe", True):
                    raise PrintNotDoneError(reason) from err
                raise PrintOutcomeUnknownError(reason) from err
            except OSError as err:
                # A driver that let a socket or file error through: nobody knows what left.
                raise PrintOutcomeUnknownError(f"{type(err).__name__}") from err
        if job.kind == CERTIFICATE and self._after_certificate is not None:
            try:
                self._after_certificate()
            except Exception:
                log.exception("the sweep after a certificate failed")

    # --- The screen side ------------------------------------------------------------------------

    def job(self, kind: str, case_number: str, document: bytes) -> Callable[[], PrintJob]:
        """A function that prints ``document`` now through the queue (blocking: worker thread).

        The first call queues the job durably; every call then prints it unless it is already
        printed. It raises :class:`PrintJobError` when the job did not come out now.
        """
        state: dict[str, PrintJob] = {}

        def run() -> PrintJob:
            if "job" not in state:
                state["job"] = self.queue.enqueue(kind, case_number, document, hold=True)
            else:
                self.queue.hold(state["job"].id)
            return self._print_now(state["job"].id)

        return run

    def reprint(self, kind: str, case_number: str, document: bytes) -> PrintJob:
        """Queue a citizen's reprint (limited, recorded) and print it now; see :meth:`job`.

        Raises ``ReprintLimitError`` when the limit is used up.
        """
        job = self.queue.enqueue_reprint(
            kind, case_number, document, limit=self.reprint_limit, hold=True
        )
        return self._print_now(job.id)

    def _print_now(self, job_id: int) -> PrintJob:
        """Print a job the caller holds, then give it back to the workers whatever happened."""
        try:
            return self._print_held(job_id)
        except PrintJobError as err:
            # The reason, never only the class name (no personal data: ids and printer words).
            log.warning("print job %d not printed now: %s", job_id, err)
            raise
        finally:
            self.queue.release(job_id)

    def _print_held(self, job_id: int) -> PrintJob:
        current = self.queue.get(job_id)
        if current is None:
            raise PrintJobError(f"print job {job_id} does not exist", job=None)
        if current.state == PRINTED:
            return current
        if current.state == UNCERTAIN:
            # The citizen pressed "print again" on a job nobody knows the fate of: that press
            # is the explicit decision a person must make.
            current = self.queue.retry(job_id)
        if current.state == PRINTING:
            # Only "print again" gets here: the worker took the job after the screen's first
            # attempt had released it. Its outcome is the citizen's.
            current = self.queue.wait_settled(job_id, self._settle_timeout) or current
            if current.state == PRINTED:
                return current
        claimed = None
        if current.state == QUEUED:
            claimed = self.queue.claim(dt.datetime.now(dt.UTC), job_id=job_id)
        if claimed is None:
            latest = self.queue.get(job_id) or current
            if latest.state == PRINTED:
                return latest
            what = "is printing" if latest.state == PRINTING else f"is {latest.state}"
            raise PrintJobError(f"print job {job_id} {what}", job=latest)
        done = self.workers[claimed.kind].print_one(claimed)
        if done.state != PRINTED:
            raise PrintJobError(f"print job {job_id} is {done.state}: {done.last_error}", job=done)
        return done


class CertificateReprints:
    """The citizen's reprint of a certificate from the receipt's QR code: limited and recorded.

    The certificate comes from this terminal's outbox while it still holds the hall's answer
    (before the retention purge), else from the hall (``fetch``), so a case submitted at another
    terminal can be reprinted here too. The count is this terminal's print queue.
    """

    def __init__(
        self,
        printing: QueuedPrinting,
        local_result: Callable[[str], SubmissionPublic | None],
        fetch: Callable[[str], SubmissionPublic] | None,
    ) -> None:
        """Take the print queue and the two places a certificate can come from."""
        self._printing = printing
        self._local_result = local_result
        self._fetch = fetch

    @property
    def limit(self) -> int:
        """How many reprints a case's certificate may have."""
        return self._printing.reprint_limit

    def _certificate(self, case_number: str) -> CertificatePublic | None:
        result = None
        try:
            result = self._local_result(case_number)
        except CacheError as err:
            log.warning("case %s: stored answer unreadable (%s)", case_number, err)
        if (result is None or result.certificate is None) and self._fetch is not None:
            result = self._fetch(case_number)
        if result is None or result.status != "approved":
            return None
        return result.certificate

    def offer(self, case_number: str) -> int | None:
        """Reprints left for an approved case with a certificate; ``None``: nothing to reprint.

        Blocking (SQLite, maybe the hall): call it on a worker. Hall errors propagate.
        """
        if self._certificate(case_number) is None:
            return None
        used = self._printing.queue.reprints_used(case_number, CERTIFICATE)
        return max(self.limit - used, 0)

    def reprint(self, case_number: str) -> PrintJob:
        """Queue and print one reprint; ``ReprintLimitError`` when used up (blocking)."""
        certificate = self._certificate(case_number)
        if certificate is None:
            raise PrintJobError(f"case {case_number} has no certificate to reprint", job=None)
        document = encode_certificate(documents.certificate_document(certificate))
        return self._printing.reprint(CERTIFICATE, case_number, document)
