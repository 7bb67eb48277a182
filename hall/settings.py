"""The hall's settings: one validated model read from ``HALL_`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import assets
from hall.schema import HEARTBEAT_MAX_BYTES

DEFAULT_DATA_DIR = platformdirs.user_data_path("gov-kiosk-hall")
"""Where the hall keeps its database and signing key unless told otherwise."""


DEFAULT_POOL_SIZE = 40
"""Database connections per hall process: the size of the thread pool FastAPI runs requests on
(anyio's default), so no request waits for a connection while a thread is free."""


def _default_database_url(data: dict[str, Any]) -> str:
    data_dir = Path(data.get("data_dir", DEFAULT_DATA_DIR))
    return f"sqlite:///{data_dir / 'hall.db'}"


def _default_signing_key_path(data: dict[str, Any]) -> Path:
    return Path(data.get("data_dir", DEFAULT_DATA_DIR)) / "signing-key.pem"


def _default_data_key_path(data: dict[str, Any]) -> Path:
    return Path(data.get("data_dir", DEFAULT_DATA_DIR)) / "data-keys.json"


class HallSettings(BaseSettings):
    """How one hall runs: database, certificate signing key, listening address, catalog.

    Every field can be set as ``HALL_<FIELD>`` in the environment, e.g. ``HALL_PORT=9000``.
    ``database_url`` and ``signing_key_path`` default to files inside ``data_dir``.
    """

    model_config = SettingsConfigDict(env_prefix="HALL_", extra="forbid")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(default_factory=_default_database_url)
    """A SQLAlchemy URL: ``sqlite:///path/hall.db`` (default) or ``postgresql+psycopg://...``."""
    database_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=1000)
    """Connections the hall keeps to its database (per worker process)."""
    heartbeat_batch_interval_s: float = Field(default=0.02, ge=0, le=1)
    """The heartbeat batches of one worker start at least this far apart (while beats keep
    coming; a beat after a quiet spell starts its batch at once): a batch's statements and
    commit cost the same for one beat or twenty, so at a few hundred beats a second this
    halves the hall's CPU per beat for at most this much more latency."""
    submission_threads: int = Field(default=2, ge=1, le=64)
    """Threads that take submissions in (per worker process), apart from every other request's:
    a submission is about 10 ms of CPU, and a few at a time keep the cores busy, while dozens
    on FastAPI's pool of 40 only queue for the GIL in front of the heartbeats."""
    signing_key_path: Path = Field(default_factory=_default_signing_key_path)
    """The Ed25519 private key (PKCS#8 PEM) that signs certificates; made 0600 when missing."""
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    """0 picks a free port (embedded use)."""
    workers: int = Field(default=1, ge=1, le=64)
    """``kiosk-hall serve`` worker processes over the one database (nothing shared in memory)."""
    access_log: bool = False
    """One log line per request; off in production (a fleet's heartbeats would flood it)."""
    catalog_dir: Path = assets.CATALOG_DIR
    timezone: str = "Asia/Shanghai"
    """The hall's local time zone: ages, certificate dates and ids are counted in it."""
    seed_demo_data: bool = False
    """Seed the demo residents at start (the terminal's demo and tests)."""
    dev: bool = False
    """Development (``HALL_DEV=1`` or ``serve --dev``): serve ``/docs`` and the OpenAPI JSON."""

    # Limits and timeouts of the HTTP server (hall.limits, hall.server).
    max_submission_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    """Largest submission body (photos are base64 in it): 413 ``too_large`` above."""
    max_heartbeat_bytes: int = Field(default=HEARTBEAT_MAX_BYTES, ge=256)
    """Largest heartbeat body: 413 ``heartbeat_too_large`` above."""
    max_events_bytes: int = Field(default=1024 * 1024, ge=1024)
    """Largest batch of terminal events (``POST /api/v1/events``)."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """Largest body of any other request."""
    body_chunk_timeout_s: float = Field(default=10.0, gt=0)
    """A body that sends nothing for this long (or stops short of its Content-Length): 408."""
    body_total_timeout_s: float = Field(default=120.0, gt=0)
    """A body that takes longer than this as a whole: 408."""
    header_timeout_s: float = Field(default=10.0, gt=0)
    """A connection whose request line and headers are not complete in this time is closed."""
    keep_alive_timeout_s: float = Field(default=75.0, gt=0)
    """An idle keep-alive connection is closed after this long: longer than a terminal's beat
    interval, so a beat reuses its connection instead of a new handshake each time."""
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    """Largest request line and headers (uvicorn's h11 limit): 400 above."""
    rate_limit_requests: int = Field(default=6000, ge=1)
    """Signed requests one terminal may make per rate-limit window (all workers together); 429
    with ``Retry-After`` above. A terminal beats twice a minute, but an outbox catching up after
    an outage (or a terminal restarted in a loop, as the kill proofs do) sends in bursts: at 600
    a minute those proofs stalled. 100 a second still keeps one runaway or stolen key to a few
    per cent of what a 50,000-terminal fleet asks of the hall."""
    rate_limit_window_s: int = Field(default=60, ge=1)
    """The rate-limit window, seconds."""
    data_key_path: Path = Field(default_factory=_default_data_key_path)
    """The AES-256 data keys that seal personal data at rest (``hall.keys``); made 0600 when
    missing. Keep it apart from database backups: a backup without it holds no readable data."""

    # The public verification page (hall.public).
    public_base_url: str | None = Field(
        default=None, max_length=200, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$"
    )
    """Where phones reach this hall, e.g. ``https://zwfw.example.gov.cn``: certificate and receipt
    QR codes are URLs of its ``/verify`` page. Unset: ``http://host:port`` (a demo on loopback)."""

    def public_url(self) -> str:
        """The hall's public base URL, without a trailing slash."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.host}:{self.port}"
