"""Maintenance mode without Qt: PIN hashes, the lockout that survives restarts, atomic config saves,
and the ``kiosk maintenance`` commands."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.services.maintenance import (
    LOCKOUT_FILE,
    ConfigFile,
    PinFormatError,
    PinGuard,
    atomic_write,
    check_pin_format,
    hash_pin,
    verify_pin,
)

KIOSK = Path(sys.executable).parent / "kiosk"


class Clock:
    """Wall time the test moves by hand (the lockout is measured in wall time)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


# --- PIN hashes ----------------------------------------------------------------------------------


def test_a_pin_hash_verifies_only_its_pin() -> None:
    encoded = hash_pin("246810")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert "246810" not in encoded
    assert verify_pin("246810", encoded)
    assert not verify_pin("246811", encoded)
    assert not verify_pin("", encoded)


def test_the_same_pin_hashes_differently_each_time() -> None:
    assert hash_pin("246810") != hash_pin("246810")


def test_pbkdf2_hashes_are_accepted() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", b"135790", salt, 200_000)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    encoded = f"pbkdf2_sha256$200000${b64(salt)}${b64(digest)}"
    assert verify_pin("135790", encoded)
    assert not verify_pin("135791", encoded)


@pytest.mark.parametrize("encoded", ["", "scrypt$x", "md5$abc$def", "scrypt$16384$8$1$!!$??"])
def test_malformed_hashes_never_match(encoded: str) -> None:
    assert not verify_pin("123456", encoded)


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12a456", "１２３４５６", " 123456"])
def test_pin_format_is_six_to_twelve_ascii_digits(pin: str) -> None:
    with pytest.raises(PinFormatError):
        check_pin_format(pin)


# --- lockout -------------------------------------------------------------------------------------


def _guard(tmp_path: Path, clock: Clock, pin: str = "246810") -> PinGuard:
    return PinGuard(
        hash_pin(pin), tmp_path / LOCKOUT_FILE, max_failures=3, lockout_s=60, clock=clock
    )


def test_wrong_pins_lock_the_pad_and_the_lock_grows(tmp_path: Path) -> None:
    clock = Clock()
    guard = _guard(tmp_path, clock)
    assert guard.attempt("000000").attempts_left == 2
    assert guard.attempt("000001").attempts_left == 1
    locked = guard.attempt("000002")
    assert (locked.accepted, locked.locked_for_s) == (False, 60)
    # Locked: even the right PIN is refused, and does not reveal that it was right.
    assert guard.attempt("246810") == locked.__class__(False, locked_for_s=60)
    clock.now += 61
    for _ in range(3):
        outcome = guard.attempt("999999")
    assert outcome.locked_for_s == 120  # the second lockout in a row lasts twice as long
    clock.now += 121
    assert guard.attempt("246810").accepted
    # A right PIN clears everything: the next lockout is the short one again.
    for _ in range(3):
        outcome = guard.attempt("999999")
    assert outcome.locked_for_s == 60


def test_failures_are_counted_across_restarts(tmp_path: Path) -> None:
    clock = Clock()
    _guard(tmp_path, clock).attempt("000000")
    _guard(tmp_path, clock).attempt("000000")
    restarted = _guard(tmp_path, clock)
    assert restarted.attempt("000000").locked_for_s == 60
    assert _guard(tmp_path, clock).locked_for() == 60
    assert "246810" not in (tmp_path / LOCKOUT_FILE).read_text()


def test_a_damaged_state_file_counts_as_no_failures(tmp_path: Path) -> None:
    (tmp_path / LOCKOUT_FILE).write_text("{not json")
    outcome = _guard(tmp_path, Clock()).attempt("000000")
    assert outcome.attempts_left == 2


def test_without_a_pin_nothing_opens(tmp_path: Path) -> None:
    guard = PinGuard(None, tmp_path / LOCKOUT_FILE)
    assert not guard.configured
    assert not guard.attempt("123456").accepted


# --- the configuration file ----------------------------------------------------------------------

CONFIG = """\
# Terminal 7, second floor. Ask Li before changing the printer.
schema_version = 1

[terminal]
id = "T07"  # the case-number prefix

[devices.id_reader]
driver = "sam-serial"
port = "/dev/ttyUSB0"
"""


def test_a_valid_edit_is_saved_with_a_backup_and_comments_kept(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o640)
    edit = ConfigFile(path).apply(
        {"devices.id_reader.port": "/dev/ttyACM0", "devices.camera.driver": "opencv"}
    )
    assert edit.errors == {}
    assert edit.settings is not None
    assert edit.settings.devices.id_reader.port == "/dev/ttyACM0"
    text = path.read_text(encoding="utf-8")
    assert "# Terminal 7, second floor." in text
    assert 'id = "T07"  # the case-number prefix' in text
    saved = tomllib.loads(text)
    assert saved["devices"]["id_reader"]["port"] == "/dev/ttyACM0"
    assert saved["devices"]["camera"]["driver"] == "opencv"
    assert (tmp_path / "kiosk.toml.bak").read_text(encoding="utf-8") == CONFIG
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_settings(path).devices.id_reader.port == "/dev/ttyACM0"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_invalid_edit_saves_nothing_and_says_why_per_key(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    edit = ConfigFile(path).apply(
        {"devices.receipt_printer.port": 70000, "devices.id_reader.poll_interval_s": "often"}
    )
    assert edit.settings is None
    assert edit.errors["devices.receipt_printer.port"] == "不能大于 65535 · must be at most 65535"
    assert edit.errors["devices.id_reader.poll_interval_s"] == "请输入数字 · enter a number"
    assert path.read_text(encoding="utf-8") == CONFIG
    assert not (tmp_path / "kiosk.toml.bak").exists()


def test_a_rule_across_keys_is_reported_on_its_section(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    edit = ConfigFile(path).apply({"devices.id_reader.port": None})
    assert "port is required" in edit.errors["devices.id_reader"]
    assert path.read_text(encoding="utf-8") == CONFIG


def test_editing_a_file_that_does_not_exist_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "new" / "kiosk.toml"
    edit = ConfigFile(path).apply({"terminal.id": "NEW1"})
    assert edit.errors == {}
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"terminal": {"id": "NEW1"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    with pytest.raises(TypeError):
        atomic_write(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == CONFIG
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.toml"]


# --- kiosk maintenance set-pin -------------------------------------------------------------------


def _set_pin(config: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    return subprocess.run(
        [str(KIOSK), "--config", str(config), "maintenance", "set-pin", *extra],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_set_pin_from_stdin_writes_only_the_hash(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    done = _set_pin(path, "864200\n", "--stdin")
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "864200" not in text
    assert "# Terminal 7, second floor." in text
    settings = load_settings(path)
    assert settings.maintenance.pin_hash is not None
    assert verify_pin("864200", settings.maintenance.pin_hash)
    assert (tmp_path / "kiosk.toml.bak").read_text(encoding="utf-8") == CONFIG


def test_set_pin_refuses_a_short_pin_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    done = _set_pin(path, "1234\n")
    assert done.returncode == 1
    assert "6 to 12 digits" in done.stderr
    assert path.read_text(encoding="utf-8") == CONFIG


def test_set_pin_on_an_invalid_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices.id_reader]\ndriver = "sam-serial"\n', encoding="utf-8")
    done = _set_pin(path, "864200\n")
    assert done.returncode == 2
    assert "devices.id_reader" in done.stderr
    assert "pin_hash" not in path.read_text(encoding="utf-8")


def test_reset_lockout_clears_the_count(
    tmp_path: Path, clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndata_dir = "{data}"\n', encoding="utf-8")
    clock = Clock()
    guard = PinGuard(hash_pin("246810"), data / LOCKOUT_FILE, max_failures=1, clock=clock)
    guard.attempt("000000")
    assert guard.locked_for() > 0
    assert main(["--config", str(path), "maintenance", "reset-lockout"]) == 0
    assert guard.locked_for() == 0
