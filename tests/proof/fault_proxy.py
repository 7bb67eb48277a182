"""A fault-injecting TCP proxy on the loopback, between the terminal and the hall.

It forwards bytes both ways (asyncio, on its own thread) and, with seeded probabilities, hurts
the traffic the ways a real network does:

- ``drop_response``: the hall's answer arrives and is thrown away; the client's connection is
  reset instead. The hall has committed the submission, the terminal does not know: the case
  that idempotency keys exist for.
- ``reset_request``: the client's request bytes are not forwarded and the connection is reset
  (RST, via ``SO_LINGER 0``): the hall never sees it.
- ``reset_accept``: a new connection is reset at once.
- ``delay``: the answer is held back ``[0, max_delay]`` s; ``stall`` holds it ``stall_seconds``
  (beyond the client's read timeout) and then throws it away.
- ``cut(seconds)``: the link is down: open connections are reset and new ones too, until then.

Decisions are made per chunk read, so on a keep-alive connection each request and each answer is
a new roll. ``counts`` says how many of each fault were injected.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import socket
import struct
import threading
from dataclasses import dataclass

CHUNK = 65536


@dataclass(frozen=True)
class Faults:
    """Probabilities of each fault, per chunk (requests, answers) or per connection (accept)."""

    drop_response: float = 0.0
    reset_request: float = 0.0
    reset_accept: float = 0.0
    delay: float = 0.0
    max_delay: float = 0.2
    stall: float = 0.0
    stall_seconds: float = 3.0


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN: what a crashed middlebox or a pulled cable looks like."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """Listen on a loopback port and forward to ``upstream`` (host, port), injecting ``faults``."""

    def __init__(self, upstream: tuple[str, int], faults: Faults, *, seed: int = 0) -> None:
        self.upstream = upstream
        self.faults = faults
        self._rng = random.Random(seed)
        self.counts: collections.Counter[str] = collections.Counter()
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._cut_until = 0.0
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the proxy."""
        return f"http://127.0.0.1:{self.port}"

    # --- Control (from any thread) ---------------------------------------------------------------

    def start(self) -> None:
        """Start listening on a free loopback port (``port``)."""
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")

    def cut(self, seconds: float) -> None:
        """Take the link down for ``seconds``: reset what is open, refuse what comes."""

        def down() -> None:
            self._cut_until = self._loop.time() + seconds
            self.counts["cut"] += 1
            for writer in list(self._open):
                _reset(writer)

        self._loop.call_soon_threadsafe(down)

    def stop(self) -> None:
        """Stop listening, reset every connection and join the thread."""
        if self._thread is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._open):
                _reset(writer)
            await asyncio.sleep(0)
            self._loop.stop()

        self._loop.call_soon_threadsafe(lambda: self._loop.create_task(shutdown()))
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- The loop --------------------------------------------------------------------------------

    def _down(self) -> bool:
        return self._loop.time() < self._cut_until

    def _roll(self, probability: float) -> bool:
        return probability > 0 and self._rng.random() < probability

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.counts["connections"] += 1
        if self._down():
            self.counts["refused_while_cut"] += 1
            _reset(client_w)
            return
        if self._roll(self.faults.reset_accept):
            self.counts["reset_accept"] += 1
            _reset(client_w)
            return
        try:
            hall_r, hall_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            self.counts["upstream_refused"] += 1
            _reset(client_w)
            return
        self._open.update((client_w, hall_w))
        try:
            await asyncio.gather(
                self._pump(client_r, hall_w, client_w, hall_w, upstream=True),
                self._pump(hall_r, client_w, client_w, hall_w, upstream=False),
            )
        finally:
            self._open.difference_update((client_w, hall_w))
            for writer in (client_w, hall_w):
                writer.transport.abort()

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        client_w: asyncio.StreamWriter,
        hall_w: asyncio.StreamWriter,
        *,
        upstream: bool,
    ) -> None:
        faults = self.faults
        while True:
            try:
                data = await source.read(CHUNK)
            except (ConnectionError, OSError):
                data = b""
            if not data or self._down() or client_w.is_closing() or hall_w.is_closing():
                _reset(client_w)
                hall_w.transport.abort()
                return
            if upstream:
                if self._roll(faults.reset_request):
                    self.counts["reset_request"] += 1
                    _reset(client_w)
                    hall_w.transport.abort()
                    return
            else:
                if self._roll(faults.drop_response):
                    self.counts["drop_response"] += 1
                    _reset(client_w)
                    hall_w.transport.abort()
                    return
                if self._roll(faults.stall):
                    self.counts["stall"] += 1
                    await asyncio.sleep(faults.stall_seconds)
                    _reset(client_w)
                    hall_w.transport.abort()
                    return
                if self._roll(faults.delay):
                    self.counts["delay"] += 1
                    await asyncio.sleep(self._rng.uniform(0.0, faults.max_delay))
            try:
                sink.write(data)
                await sink.drain()
            except (ConnectionError, OSError):
                _reset(client_w)
                hall_w.transport.abort()
                return
