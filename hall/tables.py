"""Every table of the hall, for the code that needs the whole schema (migrations, their tests).

The tables live beside the code that owns them; importing this module imports them all onto
``Base.metadata``.
"""

from __future__ import annotations

from hall import event_kinds, events
from hall.db import Base

__all__ = ["Base", "event_kinds", "events"]
