"""A loopback HTTP server that answers from a script: the hall's failure modes on demand.

The real hall never answers 503 or 429 on cue, so the worker's and the client's handling of them
is tested against this server; the real hall is used in tests/integration.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Recorded], tuple[int, bytes]]


@dataclass
class ScriptedHall:
    """Serve ``responder(request) -> (status, body)`` on a free loopback port, one at a time."""

    responder: Responder
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        hall = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                with hall._lock:
                    hall.requests.append(recorded)
                status, body = hall.responder(recorded)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def posted(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(2)


def error(status: int, code: str) -> tuple[int, bytes]:
    """An ErrorPublic answer."""
    return status, json.dumps({"code": code, "message": "for logs"}).encode()
