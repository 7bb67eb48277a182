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


def _five(nose_x: float) -> np.ndarray:
    # dlib's five: the corners of each eye (image-right eye first), then the bottom of the nose.
    return np.array([[90, 0], [70, 0], [0, 0], [20, 0], [nose_x, 40]], dtype=np.float32)


def test_a_turn_on_the_five_points_passes_and_a_still_face_does_not() -> None:
    assert yaw_position(_five(45.0)) == pytest.approx(0.5)
    assert yaw_position(_five(63.0)) == pytest.approx(0.7)
    judge = LivenessJudge()
    for i in range(4):
        # Camera noise on a still face moves the nose by well under the turn.
        assert not judge.feed(_five(45.0 + (-1) ** i), bytes([i]))
    assert not judge.feed(_five(45.0 + 0.07 * 90), b"turned")
    assert judge.feed(_five(45.5), b"back") and judge.how == "turn"
    # Without the way back it is not a turn (a face that moved aside and left).
    judge = LivenessJudge()
    for i, nose in enumerate((45.0, 45.5, 44.5, 52.0, 52.5, 53.0)):
        assert not judge.feed(_five(nose), bytes([i]))


def _sixty_eight(lid: float) -> np.ndarray:
    points = np.zeros((68, 2), dtype=np.float32)
    # An eye 30 wide whose lids are ``2 * lid`` apart; the nose tip midway between the corners.
    for eye, x0 in ((slice(36, 42), 0.0), (slice(42, 48), 60.0)):
        xs = (x0, x0 + 10, x0 + 20, x0 + 30, x0 + 20, x0 + 10)
        points[eye] = list(zip(xs, (0, -lid, -lid, 0, lid, lid), strict=True))
    points[30] = (45.0, 30.0)
    return points


def test_a_blink_counts_only_where_a_68_point_model_is_named() -> None:
    open_eyes, shut = _sixty_eight(5.0), _sixty_eight(1.0)
    assert eye_aspect_ratio(open_eyes) == pytest.approx(1 / 3)
    assert yaw_position(open_eyes) == pytest.approx(0.5)
    frames = [open_eyes] * 4 + [shut, open_eyes]
    for blink in (True, False):
        judge = LivenessJudge(blink=blink)
        passed = [judge.feed(_five(45.0), bytes([i]), eyes) for i, eyes in enumerate(frames)]
        assert passed[-1] is blink and judge.how == ("blink" if blink else "")
    with pytest.raises(ValueError, match="5x2 or 68x2"):
        yaw_position(np.zeros((3, 2), dtype=np.float32))


def test_liveness_turns_on_the_engines_five_points_without_the_68_point_model(
    engine: DlibFaceEngine,
) -> None:
    # Photos of one man facing the camera (obama-1) and turned aside (obama-2): a real turn.
    import cv2

    frames = [cv2.imread(str(FACES_DIR / f"{name}.jpg")) for name in ("obama-1", "obama-2")]
    judge = LivenessJudge()
    seen = []
    for i, index in enumerate((0, 0, 0, 1, 0)):
        points = np.asarray(engine.find(frames[index])[0].points, dtype=np.float32)
        seen.append(judge.feed(points, bytes([i])))
    assert seen == [False, False, False, False, True] and judge.how == "turn"
    assert (
        not engine.has_landmarks68
        and engine.landmarks68(frames[0], engine.find(frames[0])[0]) is None
    )
    check = FaceCheck(engine, JpegPhotoDecoder())
    assert check.moves == "turn" and check.liveness is not None and not check.liveness.blink


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
