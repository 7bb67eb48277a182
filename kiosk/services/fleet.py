"""What of the hall's desired configuration a running terminal applies, and how (no Qt).

At run time: the idle warning and countdown, the decision wait, the language a new session starts
in, and the items offered. Printer settings are read when the drivers are built: those are
reported back to the hall as not applied, never claimed.
"""

from __future__ import annotations

from collections.abc import Callable

from hall.schema import CatalogPublic, DesiredConfig
from kiosk.config import KioskSettings

RUN_TIME_FIELDS = frozenset(
    {"idle_warning_s", "idle_countdown_s", "decision_wait_s", "language", "enabled_items"}
)
RESTART_EXIT_CODE = 75
"""``kiosk run`` ends with this status for a ``restart`` command, and starts itself again."""


def not_applied(config: DesiredConfig) -> str:
    """What the terminal cannot apply while running ("" when it can apply everything set)."""
    fields = sorted(name for name in config.model_fields_set if name not in RUN_TIME_FIELDS)
    fields = [name for name in fields if getattr(config, name) is not None]
    return "not applied at run time: " + ", ".join(fields) if fields else ""


def apply_to_settings(settings: KioskSettings, config: DesiredConfig) -> None:
    """Set the run-time fields of ``config`` on the terminal's settings (GUI thread only)."""
    terminal = settings.terminal
    for name in ("idle_warning_s", "idle_countdown_s", "decision_wait_s", "language"):
        value = getattr(config, name)
        if value is not None:
            setattr(terminal, name, value)


class OfferedCatalog:
    """The catalog as offered: only the items the hall enabled (``None``: all of them)."""

    def __init__(self, source: Callable[[], CatalogPublic]) -> None:
        """Offer from ``source`` (the catalog store)."""
        self._source = source
        self.enabled: frozenset[str] | None = None

    def __call__(self) -> CatalogPublic:
        """The catalog with the items not enabled left out."""
        catalog = self._source()
        enabled = self.enabled
        if enabled is None:
            return catalog
        items = [item for item in catalog.items if item.id in enabled]
        return catalog.model_copy(update={"items": items})
