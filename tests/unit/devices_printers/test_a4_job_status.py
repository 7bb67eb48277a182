"""Reading CUPS's answers: ``ipptool -c`` job rows and lpstat's reason lines."""

from __future__ import annotations

import pytest

from devices.a4.cups_printer import JobStatus, QueueStatus, parse_ipp_job_csv

HEADER = "job-state,job-state-reasons,job-printer-state-message\n"


@pytest.mark.parametrize(
    ("row", "state", "final"),
    [
        ("pending,job-incoming,\n", "pending", False),
        ("pending-held,job-hold-until-specified,\n", "pending", False),
        ("processing,job-printing,Printing page 1\n", "processing", False),
        (
            'processing-stopped,job-completed-with-errors,"loadFilename failed, damaged"\n',
            "stopped",
            False,
        ),
        ("completed,job-completed-successfully,\n", "completed", True),
        ("aborted,aborted-by-system,Filter failed\n", "aborted", True),
        ("canceled,job-canceled-by-user,\n", "cancelled", True),
    ],
)
def test_ipp_job_states(row: str, state: str, final: bool) -> None:
    status = parse_ipp_job_csv("PDF-7", HEADER + row)
    assert status.state == state
    assert status.final is final


def test_message_and_reasons_are_kept_for_the_technician() -> None:
    status = parse_ipp_job_csv("PDF-7", HEADER + "aborted,aborted-by-system,Filter failed\n")
    assert status == JobStatus("PDF-7", "aborted", "aborted-by-system", "Filter failed")
    assert str(status) == "PDF-7 aborted: Filter failed"
    damaged = parse_ipp_job_csv(
        "PDF-8", HEADER + 'processing-stopped,job-completed-with-errors,"failed, damaged"\n'
    )
    assert damaged.message == "failed, damaged"


def test_a_job_cups_does_not_know_is_unknown() -> None:
    assert parse_ipp_job_csv("PDF-9", HEADER).state == "unknown"
    assert parse_ipp_job_csv("PDF-9", "").state == "unknown"


def test_queue_status_text() -> None:
    assert str(QueueStatus("disabled", "paper jam")) == "disabled (paper jam)"
    assert str(QueueStatus("idle")) == "idle"
    assert QueueStatus("printing").usable and not QueueStatus("not-accepting").usable
