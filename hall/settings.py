"""The hall's settings: one validated model read from ``HALL_`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import assets

DEFAULT_DATA_DIR = platformdirs.user_data_path("gov-kiosk-hall")
"""Where the hall keeps its database and signing key unless told otherwise."""


def _default_database_url(data: dict[str, Any]) -> str:
    data_dir = Path(data.get("data_dir", DEFAULT_DATA_DIR))
    return f"sqlite:///{data_dir / 'hall.db'}"


def _default_signing_key_path(data: dict[str, Any]) -> Path:
    return Path(data.get("data_dir", DEFAULT_DATA_DIR)) / "signing-key.pem"


class HallSettings(BaseSettings):
    """How one hall runs: database, certificate signing key, listening address, catalog.

    Every field can be set as ``HALL_<FIELD>`` in the environment, e.g. ``HALL_PORT=9000``.
    ``database_url`` and ``signing_key_path`` default to files inside ``data_dir``.
    """

    model_config = SettingsConfigDict(env_prefix="HALL_", extra="forbid")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(default_factory=_default_database_url)
    """A SQLAlchemy URL: ``sqlite:///path/hall.db`` (default) or ``postgresql+psycopg://...``."""
    signing_key_path: Path = Field(default_factory=_default_signing_key_path)
    """The Ed25519 private key (PKCS#8 PEM) that signs certificates; made 0600 when missing."""
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    """0 picks a free port (embedded use)."""
    catalog_dir: Path = assets.CATALOG_DIR
    timezone: str = "Asia/Shanghai"
    """The hall's local time zone: ages, certificate dates and ids are counted in it."""
    seed_demo_data: bool = False
    """Seed the demo residents at start (the terminal's demo and tests)."""
    dev: bool = False
    """Development (``HALL_DEV=1`` or ``serve --dev``): serve ``/docs`` and the OpenAPI JSON."""
