"""Frame sources over generated images, and QR decoding of what they return."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode

from devices.camera.opencv_camera import FileCamera, OpenCvCamera, ReopeningCamera
from devices.camera.qr import PyzbarDecoder, decode_text
from devices.errors import DeviceUnavailableError
from devices.ports import Camera, CodeDecoder

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
