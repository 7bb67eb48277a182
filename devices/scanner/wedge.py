"""Keyboard-wedge scanners: telling a scanner's keystrokes from a person's by their timing.

A HID scanner in keyboard mode "types" each code, a few milliseconds per character, and presses
Enter at the end. A person types a key every 100 ms or more; even a fast typist's rolled keys
rarely come closer than 30 ms twice in a row. So keys are held back as they arrive: a run of at
least ``min_length`` keys, each within ``max_gap`` seconds of the one before, ended by Enter, is a
scan, and none of its keys reach the input field that has the focus. When the gap after a held
key passes with no next key, the run was typing, and its keys are handed back to be typed, in
order; a person sees each letter appear ``max_gap`` late, which is below what one notices.

This module holds the rule only, with the clock passed in, so it is tested without Qt; the Qt
event filter that feeds it is ``kiosk.ui.wedge.KeyboardWedge``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_MAX_GAP = 0.035
"""Seconds between keys that still count as a scanner (scanners: 1-15 ms; people: 80 ms+)."""

DEFAULT_MIN_LENGTH = 4
"""Keys a burst needs before its Enter makes it a scan (our shortest code is 18 characters)."""


@dataclass(frozen=True)
class Held(Generic[T]):
    """One key held back: its text and whatever the caller needs to replay it."""

    text: str
    item: T


class KeystrokeBurst(Generic[T]):
    """Holds keys while they come faster than a person types, and decides scan or typing."""

    def __init__(
        self, max_gap: float = DEFAULT_MAX_GAP, min_length: int = DEFAULT_MIN_LENGTH
    ) -> None:
        """Treat runs of ``min_length``+ keys at most ``max_gap`` seconds apart as scans."""
        if max_gap <= 0 or min_length < 1:
            raise ValueError("max_gap must be positive and min_length at least 1")
        self.max_gap = max_gap
        self.min_length = min_length
        self._held: list[Held[T]] = []
        self._last = 0.0

    @property
    def holding(self) -> bool:
        """Whether keys are held back now."""
        return bool(self._held)

    def key(self, text: str, item: T, now: float) -> list[T]:
        """A printable key arrived at ``now``; hold it.

        Returns the keys to type first: the held run, when this key came too late to belong to
        it (the run was a person typing).
        """
        replay = self.expire(now)
        self._held.append(Held(text, item))
        self._last = now
        return replay

    def enter(self, now: float) -> tuple[str | None, list[T]]:
        """Enter arrived at ``now``: ``(payload, [])`` for a scan, else ``(None, keys to type)``.

        When it is not a scan, the caller types the returned keys and then lets Enter through.
        """
        if len(self._held) >= self.min_length and now - self._last <= self.max_gap:
            payload = "".join(h.text for h in self._held)
            self._held = []
            return payload, []
        return None, self.flush()

    def expire(self, now: float) -> list[T]:
        """The keys to type now if the gap after the last held key has passed, else ``[]``."""
        if self._held and now - self._last > self.max_gap:
            return self.flush()
        return []

    def remaining(self, now: float) -> float:
        """Seconds until the held run expires (0 when nothing is held or it already has)."""
        if not self._held:
            return 0.0
        return max(0.0, self.max_gap - (now - self._last))

    def flush(self) -> list[T]:
        """Give up the held keys (to be typed), in order."""
        held, self._held = self._held, []
        return [h.item for h in held]

    def drop(self) -> None:
        """Forget the held keys without typing them (the terminal is shutting down)."""
        self._held = []
