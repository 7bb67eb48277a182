"""How uvicorn serves the hall: the server options and a header read deadline.

``server_options`` is the one set of options for ``kiosk-hall serve`` and the embedded hall.

uvicorn's ``timeout_keep_alive`` only runs between requests, and ``h11_max_incomplete_event_size``
bounds the headers' size but not their time: a client sending one header byte a second
("slowloris") would hold a connection for ever. ``HeaderTimeoutProtocol`` closes a connection
whose request line and headers are not complete ``header_timeout`` seconds after it opened or
after data of a new request began to arrive.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from hall.settings import HallSettings


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request line and headers."""

    header_timeout: float = 10.0

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline with the connection."""
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        """Feed h11; the deadline runs while a request's headers are still incomplete."""
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self._header_timer is None:
                self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._on_header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _on_header_timeout(self) -> None:
        self._header_timer = None
        # Still no complete request line and headers (a request being read or answered has
        # moved h11 out of IDLE): cut the connection, nothing of it reached the app.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class EnvironmentHeaderTimeoutProtocol(HeaderTimeoutProtocol):
    """The same, its deadline from ``HALL_HEADER_TIMEOUT_S``: for worker processes.

    ``serve --workers N`` hands uvicorn the protocol by import path (each worker process imports
    it anew) and the settings through ``HALL_`` variables.
    """

    header_timeout = HallSettings.model_fields["header_timeout_s"].default

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Read the deadline, then start it with the connection."""
        self.header_timeout = float(os.environ.get("HALL_HEADER_TIMEOUT_S", self.header_timeout))
        super().connection_made(transport)


def server_options(settings: HallSettings, *, importable: bool = False) -> dict[str, Any]:
    """The uvicorn ``Config`` options for the hall's limits and timeouts from its settings.

    ``importable``: name the HTTP protocol by import path (worker processes), not as a class.
    """
    protocol: type[HeaderTimeoutProtocol] | str = type(
        "HallHTTPProtocol", (HeaderTimeoutProtocol,), {"header_timeout": settings.header_timeout_s}
    )
    if importable:
        protocol = f"{__name__}:EnvironmentHeaderTimeoutProtocol"
    return {
        "http": protocol,
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
