"""Each hall module imports on its own, first, in a fresh interpreter (no import cycle hides)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "hall").rglob("*.py")
    if "migrations" not in path.parts and path.name != "__main__.py"
)


@pytest.mark.parametrize("chunk", [MODULES[i::4] for i in range(4)])
def test_every_hall_module_imports_first(chunk: list[str]) -> None:
    failed = []
    for module in chunk:
        run = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            failed.append(f"{module}: {run.stderr.strip().splitlines()[-1]}")
    assert not failed, failed
