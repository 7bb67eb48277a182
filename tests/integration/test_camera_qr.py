"""Frame sources over generated images, and QR decoding of what they return."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from pytestqt.qtbot import QtBot

from devices.camera.opencv_camera import FileCamera, OpenCvCamera, ReopeningCamera
from devices.camera.qr import DecoderChain, PyzbarDecoder, Roi, RoiDecoder, decode_text
from devices.errors import DeviceUnavailableError
from devices.ports import Camera, CodeDecoder
from kiosk.ui.workers import CodeScanner

PAYLOADS = ["SL-20240501-000123", "办件编号：SL-〇〇一", "https://hall.invalid/v?c=ZS-1"]
SAMPLE = Path(__file__).parents[2] / "assets" / "samples" / "qr-case-number.png"


def _qr_png(path: Path, payload: bytes, *, offset: int = 0) -> Path:
    """Write a camera-like frame: a QR code somewhere on a grey desk, 640x480."""
    code = qrcode.QRCode(box_size=6, border=4)
    code.add_data(payload)
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((480, 640), 150, dtype=np.uint8)
    h, w = image.shape
    frame[40 + offset : 40 + offset + h, 60 + offset : 60 + offset + w] = image
    assert cv2.imwrite(str(path), cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    return path


@pytest.fixture
def sequence(tmp_path: Path) -> list[Path]:
    return [
        _qr_png(tmp_path / f"img_{i:03d}.png", payload.encode(), offset=10 * i)
        for i, payload in enumerate(PAYLOADS)
    ]


def test_drivers_implement_the_ports(sequence: list[Path]) -> None:
    assert isinstance(FileCamera(sequence), Camera)
    assert isinstance(PyzbarDecoder(), CodeDecoder)


def test_opencv_camera_reads_an_image_sequence_then_ends(
    sequence: list[Path], tmp_path: Path
) -> None:
    decoder = PyzbarDecoder()
    with OpenCvCamera(str(tmp_path / "img_%03d.png")) as camera:
        frames = [camera.grab() for _ in PAYLOADS]
        assert camera.grab() is None
    decoded = []
    for frame in frames:
        assert frame is not None
        assert frame.shape == (480, 640, 3)
        assert frame.dtype == np.uint8
        decoded.extend(decode_text(p) for p in decoder.decode(frame))
    assert decoded == PAYLOADS


def test_file_camera_returns_files_in_order_and_loops(sequence: list[Path]) -> None:
    decoder = PyzbarDecoder()
    once = FileCamera(sequence)
    texts = []
    while (frame := once.grab()) is not None:
        texts.append(decode_text(decoder.decode(frame)[0]))
    assert texts == PAYLOADS

    looping = FileCamera(sequence[:2], loop=True)
    seen = []
    for _ in range(5):
        frame = looping.grab()
        assert frame is not None
        seen.append(decode_text(decoder.decode(frame)[0]))
    assert seen == [PAYLOADS[0], PAYLOADS[1]] * 2 + [PAYLOADS[0]]


def test_gb18030_payload_comes_back_as_the_same_bytes(tmp_path: Path) -> None:
    payload = "受理回执 〇一二".encode("gb18030")
    frame = FileCamera([_qr_png(tmp_path / "gb.png", payload)]).grab()
    assert frame is not None
    [found] = PyzbarDecoder().decode(frame)
    assert found == payload
    assert decode_text(found) == "受理回执 〇一二"


def test_two_codes_come_back_top_to_bottom(tmp_path: Path) -> None:
    top = cv2.imread(str(_qr_png(tmp_path / "a.png", b"TOP")))
    bottom = cv2.imread(str(_qr_png(tmp_path / "b.png", b"BOTTOM")))
    frame = np.vstack([top, bottom])
    assert PyzbarDecoder().decode(frame) == [b"TOP", b"BOTTOM"]


def test_frame_without_code_decodes_to_nothing() -> None:
    blank = np.full((240, 320, 3), 200, dtype=np.uint8)
    assert PyzbarDecoder().decode(blank) == []


def test_sample_asset_decodes() -> None:
    frame = FileCamera([SAMPLE]).grab()
    assert frame is not None
    assert [decode_text(p) for p in PyzbarDecoder().decode(frame)] == ["SL-20240501-000123"]


def test_missing_sources_are_device_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailableError):
        FileCamera([tmp_path / "absent.png"])
    with pytest.raises(DeviceUnavailableError):
        OpenCvCamera(str(tmp_path / "absent_%03d.png"))
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    with pytest.raises(DeviceUnavailableError):
        FileCamera([not_an_image]).grab()


def test_closed_cameras_refuse_to_grab(sequence: list[Path], tmp_path: Path) -> None:
    camera = OpenCvCamera(str(tmp_path / "img_%03d.png"))
    camera.close()
    with pytest.raises(DeviceUnavailableError):
        camera.grab()
    stand_in = FileCamera(sequence)
    stand_in.close()
    with pytest.raises(DeviceUnavailableError):
        stand_in.grab()


def test_reopening_camera_starts_without_its_device_and_opens_once_it_appears(
    tmp_path: Path,
) -> None:
    camera = ReopeningCamera(str(tmp_path / "img_%03d.png"), retry_interval=0.0)
    with pytest.raises(DeviceUnavailableError):
        camera.grab()  # "unplugged": nothing to open yet, and the terminal still runs
    _qr_png(tmp_path / "img_000.png", PAYLOADS[0].encode(), offset=0)
    frame = camera.grab()  # "plugged in": opened on the next grab
    assert frame is not None
    assert [decode_text(p) for p in PyzbarDecoder().decode(frame)] == [PAYLOADS[0]]
    camera.close()


def test_reopening_camera_waits_its_interval_before_trying_again(tmp_path: Path) -> None:
    camera = ReopeningCamera(str(tmp_path / "img_%03d.png"), retry_interval=3600.0)
    with pytest.raises(DeviceUnavailableError, match="cannot be opened"):
        camera.grab()
    _qr_png(tmp_path / "img_000.png", PAYLOADS[0].encode(), offset=0)
    with pytest.raises(DeviceUnavailableError, match="not available"):
        camera.grab()  # within the interval: no new attempt to open the device


# --- the decoder chain on the camera, and `kiosk scan` ---------------------------------------


class CountingCamera:
    """A ``FileCamera`` that counts its frames, so a test knows the scanner has looked again."""

    def __init__(self, files: list[Path]) -> None:
        self._camera = FileCamera(files, loop=True)
        self.grabs = 0

    def grab(self) -> np.ndarray | None:
        self.grabs += 1
        return self._camera.grab()

    def close(self) -> None:
        self._camera.close()


def test_the_camera_scanner_reports_a_code_held_in_view_once(qtbot: QtBot, tmp_path: Path) -> None:
    camera = CountingCamera([_qr_png(tmp_path / "receipt.png", PAYLOADS[0].encode())])
    scanner = CodeScanner(camera, DecoderChain.from_names(gated=True), interval=0.01)
    seen: list[str] = []
    scanner.code_scanned.connect(seen.append)
    scanner.start()
    try:
        with qtbot.waitSignal(scanner.code_scanned, timeout=5000) as first:
            scanner.enable(True)
        assert first.args == [PAYLOADS[0]]
        looked = camera.grabs
        qtbot.waitUntil(lambda: camera.grabs >= looked + 10, timeout=5000)
        assert seen == [PAYLOADS[0]]  # ten more frames with the code, no second report
        with qtbot.waitSignal(scanner.code_scanned, timeout=5000) as again:
            scanner.enable(True)  # a screen that asks afresh sees it again
        assert again.args == [PAYLOADS[0]]
    finally:
        scanner.stop()


def test_the_camera_scanner_decodes_only_inside_its_region_of_interest(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The code sits at the top left of the 640x480 frame; the region is the right half.
    camera = CountingCamera([_qr_png(tmp_path / "poster.png", b"POSTER")])
    decoder = RoiDecoder(DecoderChain.from_names(gated=True), Roi(0.5, 0.0, 0.5, 1.0))
    scanner = CodeScanner(camera, decoder, interval=0.01)
    seen: list[str] = []
    scanner.code_scanned.connect(seen.append)
    scanner.start()
    try:
        scanner.enable(True)
        qtbot.waitUntil(lambda: camera.grabs >= 5, timeout=5000)
        assert seen == []
    finally:
        scanner.stop()


def _kiosk_scan(*args: str) -> subprocess.CompletedProcess[str]:
    kiosk = Path(sys.executable).parent / "kiosk"
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KIOSK_")}
    return subprocess.run(
        [str(kiosk), "scan", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_kiosk_scan_json_lists_every_image_with_its_codes(tmp_path: Path) -> None:
    receipt = _qr_png(tmp_path / "receipt.png", PAYLOADS[0].encode())
    gb = _qr_png(tmp_path / "gb.png", "受理回执".encode("gb18030"))
    blank = tmp_path / "blank.png"
    assert cv2.imwrite(str(blank), np.full((120, 160, 3), 200, dtype=np.uint8))
    done = _kiosk_scan(str(receipt), str(gb), str(blank), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"file": str(receipt), "codes": [{"format": "QRCode", "text": PAYLOADS[0]}]},
        {"file": str(gb), "codes": [{"format": "QRCode", "text": "受理回执"}]},
        {"file": str(blank), "codes": []},
    ]


def test_kiosk_scan_prints_a_line_per_image(tmp_path: Path) -> None:
    receipt = _qr_png(tmp_path / "receipt.png", PAYLOADS[0].encode())
    blank = tmp_path / "blank.png"
    assert cv2.imwrite(str(blank), np.full((120, 160, 3), 200, dtype=np.uint8))
    done = _kiosk_scan(str(receipt), str(blank))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{receipt}: QRCode {PAYLOADS[0]}",
        f"{blank}: no code found",
    ]


def test_kiosk_scan_fails_on_a_file_it_cannot_read_and_still_scans_the_rest(
    tmp_path: Path,
) -> None:
    receipt = _qr_png(tmp_path / "receipt.png", PAYLOADS[0].encode())
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    missing = tmp_path / "missing.png"
    done = _kiosk_scan(str(notes), str(receipt), str(missing), "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout) == [
        {"file": str(receipt), "codes": [{"format": "QRCode", "text": PAYLOADS[0]}]}
    ]
    assert f"cannot read {notes}: not an image file" in done.stderr
    assert f"cannot read {missing}: No such file or directory" in done.stderr
