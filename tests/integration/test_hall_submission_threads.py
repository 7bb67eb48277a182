"""Submissions are taken in apart from every other request: in processes of their own
(``submission_processes``, what ``kiosk-hall serve`` does) or on threads of their own
(``submission_threads``, an embedded hall's default).

A burst of submissions on a hall with one submission process (or thread) is taken in whole, one
at a time there, each answered 201 with its decision, while heartbeats are answered meanwhile;
the processes' log lines reach the hall's loggers. A submission process that dies fails what it
held with 500, and the terminal's retry is taken in once, by a fresh process. Both databases,
the real API over loopback.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from hall.schema import HEARTBEATS_PATH, IDEMPOTENCY_HEADER, SUBMISSIONS_PATH
from offline_cache.identity import TerminalIdentity
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    hall_settings,
    make_submission,
    new_idempotency_key,
)

TIMEOUT = 30

BEAT = json.dumps(
    {
        "kiosk_id": "kiosk-001",
        "sent_at": "2026-11-22T09:30:00Z",
        "app_version": "1.0",
        "catalog_version": "2025.1",
        "outbox_depth": 0,
    }
).encode()


def _post(
    hall: HallUnderTest, identity: TerminalIdentity, path: str, body: bytes, **extra: str
) -> requests.Response:
    headers = identity.sign("POST", path, body, time.time())
    headers |= {"Content-Type": "application/json", **extra}
    return requests.post(hall.base_url + path, data=body, headers=headers, timeout=TIMEOUT)


def _submission_body() -> bytes:
    return make_submission("elder-card", demo_applicant("王秀英")).model_dump_json().encode()


def _burst(
    hall: HallUnderTest, identity: TerminalIdentity
) -> tuple[list[requests.Response], list[requests.Response]]:
    """Six submissions at once and three beats meanwhile: their answers."""
    with ThreadPoolExecutor(6) as pool:
        submitted = [
            pool.submit(
                _post,
                hall,
                identity,
                SUBMISSIONS_PATH,
                _submission_body(),
                **{IDEMPOTENCY_HEADER: new_idempotency_key()},
            )
            for _ in range(6)
        ]
        beats = [_post(hall, identity, HEARTBEATS_PATH, BEAT) for _ in range(3)]
        answers = [future.result() for future in submitted]
    return answers, beats


def _received(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if "received for item" in record.message]


def test_a_burst_of_submissions_is_taken_in_the_submission_process_beats_meanwhile(
    tmp_path: Path, hall_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = hall_settings(tmp_path, database_url=hall_database_url, submission_processes=1)
    hall = HallUnderTest(settings)
    with hall:
        identity = hall.enrol(tmp_path / "terminal")
        caplog.set_level(logging.INFO, logger="hall.service")
        answers, beats = _burst(hall, identity)
    assert [answer.status_code for answer in answers] == [201] * 6, [a.text for a in answers]
    assert all(answer.json()["status"] == "approved" for answer in answers)
    assert all(answer.json()["certificate"] is not None for answer in answers)
    assert [beat.status_code for beat in beats] == [200] * 3
    received = _received(caplog)
    assert len(received) == 6
    processes = {record.process for record in received}
    assert len(processes) == 1
    assert os.getpid() not in processes


def test_a_burst_of_submissions_is_taken_on_the_submission_thread_of_an_embedded_hall(
    tmp_path: Path, hall_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = hall_settings(tmp_path, database_url=hall_database_url, submission_threads=1)
    hall = HallUnderTest(settings)
    with hall:
        identity = hall.enrol(tmp_path / "terminal")
        caplog.set_level(logging.INFO, logger="hall.service")
        answers, beats = _burst(hall, identity)
    assert [answer.status_code for answer in answers] == [201] * 6, [a.text for a in answers]
    assert all(answer.json()["status"] == "approved" for answer in answers)
    assert [beat.status_code for beat in beats] == [200] * 3
    received = _received(caplog)
    assert len(received) == 6
    assert {record.threadName for record in received} == {"submission_0"}
    assert {record.process for record in received} == {os.getpid()}


def test_a_dead_submission_process_fails_what_it_held_and_the_retry_is_taken_in_once(
    tmp_path: Path, hall_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = hall_settings(tmp_path, database_url=hall_database_url, submission_processes=1)
    hall = HallUnderTest(settings)
    with hall:
        identity = hall.enrol(tmp_path / "terminal")
        caplog.set_level(logging.INFO, logger="hall.service")
        first = _post(
            hall,
            identity,
            SUBMISSIONS_PATH,
            _submission_body(),
            **{IDEMPOTENCY_HEADER: new_idempotency_key()},
        )
        assert first.status_code == 201, first.text
        (process,) = {record.process for record in _received(caplog)}
        os.kill(process, signal.SIGKILL)
        submission = make_submission("elder-card", demo_applicant("王秀英"))
        body, key = submission.model_dump_json().encode(), new_idempotency_key()
        failed = _post(hall, identity, SUBMISSIONS_PATH, body, **{IDEMPOTENCY_HEADER: key})
        retried = _post(hall, identity, SUBMISSIONS_PATH, body, **{IDEMPOTENCY_HEADER: key})
        again = _post(hall, identity, SUBMISSIONS_PATH, body, **{IDEMPOTENCY_HEADER: key})
        stored = hall.count_submissions(case_number=submission.case_number)
    assert failed.status_code == 500
    assert failed.json()["code"] == "internal_error"
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "approved"
    assert again.status_code == 200
    assert again.json() == retried.json()
    assert stored == 1
    late = {record.process for record in _received(caplog)} - {process}
    assert len(late) == 1
    assert os.getpid() not in late
