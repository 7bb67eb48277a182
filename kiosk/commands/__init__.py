"""Technician sub-commands of ``kiosk``, one module per device or area.

Each module exposes ``register(subparsers)``, which adds its parser(s) and sets ``func``. Modules
import their heavy dependencies (OCR models, Qt, OpenCV) inside the handler, so ``kiosk --help``
stays fast. ``kiosk.cli`` lists the modules in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(value: Any) -> None:
    """Write ``value`` as UTF-8 JSON (Chinese kept readable) and a newline to standard output."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
