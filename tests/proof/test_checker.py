"""The queue checker on crafted histories: it must be able to say lost, duplicated, unexpected,
recovered, unsent and state-mismatch, and say valid only when nothing is wrong."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.proof import checker
from tests.proof.checker import Attempt, HallRecord, TerminalRecord


def acked(nonce: str, case: str, key: str | None = None) -> Attempt:
    return Attempt(nonce, True, case, key or f"key-{case}")


def at_hall(nonce: str | None, case: str, key: str | None = None, **kw: str) -> HallRecord:
    return HallRecord(nonce, case, key or f"key-{case}", kw.get("status", "accepted"),
                      kw.get("outcome"))  # fmt: skip


def settled(case: str, key: str | None = None, **kw: str) -> TerminalRecord:
    return TerminalRecord(case, key or f"key-{case}", kw.get("state", "delivered"),
                          kw.get("status", "accepted"), kw.get("outcome"))  # fmt: skip


def test_a_clean_history_is_valid() -> None:
    report = checker.check(
        [acked("n1", "K-1"), acked("n2", "K-2")],
        [at_hall("n1", "K-1"), at_hall("n2", "K-2", status="approved", outcome="approved")],
        {
            "K-1": settled("K-1"),
            "K-2": settled("K-2", state="decided", status="approved", outcome="approved"),
        },
    )
    assert report.valid
    assert report.ok == ["n1", "n2"]
    assert report.counts()["lost"] == 0


def test_an_acknowledged_submission_missing_at_the_hall_is_lost() -> None:
    report = checker.check([acked("n1", "K-1"), acked("n2", "K-2")], [at_hall("n1", "K-1")])
    assert not report.valid
    assert report.lost == ["n2"]
    assert "lost: ['n2']" in report.summary()


def test_two_hall_records_of_one_nonce_are_a_duplicate() -> None:
    # The hall deduplicates by key: a resend under a fresh key or case number slips through,
    # and only the nonce in the payload shows it.
    report = checker.check(
        [acked("n1", "K-1")],
        [at_hall("n1", "K-1"), at_hall("n1", "K-9", key="another-key")],
    )
    assert not report.valid
    assert report.duplicated == ["n1"]
    assert report.ok == []


def test_a_duplicate_of_an_unacknowledged_attempt_is_still_a_duplicate() -> None:
    report = checker.check(
        [Attempt("n1", False)], [at_hall("n1", "K-1"), at_hall("n1", "K-2", key="k2")]
    )
    assert report.duplicated == ["n1"]
    assert not report.valid


def test_a_hall_record_nobody_tried_to_queue_is_unexpected() -> None:
    report = checker.check(
        [acked("n1", "K-1")],
        [at_hall("n1", "K-1"), at_hall("stranger", "K-7"), at_hall(None, "K-8")],
    )
    assert not report.valid
    assert sorted(report.unexpected) == ["K-8", "stranger"]


def test_indeterminate_attempts_are_recovered_or_unsent_and_both_allowed() -> None:
    report = checker.check(
        [Attempt("n1", False), Attempt("n2", False), acked("n3", "K-3")],
        [at_hall("n1", "K-1"), at_hall("n3", "K-3")],
        {"K-1": settled("K-1"), "K-3": settled("K-3")},
    )
    assert report.valid
    assert report.recovered == ["n1"]
    assert report.unsent == ["n2"]
    assert report.ok == ["n3"]


def test_a_try_followed_by_its_ack_counts_as_acknowledged() -> None:
    report = checker.check([Attempt("n1", False), acked("n1", "K-1")], [])
    assert report.lost == ["n1"]


def test_terminal_and_hall_must_agree_on_the_settled_state() -> None:
    hall = [
        at_hall("a", "K-1", status="approved", outcome="approved"),
        at_hall("b", "K-2"),
        at_hall("c", "K-3"),
        at_hall("d", "K-4"),
        at_hall("e", "K-5"),
    ]
    terminal = {
        "K-1": settled("K-1", status="refused", outcome="refused"),
        "K-2": settled("K-2", state="pending", status=""),
        "K-3": settled("K-3", key="other"),
        # K-4 has no outbox row at all.
        "K-5": settled("K-5", state="failed"),
    }
    attempts = [acked(n, f"K-{i}") for i, n in enumerate("abcde", start=1)]
    report = checker.check(attempts, hall, terminal)
    assert not report.valid
    assert sorted(report.state_mismatch) == ["a", "b", "c", "d", "e"]
    assert "status refused, hall approved" in report.state_mismatch["a"]
    assert "still pending" in report.state_mismatch["b"]
    assert "keys differ" in report.state_mismatch["c"]
    assert "no outbox row" in report.state_mismatch["d"]
    assert "still failed" in report.state_mismatch["e"]


def test_an_acknowledgement_naming_another_case_or_key_is_a_mismatch() -> None:
    report = checker.check(
        [acked("a", "K-1"), acked("b", "K-2", key="mine")],
        [at_hall("a", "K-9"), at_hall("b", "K-2", key="theirs")],
    )
    assert set(report.state_mismatch) == {"a", "b"}
    assert not report.valid


def test_read_acks_ignores_a_torn_last_line_and_noise() -> None:
    text = "START 12\nTRY n1\nACK K-1 key1 n1\nTRY n2\ngarbage line\nACK K-2 ke"
    attempts = checker.read_acks(text)
    assert attempts == [
        Attempt("n1", False),
        Attempt("n1", True, "K-1", "key1"),
        Attempt("n2", False),
    ]


def test_nonce_of_reads_the_form_of_a_stored_payload() -> None:
    assert checker.nonce_of({"form": {"nonce": "abc"}}) == "abc"
    assert checker.nonce_of(json.dumps({"form": {"nonce": "abc"}})) == "abc"
    assert checker.nonce_of({"form": {}}) is None
    assert checker.nonce_of({"form": "x"}) is None
    assert checker.nonce_of(None) is None


def test_read_hall_and_read_terminal_take_the_real_schemas_columns(tmp_path: Path) -> None:
    hall_db = tmp_path / "hall.db"
    conn = sqlite3.connect(hall_db)
    conn.executescript(
        """
        CREATE TABLE submissions (id INTEGER PRIMARY KEY, case_number TEXT,
            idempotency_key TEXT, status TEXT, payload JSON);
        CREATE TABLE decisions (id INTEGER PRIMARY KEY, submission_id INTEGER, outcome TEXT);
        """
    )
    conn.execute(
        "INSERT INTO submissions VALUES (1, 'K-1', 'k1', 'approved', ?)",
        (json.dumps({"form": {"nonce": "n1"}}),),
    )
    conn.execute("INSERT INTO submissions VALUES (2, 'K-2', 'k2', 'accepted', '{}')")
    conn.execute("INSERT INTO decisions VALUES (1, 1, 'approved')")
    conn.commit()
    conn.close()
    assert checker.read_hall(str(hall_db)) == [
        HallRecord("n1", "K-1", "k1", "approved", "approved"),
        HallRecord(None, "K-2", "k2", "accepted", None),
    ]
    store = tmp_path / "outbox.sqlite3"
    conn = sqlite3.connect(store)
    conn.execute(
        "CREATE TABLE outbox (case_number TEXT, idempotency_key TEXT, state TEXT, status TEXT, "
        "outcome TEXT)"
    )
    conn.execute("INSERT INTO outbox VALUES ('K-1', 'k1', 'delivered', 'approved', 'approved')")
    conn.commit()
    conn.close()
    assert checker.read_terminal(str(store)) == {
        "K-1": TerminalRecord("K-1", "k1", "delivered", "approved", "approved")
    }
