"""Signed app updates pulled from the hall: check, download and stage; apply; report the outcome.

Three steps, each callable off the UI thread, none during a citizen's session:

1. :meth:`Updater.check_and_stage` asks the hall (``GET /api/v1/releases/offer``, signed like
   every request), checks the signed timestamp and targets with the hall keys pinned at
   enrolment (``hall.schema.verify_release_offer``: signature, this terminal's id, expiry, no
   replay, version newer than the one running), downloads the file to the data disk while
   counting its length and hashing it, and keeps it in ``<data_dir>/updates/staged/`` with its
   signed targets. A release published with a wheelhouse also names its locked dependencies'
   files: those not yet in ``updates/wheelhouse/`` are downloaded and checked the same way (the
   folder keeps the files of the release staged last, so the next one fetches only what
   changed). It first reports any earlier outcome to the hall.
2. :meth:`Updater.apply` hands the staged release over to the installer: by default it writes
   ``updates/apply.json``, which starts ``kiosk-update.service`` (root, through
   ``kiosk-update.path``); that runs ``kiosk update apply-staged``, i.e. :func:`apply_staged`:
   the signed targets and the file checked again, then ``deploy/install.sh --wheel FILE
   --self-test`` (side by side, switch, restart, self-test, roll back by itself), and the
   outcome in ``updates/result.json``.
3. The app, whichever version runs after that, reports ``result.json`` to the hall
   (``POST /api/v1/releases/reports``) at its next check (:meth:`Updater.report_outcomes`).

The high-water marks (the newest release number and timestamp accepted) live in
``updates/state.json``, so replayed old metadata is refused after a restart too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import errno
import functools
import hashlib
import json
import logging
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hall.schema import (
    ReleaseMetadataError,
    ReleaseOfferPublic,
    ReleaseOutcome,
    ReleaseReportCreate,
    ReleaseTargetsPublic,
    ReleaseTargetsSigned,
    ReleaseWheel,
    release_file_digest,
    release_version_key,
    verify_release_offer,
    verify_release_targets,
)
from offline_cache.errors import CacheError, HallRejectedError, HallUnavailableError
from offline_cache.hall_client import HallClient
from offline_cache.identity import RECORD_FILE

log = logging.getLogger(__name__)

UPDATES_DIR = "updates"
"""The folder under the terminal's data directory that holds everything of this module."""
STATE_FILE = "state.json"
STAGED_DIR = "staged"
STAGED_FILE = "staged.json"
WHEELHOUSE_DIR = "wheelhouse"
"""Under ``updates/``: the wheelhouse files of the release staged last, kept between releases."""
APPLY_FILE = "apply.json"
"""Written by :meth:`Updater.apply`; ``kiosk-update.path`` starts the root installer on it."""
RESULT_FILE = "result.json"
RESERVE_BYTES = 64 * 1024 * 1024
"""Free space left on the data disk after a download: the outbox must still have room."""
EXIT_ROLLED_BACK = 4
"""``deploy/install.sh``'s exit status when the new release was switched to and then back."""


class UpdateError(CacheError):
    """An update step failed; the message says why (for the log, the hall and the technician)."""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpdateState(_File):
    """The high-water marks of the metadata accepted: never go below them."""

    seen_release: int | None = Field(default=None, ge=1)
    seen_issued_at: dt.datetime | None = None


class StagedFile(_File):
    """``staged.json``: the signed targets of the downloaded file, and when it was staged."""

    targets: ReleaseTargetsPublic
    staged_at: dt.datetime


class ResultFile(_File):
    """``result.json``: what the installer did with a staged release."""

    version: str = Field(max_length=64)
    outcome: ReleaseOutcome
    detail: str = Field(default="", max_length=200)
    at: dt.datetime


@dataclass(frozen=True)
class StagedRelease:
    """A verified release file on the data disk, waiting to be applied."""

    targets: ReleaseTargetsPublic
    path: Path
    staged_at: dt.datetime

    @property
    def version(self) -> str:
        """The release's version."""
        return self.targets.signed.version

    @property
    def wheelhouse(self) -> Path | None:
        """The folder of its wheelhouse files (``None``: the release names none)."""
        if not self.targets.signed.wheelhouse:
            return None
        return self.path.parent.parent / WHEELHOUSE_DIR


@dataclass(frozen=True)
class UpdateCheck:
    """What one :meth:`Updater.check_and_stage` found.

    ``outcome``: ``none`` (nothing offered to this terminal), ``staged`` (a release is on disk,
    ready for :meth:`Updater.apply`), ``refused`` (metadata or file refused: ``reason``),
    ``unreachable`` (the hall could not be asked; try later).
    """

    outcome: Literal["none", "staged", "refused", "unreachable"]
    version: str | None = None
    reason: str = ""


class Installer(Protocol):
    """Takes a staged release over (the root side installs it)."""

    def hand_over(self, staged: StagedRelease) -> None:
        """Start the installation of ``staged``; returns once it is handed over."""


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` whole or not at all (temp file, fsync, rename, fsync of the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class RequestFileInstaller:
    """Hand over by writing ``apply.json``: ``kiosk-update.path`` starts the root installer.

    The app runs as the ``kiosk`` user inside ``kiosk.service``, which the installation
    restarts: the installer must run outside it, as root, and that is systemd's job.
    """

    def __init__(self, directory: Path) -> None:
        self._path = Path(directory) / APPLY_FILE

    def hand_over(self, staged: StagedRelease) -> None:
        """Write the request naming the staged version."""
        body = {"version": staged.version, "file_name": staged.targets.signed.file_name}
        _write_atomic(self._path, json.dumps(body).encode())
        log.info("update %s handed over to kiosk-update.service", staged.version)


def pinned_hall_keys(identity_directory: Path) -> dict[str, bytes]:
    """The hall keys pinned at enrolment, read from ``enrolment.json`` alone.

    For the root side, which must not touch (or make) the terminal's private key. Raises
    :class:`UpdateError` when the terminal is not enrolled or the record is unreadable.
    """
    path = Path(identity_directory) / RECORD_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(kid): base64.b64decode(raw, validate=True)
            for kid, raw in record["hall_keys"].items()
        }
    except FileNotFoundError:
        raise UpdateError(f"this terminal is not enrolled (no {path})") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error) as err:
        raise UpdateError(f"the enrolment record {path} is unreadable") from err


def load_staged(directory: Path) -> StagedRelease | None:
    """The staged release in ``directory`` (``updates/``), or ``None`` (also when unreadable)."""
    staged_dir = Path(directory) / STAGED_DIR
    try:
        record = StagedFile.model_validate_json((staged_dir / STAGED_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as err:
        log.warning("the staged update record is unreadable (%s): dropped", type(err).__name__)
        return None
    path = staged_dir / record.targets.signed.file_name
    if not path.is_file():
        return None
    return StagedRelease(targets=record.targets, path=path, staged_at=record.staged_at)


def discard_staged(directory: Path) -> None:
    """Remove whatever is staged (a halted release, a bad file, one installed)."""
    shutil.rmtree(Path(directory) / STAGED_DIR, ignore_errors=True)


def _holds(folder: Path, wheel: ReleaseWheel) -> bool:
    """Whether ``folder`` has this wheelhouse file already, whole and the signed one."""
    path = folder / wheel.file_name
    try:
        return path.stat().st_size == wheel.length and release_file_digest(path)[1] == wheel.sha256
    except OSError:
        return False


def verify_staged(
    directory: Path,
    keys: Mapping[str, bytes],
    *,
    running_version: str,
    staged: StagedRelease | None = None,
) -> StagedRelease:
    """Check the staged release again before installing it (the root side trusts no file).

    The targets' signature with the pinned keys, a version newer than ``running_version``, and
    each file's length and SHA-256 (the release's and its wheelhouse's). ``staged``: the
    release to check (default: the one staged in ``directory``). Raises :class:`UpdateError`
    naming what failed.
    """
    if staged is None:
        staged = load_staged(directory)
    if staged is None:
        raise UpdateError("nothing staged")
    try:
        signed = verify_release_targets(
            staged.targets, keys, running_version=running_version, seen_release=None
        )
    except ReleaseMetadataError as err:
        raise UpdateError(str(err)) from None
    _check_file(staged.path, signed.file_name, signed.length, signed.sha256)
    folder = staged.wheelhouse
    for wheel in signed.wheelhouse:
        assert folder is not None
        _check_file(folder / wheel.file_name, wheel.file_name, wheel.length, wheel.sha256)
    return staged


def _check_file(path: Path, name: str, signed_length: int, signed_sha256: str) -> None:
    try:
        length, sha256 = release_file_digest(path)
    except FileNotFoundError:
        raise UpdateError(f"{name}: missing") from None
    if length != signed_length:
        raise UpdateError(f"{name}: {length} bytes, signed {signed_length}")
    if sha256 != signed_sha256:
        raise UpdateError(f"{name}: SHA-256 is not the signed one")


@contextlib.contextmanager
def private_copy(staged: StagedRelease, work_dir: Path | None = None) -> Iterator[StagedRelease]:
    """The staged files copied into a new folder only root can write (removed afterwards).

    The copies are what gets checked and installed: the ``kiosk`` user owns ``updates/`` and
    could change a file there after the check. ``work_dir``: where the folder is made (default
    the system's temporary folder; ``kiosk-update.service`` runs as root).
    """
    folder = Path(tempfile.mkdtemp(prefix="kiosk-update-", dir=work_dir))  # mode 0700
    try:
        signed = staged.targets.signed
        staged_dir = folder / STAGED_DIR
        staged_dir.mkdir()
        wheels = folder / WHEELHOUSE_DIR
        files = [(staged.path, staged_dir / signed.file_name, signed.length)]
        files += [
            (
                staged.path.parent.parent / WHEELHOUSE_DIR / w.file_name,
                wheels / w.file_name,
                w.length,
            )
            for w in signed.wheelhouse
        ]
        for source, target, length in files:
            target.parent.mkdir(exist_ok=True)
            _copy_regular(source, target, length)
        yield StagedRelease(
            targets=staged.targets, path=staged_dir / signed.file_name, staged_at=staged.staged_at
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_regular(source: Path, target: Path, signed_length: int) -> None:
    """Copy a plain file's bytes, at most one past its signed length (then the check refuses it).

    A link is not followed and anything but a regular file is refused: the ``kiosk`` user could
    point one at a device that never ends, or at a file that changes after the check.
    """
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UpdateError(f"{source.name}: missing") from None
    except OSError as err:
        what = "a link" if err.errno == errno.ELOOP else err.strerror
        raise UpdateError(f"{source.name}: not a plain file ({what})") from None
    with os.fdopen(fd, "rb") as inp:
        if not stat.S_ISREG(os.fstat(inp.fileno()).st_mode):
            raise UpdateError(f"{source.name}: not a plain file")
        with target.open("wb") as out:
            left = signed_length + 1
            while left > 0 and (chunk := inp.read(min(1 << 20, left))):
                out.write(chunk)
                left -= len(chunk)


class ScriptInstaller:
    """Install with ``deploy/install.sh --wheel FILE --self-test`` and read its exit status.

    0: installed and running; :data:`EXIT_ROLLED_BACK`: switched to and back (no READY, or
    the self-test failed); anything else: not installed, the running release untouched.
    """

    def __init__(
        self, script: Path, *, env: Mapping[str, str] | None = None, timeout_s: float = 1800.0
    ) -> None:
        self._script = Path(script)
        self._env = None if env is None else dict(env)
        self._timeout_s = timeout_s

    def install(
        self, wheel: Path, version: str, wheelhouse: Path | None = None
    ) -> tuple[ReleaseOutcome, str]:
        """Run the script; returns the outcome and the reason it gave (its last error line).

        ``wheelhouse``: install the dependencies from that folder alone (no package index).
        """
        command = ["bash", str(self._script), "install", "--wheel", str(wheel)]
        if wheelhouse is not None:
            command += ["--wheelhouse", str(wheelhouse)]
        command += ["--version", version, "--self-test"]
        try:
            done = subprocess.run(
                command,
                env=self._env,
                capture_output=True,
                text=True,
                timeout=self._timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "failed", f"install.sh took longer than {self._timeout_s:.0f} s"
        except OSError as err:
            return "failed", f"install.sh could not run: {err.strerror}"
        for line in (done.stdout + done.stderr).splitlines():
            log.info("%s", line)  # kiosk-update.service's journal keeps what install.sh did
        lines = [line for line in (done.stderr + "\n" + done.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if "error:" in line] or lines
        last = errors[-1] if errors else ""
        detail = last.removeprefix("install.sh: ").removeprefix("error: ")[:200]
        if done.returncode == 0:
            return "installed", ""
        if done.returncode == EXIT_ROLLED_BACK:
            return "rolled_back", detail
        return "failed", detail or f"install.sh exited {done.returncode}"


def apply_staged(
    directory: Path,
    keys: Mapping[str, bytes],
    *,
    running_version: str,
    installer: ScriptInstaller,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    work_dir: Path | None = None,
) -> ResultFile:
    """The root side: copy the staged release aside, verify the copy, install it, report.

    The outcome goes to ``result.json``. The copy (:func:`private_copy`) is made in
    ``work_dir``.

    The request file is consumed first (so ``kiosk-update.path`` does not start it again) and
    the staged files are removed at the end, whatever the outcome.
    """
    directory = Path(directory)
    (directory / APPLY_FILE).unlink(missing_ok=True)
    staged = load_staged(directory)
    version = "0" if staged is None else staged.version
    try:
        if staged is None:
            raise UpdateError("nothing staged")
        with private_copy(staged, work_dir) as copy:
            checked = verify_staged(
                copy.path.parent.parent, keys, running_version=running_version, staged=copy
            )
            log.info("installing release %s", checked.version)
            outcome, detail = installer.install(checked.path, checked.version, checked.wheelhouse)
        result = ResultFile(version=checked.version, outcome=outcome, detail=detail, at=clock())
    except (UpdateError, OSError) as err:
        result = ResultFile(version=version, outcome="failed", detail=str(err)[:200], at=clock())
    if staged is not None or result.detail != "nothing staged":
        _write_atomic(directory / RESULT_FILE, result.model_dump_json().encode())
    discard_staged(directory)
    log.log(
        logging.INFO if result.outcome == "installed" else logging.ERROR,
        "release %s: %s %s",
        result.version,
        result.outcome,
        result.detail,
    )
    return result


class Updater:
    """The terminal's update check (see the module docstring); blocking: call off the UI thread.

    ``keys`` gives the hall keys pinned at enrolment; ``running_version`` is this app's version;
    ``installer`` takes staged releases over (default: :class:`RequestFileInstaller`).
    """

    def __init__(
        self,
        directory: Path,
        client: HallClient,
        *,
        kiosk_id: str,
        keys: Callable[[], Mapping[str, bytes]],
        running_version: str,
        installer: Installer | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        reserve_bytes: int = RESERVE_BYTES,
    ) -> None:
        self._dir = Path(directory)
        self._client = client
        self._kiosk_id = kiosk_id
        self._keys = keys
        self._running = running_version
        self._installer = installer or RequestFileInstaller(self._dir)
        self._clock = clock
        self._reserve = reserve_bytes
        self._lock = threading.Lock()
        self.problem = ""
        """Why the last check refused the hall's metadata or file ("" when it did not)."""

    @property
    def directory(self) -> Path:
        """The ``updates/`` folder."""
        return self._dir

    @property
    def staged(self) -> StagedRelease | None:
        """The release waiting to be applied, if any."""
        return load_staged(self._dir)

    def state(self) -> UpdateState:
        """The high-water marks (empty when none were saved, or the file is unreadable)."""
        try:
            return UpdateState.model_validate_json((self._dir / STATE_FILE).read_bytes())
        except FileNotFoundError:
            return UpdateState()
        except (OSError, ValidationError):
            log.warning("updates/%s is unreadable: starting from no high-water mark", STATE_FILE)
            return UpdateState()

    def _save_state(self, state: UpdateState) -> None:
        _write_atomic(self._dir / STATE_FILE, state.model_dump_json().encode(), 0o600)

    # --- 1. check and stage ------------------------------------------------------------------

    def check_and_stage(self, cancel: threading.Event | None = None) -> UpdateCheck:
        """Report earlier outcomes, ask the hall, verify, download and stage (see the module).

        Never raises for the hall or the metadata: the answer says what happened. ``cancel``
        stops a download between chunks (then ``unreachable``, "cancelled").
        """
        with self._lock:
            self.report_outcomes()
            try:
                offer = self._client.release_offer()
            except HallRejectedError as err:
                return UpdateCheck("unreachable", reason=f"the hall refused: {err.code}")
            except HallUnavailableError as err:
                return UpdateCheck("unreachable", reason=str(err))
            state = self.state()
            try:
                signed = verify_release_offer(
                    offer,
                    self._keys(),
                    kiosk_id=self._kiosk_id,
                    now=self._clock(),
                    running_version=self._running,
                    seen_release=state.seen_release,
                    seen_issued_at=state.seen_issued_at,
                )
            except ReleaseMetadataError as err:
                return self._refuse(str(err))
            try:
                return self._stage(offer, signed, state, cancel)
            except OSError as err:  # the data disk: full, read-only, gone
                return self._refuse(f"cannot keep the update in {self._dir}: {err.strerror}")

    def _stage(
        self,
        offer: ReleaseOfferPublic,
        signed: ReleaseTargetsSigned | None,
        state: UpdateState,
        cancel: threading.Event | None,
    ) -> UpdateCheck:
        seen = [r for r in (state.seen_release, signed and signed.release) if r]
        issued = [t for t in (state.seen_issued_at, offer.timestamp.signed.issued_at) if t]
        self._save_state(
            UpdateState(seen_release=max(seen, default=None), seen_issued_at=max(issued))
        )
        held = self.staged
        if signed is None or offer.targets is None or self._runs(signed.version):
            if held is not None:
                log.info("release %s is no longer offered: staged copy dropped", held.version)
                discard_staged(self._dir)
            self.problem = ""
            # Offered the version that runs: up to date (right after an install, for one).
            return UpdateCheck("none", version=None if signed is None else signed.version)
        if held is not None and held.targets == offer.targets:
            self.problem = ""
            return UpdateCheck("staged", version=held.version)
        discard_staged(self._dir)
        return self._download(offer.targets, cancel)

    def _runs(self, version: str) -> bool:
        """Whether ``version`` is the one running (``0.3`` is ``0.3.0``)."""
        try:
            return release_version_key(version) == release_version_key(self._running)
        except ValueError:
            return False

    def _refuse(self, reason: str, *, version: str | None = None) -> UpdateCheck:
        self.problem = reason[:200]
        log.error("update refused: %s", reason)
        return UpdateCheck("refused", version=version, reason=reason)

    def _download(
        self, targets: ReleaseTargetsPublic, cancel: threading.Event | None
    ) -> UpdateCheck:
        signed = targets.signed
        staged_dir = self._dir / STAGED_DIR
        staged_dir.mkdir(parents=True, exist_ok=True)
        wheelhouse = self._dir / WHEELHOUSE_DIR
        missing = [wheel for wheel in signed.wheelhouse if not _holds(wheelhouse, wheel)]
        needed = signed.length + sum(wheel.length for wheel in missing)
        free = shutil.disk_usage(staged_dir).free
        if free < needed + self._reserve:
            return self._refuse(
                f"release {signed.version}: {needed} bytes to download, {free} free "
                f"(keeping {self._reserve} for the outbox)",
                version=signed.version,
            )
        # The wheelhouse first (kept even if the release file then fails: the next try resumes
        # with what is already here), the release file last: staged means complete.
        files: list[tuple[Path, str, int, str, Callable[[], Iterable[bytes]]]] = [
            (
                wheelhouse,
                wheel.file_name,
                wheel.length,
                wheel.sha256,
                functools.partial(
                    self._client.release_wheel_chunks, signed.version, wheel.file_name
                ),
            )
            for wheel in missing
        ]
        files.append(
            (
                staged_dir,
                signed.file_name,
                signed.length,
                signed.sha256,
                functools.partial(self._client.release_chunks, signed.version),
            )
        )
        for folder, name, length, sha256, chunks in files:
            failed = self._fetch(signed.version, folder, name, length, sha256, chunks, cancel)
            if failed is not None:
                return failed
        kept = {wheel.file_name for wheel in signed.wheelhouse}
        for old in wheelhouse.iterdir() if wheelhouse.is_dir() else ():
            if old.name not in kept:
                old.unlink(missing_ok=True)  # an earlier release's, or a partial one
        record = StagedFile(targets=targets, staged_at=self._clock())
        _write_atomic(staged_dir / STAGED_FILE, record.model_dump_json().encode())
        self.problem = ""
        log.info(
            "release %s downloaded, verified and staged (%d of %d wheelhouse files fetched)",
            signed.version,
            len(missing),
            len(signed.wheelhouse),
        )
        return UpdateCheck("staged", version=signed.version)

    def _fetch(
        self,
        version: str,
        folder: Path,
        name: str,
        signed_length: int,
        signed_sha256: str,
        chunks: Callable[[], Iterable[bytes]],
        cancel: threading.Event | None,
    ) -> UpdateCheck | None:
        """Download one file into ``folder``, checked against its signed length and hash.

        ``None`` when it is there, else the check's answer (unreachable or refused).
        """
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.partial"
        digest = hashlib.sha256()
        length = 0
        try:
            with partial.open("wb") as out:
                for chunk in chunks():
                    if cancel is not None and cancel.is_set():
                        raise HallUnavailableError("download cancelled")
                    length += len(chunk)
                    if length > signed_length:
                        # Stop at once: a hall or mirror sending endless bytes fills no disk.
                        break
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except (HallUnavailableError, HallRejectedError) as err:
            partial.unlink(missing_ok=True)
            return UpdateCheck("unreachable", version=version, reason=str(err))
        except OSError as err:
            partial.unlink(missing_ok=True)
            return self._refuse(
                f"release {version}: cannot write the download ({err.strerror})",
                version=version,
            )
        reason = ""
        if length != signed_length:
            reason = f"{'more' if length > signed_length else length} bytes, signed {signed_length}"
        elif digest.hexdigest() != signed_sha256:
            reason = "SHA-256 is not the signed one"
        if reason:
            partial.unlink(missing_ok=True)
            why = f"release {version}: the downloaded {name}: {reason}"
            self._report(version, "failed", why)
            return self._refuse(why, version=version)
        os.replace(partial, folder / name)
        return None

    # --- 2. apply ----------------------------------------------------------------------------

    def apply(self, *, in_session: Callable[[], bool] = lambda: False) -> bool:
        """Hand the staged release over to the installer; ``False`` when nothing was handed over.

        Refused while ``in_session()`` says a citizen is at the terminal. The installation
        restarts the app: call it from the maintenance window.
        """
        with self._lock:
            staged = self.staged
            if staged is None:
                return False
            if in_session():
                log.info("update %s waits: a citizen is in a session", staged.version)
                return False
            self._installer.hand_over(staged)
            return True

    def handover_state(self) -> Literal["none", "waiting", "installing", "finished"]:
        """Where a hand-over stands.

        ``waiting`` for ``kiosk-update.service`` to take the request, ``installing`` (taken, no
        outcome yet: the installer restarts the app when it succeeds or rolls back),
        ``finished`` (an outcome is written and this app still runs: the install failed before
        it switched), or ``none``.
        """
        if (self._dir / RESULT_FILE).exists():
            return "finished"
        if (self._dir / APPLY_FILE).exists():
            return "waiting"
        return "installing" if self.staged is not None else "none"

    def withdraw(self) -> None:
        """Take back a request nobody took (no ``kiosk-update.path`` here): it stays staged."""
        (self._dir / APPLY_FILE).unlink(missing_ok=True)

    # --- 3. report ---------------------------------------------------------------------------

    def report_outcomes(self) -> bool:
        """Send ``result.json`` to the hall, then remove it; ``True`` when one was reported.

        An ``installed`` result read by an app that runs another version means the release
        did not stay (switched back after the install): it is reported as ``rolled_back``.
        """
        path = self._dir / RESULT_FILE
        try:
            result = ResultFile.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return False
        except (OSError, ValidationError) as err:
            log.warning("updates/%s unreadable (%s): dropped", RESULT_FILE, type(err).__name__)
            with contextlib.suppress(OSError):
                path.unlink()
            return False
        outcome, detail = result.outcome, result.detail
        if outcome == "installed" and result.version != self._running:
            outcome, detail = "rolled_back", f"installed, but {self._running} runs"
        if not self._report(result.version, outcome, detail):
            return False
        with contextlib.suppress(OSError):
            path.unlink()
        return True

    def _report(self, version: str, outcome: ReleaseOutcome, detail: str) -> bool:
        report = ReleaseReportCreate(
            kiosk_id=self._kiosk_id,
            version=version,
            outcome=outcome,
            detail=detail[:200],
            running_version=self._running[:64],
            at=self._clock(),
        )
        try:
            self._client.report_release(report)
        except (HallUnavailableError, HallRejectedError) as err:
            log.info("release %s %s: not reported yet (%s)", version, outcome, err)
            return False
        log.info("reported release %s %s to the hall", version, outcome)
        return True
