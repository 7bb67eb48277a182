"""The idle rule: warn after a quiet spell, count down, then wipe. Pure time arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IdleState(StrEnum):
    """What the screen should do about idleness right now."""

    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass
class IdleClock:
    """Tracks the last touch; the UI ticks it with a timer and shows the countdown it reports."""

    warning_after_s: float
    countdown_s: float
    last_activity: float = 0.0

    def touch(self, now: float) -> None:
        """A touch, key or card event: the citizen is still here."""
        self.last_activity = now

    def state(self, now: float) -> IdleState:
        """Active, warning (show the countdown) or expired (wipe)."""
        quiet = now - self.last_activity
        if quiet < self.warning_after_s:
            return IdleState.ACTIVE
        if quiet < self.warning_after_s + self.countdown_s:
            return IdleState.WARNING
        return IdleState.EXPIRED

    def remaining(self, now: float) -> int:
        """Whole seconds left on the countdown (rounded up), 0 once expired."""
        left = self.warning_after_s + self.countdown_s - (now - self.last_activity)
        return max(0, int(-(-left // 1)))
