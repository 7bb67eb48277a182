"""The repeat filter: a code held in front of a scanner counts once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RepeatFilter:
    """Says whether a scanned code is new, or the same code again within ``window`` seconds.

    The window slides: each sighting of a code restarts it, so a code held still in front of the
    camera (seen on every frame) is reported once, and again only after it has been away for
    ``window`` seconds. Several codes are tracked at once (two codes in one frame alternate).
    """

    def __init__(self, window: float = 3.0, clock: Callable[[], float] = time.monotonic) -> None:
        """Use ``clock`` (seconds, monotonic) for the window; tests pass their own."""
        if window < 0:
            raise ValueError("the repeat window cannot be negative")
        self.window = window
        self._clock = clock
        self._seen: dict[str, float] = {}
        # A scanner thread accepts while the GUI thread resets (a screen turns scanning on).
        self._lock = threading.Lock()

    def accept(self, code: str) -> bool:
        """Record a sighting of ``code``; ``True`` when it should be reported."""
        with self._lock:
            now = self._clock()
            # Forget codes not seen for a window, so the table stays as small as what is in view.
            self._seen = {c: t for c, t in self._seen.items() if now - t < self.window}
            fresh = code not in self._seen
            self._seen[code] = now
            return fresh

    def reset(self) -> None:
        """Forget every code: the next sighting of any code is reported."""
        with self._lock:
            self._seen.clear()
