"""The citizen's 呼叫工作人员: a signed request to the hall, answered only once the hall took it.

Not through the outbox: the screen must know now whether staff were told. The terminal says
"staff have been notified" only after the hall stored the ``staff_called`` alert, says plainly
when it could not reach the hall (and what to do instead), and learns from the hall when someone
acknowledged. Blocking calls: run them on a worker, never on the UI thread.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from hall.schema import StaffCallCreate, StaffCallPublic


class StaffCaller:
    """Raise staff calls for one terminal and ask how they stand."""

    def __init__(
        self,
        kiosk_id: str,
        call: Callable[[StaffCallCreate], StaffCallPublic],
        status: Callable[[str], StaffCallPublic],
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """Take the hall client's ``call_staff`` and ``staff_call``.

        Each raises ``HallUnavailableError`` or ``HallRejectedError`` when the hall did not answer.
        """
        self._kiosk_id = kiosk_id
        self._call = call
        self._status = status
        self._clock = clock

    def call(self) -> StaffCallPublic:
        """Raise a new call; returns once the hall stored it (raises when it did not)."""
        request = StaffCallCreate(
            kiosk_id=self._kiosk_id, call_id=str(uuid.uuid4()), sent_at=self._clock()
        )
        return self._call(request)

    def status(self, call_id: str) -> StaffCallPublic:
        """How the call stands at the hall now (acknowledged yet?)."""
        return self._status(call_id)
