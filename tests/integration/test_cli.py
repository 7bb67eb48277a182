"""The ``kiosk`` and ``kiosk-hall`` console scripts, run as a technician runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from devices.idcard.simulator import SamSimulator

BIN = Path(sys.executable).parent
KIOSK = BIN / "kiosk"
KIOSK_HALL = BIN / "kiosk-hall"
ROW_KEYS = {"device", "driver", "port", "status", "reason", "required"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without KIOSK_ variables, data and config dirs under tmp_path."""
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    clean["KIOSK_STORAGE__DATA_DIR"] = str(tmp_path / "data")
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    return clean


def _run(
    args: Sequence[str], env: dict[str, str], executable: Path = KIOSK
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _doctor_json(
    args: Sequence[str], env: dict[str, str]
) -> tuple[int, dict[str, dict[str, object]]]:
    done = _run([*args, "doctor", "--json"], env)
    rows = json.loads(done.stdout)
    assert isinstance(rows, list)
    for row in rows:
        assert set(row) == ROW_KEYS
    return done.returncode, {row["device"]: row for row in rows}


def _serial_config(tmp_path: Path, port: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[devices.id_reader]\ndriver = "sam-serial"\nport = "{port}"\n', encoding="utf-8"
    )
    return path


def test_doctor_json_with_the_defaults(env: dict[str, str]) -> None:
    code, rows = _doctor_json([], env)
    assert code == 0
    assert list(rows) == [
        "id_reader",
        "receipt_printer",
        "document_printer",
        "camera",
        "scanner",
        "hall",
        "disk",
        "outbox",
        "voice",
        "face_camera",
    ]
    for device in ("id_reader", "receipt_printer", "camera"):
        assert rows[device]["driver"] == "simulated"
        assert rows[device]["status"] == "simulated"
        assert rows[device]["required"] is True
    assert rows["hall"]["status"] == "embedded"
    assert rows["document_printer"]["required"] is False
    assert not any(row["status"] == "fail" and row["required"] for row in rows.values())


def test_doctor_table_with_the_defaults(env: dict[str, str]) -> None:
    done = _run(["doctor"], env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["device", "driver", "port", "status", "reason"]
    assert set(lines[1]) == {"-"}
    devices = [line.split()[0] for line in lines[2:]]
    assert devices == [
        "id_reader",
        "receipt_printer",
        "document_printer",
        "camera",
        "scanner",
        "hall",
        "disk",
        "outbox",
        "voice",
        "face_camera",
    ]
    assert lines[2].split()[:4] == ["id_reader", "simulated", "-", "simulated"]


def test_doctor_fails_on_a_missing_serial_port(tmp_path: Path, env: dict[str, str]) -> None:
    missing = str(tmp_path / "ttyUSB9")
    code, rows = _doctor_json(["--config", str(_serial_config(tmp_path, missing))], env)
    assert code == 1
    reader = rows["id_reader"]
    assert reader["driver"] == "sam-serial"
    assert reader["port"] == missing
    assert reader["status"] == "fail"
    assert isinstance(reader["reason"], str) and missing in reader["reason"]


def test_doctor_table_shows_the_failure(tmp_path: Path, env: dict[str, str]) -> None:
    missing = str(tmp_path / "ttyUSB9")
    done = _run(["--config", str(_serial_config(tmp_path, missing)), "doctor"], env)
    assert done.returncode == 1
    [line] = [line for line in done.stdout.splitlines() if line.startswith("id_reader")]
    assert line.split()[:4] == ["id_reader", "sam-serial", missing, "fail"]


def test_doctor_reaches_a_sam_module_on_a_pty(tmp_path: Path, env: dict[str, str]) -> None:
    with SamSimulator() as simulator:
        code, rows = _doctor_json(["--config", str(_serial_config(tmp_path, simulator.port))], env)
        received = simulator.commands_received()
    assert code == 0
    reader = rows["id_reader"]
    assert reader["status"] == "ok"
    assert reader["reason"] == ""
    assert reader["port"] == simulator.port
    assert (0x11, 0xFF) in received  # the driver really asked the module for its status


def test_doctor_with_a_bad_config_exits_2(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices.id_reader]\ndriver = "sam-serial"\n', encoding="utf-8")
    done = _run(["--config", str(path), "doctor", "--json"], env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "devices.id_reader: port is required" in done.stderr


def test_kiosk_help_lists_the_commands(env: dict[str, str]) -> None:
    done = _run(["--help"], env)
    assert done.returncode == 0
    for command in ("run", "demo", "doctor"):
        assert f"    {command} " in done.stdout


def test_kiosk_hall_help_lists_serve(env: dict[str, str]) -> None:
    done = _run(["--help"], env, KIOSK_HALL)
    assert done.returncode == 0
    assert "    serve " in done.stdout
