"""``kiosk ocr read`` and ``kiosk ocr check`` run as a technician runs them, on real photos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assets import SAMPLES_DIR

KIOSK = Path(sys.executable).parent / "kiosk"
LEASE = SAMPLES_DIR / "lease-contract.jpg"

pytest.importorskip("rapidocr_onnxruntime")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    clean["KIOSK_STORAGE__DATA_DIR"] = str(tmp_path / "data")
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    return clean


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), *args], env=env, capture_output=True, text=True, timeout=110, check=False
    )


def test_read_gives_one_object_per_image_in_order(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "not-a-photo.jpg"
    broken.write_bytes(b"nothing here")
    done = _run(["ocr", "read", str(LEASE), str(broken), "--json"], env)
    assert done.returncode == 1  # one file could not be read
    assert "not-a-photo.jpg" in done.stderr
    out = json.loads(done.stdout)
    assert [entry["file"] for entry in out] == [str(LEASE)]
    entry = out[0]
    assert set(entry) == {"file", "document_type", "fields", "confidence", "quality", "seconds"}
    assert entry["document_type"] == "lease_contract"
    assert entry["fields"] == {
        "lessor": "北京市海淀区华信物业管理有限公司",
        "lessee": "李建国",
        "address": "北京市海淀区中关村大街27号1层108室",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
    }
    assert set(entry["confidence"]) >= set(entry["fields"])
    assert entry["quality"]["ok"] is True
    assert entry["seconds"] > 0


def test_check_pass_and_name_mismatch(env: dict[str, str], tmp_path: Path) -> None:
    applicant = tmp_path / "applicant.json"
    applicant.write_text(
        json.dumps({"name": "李建国", "id_number": "11010519491231002X"}), encoding="utf-8"
    )
    args = ["ocr", "check", "--item", "sole-proprietor-registration", "--today", "2026-11-22"]
    done = _run([*args, "--applicant", str(applicant), str(LEASE), "--json"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "pass"
    assert result["materials"][0]["valid"] is True
    assert set(result["materials"][0]) == {"file", "document_type", "fields", "valid", "defects"}

    applicant.write_text(json.dumps({"name": "王五"}), encoding="utf-8")
    done = _run([*args, "--applicant", str(applicant), str(LEASE), "--json"], env)
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["verdict"] == "fail"
    assert result["materials"][0]["defects"] == ["name_mismatch"]

    # After the lease ends it is expired; without an applicant the ID card is missing too.
    done = _run([*args[:-1], "2029-01-15", str(LEASE), "--json"], env)
    result = json.loads(done.stdout)
    assert result["materials"][0]["defects"] == ["expired"]
    assert result["materials"][1]["defects"] == ["missing_material"]


def test_check_unknown_item_is_a_clear_error(env: dict[str, str]) -> None:
    done = _run(["ocr", "check", "--item", "no-such-item", str(LEASE)], env)
    assert done.returncode == 2
    assert "no-such-item" in done.stderr
