"""A signed update end to end: published on the embedded hall, checked, downloaded and staged by
the terminal's ``Updater`` over signed loopback HTTP, handed over, verified again and installed by
``apply_staged`` with the real ``deploy/install.sh`` (system commands replaced by the recording
fakes of ``test_install_script``), and the outcome reported back to the hall's counts.

The new release fails in the two ways the brief names: it never reaches READY (``systemctl
restart`` of the Type=notify unit fails), or it fails its own ``kiosk update self-test``. Both
roll back by themselves to the release that ran before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hall.fleet import releases
from hall.fleet.releases import publish
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity
from offline_cache.updates import (
    APPLY_FILE,
    RESULT_FILE,
    ScriptInstaller,
    UpdateCheck,
    Updater,
    apply_staged,
    load_staged,
)
from tests.fixtures.hall import HallUnderTest
from tests.integration.test_hall_releases import make_wheel
from tests.integration.test_install_script import (  # noqa: F401 (target and env are fixtures)
    INSTALL,
    RECORDER,
    calls,
    env,
    install,
    target,
    wheel,
)

# The venv's kiosk of a release whose version is in $FAKE_BROKEN fails its self-test the way a
# release with a broken store migration would; every other release runs this tree's kiosk.
BROKEN_SELF_TEST = """
broken = os.environ.get("FAKE_BROKEN")
if "install" in args and args[-1].endswith(".whl") and broken and broken in "@VENV@":
    kiosk.write_text(
        '#!/bin/sh\\ncase "$*" in *"update self-test"*) echo "config: ok"; '
        'echo "store: FAIL StoreError: the outbox schema is newer than this release"; '
        'exit 1;; esac\\n'
        'exit 0\\n'
    )
"""


@pytest.fixture
def root_env(env: dict[str, str], target: Path) -> dict[str, str]:  # noqa: F811
    """The fakes with systemd "running": restart waits for READY, which only 0.2.0 reaches when
    ``FAKE_NO_READY`` is set."""
    systemctl = Path(env["PATH"].split(":")[0]) / "systemctl"
    systemctl.write_text(
        RECORDER + 'case "$1" in restart) [ -z "$FAKE_NO_READY" ] '
        '|| [ "$(readlink "$FAKE_CURRENT")" = releases/0.2.0 ] ;; esac\n'
    )
    return {
        **env,
        "FAKE_VENV_PYTHON": env["FAKE_VENV_PYTHON"] + BROKEN_SELF_TEST,
        "FAKE_CURRENT": str(target / "opt/kiosk/current"),
        "KIOSK_SYSTEMD": "yes",
        "QT_QPA_PLATFORM": "offscreen",
    }


def _running_020(root_env: dict[str, str], tmp_path: Path, target: Path) -> None:  # noqa: F811
    first = install(root_env, "--wheel", str(wheel(tmp_path, "0.2.0")))
    assert first.returncode == 0, first.stderr
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.2.0"
    calls(root_env)


def _updater(
    hall: HallUnderTest, identity: TerminalIdentity, directory: Path, running: str
) -> Updater:
    return Updater(
        directory,
        HallClient(hall.base_url, identity=identity),
        kiosk_id=identity.kiosk_id,
        keys=lambda: identity.hall_keys,
        running_version=running,
    )


def _publish(
    hall: HallUnderTest,
    tmp_path: Path,
    version: str,
    *,
    lock: str | None = None,
    wheelhouse: Path | None = None,
) -> None:
    """Publish ``version`` (its wheel carrying ``lock`` as its own, when given)."""
    deploy = None if lock is None else {"requirements.lock": lock}
    db = hall.database()
    try:
        publish(
            db,
            hall.signing_key(),
            releases.release_files_dir(hall.settings.data_dir),
            make_wheel(tmp_path / "published", version, deploy=deploy),
            version=version,
            now=dt.datetime.now(dt.UTC),
            wheelhouse=wheelhouse,
        )
    finally:
        db.dispose()


def _staged_030(
    hall: HallUnderTest,
    identity: TerminalIdentity,
    root_env: dict[str, str],
    tmp_path: Path,
    target: Path,  # noqa: F811
    **published: Any,
) -> Path:
    """0.2.0 installed and running, 0.3.0 published and staged by its app; the updates folder."""
    _running_020(root_env, tmp_path, target)
    _publish(hall, tmp_path, "0.3.0", **published)
    updates = tmp_path / "terminal" / "updates"
    assert _updater(hall, identity, updates, "0.2.0").check_and_stage().version == "0.3.0"
    return updates


def _one_dependency(tmp_path: Path, data: bytes) -> tuple[str, Path]:
    """A lock pinning one dependency ``dep`` to ``data``, and a wheelhouse holding it."""
    lock = f"dep==1.0 \\\n    --hash=sha256:{hashlib.sha256(data).hexdigest()}\n"
    house = tmp_path / "house"
    house.mkdir()
    (house / "dep-1.0-py3-none-any.whl").write_bytes(data)
    return lock, house


def _counts(hall: HallUnderTest) -> dict[str, int]:
    db = hall.database()
    try:
        with db.read() as session:
            return releases.summaries(session)[0].counts
    finally:
        db.dispose()


def test_a_new_release_that_never_gets_ready_rolls_back_and_the_hall_counts_it(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    _running_020(root_env, tmp_path, target)
    _publish(hall_server, tmp_path, "0.3.0")
    updates = tmp_path / "terminal" / "updates"
    app = _updater(hall_server, terminal_identity, updates, "0.2.0")
    assert app.check_and_stage().outcome == "staged"
    assert app.apply(in_session=lambda: True) is False  # a citizen is at the screen: it waits
    assert not (updates / APPLY_FILE).exists()
    assert app.apply() is True
    assert (updates / APPLY_FILE).exists()

    # kiosk-update.service (root): check again, install side by side, restart, no READY.
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env={**root_env, "FAKE_NO_READY": "1"}),
    )
    assert result.outcome == "rolled_back"
    assert result.detail == (
        "update to 0.3.0 failed; running releases/0.2.0 again: it did not reach READY"
    )
    assert not (updates / APPLY_FILE).exists() and load_staged(updates) is None
    prefix = target / "opt" / "kiosk"
    assert os.readlink(prefix / "current") == "releases/0.2.0"
    assert os.readlink(prefix / "previous") == "releases/0.3.0"
    assert (prefix / "releases" / "0.3.0" / ".complete").exists()  # installed side by side
    restarts = [c for c in calls(root_env) if c.startswith("systemctl restart")]
    assert restarts == ["systemctl restart kiosk.service"] * 2  # the new one, then the old one

    # The app that runs again (0.2.0) reports it; the hall counts it and offers it no more.
    assert (updates / RESULT_FILE).exists()
    again = _updater(hall_server, terminal_identity, updates, "0.2.0")
    assert again.check_and_stage().outcome == "none"
    assert not (updates / RESULT_FILE).exists()
    assert _counts(hall_server) == {"installed": 0, "failed": 0, "rolled_back": 1}


def test_a_new_release_that_fails_its_self_test_rolls_back(
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    _running_020(root_env, tmp_path, target)
    installer = ScriptInstaller(INSTALL, env={**root_env, "FAKE_BROKEN": "/releases/0.3.0/"})
    wheel_030 = make_wheel(tmp_path / "w", "0.3.0")
    outcome, detail = installer.install(wheel_030, "0.3.0")
    assert outcome == "rolled_back"
    assert detail.startswith("update to 0.3.0 failed; running releases/0.2.0 again: its self-test")
    assert "store: FAIL StoreError: the outbox schema is newer" in detail
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.2.0"
    restarts = [c for c in calls(root_env) if c.startswith("systemctl restart")]
    assert restarts == ["systemctl restart kiosk.service"] * 2


def test_a_good_release_installs_passes_its_self_test_and_is_reported_installed(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    _running_020(root_env, tmp_path, target)
    _publish(hall_server, tmp_path, "0.3.0")
    updates = tmp_path / "terminal" / "updates"
    assert _updater(hall_server, terminal_identity, updates, "0.2.0").check_and_stage().version
    # The self-test is this tree's real `kiosk update self-test`, run from the new release.
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env=root_env),
    )
    assert (result.outcome, result.detail) == ("installed", ""), result
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.3.0"
    new_app = _updater(hall_server, terminal_identity, updates, "0.3.0")
    assert new_app.report_outcomes() is True
    assert _counts(hall_server) == {"installed": 1, "failed": 0, "rolled_back": 0}
    # Still offered 0.3.0, which now runs: up to date, no refusal, nothing staged.
    assert new_app.check_and_stage() == UpdateCheck("none", version="0.3.0")
    assert new_app.problem == "" and load_staged(updates) is None


def test_a_staged_file_changed_on_disk_is_not_installed(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    updates = _staged_030(hall_server, terminal_identity, root_env, tmp_path, target)
    staged = load_staged(updates)
    assert staged is not None
    # Whoever can write the data disk (the kiosk user) swaps the file: root refuses it.
    staged.path.write_bytes(make_wheel(tmp_path / "evil", "0.3.0", b"evil").read_bytes())
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env=root_env),
    )
    assert result.outcome == "failed"
    assert "bytes, signed" in result.detail or "SHA-256 is not the signed one" in result.detail
    assert not [c for c in calls(root_env) if "venv-python" in c or "restart" in c]
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.2.0"


def test_an_update_installs_the_dependencies_its_own_wheel_was_locked_with(
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    _running_020(root_env, tmp_path, target)
    lock = "# the lock of 0.3.0\nnewdep==1.0 --hash=sha256:" + "0" * 64 + "\n"
    wheel_030 = make_wheel(
        tmp_path / "w",
        "0.3.0",
        deploy={"requirements.lock": lock, "install.sh": "#!/bin/bash\necho 0.3.0's installer\n"},
    )
    outcome, detail = ScriptInstaller(INSTALL, env=root_env).install(wheel_030, "0.3.0")
    assert (outcome, detail) == ("installed", "")
    release = target / "opt" / "kiosk" / "releases" / "0.3.0"
    installs = [c for c in calls(root_env) if "--require-hashes -r" in c]
    assert installs == [
        f"venv-python -m pip --disable-pip-version-check --quiet install --no-deps "
        f"--require-hashes -r {release}/deploy/requirements.lock"
    ]
    assert (release / "deploy" / "requirements.lock").read_text() == lock
    # kiosk-update.service runs the current release's installer: the new one's, executable.
    assert os.access(release / "deploy" / "install.sh", os.X_OK)


def test_kiosk_update_apply_staged_is_the_root_side_of_it_all(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    _running_020(root_env, tmp_path, target)
    _publish(hall_server, tmp_path, "0.3.0")
    data = tmp_path / "terminal"  # where terminal_identity enrolled
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[storage]\ndata_dir = "{data}"\n'
        f'[hall]\nembedded = false\nurl = "{hall_server.base_url}"\n'
    )
    assert _updater(hall_server, terminal_identity, data / "updates", "0.2.0").check_and_stage()
    key_before = (data / "terminal-key.pem").stat()
    command = ["update", "apply-staged", "--install-script", str(INSTALL)]
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), *command],
        env={**root_env, "PYTHONPATH": str(INSTALL.parents[1]), "FAKE_NO_READY": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "release 0.3.0: rolled_back update to 0.3.0 failed" in done.stdout
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.2.0"
    assert (data / "terminal-key.pem").stat() == key_before  # root never touched the key
    result = json.loads((data / "updates" / RESULT_FILE).read_text())
    assert (result["version"], result["outcome"]) == ("0.3.0", "rolled_back")


# The venv's pip, asked to install from a wheelhouse, writes down what it found there and who
# could write the folder above it (the private copy root made).
WHEELHOUSE_SEEN = """
if "--find-links" in args:
    import hashlib
    house = Path(args[args.index("--find-links") + 1])
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(f"private {oct(house.parent.stat().st_mode & 0o777)} {house.parent}\\n")
        for f in sorted(house.iterdir()):
            log.write(f"found {f.name} {hashlib.sha256(f.read_bytes()).hexdigest()}\\n")
"""


def test_a_wheelhouse_release_installs_from_roots_checked_copy_with_no_index(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    dep = b"a locked dependency" * 300
    lock, house = _one_dependency(tmp_path, dep)
    updates = _staged_030(
        hall_server, terminal_identity, root_env, tmp_path, target, lock=lock, wheelhouse=house
    )
    seeing = {**root_env, "FAKE_VENV_PYTHON": root_env["FAKE_VENV_PYTHON"] + WHEELHOUSE_SEEN}
    work = tmp_path / "root-only"
    work.mkdir(mode=0o700)
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env=seeing),
        work_dir=work,
    )
    assert (result.outcome, result.detail) == ("installed", ""), result
    log = calls(seeing)
    [private] = [line.split() for line in log if line.startswith("private ")]
    assert private[1] == "0o700" and Path(private[2]).parent == work
    assert f"found dep-1.0-py3-none-any.whl {hashlib.sha256(dep).hexdigest()}" in log
    release = target / "opt" / "kiosk" / "releases" / "0.3.0"
    assert (
        "venv-python -m pip --disable-pip-version-check --quiet install --no-deps "
        f"--require-hashes --no-index --find-links {private[2]}/wheelhouse "
        f"-r {release}/deploy/requirements.lock"
    ) in log
    assert not list(work.iterdir())  # the copy is gone once installed
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.3.0"


def test_a_wheelhouse_file_changed_after_staging_is_not_installed(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    dep = b"the signed dependency" * 100
    lock, house = _one_dependency(tmp_path, dep)
    updates = _staged_030(
        hall_server, terminal_identity, root_env, tmp_path, target, lock=lock, wheelhouse=house
    )
    (updates / "wheelhouse" / "dep-1.0-py3-none-any.whl").write_bytes(b"x" * len(dep))
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env=root_env),
    )
    assert result.outcome == "failed"
    assert result.detail == "dep-1.0-py3-none-any.whl: SHA-256 is not the signed one"
    assert not [c for c in calls(root_env) if "venv-python" in c or "restart" in c]
    assert os.readlink(target / "opt/kiosk/current") == "releases/0.2.0"


def test_a_staged_file_swapped_for_a_link_is_not_followed(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    root_env: dict[str, str],
    target: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    updates = _staged_030(hall_server, terminal_identity, root_env, tmp_path, target)
    staged = load_staged(updates)
    assert staged is not None
    # The kiosk user keeps the good bytes elsewhere and links to them: root would check them,
    # and pip would then read whatever the link points at by then.
    kept = tmp_path / "kiosk-owned.whl"
    kept.write_bytes(staged.path.read_bytes())
    staged.path.unlink()
    staged.path.symlink_to(kept)
    result = apply_staged(
        updates,
        terminal_identity.hall_keys,
        running_version="0.2.0",
        installer=ScriptInstaller(INSTALL, env=root_env),
    )
    assert result.outcome == "failed"
    assert result.detail == "gov_kiosk-0.3.0-py3-none-any.whl: not a plain file (a link)"
    assert not [c for c in calls(root_env) if "venv-python" in c]
