"""deploy/install.sh against a temporary root with the system's commands replaced by recording
fakes on PATH (useradd and usermod write the root's passwd and group like the real ones; python's
venv and pip make a venv whose ``kiosk`` runs this tree): what it writes, that a second run
changes nothing, side-by-side updates and the rollback, a bad devices table refused, and
``kiosk doctor`` from the installed copy. The real install in a clean Debian chroot is the bench
``bench/install_chroot.sh`` (root, network to the package mirrors, minutes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "deploy" / "install.sh"

RECORDER = """#!/bin/sh
printf '%s' "$(basename "$0")" >> "$FAKE_LOG"
for a in "$@"; do printf ' %s' "$a" >> "$FAKE_LOG"; done
printf '\\n' >> "$FAKE_LOG"
"""

USERADD = (
    RECORDER
    + """
root=/; while [ $# -gt 1 ]; do [ "$1" = --root ] && root="$2"; shift; done
echo "$1:x:990:990:kiosk:/var/lib/kiosk:/usr/sbin/nologin" >> "$root/etc/passwd"
echo "$1:x:990:" >> "$root/etc/group"
"""
)

USERMOD = (
    RECORDER
    + """
root=/; groups=""
while [ $# -gt 1 ]; do
  case "$1" in --root) root="$2"; shift ;; --groups) groups="$2"; shift ;; esac; shift
done
user="$1"
for g in $(echo "$groups" | tr , ' '); do
  sed -i -E "s/^($g:[^:]*:[^:]*:)(.*)$/\\1\\2,$user/; s/^($g:[^:]*:[^:]*:),/\\1/" "$root/etc/group"
done
"""
)

DPKG_QUERY = "#!/bin/sh\nexit 1\n"  # nothing installed: apt-get is asked for every package

FAKE_PYTHON = r"""#!@REAL@
# The fake interpreter: venvs are made by hand, everything else is the real python.
import os, sys
from pathlib import Path

if sys.argv[1:3] == ["-m", "venv"]:
    venv = Path(sys.argv[3])
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(f"python3 -m venv {venv}\n")
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\ncommand = python3 -m venv {venv}\n")
    python = venv / "bin" / "python"
    python.write_text(os.environ["FAKE_VENV_PYTHON"].replace("@VENV@", str(venv)))
    python.chmod(0o755)
    sys.exit(0)
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""

FAKE_VENV_PYTHON = r"""#!@REAL@
# The venv's python: records pip's arguments; installing the wheel makes bin/kiosk.
import os, sys
from pathlib import Path

with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("venv-python " + " ".join(sys.argv[1:]) + "\n")
args = sys.argv[1:]
if "install" in args and args[-1].endswith(".whl"):
    kiosk = Path("@VENV@") / "bin" / "kiosk"
    tree, real = os.environ["FAKE_TREE"], os.environ["FAKE_REAL_PYTHON"]
    kiosk.write_text(f'#!/bin/sh\nPYTHONPATH={tree} exec {real} -m kiosk "$@"\n')
    kiosk.chmod(0o755)
"""


@pytest.fixture
def target(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\nlp:x:7:alice\n")
    return root


@pytest.fixture
def env(tmp_path: Path, target: Path) -> dict[str, str]:
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    scripts = {
        "useradd": USERADD,
        "usermod": USERMOD,
        "dpkg-query": DPKG_QUERY,
        "python3": FAKE_PYTHON.replace("@REAL@", sys.executable),
        **{name: RECORDER for name in ("apt-get", "systemctl", "udevadm", "lpadmin", "cupsctl")},
    }
    for name, text in scripts.items():
        path = fakes / name
        path.write_text(text)
        path.chmod(0o755)
    return {
        "PATH": f"{fakes}:/usr/bin:/bin:/usr/sbin:/sbin",
        "HOME": str(tmp_path),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "FAKE_TREE": str(ROOT),
        "FAKE_REAL_PYTHON": sys.executable,
        "FAKE_VENV_PYTHON": FAKE_VENV_PYTHON.replace("@REAL@", sys.executable),
        "KIOSK_ROOT": str(target),
        "KIOSK_PYTHON": str(fakes / "python3"),
    }


def install(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), *args], env=env, capture_output=True, text=True, timeout=120
    )


def calls(env: dict[str, str]) -> list[str]:
    log = Path(env["FAKE_LOG"])
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def wheel(tmp_path: Path, version: str) -> Path:
    path = tmp_path / f"gov_kiosk-{version}-py3-none-any.whl"
    path.write_bytes(b"PK")
    return path


def test_install_writes_everything_once_and_again_changes_nothing(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    done = install(env, "install", "--wheel", str(wheel(tmp_path, "0.2.0")))
    assert done.returncode == 0, done.stderr + done.stdout
    first = calls(env)
    [apt] = [c for c in first if c.startswith("apt-get install")]
    assert "printer-driver-cups-pdf" in apt and "xserver-xorg-core" in apt
    assert any(c.startswith("useradd --root") and c.endswith(" kiosk") for c in first)
    lock = ROOT / "deploy" / "requirements.lock"
    assert any(f"install --no-deps --require-hashes -r {lock}" in c for c in first)
    assert (
        f"systemctl --root={target} enable kiosk-xorg.service kiosk.service kiosk-update.path"
        in first
    )

    group = (target / "etc" / "group").read_text().splitlines()
    assert "dialout:x:20:kiosk" in group and "video:x:44:kiosk" in group
    assert "lp:x:7:alice,kiosk" in group
    release = target / "opt" / "kiosk" / "releases" / "0.2.0"
    assert (release / ".complete").exists() and (release / "deploy" / "install.sh").exists()
    assert os.readlink(target / "opt" / "kiosk" / "current") == "releases/0.2.0"
    assert os.readlink(target / "usr" / "local" / "bin" / "kiosk") == (
        "/opt/kiosk/current/venv/bin/kiosk"
    )
    # The venv names the path the target sees, not the temporary root.
    assert str(target) not in (release / "venv" / "pyvenv.cfg").read_text()
    units = target / "etc" / "systemd" / "system"
    unit = (units / "kiosk.service").read_text()
    assert "Type=notify" in unit and "WatchdogSec=" in unit and "Restart=always" in unit
    assert (units / "kiosk-xorg.service").exists()
    # Signed updates: the app's hand-over file starts the root installer.
    assert (
        "PathExists=/var/lib/kiosk/updates/apply.json" in (units / "kiosk-update.path").read_text()
    )
    assert "update apply-staged" in (units / "kiosk-update.service").read_text()
    assert "DontZap" in (target / "etc" / "X11" / "xorg.conf.d" / "10-kiosk.conf").read_text()
    rules = (target / "etc" / "udev" / "rules.d" / "70-kiosk.rules").read_text()
    assert (
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", '
        'SYMLINK+="kiosk-card-reader", GROUP="dialout", MODE="0660"'
    ) in rules
    for link in ("kiosk-scanner", "kiosk-camera", "kiosk-receipt-printer"):
        assert f'SYMLINK+="{link}"' in rules
    config = target / "etc" / "kiosk" / "kiosk.toml"
    assert 'queue = "KIOSK_A4"' in config.read_text()
    assert (target / "var" / "lib" / "kiosk").is_dir()

    # Second run: the technician's config stays, nothing is created or installed again.
    config.write_text(config.read_text().replace("CHANGEME1", "SITE42"))
    again = install(env, "install", "--wheel", str(wheel(tmp_path, "0.2.0")))
    assert again.returncode == 0, again.stderr
    second = calls(env)
    assert not [c for c in second if c.startswith(("useradd", "usermod", "venv-python"))]
    assert "already installed" in again.stdout and "rules unchanged" in again.stdout
    assert "SITE42" in config.read_text()


def test_update_side_by_side_and_roll_back(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    assert install(env, "--wheel", str(wheel(tmp_path, "0.3.0"))).returncode == 0
    prefix = target / "opt" / "kiosk"
    assert os.readlink(prefix / "current") == "releases/0.3.0"
    assert os.readlink(prefix / "previous") == "releases/0.2.0"
    assert (prefix / "releases" / "0.2.0" / ".complete").exists()
    back = install(env, "rollback")
    assert back.returncode == 0, back.stderr
    assert os.readlink(prefix / "current") == "releases/0.2.0"
    assert os.readlink(prefix / "previous") == "releases/0.3.0"
    status = install(env, "status").stdout
    assert "current:  releases/0.2.0" in status and "0.3.0" in status


def test_a_failed_release_build_leaves_the_running_one_current(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    broken = Path(env["PATH"].split(":")[0]) / "python3"
    broken.write_text(
        f"#!/bin/sh\nif [ \"$2\" = venv ]; then echo 'venv: no space left' >&2; exit 1; fi\n"
        f'exec {sys.executable} "$@"\n'
    )
    failed = install(env, "--wheel", str(wheel(tmp_path, "0.3.0")))
    assert failed.returncode != 0
    assert "no space left" in failed.stderr
    assert os.readlink(target / "opt" / "kiosk" / "current") == "releases/0.2.0"
    assert not (target / "opt" / "kiosk" / "releases" / "0.3.0" / ".complete").exists()


def test_a_bad_devices_table_is_refused_and_the_rules_stay(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    rules = target / "etc" / "udev" / "rules.d" / "70-kiosk.rules"
    before = rules.read_text()
    (target / "etc" / "kiosk" / "devices.table").write_text("kiosk-card-reader 1a86 75\n")
    bad = install(env, "--wheel", str(wheel(tmp_path, "0.2.0")))
    assert bad.returncode != 0
    assert "vendor and product are 4 hex digits" in bad.stderr
    assert rules.read_text() == before
    (target / "etc" / "kiosk" / "devices.table").write_text("kiosk-camera 046d 0825\n")
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    assert 'ATTRS{idVendor}=="046d"' in rules.read_text()
    assert "1a86" not in rules.read_text()


def test_kiosk_doctor_runs_from_the_installed_copy(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    config = target / "etc" / "kiosk" / "kiosk.toml"
    config.write_text(config.read_text().replace("/var/lib/kiosk", str(target / "var/lib/kiosk")))
    kiosk = target / "opt" / "kiosk" / "current" / "venv" / "bin" / "kiosk"
    assert shutil.which(str(kiosk))
    doctor = subprocess.run(
        [str(kiosk), "--config", str(config), "doctor", "--json"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert doctor.stdout.lstrip().startswith("["), (doctor.stdout[:500], doctor.stderr[-2000:])
    rows = {row["device"]: row for row in json.loads(doctor.stdout)}
    # The template's devices are not on this machine: the doctor says so, row by row.
    assert rows["id_reader"]["port"] == "/dev/kiosk-card-reader"
    assert rows["id_reader"]["status"] == "fail"
    assert rows["document_printer"]["port"] == "KIOSK_A4"
    assert "printed PDFs" not in rows["document_printer"]["reason"]
    assert doctor.returncode == 1


def test_an_update_that_never_gets_ready_rolls_back_by_itself(
    tmp_path: Path, target: Path, env: dict[str, str]
) -> None:
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    # systemd is running and the app is up; the new release's app never sends READY=1, so
    # `systemctl restart` fails (it waits for READY on a Type=notify unit).
    systemctl = Path(env["PATH"].split(":")[0]) / "systemctl"
    systemctl.write_text(
        RECORDER
        + 'case "$1" in restart) [ "$(readlink "$FAKE_CURRENT")" = releases/0.2.0 ] ;; esac\n'
    )
    env = {**env, "KIOSK_SYSTEMD": "yes", "FAKE_CURRENT": str(target / "opt/kiosk/current")}
    calls(env)
    update = install(env, "--wheel", str(wheel(tmp_path, "0.3.0")))
    assert update.returncode == 4  # rolled back (1: failed before switching)
    assert "did not reach READY on 0.3.0: rolling back" in update.stdout
    assert "update to 0.3.0 failed; running releases/0.2.0 again" in update.stderr
    assert os.readlink(target / "opt" / "kiosk" / "current") == "releases/0.2.0"
    assert os.readlink(target / "opt" / "kiosk" / "previous") == "releases/0.3.0"
    restarts = [c for c in calls(env) if c.startswith("systemctl restart")]
    assert restarts == ["systemctl restart kiosk.service"] * 2  # the new one, then the old one
    # Installing the version that runs switches nothing and restarts nothing.
    assert install(env, "--wheel", str(wheel(tmp_path, "0.2.0"))).returncode == 0
    assert not [c for c in calls(env) if c.startswith("systemctl restart")]
