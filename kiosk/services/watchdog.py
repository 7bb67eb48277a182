"""The systemd notify protocol and the UI thread's liveness, in plain Python (no Qt).

systemd's ``Type=notify`` services tell the manager they are up (``READY=1``) and still alive
(``WATCHDOG=1``) with one datagram each to the Unix socket named by ``$NOTIFY_SOCKET``
(sd_notify(3)); a name starting with ``@`` is in the abstract namespace. Without that variable
every call is a no-op, so the same code runs under systemd, in the demo and in the tests. The
watchdog interval comes from ``$WATCHDOG_USEC`` (for this process only when ``$WATCHDOG_PID`` is
unset or ours); the pings must come at most half of it apart.

:class:`UiLiveness` is what the UI thread's own timer ticks: the heartbeat on the sync thread
reads it, so a frozen UI thread is reported as frozen, not as a healthy terminal.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Send sd_notify(3) messages to ``$NOTIFY_SOCKET``; a no-op when it is not set."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        """Read the socket and the watchdog interval from ``environ`` (default: ``os.environ``)."""
        env = os.environ if environ is None else environ
        name = env.get("NOTIFY_SOCKET", "")
        self._address: str | bytes | None = None
        if name.startswith("@"):
            self._address = b"\0" + name[1:].encode()
        elif name.startswith("/"):
            self._address = name
        elif name:
            log.warning("NOTIFY_SOCKET %r is neither a path nor abstract: not notifying", name)
        self.watchdog_usec: int | None = None
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_usec = int(usec)
        self._sock: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens."""
        return self._address is not None

    @property
    def ping_interval_s(self) -> float | None:
        """How often to send ``WATCHDOG=1`` (half the manager's timeout); ``None``: no watchdog."""
        if self._address is None or self.watchdog_usec is None:
            return None
        return self.watchdog_usec / 2_000_000

    def notify(self, message: str) -> bool:
        """Send one message (``READY=1``, ``WATCHDOG=1``, ``STATUS=...``); returns whether sent.

        Never raises: a manager that went away must not take the terminal down with it.
        """
        if self._address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode(), self._address)
        except OSError as err:
            if not self._warned:
                log.warning("sd_notify failed (%s): the service manager may restart us", err)
                self._warned = True
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """Tell the manager start-up is done."""
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def stopping(self) -> bool:
        """Tell the manager a clean stop is under way."""
        return self.notify("STOPPING=1")

    def close(self) -> None:
        """Close the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class UiLiveness:
    """When the UI thread's event loop last ran a timer: thread-safe to read from any thread."""

    def __init__(
        self, *, stale_after_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """The UI counts as frozen when it has not ticked for ``stale_after_s`` seconds."""
        self.stale_after_s = stale_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None

    def tick(self) -> None:
        """Record that the event loop is running (called from the UI thread's timer)."""
        with self._lock:
            self._last = self._clock()

    def silent_for(self) -> float | None:
        """Seconds since the last tick, or ``None`` before the first one."""
        with self._lock:
            last = self._last
        return None if last is None else self._clock() - last

    def status(self) -> str:
        """``ok``, ``starting`` or ``frozen N s`` (the heartbeat's ``devices["ui"]``)."""
        silent = self.silent_for()
        if silent is None:
            return "starting"
        if silent > self.stale_after_s:
            return f"frozen {silent:.0f} s"
        return "ok"
