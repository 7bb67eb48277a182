"""Simulated ESC/POS receipt printers that record every job and answer status like the device.

``LoopbackReceiptPrinter`` is a TCP listener on 127.0.0.1 standing in for a port-9100 network
printer (each connection's bytes are one job); ``SerialReceiptPrinterSimulator`` owns a pty pair
and stands in for an RS-232 printer (a job ends at its cut, or when the line goes quiet). The
real drivers talk to them over a real socket or pty.

Both frame the stream the way a printer does (``devices.receipt.oracle.command_length``), so a
``DLE EOT n`` real-time request is answered wherever it falls between commands and is never part
of the recorded job, while the same bytes inside a raster image are just dots. Faults a test can
set: ``set_state("paper_near_end" | "paper_out" | "cover_open" | "ok")``, ``answer_status =
False`` (a printer without status support), ``drop_after = n`` (the link dies after n bytes of a
job; the torn bytes land in ``torn_jobs``), and for the network one ``refuse = True`` (every
connection is reset at once, like a printer that is off).
"""

from __future__ import annotations

import logging
import os
import select
import socket
import struct
import threading
import time
from types import TracebackType
from typing import Literal

from devices.pty import open_raw_pty
from devices.receipt.oracle import command_length

log = logging.getLogger(__name__)

# DLE EOT n replies of a healthy printer: 1 printer online, 2 cover closed, 3 no error, 4 paper OK.
STATUS_REPLIES = {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_OK, PAPER_NEAR_END, PAPER_OUT = 0x12, 0x1E, 0x72
COVER_CLOSED, COVER_OPEN = 0x12, 0x16
_POLL = 0.05

SimulatedState = Literal["ok", "paper_near_end", "paper_out", "cover_open"]


class _EscposSink:
    """What both simulators share: the printer's state, the status replies, the jobs."""

    def __init__(self) -> None:
        self.paper_status = PAPER_OK
        """The byte answered to ``DLE EOT 4``: 0x12 paper OK, 0x1E near end, 0x72 out."""
        self.offline_cause = COVER_CLOSED
        """The byte answered to ``DLE EOT 2``: 0x12 fine, 0x16 cover open."""
        self.answer_status = True
        """False: never answer ``DLE EOT`` (printers without status support, or deaf ones)."""
        self.unanswered: set[int] = set()
        """``DLE EOT n`` requests this model does not answer (e.g. ``{2}``: paper sensor only)."""
        self.drop_after: int | None = None
        """Lose the link after this many bytes of the next job (then reset to ``None``)."""
        self.jobs: list[bytes] = []
        self.job_last_byte_at: list[float] = []
        """``time.perf_counter()`` when each job's last byte was received (for benchmarks)."""
        self.torn_jobs: list[bytes] = []
        """Jobs cut short by ``drop_after``: what the printer got before the link died."""
        self.status_requests = 0
        self.requests_seen: list[int] = []
        """The ``n`` of every ``DLE EOT n`` received, in order."""
        self._lock = threading.Condition()

    def set_state(self, state: SimulatedState) -> None:
        """Put the simulated sensors in one of the states the driver must tell apart."""
        self.paper_status = {"paper_near_end": PAPER_NEAR_END, "paper_out": PAPER_OUT}.get(
            state, PAPER_OK
        )
        self.offline_cause = COVER_OPEN if state == "cover_open" else COVER_CLOSED

    def wait_for_jobs(self, n: int, timeout: float) -> list[bytes]:
        """Wait until at least ``n`` jobs arrived, then return a copy of all jobs.

        Raises ``TimeoutError`` when fewer than ``n`` arrived within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.jobs) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.jobs)} of {n} receipt jobs arrived")
                self._lock.wait(remaining)
            return list(self.jobs)

    def _reply(self, n: int) -> bytes:
        self.status_requests += 1
        self.requests_seen.append(n)
        if not self.answer_status or n in self.unanswered:
            return b""
        if n == 4:
            return bytes([self.paper_status])
        if n == 2:
            return bytes([self.offline_cause])
        reply = STATUS_REPLIES.get(n)
        return bytes([reply]) if reply is not None else b""

    def _over_limit(self, received: int) -> bool:
        return self.drop_after is not None and received >= self.drop_after

    def _record(self, job: bytes, *, torn: bool = False, last_byte_at: float = 0.0) -> None:
        if not job:
            return
        with self._lock:
            if torn:
                self.torn_jobs.append(job)
            else:
                self.jobs.append(job)
                self.job_last_byte_at.append(last_byte_at or time.perf_counter())
            self._lock.notify_all()


class _Framer:
    """Splits a byte stream into commands; status requests apart from job bytes."""

    def __init__(self) -> None:
        self.pending = bytearray()

    def feed(self, chunk: bytes) -> list[tuple[str, bytes]]:
        """Return complete items, each ``("status", request)`` or ``("data", bytes)``."""
        self.pending += chunk
        items: list[tuple[str, bytes]] = []
        while self.pending:
            size = command_length(self.pending)
            if size is None:
                break
            command = bytes(self.pending[:size])
            del self.pending[:size]
            kind = "status" if command[:2] == b"\x10\x04" else "data"
            items.append((kind, command))
        return items


class LoopbackReceiptPrinter(_EscposSink):
    """A TCP listener that collects receipt jobs; ``port=0`` picks a free port."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1") -> None:
        """Prepare the listener; ``start()`` binds it and starts the accept thread."""
        super().__init__()
        self.host = host
        self.port = port
        self.refuse = False
        """When true, every new connection is closed at once (with a reset) and nothing is kept."""
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._workers: list[threading.Thread] = []

    def start(self) -> LoopbackReceiptPrinter:
        """Bind, listen and start accepting; returns self."""
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._accept_loop, name=f"receipt-sim-{self.port}", daemon=True
        )
        self._thread.start()
        log.info("simulated receipt printer listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop accepting, finish the open connections and join every thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for worker in self._workers:
            worker.join(timeout=5)
        self._workers.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> LoopbackReceiptPrinter:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving it."""
        self.stop()

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stop.is_set():
            readable, _, _ = select.select([listener], [], [], _POLL)
            if not readable:
                continue
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            if self.refuse:
                _reset(conn)
                continue
            self._workers = [w for w in self._workers if w.is_alive()]
            worker = threading.Thread(
                target=self._serve, args=(conn,), name=f"receipt-sim-conn-{self.port}", daemon=True
            )
            self._workers.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        framer = _Framer()
        job = bytearray()
        dropped = False
        last_data_at = 0.0
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([conn], [], [], _POLL)
                if not readable:
                    continue
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                arrived = time.perf_counter()
                for kind, command in framer.feed(chunk):
                    if kind == "status":
                        self._answer(conn, command[2])
                        continue
                    job += command
                    last_data_at = arrived
                    if self._over_limit(len(job)):
                        dropped = True
                        break
                if not dropped and self._over_limit(len(job) + len(framer.pending)):
                    job += framer.pending
                    dropped = True
                if dropped:
                    limit = self.drop_after or len(job)
                    self.drop_after = None
                    self._record(bytes(job)[:limit], torn=True)
                    break
        finally:
            if dropped:
                _reset(conn)
            else:
                conn.close()
        if not dropped:
            self._record(bytes(job + framer.pending), last_byte_at=last_data_at)

    def _answer(self, conn: socket.socket, n: int) -> None:
        reply = self._reply(n)
        if reply:
            try:
                conn.sendall(reply)
            except OSError:
                log.debug("status reply could not be sent")


class SerialReceiptPrinterSimulator(_EscposSink):
    """An RS-232 receipt printer on a pty; start it, then point the driver at ``port``.

    A job ends at its cut command, or after ``idle_gap`` seconds of silence for jobs without
    one. ``drop_after`` makes it go deaf (the cable is pulled): later bytes vanish and nothing
    is answered until ``reconnect()``.
    """

    def __init__(self, *, idle_gap: float = 0.3) -> None:
        """Prepare; ``start()`` opens the pty and starts the thread."""
        super().__init__()
        self.idle_gap = idle_gap
        self._master = self._slave = self._wake_r = self._wake_w = -1
        self._port = ""
        self._deaf = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> str:
        """The slave's path, e.g. ``/dev/pts/3``, for the driver to open."""
        return self._port

    def start(self) -> SerialReceiptPrinterSimulator:
        """Open the pty pair and start reading; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        self._master, self._slave, self._port = open_raw_pty()
        self._wake_r, self._wake_w = os.pipe()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="receipt-serial-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and close the pty; safe to call twice."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        thread.join()
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1

    def reconnect(self) -> None:
        """Plug the cable back in after ``drop_after``."""
        self._deaf = False

    def __enter__(self) -> SerialReceiptPrinterSimulator:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving it."""
        self.stop()

    def _serve(self) -> None:
        framer = _Framer()
        job = bytearray()
        last = time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master, self._wake_r], [], [], _POLL)
            if self._master not in ready:
                if (job or framer.pending) and time.monotonic() - last > self.idle_gap:
                    self._record(bytes(job + framer.pending))
                    job.clear()
                    framer.pending.clear()
                continue
            try:
                chunk = os.read(self._master, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                # EIO while no one holds the slave open; we keep it open, but be defensive.
                continue
            last = time.monotonic()
            if self._deaf:
                continue
            for kind, command in framer.feed(chunk):
                if self._deaf:
                    break
                if kind == "status":
                    self._send(self._reply(command[2]))
                    continue
                job += command
                if command[:2] == b"\x1dV":
                    self._record(bytes(job))
                    job.clear()
                elif self._over_limit(len(job)):
                    self._pull_the_cable(job)
            if not self._deaf and self._over_limit(len(job) + len(framer.pending)):
                self._pull_the_cable(job + framer.pending)
            if self._deaf:
                job.clear()
                framer.pending.clear()

    def _pull_the_cable(self, received: bytes | bytearray) -> None:
        limit = self.drop_after or len(received)
        self.drop_after = None
        self._record(bytes(received)[:limit], torn=True)
        self._deaf = True

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                select.select([], [self._master], [], _POLL)
                continue
            view = view[written:]


def _reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a reset, as from a printer that drops it."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        conn.close()
