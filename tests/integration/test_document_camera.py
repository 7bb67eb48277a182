"""The document camera over OpenCV: files and image sequences stand in for a device, frame by frame.

A recorded clip of a document being laid down goes through the real ``OpenCvCamera`` and the
auto-capture; the photo is taken from the resting frames, never from the moving ones.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera.autocapture import Advice, AutoCapture, AutoCaptureSettings
from devices.camera.opencv_camera import OpenCvCamera, is_live_source, parse_source
from devices.errors import DeviceUnavailableError

SAMPLE = Path(__file__).parents[2] / "assets" / "samples" / "lease-contract.jpg"
SIZE = (1280, 720)


def _clip_frames() -> list[np.ndarray]:
    """The empty stand, a contract sliding in from the right, then resting for a second."""
    page = cv2.imread(str(SAMPLE))
    assert page is not None
    page = cv2.resize(page, (500, 400), interpolation=cv2.INTER_AREA)
    frames = []
    stops = [SIZE[0]] * 3 + list(range(1100, 380, -90)) + [390] * 12
    for x in stops:
        frame = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
        visible = max(0, min(page.shape[1], SIZE[0] - x))
        if visible:
            frame[160:560, x : x + visible] = page[:, :visible]
        frames.append(frame)
    return frames


def _judge(camera: OpenCvCamera) -> list[Advice]:
    judge = AutoCapture(AutoCaptureSettings(still_frames=4))
    advices = []
    while (frame := camera.grab()) is not None:
        assert frame.shape == (SIZE[1], SIZE[0], 3)
        advices.append(judge.feed(frame).advice)
    return advices


def test_a_recorded_clip_is_taken_only_once_the_document_rests(tmp_path: Path) -> None:
    clip = tmp_path / "laying-down.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 12, SIZE)
    frames = _clip_frames()
    for frame in frames:
        writer.write(frame)
    writer.release()

    with OpenCvCamera(str(clip)) as camera:
        advices = _judge(camera)
        assert camera.settings()["width"] == SIZE[0]

    assert len(advices) == len(frames)
    assert advices[:3] == [Advice.NO_DOCUMENT] * 3
    moving = len(frames) - 12
    assert Advice.READY not in advices[:moving]
    assert Advice.READY in advices[moving:]


def test_an_image_sequence_is_a_camera_too(tmp_path: Path) -> None:
    for index, frame in enumerate(_clip_frames()):
        cv2.imwrite(str(tmp_path / f"img_{index:03d}.png"), frame)
    with OpenCvCamera(str(tmp_path / "img_%03d.png")) as camera:
        advices = _judge(camera)
    assert Advice.READY in advices[-12:]


def test_a_source_that_cannot_be_opened_says_which(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-clip.avi"
    with pytest.raises(DeviceUnavailableError, match="no-such-clip"):
        OpenCvCamera(str(missing))


def test_a_closed_camera_refuses_to_grab(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "img_000.png"), _clip_frames()[0])
    camera = OpenCvCamera(str(tmp_path / "img_%03d.png"))
    camera.close()
    with pytest.raises(DeviceUnavailableError, match="closed"):
        camera.grab()


@pytest.mark.parametrize(
    ("text", "source", "live"),
    [
        ("0", 0, True),
        (" 2 ", 2, True),
        ("/dev/video1", "/dev/video1", True),
        ("rtsp://127.0.0.1:8554/doc", "rtsp://127.0.0.1:8554/doc", True),
        ("/srv/clips/doc.avi", "/srv/clips/doc.avi", False),
    ],
)
def test_configured_sources_are_parsed_as_index_path_or_url(
    text: str, source: int | str, live: bool
) -> None:
    assert parse_source(text) == source
    assert is_live_source(parse_source(text)) is live
