"""Submissions run on threads of their own (``submission_threads``), never on FastAPI's pool.

A burst of submissions on a hall with one submission thread is taken in whole, one at a time
on that thread, each answered 201 with its decision, while heartbeats are answered meanwhile.
Both databases, the real API over loopback.
"""

from __future__ import annotations

import json
import logging
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


def _post(
    hall: HallUnderTest, identity: TerminalIdentity, path: str, body: bytes, **extra: str
) -> requests.Response:
    headers = identity.sign("POST", path, body, time.time())
    headers |= {"Content-Type": "application/json", **extra}
    return requests.post(hall.base_url + path, data=body, headers=headers, timeout=TIMEOUT)


def test_a_burst_of_submissions_is_taken_on_the_submission_thread_beats_meanwhile(
    tmp_path: Path, hall_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = hall_settings(tmp_path, database_url=hall_database_url, submission_threads=1)
    hall = HallUnderTest(settings)
    with hall:
        identity = hall.enrol(tmp_path / "terminal")
        bodies = [
            make_submission("elder-card", demo_applicant("王秀英")).model_dump_json().encode()
            for _ in range(6)
        ]
        beat = json.dumps(
            {
                "kiosk_id": "kiosk-001",
                "sent_at": "2026-11-22T09:30:00Z",
                "app_version": "1.0",
                "catalog_version": "2025.1",
                "outbox_depth": 0,
            }
        ).encode()
        caplog.set_level(logging.INFO, logger="hall.service")
        with ThreadPoolExecutor(6) as pool:
            submitted = [
                pool.submit(
                    _post,
                    hall,
                    identity,
                    SUBMISSIONS_PATH,
                    body,
                    **{IDEMPOTENCY_HEADER: new_idempotency_key()},
                )
                for body in bodies
            ]
            beats = [_post(hall, identity, HEARTBEATS_PATH, beat) for _ in range(3)]
            answers = [future.result() for future in submitted]
    assert [answer.status_code for answer in answers] == [201] * 6, [a.text for a in answers]
    assert all(answer.json()["status"] == "approved" for answer in answers)
    assert [beat.status_code for beat in beats] == [200] * 3
    received = [record for record in caplog.records if "received for item" in record.message]
    assert len(received) == 6
    assert {record.threadName for record in received} == {"submission_0"}
