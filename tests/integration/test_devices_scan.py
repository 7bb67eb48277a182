"""``kiosk devices scan``: a fake /sys and /dev tree, real ptys, and the real CUPS scheduler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.a4.cupsd import CupsSetup
from devices.discovery import (
    CUPS_NOT_RUNNING,
    scan_all,
    scan_cameras,
    scan_cups,
    scan_serial_ports,
    scan_usb_printers,
)
from devices.idcard.simulator import SamSimulator
from kiosk.config import load_settings
from kiosk.doctor import run_checks

KIOSK = Path(sys.executable).parent / "kiosk"
USB = "sys/devices/pci0000:00/0000:00:14.0/usb1"


def _write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n" if text else "", encoding="utf-8")


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent))


def _usb_device(root: Path, bus_id: str, vid: str, pid: str, product: str, klass: str) -> Path:
    device = root / USB / bus_id
    _write(device / "idVendor", vid)
    _write(device / "idProduct", pid)
    _write(device / "manufacturer", "ACME")
    _write(device / "product", product)
    _write(device / "serial", f"SN{bus_id}")
    interface = device / f"{bus_id}:1.0"
    _write(interface / "bInterfaceClass", klass)
    _link(root / "sys/bus/usb/devices" / bus_id, device)
    _link(root / "sys/bus/usb/devices" / interface.name, interface)
    return interface


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A terminal's /dev and /sys as the kernel lays them out, in miniature."""
    root = tmp_path / "root"
    # A CH340 USB-serial adapter (card reader), a CDC-ACM scanner, one real and one phantom UART.
    ch340 = _usb_device(root, "1-1", "1a86", "7523", "USB Serial", "ff")
    _write(ch340 / "ttyUSB0" / "uevent")
    _link(root / "sys/class/tty/ttyUSB0/device", ch340 / "ttyUSB0")
    acm = _usb_device(root, "1-2", "0c2e", "0b61", "Barcode Scanner", "02")
    _link(root / "sys/class/tty/ttyACM0/device", acm)
    _write(root / "sys/class/tty/ttyS0/type", "4")
    _link(root / "sys/class/tty/ttyS0/device", root / "sys/devices/pnp0/00:05")
    _write(root / "sys/class/tty/ttyS1/type", "0")
    for name in ("ttyUSB0", "ttyACM0", "ttyS0", "ttyS1", "tty0", "video0", "video1"):
        _write(root / "dev" / name)
    _write(root / "sys/class/video4linux/video0/name", "HD Document Camera")
    _write(root / "sys/class/video4linux/video1/name", "HD Document Camera")
    # A receipt printer held by usblp, and one on a class-07 interface with no lp node.
    lp = _usb_device(root, "1-3", "0416", "5011", "POS58 Printer", "07")
    _write(root / "dev/usb/lp0")
    _link(root / "sys/class/usbmisc/lp0/device", lp)
    _usb_device(root, "1-4", "04b8", "0e15", "TM-T20II", "07")
    return root


def test_serial_ports_with_usb_identity(fake_root: Path) -> None:
    ports = {p.device: p for p in scan_serial_ports(fake_root)}
    assert list(ports) == ["/dev/ttyACM0", "/dev/ttyS0", "/dev/ttyUSB0"]  # ttyS1 is a phantom
    assert ports["/dev/ttyUSB0"].vid_pid == "1a86:7523"
    assert ports["/dev/ttyUSB0"].kind == "usb-serial"
    assert ports["/dev/ttyUSB0"].description == "ACME USB Serial"
    assert ports["/dev/ttyUSB0"].serial_number == "SN1-1"
    assert ports["/dev/ttyACM0"].vid_pid == "0c2e:0b61"
    assert ports["/dev/ttyACM0"].kind == "usb-acm"
    assert ports["/dev/ttyS0"].vid_pid == ""
    assert ports["/dev/ttyS0"].kind == "uart"


def test_cameras_with_their_names(fake_root: Path) -> None:
    cameras = scan_cameras(fake_root)
    assert [(c.device, c.name, c.opens) for c in cameras] == [
        ("/dev/video0", "HD Document Camera", None),
        ("/dev/video1", "HD Document Camera", None),
    ]


def test_trying_a_camera_that_is_not_one_says_so(fake_root: Path) -> None:
    [first, _] = scan_cameras(fake_root, try_open=True, open_timeout=20.0)
    assert first.opens is False
    assert first.reason


def test_usb_printers_by_node_and_by_interface_class(fake_root: Path) -> None:
    printers = scan_usb_printers(fake_root)
    assert [(p.device, p.vid_pid, p.bus_id) for p in printers] == [
        ("/dev/usb/lp0", "0416:5011", "1-3"),
        ("", "04b8:0e15", "1-4"),
    ]
    assert printers[1].description == "ACME TM-T20II"


def test_an_empty_machine_finds_nothing(tmp_path: Path) -> None:
    assert scan_serial_ports(tmp_path) == []
    assert scan_cameras(tmp_path) == []
    assert scan_usb_printers(tmp_path) == []


def test_cups_queues_from_the_real_scheduler(cups_pdf: CupsSetup) -> None:
    report = scan_cups(timeout=10.0)
    assert report.note == ""
    queues = {q.name: q for q in report.queues}
    assert queues[cups_pdf.queue].uri.startswith("cups-pdf:")
    assert queues[cups_pdf.queue].state in ("idle", "printing")


def test_cups_not_running_is_said(unused_tcp_port: int) -> None:
    report = scan_cups(server=f"127.0.0.1:{unused_tcp_port}", timeout=10.0)
    assert report.queues == []
    assert report.note == CUPS_NOT_RUNNING


@pytest.fixture
def unused_tcp_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_pty_found_by_the_scan_is_the_card_reader_doctor_reaches(tmp_path: Path) -> None:
    """Scan, put the port found into the configuration, and the doctor reaches the SAM module."""
    root = tmp_path / "root"
    with SamSimulator() as simulator:
        (root / "dev").mkdir(parents=True)
        (root / "dev" / "ttyACM3").symlink_to(simulator.port)  # the real pty, under a USB name
        [port] = scan_serial_ports(root)
        assert port.device == "/dev/ttyACM3"
        settings = load_settings(
            None,
            storage={"data_dir": tmp_path / "data"},
            devices={"id_reader": {"driver": "sam-serial", "port": str(root) + port.device}},
        )
        [reader] = [c for c in run_checks(settings) if c.device == "id_reader"]
    assert (reader.status, reader.reason) == ("ok", "")


def test_scan_json_shape_on_a_fake_tree(fake_root: Path) -> None:
    found = scan_all(fake_root).as_json()
    assert set(found) == {"serial_ports", "cameras", "usb_printers", "cups_queues"}
    assert {"device", "kind", "vid_pid", "description"} <= set(found["serial_ports"][0])


def _kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    return subprocess.run(
        [str(KIOSK), "devices", "scan", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_cli_json_on_the_real_machine(cups_pdf: CupsSetup) -> None:
    done = _kiosk("--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) == {"serial_ports", "cameras", "usb_printers", "cups_queues"}
    real_ports = {
        f"/dev/{p.name}" for pattern in ("ttyUSB*", "ttyACM*") for p in Path("/dev").glob(pattern)
    }
    assert real_ports <= {p["device"] for p in found["serial_ports"]}
    assert cups_pdf.queue in [q["name"] for q in found["cups_queues"]]


def test_cli_table_on_a_fake_tree(fake_root: Path) -> None:
    done = _kiosk("--root", str(fake_root))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "Serial ports 串口" in lines
    [usb] = [line for line in lines if "/dev/ttyUSB0" in line]
    assert usb.split()[:3] == ["/dev/ttyUSB0", "usb-serial", "1a86:7523"]
    [lp] = [line for line in lines if "/dev/usb/lp0" in line]
    assert "0416:5011" in lp
