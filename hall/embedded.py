"""The hall run inside another process: uvicorn on a background thread, on the loopback.

The terminal's demo and the tests use it. ``stop()`` and ``start()`` again on the same port
simulate an outage of the hall.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from types import TracebackType

import uvicorn

from hall.app import create_app
from hall.errors import HallError
from hall.identity import IdentityService
from hall.schema import HEALTH_PATH
from hall.server import server_options
from hall.service import HallService
from hall.settings import HallSettings

START_TIMEOUT = 10.0
"""Seconds ``start()`` waits for ``/healthz`` before giving up."""

STOP_TIMEOUT = 1.4
"""Seconds ``stop()`` waits for a graceful shutdown before cutting connections (all under 2 s)."""


class HallStartError(HallError):
    """The embedded hall could not bind its port or did not come up in time."""


class EmbeddedHall:
    """The hall's app served by uvicorn on a thread of this process.

    ``settings.port`` may be 0: after the first ``start()``, ``port`` and ``base_url`` hold the
    real port and later starts reuse it. Usable as a context manager (start on enter, stop on exit).
    """

    def __init__(self, settings: HallSettings) -> None:
        self.settings = settings
        self.host = settings.host
        self._port = settings.port
        # Embedded (the demo, the tests): the hall makes and migrates its own database.
        self.app = create_app(settings, migrate=True)
        self._service: HallService = self.app.state.service
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the hall listens on (the real one once started, even if 0 was asked for)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running hall."""
        return f"http://{self.host}:{self._port}"

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start serving and return once ``/healthz`` answers; ``HallStartError`` otherwise.

        Raises ``HallStartError`` when the port cannot be bound (e.g. still in use by another
        process) or the hall does not answer within ``timeout`` seconds.
        """
        if self.running:
            return
        sock = self._bind()
        self._port = sock.getsockname()[1]
        if self.settings.public_base_url is None:
            self._service.public_base_url = self.base_url  # port 0 is known only now
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            # Leave the host process's logging as it is: no dictConfig of uvicorn's own.
            log_config=None,
            loop="asyncio",
            timeout_graceful_shutdown=1,
            access_log=False,
            **server_options(self.settings),
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="embedded-hall", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not thread.is_alive():
                sock.close()
                self._server = self._thread = None
                raise HallStartError("the embedded hall stopped while starting (see the log)")
            if server.started and self._healthy():
                return
            time.sleep(0.02)
        self.stop()
        raise HallStartError(f"the embedded hall did not answer within {timeout:.0f} s")

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A restart on the same port must not wait for the old connections' TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._port))
        except OSError as err:
            sock.close()
            raise HallStartError(f"cannot listen on {self.host}:{self._port}") from err
        sock.set_inheritable(True)
        return sock

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection(self.host, self._port, timeout=1.0)
        try:
            connection.request("GET", HEALTH_PATH)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop serving and join the server thread (bounded, under 2 s). Safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            # Open connections kept the graceful shutdown waiting: cut them.
            server.force_exit = True
            thread.join(0.5)

    def enrolment_code(self, kiosk_id: str, *, site: str | None = None) -> str:
        """Make a one-time enrolment code for ``kiosk_id`` (as ``kiosk-hall enrol-code`` does)."""
        identity: IdentityService = self.app.state.identity
        return identity.create_code(kiosk_id, site=site)

    def public_keys(self) -> dict[str, bytes]:
        """Return the certificate verification keys: key id to raw Ed25519 public key."""
        key = self._service.key
        return {key.kid: key.public_key_raw}

    def __enter__(self) -> EmbeddedHall:
        """Start the hall."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the hall."""
        self.stop()
