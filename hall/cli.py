"""The ``kiosk-hall`` console script: serve the hall, or seed its demo data."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from hall.app import create_app
from hall.db import Database
from hall.seed import seed_demo_data
from hall.settings import HallSettings

logger = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-hall",
        description="The reference central hall for the self-service terminals. "
        "Settings come from HALL_* environment variables; options override them.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the hall's HTTP API (Ctrl-C stops it)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8765)")
    serve.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    serve.add_argument(
        "--seed-demo", action="store_true", help="seed the demo residents before serving"
    )
    seed = commands.add_parser("seed", help="create the tables and seed the demo residents")
    seed.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kiosk-hall``; returns the process exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    overrides: dict[str, object] = {}
    if args.database:
        overrides["database_url"] = args.database
    if args.command == "serve":
        if args.host:
            overrides["host"] = args.host
        if args.port is not None:
            overrides["port"] = args.port
        if args.seed_demo:
            overrides["seed_demo_data"] = True
    settings = HallSettings(**overrides)  # type: ignore[arg-type]
    if args.command == "seed":
        db = Database(settings.database_url)
        try:
            db.migrate()
            changed = seed_demo_data(db)
        finally:
            db.dispose()
        logger.info("demo residents seeded (%d rows changed)", changed)
        return 0
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0
