"""``AuthGate``: a batch of signed requests admitted in one transaction, on both databases.

The gate is what every worker process shares through the database: whether a key is still
enrolled and unrevoked, whether a nonce is new, and each terminal's request count in its window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hall.auth import AuthGate, Refusal
from hall.db import Database, RequestNonce, Terminal
from hall.limits import RateLimit, TerminalRequestWindow

START = dt.datetime(2026, 12, 2, 9, 0, 10, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def db(hall_database_url: str) -> Iterator[Database]:
    database = Database(hall_database_url)
    database.migrate()
    with database.write() as session:
        for kiosk_id, key_id, revoked in (
            ("K1", "key1", False),
            ("K2", "key2", False),
            ("K3", "key3", True),
        ):
            session.add(
                Terminal(
                    kiosk_id=kiosk_id,
                    public_key=bytes(32),
                    key_id=key_id,
                    enrolled_at=START,
                    revoked_at=START if revoked else None,
                )
            )
    try:
        yield database
    finally:
        database.dispose()


def _status(answer: str | Refusal) -> int | str:
    return answer if isinstance(answer, str) else answer.status


def test_enrolled_unrevoked_new_nonces_are_admitted_the_rest_refused(db: Database) -> None:
    gate = AuthGate(db, clock=Clock())
    answers = gate.admit_batch(
        [
            ("key1", "nonce-a-0000000000001"),
            ("key2", "nonce-b-0000000000001"),
            ("key1", "nonce-a-0000000000001"),  # the same nonce twice in one batch
            ("key3", "nonce-c-0000000000001"),  # revoked
            ("nokey", "nonce-d-0000000000001"),  # not enrolled
        ]
    )
    assert [_status(answer) for answer in answers] == ["K1", "K2", 401, 403, 401]
    assert isinstance(answers[2], Refusal) and "replayed_nonce" in answers[2].message
    assert isinstance(answers[3], Refusal) and answers[3].code == "revoked"
    # A later batch (another worker's, say) sees the committed nonce: a replay.
    again = gate.admit_batch([("key2", "nonce-b-0000000000001")])
    assert _status(again[0]) == 401
    with db.read() as session:
        stored = set(session.scalars(select(RequestNonce.nonce)))
    assert stored == {"nonce-a-0000000000001", "nonce-b-0000000000001"}


def test_a_terminal_over_its_window_gets_429_with_the_seconds_left(db: Database) -> None:
    clock = Clock()
    gate = AuthGate(db, clock=clock, rate_limit=RateLimit(requests=3, window_s=60))
    first = gate.admit_batch([("key1", f"n1-{i:020d}") for i in range(2)])
    assert [_status(answer) for answer in first] == ["K1", "K1"]
    # Two gates (two worker processes) over one database count together.
    other = AuthGate(db, clock=clock, rate_limit=RateLimit(requests=3, window_s=60))
    second = other.admit_batch(
        [("key1", f"n2-{i:020d}") for i in range(3)] + [("key2", "n2-key2-000000000000")]
    )
    assert [_status(answer) for answer in second] == ["K1", 429, 429, "K2"]
    refusal = second[1]
    assert isinstance(refusal, Refusal)
    assert refusal.code == "rate_limited"
    assert refusal.retry_after == 50  # 09:00:10 -> the window ends at 09:01:00
    # A refused request is not counted twice, and the next window starts again.
    clock.now = START + dt.timedelta(seconds=50)
    third = gate.admit_batch([("key1", f"n3-{i:020d}") for i in range(4)])
    assert [_status(answer) for answer in third] == ["K1", "K1", "K1", 429]
    with db.read() as session:
        row = session.get(TerminalRequestWindow, "K1")
        assert row is not None
        assert (row.window_start, row.used) == (int(clock.now.timestamp()), 4)


def test_a_batch_whose_transaction_fails_refuses_nothing_silently(db: Database) -> None:
    gate = AuthGate(db, clock=lambda: dt.datetime(2026, 12, 2, 9, 0))  # naive: the column refuses
    with pytest.raises(Exception, match="naive"):
        gate.admit_batch([("key1", "n-naive-000000000000")])
    with db.read() as session:
        assert session.scalar(select(RequestNonce.nonce)) is None
