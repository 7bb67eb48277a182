"""A queue checker in the style of Jepsen's: what the terminal promised against what the hall holds.

The history has three parts, all keyed by a client *nonce* that the terminal puts in each
submission's payload (``form["nonce"]``) before it is queued:

- attempts: every submission the terminal *tried* to queue, and whether ``Outbox.enqueue``
  returned (acknowledged: the citizen saw a case number) or the process died first
  (indeterminate);
- hall records: every submission row in the hall's database, with its nonce read back from the
  stored payload; the hall deduplicates by idempotency key, so a duplicate shows up as two rows
  with one nonce (a resend under a fresh key or case number);
- terminal records: the outbox rows at the end, by case number.

Each nonce is put in one class:

``ok``            acknowledged, exactly one hall record, the terminal's row agrees with it;
``lost``          acknowledged, no hall record;
``duplicated``    more than one hall record for one nonce (acknowledged or not);
``unexpected``    a hall record whose nonce the terminal never tried to queue;
``recovered``     indeterminate (tried, never acknowledged) and at the hall exactly once: allowed,
                  the process died after the commit and before the citizen saw the receipt;
``unsent``        indeterminate and not at the hall: allowed (died before the commit);
``state_mismatch`` acknowledged and at the hall once, but the terminal's row disagrees: missing,
                  another case or key, not settled at the end, or another status or decision.

A history is valid when lost, duplicated, unexpected and state_mismatch are all empty.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

SETTLED_STATES = frozenset({"delivered", "decided"})
"""Terminal states in which the hall's answer is on the terminal."""


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One submission the terminal tried to queue."""

    nonce: str
    acknowledged: bool
    case_number: str | None = None
    idempotency_key: str | None = None


@dataclasses.dataclass(frozen=True)
class HallRecord:
    """One submission row at the hall."""

    nonce: str | None
    case_number: str
    idempotency_key: str
    status: str
    outcome: str | None = None


@dataclasses.dataclass(frozen=True)
class TerminalRecord:
    """One outbox row at the end of the run (clear columns only)."""

    case_number: str
    idempotency_key: str
    state: str
    status: str | None = None
    outcome: str | None = None


@dataclasses.dataclass
class Report:
    """The classes, each a sorted list of nonces (or case numbers for nonce-less hall rows)."""

    ok: list[str] = dataclasses.field(default_factory=list)
    lost: list[str] = dataclasses.field(default_factory=list)
    duplicated: list[str] = dataclasses.field(default_factory=list)
    unexpected: list[str] = dataclasses.field(default_factory=list)
    recovered: list[str] = dataclasses.field(default_factory=list)
    unsent: list[str] = dataclasses.field(default_factory=list)
    state_mismatch: dict[str, str] = dataclasses.field(default_factory=dict)
    """Nonce -> what disagrees."""

    @property
    def valid(self) -> bool:
        """Whether nothing was lost, doubled, invented or left disagreeing."""
        return not (self.lost or self.duplicated or self.unexpected or self.state_mismatch)

    def counts(self) -> dict[str, int]:
        """How many nonces fell in each class."""
        return {field.name: len(getattr(self, field.name)) for field in dataclasses.fields(self)}

    def summary(self) -> str:
        """A one-line account for assertion messages: counts and the first few offenders."""
        parts = [f"{name}={count}" for name, count in self.counts().items()]
        for name in ("lost", "duplicated", "unexpected"):
            offenders = getattr(self, name)
            if offenders:
                parts.append(f"{name}: {offenders[:5]}")
        if self.state_mismatch:
            parts.append(f"state_mismatch: {list(self.state_mismatch.items())[:5]}")
        return ", ".join(parts)


def check(
    attempts: Iterable[Attempt],
    hall: Iterable[HallRecord],
    terminal: Mapping[str, TerminalRecord] | None = None,
) -> Report:
    """Classify every nonce of the history (see the module docstring).

    ``terminal`` may be ``None`` to check the hall against the acknowledgements only (when the
    terminal's store is not at hand); otherwise every acknowledged submission at the hall must be
    settled on the terminal with the hall's status and outcome.
    """
    tried: dict[str, Attempt] = {}
    for attempt in attempts:
        previous = tried.get(attempt.nonce)
        # A nonce seen as tried and later as acknowledged is acknowledged.
        if previous is None or (attempt.acknowledged and not previous.acknowledged):
            tried[attempt.nonce] = attempt
    at_hall: dict[str, list[HallRecord]] = defaultdict(list)
    report = Report()
    for record in hall:
        if record.nonce is None:
            report.unexpected.append(record.case_number)
            continue
        at_hall[record.nonce].append(record)
    for nonce, records in at_hall.items():
        if nonce not in tried:
            report.unexpected.append(nonce)
        elif len(records) > 1:
            report.duplicated.append(nonce)
    for nonce, attempt in tried.items():
        records = at_hall.get(nonce, [])
        if len(records) > 1:
            continue
        if not records:
            (report.lost if attempt.acknowledged else report.unsent).append(nonce)
            continue
        if not attempt.acknowledged:
            report.recovered.append(nonce)
            continue
        problem = _disagreement(attempt, records[0], terminal)
        if problem is None:
            report.ok.append(nonce)
        else:
            report.state_mismatch[nonce] = problem
    for name in ("ok", "lost", "duplicated", "unexpected", "recovered", "unsent"):
        getattr(report, name).sort()
    return report


def _disagreement(
    attempt: Attempt, record: HallRecord, terminal: Mapping[str, TerminalRecord] | None
) -> str | None:
    if attempt.case_number is not None and attempt.case_number != record.case_number:
        return f"acknowledged as {attempt.case_number}, at the hall as {record.case_number}"
    if attempt.idempotency_key is not None and attempt.idempotency_key != record.idempotency_key:
        return f"case {record.case_number}: hall holds another idempotency key"
    if terminal is None:
        return None
    row = terminal.get(record.case_number)
    if row is None:
        return f"case {record.case_number}: no outbox row on the terminal"
    if row.idempotency_key != record.idempotency_key:
        return f"case {record.case_number}: terminal and hall keys differ"
    if row.state not in SETTLED_STATES:
        return f"case {record.case_number}: terminal still {row.state}, hall has it"
    if row.status != record.status:
        return f"case {record.case_number}: terminal status {row.status}, hall {record.status}"
    if row.outcome != record.outcome:
        return f"case {record.case_number}: terminal outcome {row.outcome}, hall {record.outcome}"
    return None


# --- Reading the two sides -----------------------------------------------------------------------


def nonce_of(payload: Mapping[str, object] | str | None) -> str | None:
    """The client nonce in a stored submission payload (``form["nonce"]``), or ``None``."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    if not isinstance(payload, Mapping):
        return None
    form = payload.get("form")
    if not isinstance(form, Mapping):
        return None
    nonce = form.get("nonce")
    return nonce if isinstance(nonce, str) else None


def _opened(key_file: Path, case_number: str, payload: str | None) -> object:
    """A stored payload, opened with the hall's data key file when it is sealed."""
    from hall.keys import is_sealed, open_with_key_file
    from hall.service import payload_context

    value = json.loads(payload) if isinstance(payload, str) else payload
    if is_sealed(value):
        return open_with_key_file(key_file, value, payload_context(case_number))
    return value


def read_hall(database_path: str) -> list[HallRecord]:
    """Every submission row of a hall's SQLite database, with its decision's outcome."""
    import sqlite3

    conn = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=15.0)
    try:
        rows = conn.execute(
            "SELECT s.case_number, s.idempotency_key, s.status, s.payload, d.outcome "
            "FROM submissions s LEFT JOIN decisions d ON d.submission_id = s.id ORDER BY s.id"
        ).fetchall()
    finally:
        conn.close()
    key_file = Path(database_path).parent / "data-keys.json"  # sealed at rest (hall.keys)
    return [
        HallRecord(
            nonce=nonce_of(_opened(key_file, case, payload)),
            case_number=case,
            idempotency_key=key,
            status=status,
            outcome=outcome,
        )
        for case, key, status, payload, outcome in rows
    ]


def read_terminal(store_path: str) -> dict[str, TerminalRecord]:
    """Every outbox row of a terminal's store, by case number (clear columns only)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=15.0)
    try:
        rows = conn.execute(
            "SELECT case_number, idempotency_key, state, status, outcome FROM outbox"
        ).fetchall()
    finally:
        conn.close()
    return {
        case: TerminalRecord(case, key, state, status, outcome)
        for case, key, state, status, outcome in rows
    }


def read_acks(text: str) -> list[Attempt]:
    """Parse the terminal program's log: ``TRY <nonce>`` and ``ACK <case> <key> <nonce>`` lines.

    Only newline-terminated lines count: each line is written with one ``write`` call, so a kill
    cannot tear a line, but a torn tail is ignored all the same rather than misread.
    """
    attempts = []
    complete = text.split("\n")[:-1]
    for line in complete:
        parts = line.split()
        if len(parts) == 2 and parts[0] == "TRY":
            attempts.append(Attempt(nonce=parts[1], acknowledged=False))
        elif len(parts) == 4 and parts[0] == "ACK":
            attempts.append(
                Attempt(
                    nonce=parts[3],
                    acknowledged=True,
                    case_number=parts[1],
                    idempotency_key=parts[2],
                )
            )
    return attempts
