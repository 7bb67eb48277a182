"""The services and the configuration load without Qt (as the import-linter contracts also say)."""

from __future__ import annotations

import subprocess
import sys

MODULES = (
    "kiosk.services.session",
    "kiosk.services.journey",
    "kiosk.services.documents",
    "kiosk.services.scans",
    "kiosk.services.idle",
    "kiosk.services.nightly",
    "kiosk.config",
)


def test_services_do_not_import_pyside6() -> None:
    code = (
        f"import sys, {', '.join(MODULES)}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "assert 'kiosk.services.session' in sys.modules\n"
        "print(repr(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
