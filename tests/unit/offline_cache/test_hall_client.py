"""HallClient's sorting of the hall's answers into retry-later and refused-for-good."""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from hall.schema import IDEMPOTENCY_HEADER, SUBMISSIONS_PATH, HeartbeatPublic, SubmissionPublic
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.hall_client import HallClient
from tests.unit.offline_cache import factories
from tests.unit.offline_cache.scripted_hall import Recorded, ScriptedHall, error
from tests.unit.offline_cache.test_heartbeat import heartbeat

CASE = "DEMO01-20250314-00001"


class Script:
    """The next answer for the scripted hall, settable by each test."""

    def __init__(self) -> None:
        self.answer: tuple[int, bytes] = (200, b"{}")

    def __call__(self, request: Recorded) -> tuple[int, bytes]:
        return self.answer


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def hall(script: Script) -> Iterator[ScriptedHall]:
    server = ScriptedHall(script)
    yield server
    server.stop()


@pytest.fixture
def client(hall: ScriptedHall) -> Iterator[HallClient]:
    c = HallClient(hall.base_url, connect_timeout=1.0, read_timeout=2.0)
    yield c
    c.close()


def test_submit_sends_json_and_the_idempotency_key(
    client: HallClient, hall: ScriptedHall, script: Script
) -> None:
    answer = factories.approved(CASE)
    script.answer = (201, answer.model_dump_json().encode())
    key = str(uuid.uuid4())
    sub = factories.submission(CASE)
    assert client.submit(sub, key) == answer
    [request] = hall.requests
    assert (request.method, request.path) == ("POST", SUBMISSIONS_PATH)
    assert request.headers[IDEMPOTENCY_HEADER] == key
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == sub.model_dump(mode="json")


def test_a_replayed_submission_answers_200(client: HallClient, script: Script) -> None:
    answer = factories.approved(CASE)
    script.answer = (200, answer.model_dump_json().encode())
    assert client.submit(factories.submission(CASE), "k") == answer


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "internal_error"),
        (502, "bad_gateway"),
        (503, "x"),
        (409, "in_progress"),
        (429, "slow"),
    ],
)
def test_retryable_answers(client: HallClient, script: Script, status: int, code: str) -> None:
    script.answer = error(status, code)
    with pytest.raises(HallUnavailableError, match=f"HTTP {status} {code}"):
        client.submit(factories.submission(CASE), "k")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "idempotency_key_required"),
        (404, "case_not_found"),
        (422, "unknown_item"),
        (403, "x"),
        # Another submission owns the case number: no retry can clear it.
        (409, "case_number_conflict"),
    ],
)
def test_permanent_answers_carry_the_halls_code(
    client: HallClient, script: Script, status: int, code: str
) -> None:
    script.answer = error(status, code)
    with pytest.raises(HallRejectedError) as caught:
        client.submit(factories.submission(CASE), "k")
    assert (caught.value.status, caught.value.code) == (status, code)
    assert "for logs" not in str(caught.value)  # the hall's message is not carried along


def test_rejection_without_an_error_body(client: HallClient, script: Script) -> None:
    script.answer = (422, json.dumps({"detail": [{"input": factories.NAME}]}).encode())
    with pytest.raises(HallRejectedError) as caught:
        client.submit(factories.submission(CASE), "k")
    assert caught.value.code == "unknown"
    assert factories.NAME not in str(caught.value)


def test_malformed_success_is_retryable(client: HallClient, script: Script) -> None:
    script.answer = (201, b'{"case_number": 5}')
    with pytest.raises(HallUnavailableError, match="malformed SubmissionPublic"):
        client.submit(factories.submission(CASE), "k")


def test_reads(client: HallClient, hall: ScriptedHall, script: Script) -> None:
    answer = factories.approved(CASE)
    script.answer = (200, answer.model_dump_json().encode())
    assert client.get_submission(CASE) == answer
    assert hall.requests[-1].path == f"/api/v1/submissions/{CASE}"
    raw = bytes(range(32))
    keys = {"keys": [{"kid": "k1", "public_key_b64": base64.b64encode(raw).decode()}]}
    script.answer = (200, json.dumps(keys).encode())
    assert client.keys() == {"k1": raw}
    script.answer = (200, b'{"status": "ok"}')
    assert client.health() is True
    script.answer = error(503, "down")
    assert client.health() is False
    script.answer = error(404, "case_not_found")
    with pytest.raises(HallRejectedError) as caught:
        client.progress(CASE)
    assert caught.value.status == 404
    assert isinstance(answer, SubmissionPublic)


def test_refused_connection_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with HallClient(f"http://127.0.0.1:{port}", connect_timeout=1.0, read_timeout=1.0) as client:
        with pytest.raises(HallUnavailableError, match="unreachable"):
            client.catalog()
        assert client.health() is False


def test_a_slow_answer_leaves_a_right_clock_offset_and_a_real_skew_is_followed() -> None:
    # The hall's Date header has whole seconds, stamped while the request was out. Before, the
    # offset became "now" less the header whenever that differed from the finer figure by more
    # than a second: an answer that reached us 1.7 s late moved a right offset by 1.7 s (seen
    # as a flaky dashboard figure of 2.04 s after a hall restart).
    lag = {"s": 0.0, "next": 0.0}
    now = dt.datetime.now(dt.UTC)
    beat = HeartbeatPublic(kiosk_id="DEMO01", received_at=now, server_time=now)

    def responder(request: Recorded) -> tuple[int, bytes]:
        lag["s"] = lag["next"]  # from here on our clock reads that much later
        if request.method == "POST":
            return 200, beat.model_dump_json().encode()
        return error(404, "not_found")

    hall = ScriptedHall(responder)
    client = HallClient(
        hall.base_url,
        connect_timeout=1.0,
        read_timeout=2.0,
        wall_clock=lambda: time.time() + lag["s"],
    )
    try:
        client.heartbeat(heartbeat(sent_at=now))
        assert client.clock_offset is not None and abs(client.clock_offset) < 0.5
        fine = client.clock_offset
        lag["next"] = 1.7  # the answer is read 1.7 s after the hall stamped it
        with pytest.raises(HallRejectedError):
            client.get_submission(CASE)
        assert client.clock_offset == fine
        # Our clock really is 1.7 s ahead of the hall's now: the next answer's header moves it.
        with pytest.raises(HallRejectedError):
            client.get_submission(CASE)
        assert client.clock_offset is not None and 0.7 <= client.clock_offset <= 2.7
    finally:
        client.close()
        hall.stop()
