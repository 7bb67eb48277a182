"""The hall's body limits and read timeouts, probed with raw sockets over loopback.

Each probe sends less (or more) than a well-behaved terminal would and checks that the hall
answers or hangs up in bounded time without reading the rest.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.schema import HEARTBEATS_PATH, IDEMPOTENCY_HEADER, SUBMISSIONS_PATH
from tests.fixtures.hall import HallUnderTest, hall_settings, make_submission, new_idempotency_key

TIMEOUT_S = 1.0
"""The short body and header timeouts of the hall under test."""


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallUnderTest]:
    settings = hall_settings(
        tmp_path,
        body_chunk_timeout_s=TIMEOUT_S,
        header_timeout_s=TIMEOUT_S,
        max_submission_bytes=64 * 1024,
    )
    hall = HallUnderTest(settings)
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


def _connect(hall: HallUnderTest) -> socket.socket:
    sock = socket.create_connection((hall.host, hall.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: hall"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_to_close(sock: socket.socket, limit_s: float = 10) -> tuple[bytes, float]:
    """Everything the hall sends until it closes the connection, and how long that took."""
    start = time.monotonic()
    received = b""
    sock.settimeout(limit_s)
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received, time.monotonic() - start


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _json_headers(length: int | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: new_idempotency_key()}
    if length is not None:
        headers["Content-Length"] = str(length)
    return headers


def test_a_50_mb_submission_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # The default limits: 20 MB for a submission.
    hall = HallUnderTest(hall_settings(tmp_path))
    hall.start()
    try:
        with _connect(hall) as sock:
            sock.sendall(_head(SUBMISSIONS_PATH, _json_headers(50 * 1024 * 1024)))
            sock.sendall(b"{" + b" " * 1024)
            answer, took = _read_to_close(sock)
        assert _status(answer) == 413
        assert b'"code":"too_large"' in answer
        assert took < 5
        assert hall.count_submissions() == 0
    finally:
        hall.stop()


def test_a_streamed_body_over_the_limit_is_cut_off(hall: HallUnderTest) -> None:
    with _connect(hall) as sock:
        headers = _json_headers()
        headers["Transfer-Encoding"] = "chunked"
        sock.sendall(_head(SUBMISSIONS_PATH, headers))
        chunk = b" " * 16384
        try:
            for _ in range(8):  # 128 KB against a 64 KB limit
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer, _ = _read_to_close(sock)
    assert _status(answer) == 413
    assert hall.count_submissions() == 0


def test_a_heartbeat_over_8_kb_is_refused_on_its_content_length(hall: HallUnderTest) -> None:
    with _connect(hall) as sock:
        sock.sendall(_head(HEARTBEATS_PATH, _json_headers(9000)))
        answer, took = _read_to_close(sock)
    assert _status(answer) == 413
    assert b'"code":"heartbeat_too_large"' in answer
    assert took < 5


def test_a_body_shorter_than_its_content_length_is_cut_off(hall: HallUnderTest) -> None:
    body = make_submission("sole-proprietor-registration", None).model_dump_json().encode()
    with _connect(hall) as sock:
        sock.sendall(_head(SUBMISSIONS_PATH, _json_headers(len(body) + 100)) + body)
        answer, took = _read_to_close(sock)
    assert _status(answer) == 408
    assert b'"code":"request_timeout"' in answer
    assert took < TIMEOUT_S + 4
    assert hall.count_submissions() == 0


def test_a_slowloris_sending_headers_for_ever_is_cut_off(hall: HallUnderTest) -> None:
    with _connect(hall) as sock:
        sock.sendall(f"POST {SUBMISSIONS_PATH} HTTP/1.1\r\nHost: hall\r\n".encode())
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < TIMEOUT_S + 4:
            try:
                sock.sendall(b"X-Slow: a\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed, "the hall kept a connection whose headers never end"


def test_headers_growing_over_the_size_limit_are_refused(hall: HallUnderTest) -> None:
    # h11 bounds the headers still incomplete (uvicorn's h11_max_incomplete_event_size).
    with _connect(hall) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(f"POST {SUBMISSIONS_PATH} HTTP/1.1\r\nHost: hall\r\n".encode())
            for _ in range(40):
                sock.sendall(b"X-Big: " + b"a" * 1000 + b"\r\n")
        answer, took = _read_to_close(sock)
    assert answer == b"" or _status(answer) == 400
    assert took < 5


def test_a_connection_that_sends_nothing_is_closed(hall: HallUnderTest) -> None:
    with _connect(hall) as sock:
        answer, took = _read_to_close(sock)
    assert answer == b""
    assert took < TIMEOUT_S + 4


def test_a_submission_within_the_limits_still_goes_through(
    hall: HallUnderTest, tmp_path: Path
) -> None:
    body = make_submission("sole-proprietor-registration", None).model_dump_json().encode()
    terminal = hall.enrol(tmp_path / "terminal")
    with _connect(hall) as sock:
        headers = _json_headers(len(body))
        headers["Connection"] = "close"
        headers.update(terminal.sign("POST", SUBMISSIONS_PATH, body, time.time()))
        sock.sendall(_head(SUBMISSIONS_PATH, headers) + body)
        answer, _ = _read_to_close(sock)
    assert _status(answer) == 201, answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == "accepted"
