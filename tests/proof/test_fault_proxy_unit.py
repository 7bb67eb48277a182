"""The fault proxy does what it says, against a plain loopback server that logs what it got."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.proof.fault_proxy import FaultProxy, Faults


class LineServer:
    """Answers each line ``x`` with ``ok x``, and remembers the lines it received."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="line-server")
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    data = conn.recv(1024)
                except OSError:
                    continue
                if data:
                    self.received.append(data)
                    conn.sendall(b"ok " + data)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(10)


@pytest.fixture
def server() -> Iterator[LineServer]:
    s = LineServer()
    yield s
    s.close()


def ask(port: int, line: bytes) -> bytes:
    """Send one line through the proxy; return the answer, b"" on EOF, b"RESET" on a reset.

    A reset can come as early as the connect itself: a cut link resets a connection the moment
    it is accepted, which can beat the end of the client's handshake.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(line)
            return sock.recv(1024)
    except ConnectionResetError:
        return b"RESET"


def test_a_clean_proxy_forwards_both_ways(server: LineServer) -> None:
    with FaultProxy(("127.0.0.1", server.port), Faults()) as proxy:
        assert ask(proxy.port, b"hello\n") == b"ok hello\n"
    assert server.received == [b"hello\n"]


def test_a_dropped_answer_reached_the_server_but_not_the_client(server: LineServer) -> None:
    with FaultProxy(("127.0.0.1", server.port), Faults(drop_response=1.0)) as proxy:
        assert ask(proxy.port, b"commit me\n") in (b"", b"RESET")
        assert proxy.counts["drop_response"] == 1
    assert server.received == [b"commit me\n"]


def test_a_reset_request_never_reaches_the_server(server: LineServer) -> None:
    with FaultProxy(("127.0.0.1", server.port), Faults(reset_request=1.0)) as proxy:
        assert ask(proxy.port, b"lost\n") in (b"", b"RESET")
        assert proxy.counts["reset_request"] == 1
    assert server.received == []


def test_a_cut_link_refuses_until_it_is_back(server: LineServer) -> None:
    with FaultProxy(("127.0.0.1", server.port), Faults()) as proxy:
        proxy.cut(0.5)
        assert ask(proxy.port, b"while cut\n") in (b"", b"RESET")
        back = threading.Event()
        back.wait(0.7)
        assert ask(proxy.port, b"after\n") == b"ok after\n"
        assert proxy.counts["refused_while_cut"] >= 1
    assert server.received == [b"after\n"]
