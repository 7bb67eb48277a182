"""The ``kiosk-hall`` console script: migrate the database, serve the hall, or seed demo data."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from hall.app import create_app
from hall.collect import seal_legacy_documents
from hall.db import Database
from hall.identity import IdentityService, UnknownTerminalError, parse_ttl
from hall.keys import DataKeyError, FileKeyProvider, Sealer, SigningKeyRing
from hall.registers import seal_legacy_registers
from hall.seed import seed_demo_data
from hall.server import server_options
from hall.service import count_rows_by_key, reseal_rows
from hall.settings import HallSettings
from hall.staff import InvalidStaffInputError, StaffExistsError, StaffService, check_name

logger = logging.getLogger(__name__)

EXIT_SCHEMA = 3
"""``kiosk-hall serve``'s exit status when the database is not migrated to this hall's schema."""


class _SchemaNotReady(Exception):
    """The database is not at the newest schema (or cannot be reached): the reason says which."""


@contextmanager
def _migrated_database(settings: HallSettings) -> Iterator[Database]:
    """The hall's database for a command, disposed after; ``_SchemaNotReady`` when unmigrated."""
    db = Database(settings.database_url)
    try:
        problem = db.schema_problem()
        if problem is not None:
            raise _SchemaNotReady(problem)
        yield db
    finally:
        db.dispose()


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
        "--seed-demo",
        action="store_true",
        help="a demo hall: migrate the database and seed the demo residents before serving",
    )
    serve.add_argument(
        "--workers", type=int, help="worker processes over the one database (default 1)"
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log a line per request (off by default)"
    )
    serve.add_argument(
        "--dev", action="store_true", help="development: serve /docs and /openapi.json"
    )
    code = commands.add_parser("enrol-code", help="print a one-time enrolment code for a terminal")
    code.add_argument("--kiosk-id", required=True, help="the terminal's id")
    code.add_argument("--site", help="where the terminal stands (free text)")
    code.add_argument("--ttl", default="24h", help="how long the code works (e.g. 30m, 24h, 7d)")
    code.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    terminals = commands.add_parser("terminals", help="list or revoke enrolled terminals")
    actions = terminals.add_subparsers(dest="terminals_command", required=True)
    listing = actions.add_parser("list", help="every enrolled terminal with its key id and state")
    listing.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    revoke = actions.add_parser("revoke", help="refuse this terminal from its next request on")
    revoke.add_argument("kiosk_id", metavar="ID")
    revoke.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    migrate = commands.add_parser(
        "migrate", help="bring an empty or older database to this hall's schema"
    )
    migrate.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    seed = commands.add_parser("seed", help="migrate the database and seed the demo residents")
    seed.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    keys = commands.add_parser("keys", help="the keys sealing personal data at rest")
    key_actions = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (
        ("list", "the data key ids, the current one marked, and the rows under each"),
        ("rotate", "make a new data key current, then reseal every row with it"),
        ("reseal", "seal plain rows and move rows under older data keys to the current one"),
        ("rotate-signing", "make a new certificate signing key current (old ones still verify)"),
    ):
        action = key_actions.add_parser(name, help=text)
        action.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    catalog = commands.add_parser("catalog", help="publish a new catalog version (no restart)")
    catalog_actions = catalog.add_subparsers(dest="catalog_command", required=True)
    publish = catalog_actions.add_parser(
        "publish", help="validate the catalog in DIR, sign it and serve it as the next release"
    )
    publish.add_argument("directory", metavar="DIR", help="a catalog folder (index.yaml, items)")
    publish.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    _release_parser(commands)
    staff = commands.add_parser("staff", help="staff accounts for the dashboard (/dashboard)")
    staff_actions = staff.add_subparsers(dest="staff_command", required=True)
    staff_add = staff_actions.add_parser("add", help="add an account (the password is asked for)")
    staff_add.add_argument("name", metavar="NAME")
    staff_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    staff_add.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    staff_pw = staff_actions.add_parser(
        "passwd", help="set an account's password (its sessions end)"
    )
    staff_pw.add_argument("name", metavar="NAME")
    staff_pw.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    staff_pw.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    staff_list = staff_actions.add_parser("list", help="every account's name")
    staff_list.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    screens = commands.add_parser(
        "demo-screens",
        help="a demo hall with sample data; PNG screenshots of the staff's pages into OUT",
    )
    screens.add_argument("out", metavar="OUT", help="folder for the PNG files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kiosk-hall``; returns the process exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    overrides: dict[str, object] = {}
    if getattr(args, "database", None):
        overrides["database_url"] = args.database
    if args.command == "serve":
        if args.host:
            overrides["host"] = args.host
        if args.port is not None:
            overrides["port"] = args.port
        if args.seed_demo:
            overrides["seed_demo_data"] = True
        if args.workers is not None:
            overrides["workers"] = args.workers
        if args.access_log:
            overrides["access_log"] = True
        if args.dev:
            overrides["dev"] = True
    settings = HallSettings(**overrides)  # type: ignore[arg-type]
    try:
        return _command(args, settings)
    except _SchemaNotReady as err:
        sys.stderr.write(f"kiosk-hall: {err}\n")
        return EXIT_SCHEMA


def _command(args: argparse.Namespace, settings: HallSettings) -> int:
    """Run the parsed command (``serve`` included) on ``settings``."""
    if args.command == "staff":
        return _staff_command(args, settings)
    if args.command == "demo-screens":
        from hall.web.screens import write_demo_screens

        return write_demo_screens(Path(args.out))
    if args.command in ("enrol-code", "terminals"):
        return _identity_command(args, settings)
    if args.command == "keys":
        return _keys_command(args, settings)
    if args.command == "catalog":
        return _catalog_command(args, settings)
    if args.command == "release":
        return _release_command(args, settings)
    if args.command in ("migrate", "seed"):
        return _migrate_and_seed(settings, seed=args.command == "seed")
    # A demo hall makes its own database; a production hall serves only a migrated one.
    demo = settings.seed_demo_data
    if not demo:
        db = Database(settings.database_url)
        try:
            problem = db.schema_problem()
        except SQLAlchemyError as err:
            problem = f"cannot reach the database ({type(err).__name__})"
        finally:
            db.dispose()
        if problem is not None:
            sys.stderr.write(f"kiosk-hall: cannot serve: {problem}\n")
            return EXIT_SCHEMA
    serve_options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": settings.access_log,
        **server_options(settings, importable=settings.workers > 1),
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings, migrate=demo), **serve_options)
        return 0
    # Separate processes: each builds its own app from the same settings, passed through the
    # environment. A demo hall's schema and data, and the signing key, are made once, here.
    if demo:
        _migrate_and_seed(settings, seed=True)
    # One data key file and one signing key ring, made here, not one per worker.
    SigningKeyRing.load_or_create(
        settings.signing_key_path, Sealer(FileKeyProvider.load_or_create(settings.data_key_path))
    )
    for name, value in settings.model_dump(exclude={"seed_demo_data"}).items():
        if value is None:
            os.environ.pop(f"HALL_{name.upper()}", None)  # unset stays unset (not "None")
        else:
            os.environ[f"HALL_{name.upper()}"] = str(value)
    os.environ["HALL_SEED_DEMO_DATA"] = "false"
    uvicorn.run(
        "hall.app:app_from_environment", factory=True, workers=settings.workers, **serve_options
    )
    return 0


def _identity_command(args: argparse.Namespace, settings: HallSettings) -> int:
    """``enrol-code``, ``terminals list`` and ``terminals revoke`` on the hall's database."""
    ttl = None
    if args.command == "enrol-code":
        try:
            ttl = parse_ttl(args.ttl)
        except ValueError as err:
            sys.stderr.write(f"kiosk-hall: {err}\n")
            return 2
    with _migrated_database(settings) as db:
        identity = IdentityService(db)
        if ttl is not None:
            sys.stdout.write(identity.create_code(args.kiosk_id, site=args.site, ttl=ttl) + "\n")
            return 0
        if args.terminals_command == "list":
            for t in identity.terminals():
                state = f"revoked {t.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if t.revoked_at else "active"
                site = t.site or "-"
                enrolled = f"{t.enrolled_at:%Y-%m-%dT%H:%M:%SZ}"
                sys.stdout.write(f"{t.kiosk_id}\t{t.key_id}\t{enrolled}\t{state}\t{site}\n")
            return 0
        try:
            identity.revoke(args.kiosk_id)
        except UnknownTerminalError as err:
            sys.stderr.write(f"kiosk-hall: {err}\n")
            return 1
        sys.stdout.write(f"terminal {args.kiosk_id} revoked\n")
        return 0


def _migrate_and_seed(settings: HallSettings, *, seed: bool) -> int:
    db = Database(settings.database_url)
    try:
        db.migrate()
        logger.info("database at schema revision %s", db.schema_revision())
        if seed:
            sealer = Sealer(FileKeyProvider.load_or_create(settings.data_key_path))
            seal_legacy_registers(db, sealer)
            seal_legacy_documents(db, sealer)
            changed = seed_demo_data(db, sealer)
            logger.info("demo residents seeded (%d rows changed)", changed)
    finally:
        db.dispose()
    return 0


def _catalog_command(args: argparse.Namespace, settings: HallSettings) -> int:
    """``catalog publish DIR``: every hall process serves the new release within seconds."""
    from hall.db import utc_now
    from hall.fleet.catalog import CatalogPublishError, publish

    directory = Path(args.directory)
    if not (directory / "index.yaml").is_file():
        sys.stderr.write(f"kiosk-hall: {directory} is not a catalog folder (no index.yaml)\n")
        return 2
    with _migrated_database(settings) as db:
        sealer = Sealer(FileKeyProvider.load_or_create(settings.data_key_path))
        key = SigningKeyRing.load_or_create(settings.signing_key_path, sealer).current
        try:
            metadata = publish(db, key, directory, now=utc_now())
        except (CatalogPublishError, ValueError, OSError) as err:
            sys.stderr.write(f"kiosk-hall: catalog not published: {err}\n")
            return 1
    signed = metadata.signed
    sys.stdout.write(
        f"published catalog {signed.catalog_version} as release {signed.release}, "
        f"signed by {metadata.kid}, expires {signed.expires:%Y-%m-%dT%H:%M:%SZ}\n"
    )
    return 0


def _release_parser(commands: Any) -> None:
    """``kiosk-hall release publish|list|pause|resume|halt|rollout``."""
    release = commands.add_parser(
        "release", help="publish app releases to terminals, staged; pause, halt, see outcomes"
    )
    actions = release.add_subparsers(dest="release_command", required=True)
    publish = actions.add_parser(
        "publish", help="store WHEEL as the next release with signed metadata and offer it"
    )
    publish.add_argument("wheel", metavar="WHEEL", help="gov_kiosk-<version>-py3-none-any.whl")
    publish.add_argument("--version", help="the release's version (default: the wheel's)")
    publish.add_argument(
        "--group", default="all", help="all (default) or site:<site>: which terminals get it"
    )
    publish.add_argument(
        "--percent", type=int, default=100, help="of the group's terminals (0-100, default 100)"
    )
    publish.add_argument(
        "--wheelhouse",
        metavar="DIR",
        help="the locked dependencies' files (pip download -r the wheel's lock -d DIR): "
        "terminals install from them with no package index",
    )
    listing = actions.add_parser(
        "list", help="every release: rollout, state, installed / failed / rolled back, running"
    )
    for name, text in (
        ("pause", "offer the release to no terminal until resumed"),
        ("resume", "offer a paused release again"),
        ("halt", "withdraw the release for good (publish a newer version to go on)"),
        ("rollout", "change the release's group or percentage"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("version", metavar="VERSION")
        if name == "rollout":
            action.add_argument("--group", help="all or site:<site>")
            action.add_argument("--percent", type=int, help="0-100")
        action.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    for action in (publish, listing):
        action.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")


def _release_command(args: argparse.Namespace, settings: HallSettings) -> int:
    """The ``release`` commands on the hall's database and its ``releases/`` folder."""
    from hall.db import utc_now
    from hall.fleet import releases

    with _migrated_database(settings) as db:
        command = args.release_command
        try:
            if command == "publish":
                wheel = Path(args.wheel)
                parts = wheel.name.split("-")
                version = args.version or (parts[1] if len(parts) > 2 else "")
                sealer = Sealer(FileKeyProvider.load_or_create(settings.data_key_path))
                key = SigningKeyRing.load_or_create(settings.signing_key_path, sealer).current
                targets = releases.publish(
                    db,
                    key,
                    releases.release_files_dir(settings.data_dir),
                    wheel,
                    version=version,
                    target=args.group,
                    percent=args.percent,
                    now=utc_now(),
                    wheelhouse=None if args.wheelhouse is None else Path(args.wheelhouse),
                )
                signed = targets.signed
                deps = ""
                if signed.wheelhouse:
                    size = sum(wheel.length for wheel in signed.wheelhouse)
                    deps = f", with {len(signed.wheelhouse)} wheelhouse files ({size} bytes)"
                sys.stdout.write(
                    f"published release {signed.version} as number {signed.release} to "
                    f"{args.group} at {args.percent}%: {signed.length} bytes, sha256 "
                    f"{signed.sha256}{deps}, signed by {targets.kid}\n"
                )
                return 0
            if command == "list":
                with db.read() as session:
                    rows = releases.summaries(session)
                sys.stdout.write(
                    "release\tversion\tstate\tgroup\tpercent\tinstalled\tfailed\t"
                    "rolled_back\trunning\n"
                )
                for entry in rows:
                    c = entry.counts
                    sys.stdout.write(
                        f"{entry.release}\t{entry.version}\t{entry.state}\t{entry.target}\t"
                        f"{entry.percent}\t{c['installed']}\t{c['failed']}\t"
                        f"{c['rolled_back']}\t{entry.running}\n"
                    )
                return 0
            state = {"pause": "paused", "resume": "active", "halt": "halted"}.get(command)
            row = releases.change(
                db,
                args.version,
                now=utc_now(),
                state=state,
                target=getattr(args, "group", None),
                percent=getattr(args, "percent", None),
            )
        except (releases.ReleaseError, OSError) as err:
            sys.stderr.write(f"kiosk-hall: release: {err}\n")
            return 1
        sys.stdout.write(f"release {row.version}: {row.state}, {row.target} at {row.percent}%\n")
        return 0


def _keys_command(args: argparse.Namespace, settings: HallSettings) -> int:
    """``keys list``, ``keys rotate`` and ``keys reseal`` over the data key file and database.

    A serving hall reads the key file at start: after ``rotate``, restart it so that it seals
    new rows with the new key (until then it keeps the old one, which stays in the file).
    """
    try:
        provider = FileKeyProvider.load_or_create(settings.data_key_path)
    except DataKeyError as err:
        sys.stderr.write(f"kiosk-hall: {err}\n")
        return 1
    with _migrated_database(settings) as db:
        sealer = Sealer(provider)
        if args.keys_command == "list":
            counts = count_rows_by_key(db)
            for kid in provider.kids():
                mark = "current" if kid == provider.current_kid else "old"
                sys.stdout.write(f"{kid}\t{mark}\t{counts.pop(kid, 0)} rows\n")
            plain = counts.pop(None, 0)
            for kid, count in sorted((str(k), n) for k, n in counts.items()):
                sys.stdout.write(f"{kid}\tmissing\t{count} rows\n")  # not in the key file
            if plain:
                sys.stdout.write(f"-\tplain\t{plain} rows (kiosk-hall keys reseal)\n")
            return 0
        if args.keys_command == "rotate-signing":
            ring = SigningKeyRing.load_or_create(settings.signing_key_path, sealer)
            kid = ring.rotate()
            sys.stdout.write(f"signing key {kid} is current; restart the hall to sign with it\n")
            return 0
        if args.keys_command == "rotate":
            kid = provider.rotate()
            sys.stdout.write(f"data key {kid} is current\n")
        SigningKeyRing.load_or_create(settings.signing_key_path, sealer).reseal()
        written = seal_legacy_registers(db, sealer) + seal_legacy_documents(db, sealer)
        written += reseal_rows(db, sealer)
        sys.stdout.write(f"{written} rows resealed with {provider.current_kid}\n")
        return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidStaffInputError("the two passwords differ")
    return first


def _staff_command(args: argparse.Namespace, settings: HallSettings) -> int:
    """``staff add``, ``staff passwd`` and ``staff list`` on the hall's database."""
    with _migrated_database(settings) as db:
        service = StaffService(db)
        if args.staff_command == "list":
            for name in service.names():
                sys.stdout.write(name + "\n")
            return 0
        try:
            check_name(args.name)
            password = _read_password(args.password_stdin)
            if args.staff_command == "add":
                service.add(args.name, password)
                sys.stdout.write(f"staff account {args.name} added\n")
            else:
                service.set_password(args.name, password)
                sys.stdout.write(f"password of {args.name} changed\n")
        except (InvalidStaffInputError, StaffExistsError) as err:
            sys.stderr.write(f"kiosk-hall: {err}\n")
            return 1
        return 0
