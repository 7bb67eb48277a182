"""The event kinds this hall takes: importing a module registers its kinds (``hall.events``).

One line per module that declares kinds with ``@events.handles``.
"""

from __future__ import annotations

import hall.collect
import hall.notify
import hall.ratings
import hall.tickets  # noqa: F401  (handoff_ticket)
