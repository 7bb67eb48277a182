"""Shared builders for the kiosk service tests: the real catalog, a clean config environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets import load_catalog
from hall.schema import CatalogPublic


@pytest.fixture(scope="session")
def catalog() -> CatalogPublic:
    """The catalog the terminal ships with."""
    return load_catalog()


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ``KIOSK_`` variables and an empty config dir, so only what a test sets is read."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("KIOSK_"):
            monkeypatch.delenv(name)
    config_home = tmp_path / "xdg-config"
    config_home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    return config_home
