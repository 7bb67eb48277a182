"""Face match's decisions without Qt: the card's face against frames, attempts, liveness, wipe.

The engine is dlib's (real models), the frames come from the simulated face camera showing the
photos in assets/samples/faces, and the card photo is the simulated reader's JPEG.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from assets import load_catalog
from devices.face.engine import DlibFaceEngine
from devices.face.liveness import LivenessJudge, eye_aspect_ratio, yaw_position
from devices.face.simulator import SimulatedFaceCamera
from devices.idcard.demo_cards import DEMO_LIVE_FACES, FACES_DIR, demo_card
from devices.idcard.photo import JpegPhotoDecoder, NoWltDecoder, PhotoUnavailableError
from hall.schema import ServiceItem
from kiosk.config import load_settings
from kiosk.services.face import (
    FaceCheck,
    Verdict,
    build_wlt_decoder,
    bundle_members,
    mode_for,
)
from kiosk.services.handoff import ticket_for
from kiosk.services.session import Session


@pytest.fixture(scope="module")
def engine() -> DlibFaceEngine:
    return DlibFaceEngine()


def _camera(engine: DlibFaceEngine, name: str, *, moving: bool = True) -> SimulatedFaceCamera:
    camera = SimulatedFaceCamera(engine)
    camera.show_file(FACES_DIR / f"{name}.jpg", moving=moving)
    return camera


def _check(engine: DlibFaceEngine, key: str = "adult", *, liveness: bool = True) -> FaceCheck:
    check = FaceCheck(engine, JpegPhotoDecoder(), liveness=liveness)
    check.load_card(demo_card(key, jpeg_photo=True).photo)
    return check


def _run(check: FaceCheck, camera: SimulatedFaceCamera, frames: int = 12) -> list[Verdict]:
    verdicts = []
    for _ in range(frames):
        frame = camera.grab()
        assert frame is not None
        verdicts.append(check.look(frame).verdict)
        if verdicts[-1] is Verdict.MATCHED:
            break
    return verdicts


def test_the_holder_moving_matches(engine: DlibFaceEngine) -> None:
    # The adult's card is cut from obama-1; the camera shows another photo of him, obama-2.
    check = _check(engine)
    verdicts = _run(check, _camera(engine, DEMO_LIVE_FACES["adult"]))
    assert verdicts[-1] is Verdict.MATCHED
    assert verdicts[0] is Verdict.LOOKS_ALIKE
    assert check.liveness is not None and check.liveness.how == "turn"


def test_the_holders_photo_held_up_never_passes_liveness(engine: DlibFaceEngine) -> None:
    check = _check(engine, "elder")
    verdicts = _run(check, _camera(engine, "collins", moving=False), frames=16)
    assert set(verdicts) == {Verdict.LOOKS_ALIKE}


def test_someone_else_is_a_mismatch(engine: DlibFaceEngine) -> None:
    check = _check(engine)
    verdicts = _run(check, _camera(engine, "biden"), frames=6)
    assert set(verdicts) == {Verdict.MISMATCH}


def test_nobody_there_is_no_face(engine: DlibFaceEngine) -> None:
    check = _check(engine)
    assert check.look(np.full((480, 640, 3), 90, dtype=np.uint8)).verdict is Verdict.NO_FACE


def test_without_liveness_the_first_matching_frame_passes(engine: DlibFaceEngine) -> None:
    check = _check(engine, "elder2", liveness=False)
    frame = _camera(engine, "biden", moving=False).grab()
    assert frame is not None
    result = check.look(frame)
    assert result.verdict is Verdict.MATCHED and result.distance is not None


def test_attempts_count_down(engine: DlibFaceEngine) -> None:
    check = _check(engine)
    assert check.attempts_left == 3
    for left in (2, 1, 0):
        check.attempt_failed()
        assert check.attempts_left == left


def test_a_card_photo_that_cannot_be_decoded_or_shows_no_face(engine: DlibFaceEngine) -> None:
    with pytest.raises(PhotoUnavailableError):
        FaceCheck(engine, NoWltDecoder()).load_card(demo_card("adult").photo)
    # The uninsured resident has no face photo: her card keeps the opaque stand-in bytes.
    photo = demo_card("uninsured", jpeg_photo=True).photo
    with pytest.raises(PhotoUnavailableError):
        FaceCheck(engine, JpegPhotoDecoder()).load_card(photo)


def test_wipe_zeroes_the_embedding_and_the_photo(engine: DlibFaceEngine) -> None:
    check = _check(engine)
    embedding, photo = check._card, check._photo
    assert embedding is not None and photo is not None and embedding.any()
    check.wipe()
    assert not embedding.any() and not photo.any()
    assert not check.card_loaded
    with pytest.raises(RuntimeError):
        check.look(np.zeros((100, 100, 3), dtype=np.uint8))


def test_bad_threshold_is_refused(engine: DlibFaceEngine) -> None:
    with pytest.raises(ValueError, match="threshold"):
        FaceCheck(engine, JpegPhotoDecoder(), threshold=0)


def test_liveness_measures() -> None:
    points = np.zeros((68, 2), dtype=np.float32)
    # An open eye 30 wide, lids 10 apart: ratio 1/3; the nose midway between the corners.
    for eye, x0 in ((slice(36, 42), 0.0), (slice(42, 48), 60.0)):
        xs = (x0, x0 + 10, x0 + 20, x0 + 30, x0 + 20, x0 + 10)
        points[eye] = list(zip(xs, (0, -5, -5, 0, 5, 5), strict=True))
    points[30] = (45.0, 30.0)
    assert eye_aspect_ratio(points) == pytest.approx(1 / 3)
    assert yaw_position(points) == pytest.approx(0.5)
    judge = LivenessJudge()
    for i in range(4):
        assert not judge.feed(points, bytes([i]))
    shut = points.copy()
    shut[[37, 38, 43, 44], 1] = -1
    shut[[40, 41, 46, 47], 1] = 1
    assert not judge.feed(shut, b"shut")
    assert judge.feed(points, b"open again") and judge.how == "blink"


def test_a_frozen_frame_never_counts() -> None:
    judge = LivenessJudge()
    points = np.random.default_rng(1).uniform(0, 100, (68, 2)).astype(np.float32)
    for _ in range(10):
        judge.feed(points, b"same")
    assert judge.frames == 1 and judge.frozen_frames == 9 and not judge.passed


def test_mode_follows_the_item_and_the_terminal() -> None:
    items = {item.id: item for item in load_catalog().items}
    required = items["no-criminal-record-certificate"]
    assert mode_for(required, available=True) == "required"
    assert mode_for(required, available=False) == "off"
    assert mode_for(items["tax-payment-certificate"], available=True) == "optional"
    assert mode_for(items["elder-allowance"], available=True) == "off"
    bundle = items["new-job-bundle"]
    members = bundle_members(bundle, items.values())
    assert {m.id for m in members} == set(bundle.bundle_of)
    assert mode_for(bundle, available=True, members=members) == "required"
    assert mode_for(bundle, available=False, members=members) == "off"
    with pytest.raises(ValueError, match="face_match"):
        ServiceItem.model_validate({**required.model_dump(), "face_match": "sometimes"})


def test_the_terminal_setting(tmp_path: object) -> None:
    assert load_settings(None).face_match_available
    none = load_settings(None, devices={"face_camera": {"driver": "none"}})
    assert not none.face_match_available
    forced = load_settings(None, devices={"face_camera": {"driver": "none"}}, face={"mode": "on"})
    assert forced.face_match_available
    assert not load_settings(None, face={"mode": "off"}).face_match_available


def test_the_decoder_the_configuration_builds(tmp_path: object) -> None:
    assert isinstance(build_wlt_decoder(load_settings(None)), JpegPhotoDecoder)
    wlt = load_settings(None, devices={"id_reader": {"simulated_photo": "wlt"}})
    assert isinstance(build_wlt_decoder(wlt), NoWltDecoder)
    missing = load_settings(None, devices={"id_reader": {"wlt_library": "/nonexistent/libwlt.so"}})
    assert isinstance(build_wlt_decoder(missing), NoWltDecoder)


def test_the_ticket_says_face_match_failed_and_nothing_more() -> None:
    session = Session()
    session.card = demo_card("adult", jpeg_photo=True)
    session.face_match = "failed"
    ticket = ticket_for(session, "face_mismatch", "K1", dt.datetime.now(dt.UTC))
    assert ticket.reason == "face_mismatch"
    check = next(c for c in ticket.checks if c.label == "人证核验")
    assert check.ok is False and "人工核对" in check.value
    session.wipe()
    assert session.face_match == ""
