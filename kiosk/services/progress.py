"""What the progress screen says about a case, without Qt: durations, the deadline, overdue.

A stage that took a second is "under a minute", not "0 s"; the promised deadline counts working
days (Monday to Friday) from the day the case was received; an open case past it is overdue.
"""

from __future__ import annotations

import datetime as dt

from hall.schema import CaseProgressPublic


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (weekends skipped; public holidays are not known)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def received_on(progress: CaseProgressPublic) -> dt.date | None:
    """The local day the hall received the case (its first stage's start)."""
    for stage in progress.stages:
        if stage.started_at is not None:
            return stage.started_at.astimezone().date()
    return None


def deadline(progress: CaseProgressPublic) -> dt.date | None:
    """The promised deadline, or ``None`` when the received day is not known."""
    received = received_on(progress)
    if received is None:
        return None
    return add_working_days(received, progress.promised_days)


def overdue_days(progress: CaseProgressPublic, today: dt.date) -> int:
    """Days an open case is past its promised deadline (0 when on time or decided)."""
    due = deadline(progress)
    if progress.status != "accepted" or due is None or today <= due:
        return 0
    return (today - due).days


def short_duration(seconds: float) -> bool:
    """Whether a stage's time is under a minute (said as such, not as seconds)."""
    return seconds < 60
