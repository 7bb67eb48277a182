"""A loopback TCP "printer" on 127.0.0.1 that records every job it is sent.

It stands in for a port-9100 network receipt printer in the demo and the tests: the real
``EscposReceiptPrinter`` talks to it over a real socket. Each connection's bytes are one job.
It answers the real-time status requests (``DLE EOT n``) as a healthy printer with paper does,
and ``refuse = True`` makes it drop every connection at once, like a printer that fails.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import threading
import time
from types import TracebackType

log = logging.getLogger(__name__)

# DLE EOT n replies of a healthy printer: 1 printer online, 2 cover closed, 3 no error, 4 paper OK.
STATUS_REPLIES = {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}
_POLL = 0.05


class LoopbackReceiptPrinter:
    """A TCP listener that collects receipt jobs; ``port=0`` picks a free port."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1") -> None:
        """Prepare the listener; ``start()`` binds it and starts the accept thread."""
        self.host = host
        self.port = port
        self.refuse = False
        """When true, every new connection is closed at once (with a reset) and nothing is kept."""
        self.paper_status = STATUS_REPLIES[4]
        """The byte answered to ``DLE EOT 4``: 0x12 paper OK, 0x1E near end, 0x72 out."""
        self.jobs: list[bytes] = []
        self._lock = threading.Condition()
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
                # SO_LINGER 0 sends a reset: the client sees the printer drop it at once.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            self._workers = [w for w in self._workers if w.is_alive()]
            worker = threading.Thread(
                target=self._serve, args=(conn,), name=f"receipt-sim-conn-{self.port}", daemon=True
            )
            self._workers.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        received = bytearray()
        leading = True
        with conn:
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
                received += chunk
                if leading:
                    # Status requests before the job are answered and not part of it.
                    while len(received) >= 3 and received[:2] == b"\x10\x04":
                        self._answer(conn, received[2])
                        del received[:3]
                    if received and not (
                        len(received) < 3 and b"\x10\x04"[: len(received)] == received
                    ):
                        leading = False
                elif len(received) >= 3 and received[-3:-1] == b"\x10\x04":
                    # A request at the end of what arrived is a client waiting for its answer.
                    self._answer(conn, received[-1])
        if received:
            with self._lock:
                self.jobs.append(bytes(received))
                self._lock.notify_all()

    def _answer(self, conn: socket.socket, n: int) -> None:
        reply = self.paper_status if n == 4 else STATUS_REPLIES.get(n)
        if reply is None:
            return
        try:
            conn.sendall(bytes([reply]))
        except OSError:
            log.debug("status reply could not be sent")
