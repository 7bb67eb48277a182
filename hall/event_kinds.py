"""The event kinds this hall takes: importing a module registers its kinds (``hall.events``).

One line per module that declares kinds with ``@events.handles``.
"""

from __future__ import annotations
