"""``kiosk idcard read`` / ``probe`` run as a technician runs them, against the simulator's pty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from devices.idcard.card import CardType
from devices.idcard.demo_cards import demo_card, layout_card
from devices.idcard.simulator import SamSimulator

KIOSK = Path(sys.executable).parent / "kiosk"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without KIOSK_ variables, config dirs under tmp_path."""
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    clean["KIOSK_STORAGE__DATA_DIR"] = str(tmp_path / "data")
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    return clean


def kiosk(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_read_json_prints_the_fixed_object(
    sam_simulator: SamSimulator, env: dict[str, str]
) -> None:
    sam_simulator.insert(demo_card("elder"))
    done = kiosk(["idcard", "read", "--port", sam_simulator.port, "--json"], env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    record = json.loads(done.stdout)
    assert list(record.items()) == [
        ("card_type", "resident"),
        ("name", "王秀英"),
        ("gender", "女"),
        ("ethnicity", "汉"),
        ("birth_date", "1952-03-14"),
        ("address", "北京市朝阳区建国路88号院3号楼2单元501室"),
        ("id_number", "110105195203141221"),
        ("issuing_authority", "北京市公安局朝阳分局"),
        ("valid_from", "2018-05-20"),
        ("valid_to", "long-term"),
        ("appended_address", ""),
        ("photo_bytes", 1024),
        ("valid", True),
        ("defects", []),
    ]


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        (CardType.GAT_PERMIT, {"pass_number": "H12345678", "issue_count": "01"}),
        (
            CardType.FOREIGN_PERMANENT_2017,
            {
                "english_name": "SMITH, JANE MARY",
                "chinese_name": "史密斯",
                "nationality": "USA",
                "permit_number": "USA310075123101",
                "card_version": "20",
                "authority_code": "1500",
            },
        ),
        (
            CardType.FOREIGN_PERMANENT_2023,
            {
                "english_name": "MARTIN-DUBOIS, JEAN-BAPTISTE ALEXANDRE",
                "nationality": "FRA",
                "renewal_count": "00",
                "previous_number": "",
            },
        ),
    ],
    ids=lambda v: v.value if isinstance(v, CardType) else "",
)
def test_read_json_of_the_other_layouts(
    sam_simulator: SamSimulator, env: dict[str, str], kind: CardType, extra: dict[str, str]
) -> None:
    card = layout_card(kind)
    sam_simulator.insert(card)
    done = kiosk(
        ["idcard", "read", "--port", sam_simulator.port, "--baud", "115200", "--json"], env
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["card_type"] == kind.value
    assert record["name"] == card.name
    assert record["id_number"] == card.id_number
    assert record["birth_date"] == card.birth_date.isoformat()
    keys = list(record)
    assert keys[:10] == [
        "card_type",
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "address",
        "id_number",
        "issuing_authority",
        "valid_from",
        "valid_to",
    ]
    assert {k: record[k] for k in keys[10:-4]} == extra
    assert keys[-4:] == ["appended_address", "photo_bytes", "valid", "defects"]


def test_the_table_masks_the_number(sam_simulator: SamSimulator, env: dict[str, str]) -> None:
    card = demo_card("adult")
    card.appended_address = "北京市海淀区学院路30号"
    sam_simulator.insert(card)
    done = kiosk(["idcard", "read", "--port", sam_simulator.port], env)
    assert done.returncode == 0, done.stderr
    assert "110108199008213012" not in done.stdout
    lines = {line.split("  ")[0].strip(): line for line in done.stdout.splitlines()}
    assert lines["公民身份号码 ID number"].split()[-1] == "110108********3012"
    assert lines["姓名 name"].split()[-1] == "李建国"
    assert lines["有效期止 valid to"].split()[-1] == "2035-09-01"
    assert lines["追加住址 appended address"].split()[-1] == "北京市海淀区学院路30号"
    assert "通过 passed" in lines["校验 checks"]


def test_bad_data_prints_the_card_with_its_defects_and_exits_4(
    sam_simulator: SamSimulator, env: dict[str, str]
) -> None:
    card = demo_card("adult")
    card.id_number = card.id_number[:17] + "X"
    sam_simulator.insert(card)
    done = kiosk(["idcard", "read", "--port", sam_simulator.port, "--json"], env)
    assert done.returncode == 4
    record = json.loads(done.stdout)
    assert record["valid"] is False
    assert record["defects"] == ["ID number check character does not match (GB 11643)"]
    assert done.stderr.count("\n") == 1
    assert "check character" in done.stderr
    assert card.id_number not in done.stderr


def test_no_card_exits_3_after_the_timeout(
    sam_simulator: SamSimulator, env: dict[str, str]
) -> None:
    done = kiosk(["idcard", "read", "--port", sam_simulator.port, "--timeout", "0.5"], env)
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == "kiosk idcard: no card on the reader after 0.5 s\n"


def test_a_card_laid_down_while_waiting_is_read(
    sam_simulator: SamSimulator, env: dict[str, str]
) -> None:
    process = subprocess.Popen(
        [str(KIOSK), "idcard", "read", "--port", sam_simulator.port, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Lay the card only once the command has been polling for it (bounded by the
        # command's own 10 s timeout: it exits, and poll() ends the wait).
        while sam_simulator.commands_received().count((0x20, 0x01)) < 3 and process.poll() is None:
            time.sleep(0.01)
        sam_simulator.insert(demo_card("elder2"))
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert json.loads(out)["name"] == "赵德明"


def test_no_reader_exits_1_with_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    missing = str(tmp_path / "ttyUSB7")
    done = kiosk(["idcard", "read", "--port", missing, "--timeout", "1"], env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("kiosk idcard: ReaderUnavailableError: ")
    assert missing in done.stderr and done.stderr.count("\n") == 1


def test_a_port_with_nothing_answering_is_no_reader(
    sam_simulator: SamSimulator, env: dict[str, str]
) -> None:
    # The module speaks 115200 only; at 9600 nothing it hears is a command.
    done = kiosk(["idcard", "read", "--port", sam_simulator.port, "--baud", "9600"], env)
    assert done.returncode == 1
    assert "ReaderTimeoutError" in done.stderr


def test_without_port_it_uses_the_configured_one_and_probes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with SamSimulator(baudrate=38400) as simulator:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[devices.id_reader]\ndriver = "sam-serial"\nport = "{simulator.port}"\n'
            'baud = "auto"\n',
            encoding="utf-8",
        )
        simulator.insert(demo_card("uninsured"))
        done = kiosk(["--config", str(config), "idcard", "read", "--json"], env)
        probe = kiosk(["--config", str(config), "idcard", "probe", "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "陈美玲"
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == {
        "port": simulator.port,
        "baudrate": 38400,
        "sam_id": "05.01-20101207-0000123456-0001234567",
        "status": "0x90 SUCCESS",
    }


def test_without_any_port_it_says_so(env: dict[str, str]) -> None:
    done = kiosk(["idcard", "read"], env)  # the default configuration: the simulated reader
    assert done.returncode == 1
    assert done.stderr == (
        "kiosk idcard: no card reader port configured: "
        "pass --port or set [devices.id_reader] port\n"
    )


def test_probe_reports_a_failed_self_test(sam_simulator: SamSimulator, env: dict[str, str]) -> None:
    sam_simulator.inject("sam_failure", times=5)
    done = kiosk(["idcard", "probe", "--port", sam_simulator.port], env)
    assert done.returncode == 1
    assert done.stderr.startswith("kiosk idcard: SamSelfTestError: ")
    assert "0x60" in done.stderr


def test_read_a_module_without_the_appended_address_command(env: dict[str, str]) -> None:
    # Many modules in the field answer 21 (bad command) to 30 03: the card still reads.
    with SamSimulator(appended_address_command=False) as simulator:
        simulator.insert(demo_card("elder"))
        done = kiosk(["idcard", "read", "--port", simulator.port, "--json"], env)
        asked = simulator.commands_received()
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["name"] == "王秀英"
    assert record["id_number"] == "110105195203141221"
    assert record["appended_address"] == ""
    assert record["valid"] is True
    assert "does not read the appended address" in done.stderr
    # Asked once, and not again after the module said it does not know the command.
    assert asked.count((0x30, 0x03)) == 1


def test_read_fingerprints_on_a_module_that_lacks_them(env: dict[str, str]) -> None:
    # 23 (not allowed) to 30 10 and silence to 30 03: the card prints, each lack is named.
    lacks = {"fingerprint": "not_allowed", "appended_address": "silent"}
    with SamSimulator(lacks=lacks) as simulator:  # type: ignore[arg-type]
        simulator.insert(demo_card("elder"))
        done = kiosk(["idcard", "read", "--port", simulator.port, "--json", "--fingerprint"], env)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["name"] == "王秀英"
    assert record["valid"] is True
    assert "does not read fingerprints (30 10)" in done.stderr
    assert "does not read the appended address (30 03)" in done.stderr


def test_read_fingerprints_on_a_module_that_has_them(env: dict[str, str]) -> None:
    with SamSimulator() as simulator:
        simulator.insert(demo_card("elder"))
        done = kiosk(["idcard", "read", "--port", simulator.port, "--fingerprint"], env)
    assert done.returncode == 0, done.stderr
    assert "王秀英" in done.stdout
    assert "fingerprint templates:" in done.stderr
    assert "does not read" not in done.stderr
