"""The fleet's errors (``hall.errors.HallError``: each answers with its status and code)."""

from __future__ import annotations

from hall.errors import HallError


class FleetError(HallError):
    """Root of the fleet's errors."""

    status_code = 422
    code = "invalid_request"


class BadCursorError(FleetError):
    """A page cursor this hall did not make."""

    code = "bad_cursor"


class AlertNotFoundError(FleetError):
    """No alert with this id."""

    status_code = 404
    code = "alert_not_found"


class TerminalNotFoundError(FleetError):
    """No enrolled terminal with this id."""

    status_code = 404
    code = "terminal_not_found"


class UnknownCommandError(FleetError):
    """A command kind terminals do not know."""

    code = "unknown_command"


class BadTargetError(FleetError):
    """A desired-configuration target that is not ``all``, ``site:<site>`` or ``terminal:<id>``."""

    code = "bad_target"


class StaffCallNotFoundError(FleetError):
    """No staff call with this id from this terminal."""

    status_code = 404
    code = "staff_call_not_found"
