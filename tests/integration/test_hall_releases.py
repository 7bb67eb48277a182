"""App releases through the real hall (SQLite and PostgreSQL) and the terminal's ``Updater`` over
signed loopback HTTP: publication by ``kiosk-hall release``, staged rollout by group and
percentage, pause and halt, downloads checked for length and hash, refusals with their reasons,
and the per-release counts of what terminals reported."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from hall.cli import main
from hall.fleet import releases
from hall.fleet.releases import rollout_bucket
from hall.schema import ReleaseOfferPublic, ReleaseReportCreate
from offline_cache.errors import HallRejectedError
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity, enrol
from offline_cache.updates import (
    RESULT_FILE,
    ResultFile,
    Updater,
    load_staged,
)
from tests.fixtures.browser import StaffAccount
from tests.fixtures.hall import HallUnderTest
from tests.integration.test_dashboard_pages import _log_in


def make_wheel(
    folder: Path, version: str, payload: bytes = b"", *, deploy: dict[str, str] | None = None
) -> Path:
    """A wheel of gov-kiosk ``version`` as pip names and builds one (METADATA inside), with
    ``deploy`` files in its data as the project's build puts its deploy/ folder there."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"gov_kiosk-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(
            f"gov_kiosk-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: gov-kiosk\nVersion: {version}\n",
        )
        wheel.writestr("kiosk/_release_payload.bin", payload or version.encode() * 1000)
        for name, text in (deploy or {}).items():
            wheel.writestr(f"gov_kiosk-{version}.data/data/share/gov-kiosk/deploy/{name}", text)
    return path


@dataclass
class Terminal:
    """An enrolled terminal with its updater."""

    identity: TerminalIdentity
    client: HallClient
    updater: Updater
    directory: Path

    def new_updater(
        self, client: HallClient | None = None, running: str = "0.2.0", **options: Any
    ) -> Updater:
        """A fresh updater of this terminal's ``updates/`` (its marks come from the files)."""
        return Updater(
            self.directory / "updates",
            client or self.client,
            kiosk_id=self.identity.kiosk_id,
            keys=lambda: self.identity.hall_keys,
            running_version=running,
            **options,
        )


@pytest.fixture
def release_cli(
    hall_server_each_db: HallUnderTest, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., int]:
    settings = hall_server_each_db.settings
    monkeypatch.setenv("HALL_SIGNING_KEY_PATH", str(settings.signing_key_path))
    monkeypatch.setenv("HALL_DATA_KEY_PATH", str(settings.data_key_path))
    monkeypatch.setenv("HALL_DATA_DIR", str(settings.data_dir))

    def run(*args: str) -> int:
        return main(["release", *args, "--database", settings.database_url])

    return run


@pytest.fixture
def terminals(
    hall_server_each_db: HallUnderTest, tmp_path: Path
) -> Iterator[Callable[..., Terminal]]:
    made: list[Terminal] = []

    def make(
        kiosk_id: str,
        site: str | None = None,
        running: str = "0.2.0",
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> Terminal:
        directory = tmp_path / kiosk_id
        code = hall_server_each_db.enrolment_code(kiosk_id, site=site)
        identity = enrol(hall_server_each_db.base_url, code, directory)
        client = HallClient(hall_server_each_db.base_url, identity=identity)
        updater = Updater(
            directory / "updates",
            client,
            kiosk_id=identity.kiosk_id,
            keys=lambda: identity.hall_keys,
            running_version=running,
            clock=clock,
        )
        made.append(Terminal(identity, client, updater, directory))
        return made[-1]

    yield make
    for terminal in made:
        terminal.client.close()


def counts(hall: HallUnderTest, version: str) -> dict[str, int]:
    db = hall.database()
    try:
        with db.read() as session:
            [row] = [s for s in releases.summaries(session) if s.version == version]
            return row.counts
    finally:
        db.dispose()


def test_publish_refuses_what_is_not_a_newer_wheel(
    release_cli: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.0"))) == 0
    out = capsys.readouterr().out
    assert "published release 0.3.0 as number 1 to all at 100%" in out
    assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.2.5"))) == 1
    assert "version 0.2.5 is not newer than published 0.3.0" in capsys.readouterr().err
    assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.0"))) == 1
    capsys.readouterr()
    junk = tmp_path / "gov_kiosk-0.4.0-py3-none-any.whl"
    junk.write_bytes(b"not a zip")
    assert release_cli("publish", str(junk)) == 1
    assert "is not a wheel of gov-kiosk 0.4.0" in capsys.readouterr().err
    lying = make_wheel(tmp_path / "w", "0.4.0")
    assert release_cli("publish", str(lying), "--version", "0.5.0") == 1
    assert "a release of 0.5.0 is the wheel gov_kiosk-0.5.0" in capsys.readouterr().err
    assert release_cli("publish", str(lying), "--group", "floor:2") == 1
    assert "use all or site:<site>" in capsys.readouterr().err


def test_a_staged_release_reaches_only_its_group_and_percentage(
    hall_server_each_db: HallUnderTest,
    release_cli: Callable[..., int],
    terminals: Callable[..., Terminal],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    north = terminals("kiosk-n1", site="North")
    south = terminals("kiosk-s1", site="South")
    wheel = make_wheel(tmp_path / "w", "0.3.0")
    assert release_cli("publish", str(wheel), "--group", "site:North") == 0
    assert south.updater.check_and_stage().outcome == "none"
    with pytest.raises(HallRejectedError, match="404 no_release"):
        list(south.client.release_chunks("0.3.0"))
    staged = north.updater.check_and_stage()
    assert (staged.outcome, staged.version) == ("staged", "0.3.0")
    held = load_staged(north.directory / "updates")
    assert held is not None and held.path.read_bytes() == wheel.read_bytes()
    # Asking again keeps the staged copy (no second download).
    assert north.updater.check_and_stage().outcome == "staged"

    # The percentage: just below this terminal's bucket it is out, at the bucket + 1 it is in.
    bucket = rollout_bucket("0.3.0", "kiosk-s1")
    assert release_cli("rollout", "0.3.0", "--group", "all", "--percent", str(bucket)) == 0
    assert south.updater.check_and_stage().outcome == "none"
    assert release_cli("rollout", "0.3.0", "--percent", str(bucket + 1)) == 0
    assert south.updater.check_and_stage().outcome == "staged"

    # Paused: offered to nobody, and a staged copy is dropped; resumed: offered again.
    assert release_cli("rollout", "0.3.0", "--percent", "100") == 0
    assert release_cli("pause", "0.3.0") == 0
    assert north.updater.check_and_stage().outcome == "none"
    assert load_staged(north.directory / "updates") is None
    assert release_cli("resume", "0.3.0") == 0
    assert north.updater.check_and_stage().outcome == "staged"
    # Halted: withdrawn for good.
    assert release_cli("halt", "0.3.0") == 0
    assert release_cli("resume", "0.3.0") == 1
    assert "is halted; publish a newer version" in capsys.readouterr().err
    assert north.updater.check_and_stage().outcome == "none"


def test_a_file_that_is_not_the_signed_one_is_refused_and_reported(
    hall_server_each_db: HallUnderTest,
    release_cli: Callable[..., int],
    terminals: Callable[..., Terminal],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = terminals("kiosk-001")
    wheel = make_wheel(tmp_path / "w", "0.3.0")
    assert release_cli("publish", str(wheel)) == 0
    stored = releases.release_files_dir(hall_server_each_db.settings.data_dir) / wheel.name
    good = stored.read_bytes()
    # Same length, one byte changed (a corrupted mirror, a tampered file).
    stored.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    refused = terminal.updater.check_and_stage()
    assert refused.outcome == "refused"
    assert "SHA-256 is not the signed one" in refused.reason
    assert terminal.updater.problem == refused.reason
    assert load_staged(terminal.directory / "updates") is None
    assert not list((terminal.directory / "updates" / "staged").iterdir())
    # Longer than signed: the download stops at the signed length + 1 and is refused.
    stored.write_bytes(good + b"\0" * 100_000)
    longer = terminal.updater.check_and_stage()
    assert longer.outcome == "refused" and "more bytes, signed" in longer.reason
    assert counts(hall_server_each_db, "0.3.0")["failed"] == 1
    # The right file again: staged, and the problem is cleared.
    stored.write_bytes(good)
    assert terminal.updater.check_and_stage().outcome == "staged"
    assert terminal.updater.problem == ""
    capsys.readouterr()
    assert release_cli("list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].split("\t") == ["1", "0.3.0", "active", "all", "100", "0", "1", "0", "0"]


def test_an_older_version_or_expired_metadata_is_refused(
    release_cli: Callable[..., int], terminals: Callable[..., Terminal], tmp_path: Path
) -> None:
    assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.0"))) == 0
    newer = terminals("kiosk-new", running="0.4.0")
    older = newer.updater.check_and_stage()
    assert older.outcome == "refused"
    assert "version 0.3.0 is not newer than 0.4.0 running (rollback)" in older.reason
    ahead = terminals("kiosk-late", clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    expired = ahead.updater.check_and_stage()
    assert expired.outcome == "refused" and "expired at" in expired.reason
    assert load_staged(ahead.directory / "updates") is None


class _ReplayingClient(HallClient):
    """The network between hall and terminal replays an answer it recorded earlier."""

    recorded: ReleaseOfferPublic | None = None
    replay = False

    def release_offer(self) -> ReleaseOfferPublic:
        if self.replay and self.recorded is not None:
            return self.recorded
        answer = super().release_offer()
        if self.recorded is None:
            self.recorded = answer
        return answer


def test_old_metadata_replayed_is_refused_even_after_a_restart(
    hall_server_each_db: HallUnderTest,
    release_cli: Callable[..., int],
    terminals: Callable[..., Terminal],
    tmp_path: Path,
) -> None:
    terminal = terminals("kiosk-001")
    client = _ReplayingClient(hall_server_each_db.base_url, identity=terminal.identity)

    def updater() -> Updater:  # a fresh one each time: the marks come from updates/state.json
        return terminal.new_updater(client)

    try:
        assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.0"))) == 0
        assert updater().check_and_stage().outcome == "staged"  # recorded: release 1's answer
        assert release_cli("halt", "0.3.0") == 0
        assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.1"))) == 0
        assert updater().check_and_stage().version == "0.3.1"
        client.replay = True
        replayed = updater().check_and_stage()
        assert replayed.outcome == "refused"
        assert "replayed metadata" in replayed.reason
        held = load_staged(terminal.directory / "updates")
        assert held is not None and held.version == "0.3.1"  # the newer one stays
    finally:
        client.close()


def test_reports_are_counted_and_a_rolled_back_release_is_not_offered_again(
    hall_server_each_db: HallUnderTest,
    release_cli: Callable[..., int],
    terminals: Callable[..., Terminal],
    tmp_path: Path,
) -> None:
    first, second = terminals("kiosk-001"), terminals("kiosk-002")
    assert release_cli("publish", str(make_wheel(tmp_path / "w", "0.3.0"))) == 0
    for terminal, outcome in ((first, "rolled_back"), (second, "installed")):
        assert terminal.updater.check_and_stage().outcome == "staged"
        result = ResultFile(
            version="0.3.0", outcome=outcome, detail="no READY", at=dt.datetime.now(dt.UTC)
        )
        (terminal.directory / "updates" / RESULT_FILE).write_text(result.model_dump_json())
    # kiosk-002 runs 0.3.0 now; kiosk-001 still 0.2.0 after its rollback.
    second.updater = second.new_updater(running="0.3.0")
    assert first.updater.report_outcomes() and second.updater.report_outcomes()
    assert not (first.directory / "updates" / RESULT_FILE).exists()
    assert counts(hall_server_each_db, "0.3.0") == {"installed": 1, "failed": 0, "rolled_back": 1}
    # The release that rolled back there is not offered to that terminal again.
    assert first.updater.check_and_stage().outcome == "none"


def test_the_dashboard_shows_each_releases_counts(
    hall_server: HallUnderTest, staff_account: StaffAccount, tmp_path: Path
) -> None:
    db = hall_server.database()
    try:
        releases.publish(
            db,
            hall_server.signing_key(),
            releases.release_files_dir(hall_server.settings.data_dir),
            make_wheel(tmp_path / "w", "0.3.0"),
            version="0.3.0",
            target="site:North",
            percent=25,
            now=dt.datetime.now(dt.UTC),
        )
        releases.change(db, "0.3.0", now=dt.datetime.now(dt.UTC), state="paused")
        with db.write() as session:
            for kiosk, outcome in (("k1", "installed"), ("k2", "installed"), ("k3", "rolled_back")):
                releases.record_report(
                    session,
                    ReleaseReportCreate(
                        kiosk_id=kiosk,
                        version="0.3.0",
                        outcome=outcome,  # type: ignore[arg-type]
                        running_version="0.3.0" if outcome == "installed" else "0.2.0",
                        at=dt.datetime.now(dt.UTC),
                    ),
                    now=dt.datetime.now(dt.UTC),
                )
    finally:
        db.dispose()
    http = requests.Session()
    try:
        assert _log_in(http, hall_server.base_url, staff_account).status_code == 303
        page = http.get(hall_server.base_url + "/dashboard").text
    finally:
        http.close()
    row = re.search(r'<tr data-release="0.3.0" data-state="paused">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = dict(re.findall(r'data-count="(\w+)">(\d+)<', row.group(1)))
    assert cells == {"installed": "2", "failed": "0", "rolled_back": "1"}
    assert "site:North · 25%" in row.group(1)


def test_a_download_that_would_eat_the_outboxs_reserve_is_not_started(
    hall_server: HallUnderTest, tmp_path: Path
) -> None:
    db = hall_server.database()
    try:
        releases.publish(
            db,
            hall_server.signing_key(),
            releases.release_files_dir(hall_server.settings.data_dir),
            make_wheel(tmp_path / "w", "0.3.0"),
            version="0.3.0",
            now=dt.datetime.now(dt.UTC),
        )
    finally:
        db.dispose()
    identity = hall_server.enrol(tmp_path / "terminal")
    client = HallClient(hall_server.base_url, identity=identity)
    try:
        updates = tmp_path / "terminal" / "updates"

        def updater(reserve: int) -> Updater:
            return Updater(
                updates,
                client,
                kiosk_id=identity.kiosk_id,
                keys=lambda: identity.hall_keys,
                running_version="0.2.0",
                reserve_bytes=reserve,
            )

        # A reserve larger than this disk's free space: as on a terminal whose disk is full.
        free = shutil.disk_usage(tmp_path).free
        full = updater(free + 1).check_and_stage()
        assert full.outcome == "refused"
        assert f"free (keeping {free + 1} for the outbox)" in full.reason
        assert not list((updates / "staged").iterdir())
        # Cancelled between chunks (the maintenance window ended): nothing kept.
        cancel = threading.Event()
        cancel.set()
        stopped = updater(0).check_and_stage(cancel)
        assert (stopped.outcome, stopped.reason) == ("unreachable", "download cancelled")
        assert not list((updates / "staged").iterdir())
        assert updater(0).check_and_stage().outcome == "staged"
    finally:
        client.close()


def test_kiosk_update_commands_say_what_is_there(
    hall_server: HallUnderTest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main as kiosk_main

    data = tmp_path / "data"
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[storage]\ndata_dir = "{data}"\n'
        f'[hall]\nembedded = false\nurl = "{hall_server.base_url}"\n'
    )
    assert kiosk_main(["--config", str(config), "update", "check"]) == 1
    assert "this terminal is not enrolled" in capsys.readouterr().err
    hall_server.enrol(data)
    assert kiosk_main(["--config", str(config), "update", "check", "--json"]) == 0
    assert '"outcome": "none"' in capsys.readouterr().out
    assert kiosk_main(["--config", str(config), "update", "apply"]) == 1
    assert "nothing staged" in capsys.readouterr().err
    assert kiosk_main(["--config", str(config), "update", "status"]) == 0
    status = capsys.readouterr().out
    assert "staged: -" in status and '"seen_issued_at":"' in status


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wheelhouse_release(
    folder: Path, version: str, files: dict[str, bytes], *, extra_lock: str = ""
) -> tuple[Path, Path]:
    """A wheel whose own lock pins ``files`` (name-version from each file name) and a
    wheelhouse folder holding them, as ``pip download -r`` of that lock leaves it."""
    lock = "# pip-compile --generate-hashes\n"
    for name, data in files.items():
        project, project_version = name.split("-")[:2]
        lock += f"{project}=={project_version} \\\n    --hash=sha256:{_sha(data)}\n    # via x\n"
    wheel = make_wheel(folder, version, deploy={"requirements.lock": lock + extra_lock})
    house = folder / f"wheelhouse-{version}"
    house.mkdir()
    for name, data in files.items():
        (house / name).write_bytes(data)
    return wheel, house


class _CountingClient(HallClient):
    """Counts the wheelhouse files the terminal asks the hall for."""

    fetched: list[str]

    def release_wheel_chunks(
        self, version: str, file_name: str, chunk_bytes: int = 1 << 16
    ) -> Iterator[bytes]:
        self.fetched.append(file_name)
        return super().release_wheel_chunks(version, file_name, chunk_bytes)


def test_a_wheelhouse_release_ships_its_dependencies_and_the_next_fetches_only_the_changes(
    hall_server_each_db: HallUnderTest,
    release_cli: Callable[..., int],
    terminals: Callable[..., Terminal],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alpha, beta = b"alpha 1.0 wheel" * 500, b"beta 2.0 wheel" * 700
    files = {"alpha-1.0-py3-none-any.whl": alpha, "beta-2.0-cp311-manylinux.whl": beta}
    # A requirement behind an environment marker (another platform's) needs no file.
    windows = "pywin32==306 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "1" * 64 + "\n"
    wheel, house = wheelhouse_release(tmp_path / "w", "0.3.0", files, extra_lock=windows)
    (house / "unrelated-9.9-py3-none-any.whl").write_bytes(b"not in the lock")
    (house / "beta-2.0-cp311-manylinux.whl").unlink()
    assert release_cli("publish", str(wheel), "--wheelhouse", str(house)) == 1
    assert "lacks 1 locked requirement(s): beta" in capsys.readouterr().err
    (house / "beta-2.0-cp311-manylinux.whl").write_bytes(beta)
    assert release_cli("publish", str(wheel), "--wheelhouse", str(house)) == 0
    assert f"with 2 wheelhouse files ({len(alpha) + len(beta)} bytes)" in capsys.readouterr().out

    terminal = terminals("kiosk-001")
    client = _CountingClient(hall_server_each_db.base_url, identity=terminal.identity)
    client.fetched = []
    updates = terminal.directory / "updates"
    updater = terminal.new_updater(client)
    try:
        assert updater.check_and_stage().outcome == "staged"
        assert sorted(client.fetched) == sorted(files)
        held = load_staged(updates)
        assert held is not None and held.wheelhouse == updates / "wheelhouse"
        assert {p.name: p.read_bytes() for p in held.wheelhouse.iterdir()} == files
        # Only the release's own files are served, to a terminal it is offered to.
        with pytest.raises(HallRejectedError, match="404 no_release"):
            list(client.release_wheel_chunks("0.3.0", "unrelated-9.9-py3-none-any.whl"))

        # 0.3.1 keeps alpha and moves beta on: the terminal fetches beta 2.1 alone, and the
        # wheelhouse keeps just what 0.3.1 needs.
        beta_21 = b"beta 2.1 wheel" * 800
        newer = {"alpha-1.0-py3-none-any.whl": alpha, "beta-2.1-cp311-manylinux.whl": beta_21}
        wheel_031, house_031 = wheelhouse_release(tmp_path / "w", "0.3.1", newer)
        assert release_cli("publish", str(wheel_031), "--wheelhouse", str(house_031)) == 0
        stored = releases.wheelhouse_dir(
            releases.release_files_dir(hall_server_each_db.settings.data_dir)
        )
        # A mirror or disk that corrupts beta 2.1: refused, named, and nothing staged.
        (stored / "beta-2.1-cp311-manylinux.whl").write_bytes(beta_21[:-1] + b"!")
        client.fetched = []
        refused = updater.check_and_stage()
        assert refused.outcome == "refused"
        assert "beta-2.1-cp311-manylinux.whl: SHA-256 is not the signed one" in refused.reason
        assert client.fetched == ["beta-2.1-cp311-manylinux.whl"]
        (stored / "beta-2.1-cp311-manylinux.whl").write_bytes(beta_21)
        client.fetched = []
        staged = updater.check_and_stage()
        assert (staged.outcome, staged.version) == ("staged", "0.3.1")
        assert client.fetched == ["beta-2.1-cp311-manylinux.whl"]
        assert {p.name: p.read_bytes() for p in (updates / "wheelhouse").iterdir()} == newer
    finally:
        client.close()
