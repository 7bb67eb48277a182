"""Face match's decisions without Qt: the card's face against frames, attempts, liveness, wipe.

The engine is dlib's (real models), the frames come from the simulated face camera showing the
photos in assets/samples/faces, and the card photo is the simulated reader's JPEG.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from assets import load_catalog
from bench.face import placed_like
from devices.face.engine import DlibFaceEngine
from devices.face.liveness import (
    LOST_FRAMES,
    Likeness,
    LivenessJudge,
    eye_aspect_ratio,
    yaw_position,
)
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


def test_someone_elses_turn_shown_between_the_holders_photo_never_matches(
    engine: DlibFaceEngine,
) -> None:
    # The holder's photo held still, another man's head turning, the photo again: the turn was
    # not the card's face, so the photo's frames after it stay unproven. (Before, any face's
    # turn counted: this sequence matched at the photo's first frame after the turn.)
    check = _check(engine)
    photo = _camera(engine, DEMO_LIVE_FACES["adult"], moving=False)
    other = _camera(engine, "biden")
    cameras = [photo] * 3 + [other] * 8 + [photo] * 6
    verdicts = []
    for camera in cameras:
        frame = camera.grab()
        assert frame is not None
        verdicts.append(check.look(frame).verdict)
    assert Verdict.MATCHED not in verdicts
    assert verdicts[-1] is Verdict.LOOKS_ALIKE and Verdict.MISMATCH in verdicts
    assert check.liveness is not None and check.liveness.restarts >= 1
    # And the holder himself, turning after that, still gets through.
    verdicts = _run(check, _camera(engine, DEMO_LIVE_FACES["adult"]))
    assert verdicts[-1] is Verdict.MATCHED


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
        assert not judge.feed(_five(45.0 + (-1) ** i), bytes([i]), likeness=Likeness.MATCHES)
    # Turned, the card's face need only resemble the card photo; the way back must match it.
    for i in range(2):
        turned = _five(45.0 + 0.07 * 90 + i)
        assert not judge.feed(turned, b"turned%d" % i, likeness=Likeness.RESEMBLES)
    assert not judge.feed(_five(45.5), b"back", likeness=Likeness.RESEMBLES)
    assert judge.feed(_five(45.2), b"back, matching", likeness=Likeness.MATCHES)
    assert judge.how == "turn"
    # Without the way back it is not a turn (a face that moved aside and left).
    judge = LivenessJudge()
    for i, nose in enumerate((45.0, 45.5, 44.5, 52.0, 52.5, 53.0)):
        assert not judge.feed(_five(nose), bytes([i]), likeness=Likeness.MATCHES)
    # One stray frame is no turn.
    judge = LivenessJudge()
    for i, nose in enumerate((45.0, 45.5, 44.5, 52.0, 45.0, 45.5, 52.0, 44.8)):
        assert not judge.feed(_five(nose), bytes([i]), likeness=Likeness.MATCHES)


def _turned_in_plane(points: np.ndarray, degrees: float, shift=(0.0, 0.0), scale=1.0) -> np.ndarray:
    angle = np.radians(degrees)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (points @ rotation.T * scale + np.asarray(shift)).astype(np.float32)


def test_a_photo_tilted_moved_or_brought_nearer_does_not_turn() -> None:
    # Before the position was taken along the eye line, a 5 degree tilt of a held-up photo moved
    # it by 0.064, more than a turn: tilting the photo and back passed.
    face = _five(43.0)
    for degrees in (3.0, 5.0, 10.0, 20.0, -15.0):
        assert yaw_position(_turned_in_plane(face, degrees)) == pytest.approx(
            yaw_position(face), abs=1e-6
        )
    judge = LivenessJudge()
    poses = [(0, (0, 0), 1.0)] * 3 + [(8, (4, 2), 1.1), (12, (6, 3), 1.15)] * 2 + [(0, (0, 0), 1.0)]
    for i, (degrees, shift, scale) in enumerate(poses):
        moved = _turned_in_plane(face, degrees, shift, scale)
        assert not judge.feed(moved, bytes([i]), likeness=Likeness.MATCHES)


def test_another_face_turning_between_frames_of_the_holders_photo_does_not_count() -> None:
    # The holder's photo held still (matching), someone else's head turning (not matching), the
    # photo again: before, any face's turn counted and the photo's next frame matched.
    judge = LivenessJudge()
    frames = [(45.0, Likeness.MATCHES)] * 3 + [(52.0, Likeness.OTHER)] * 2
    frames += [(45.0, Likeness.MATCHES)] * 3
    assert not any(
        judge.feed(_five(nose), bytes([i]), likeness=likeness)
        for i, (nose, likeness) in enumerate(frames)
    )
    assert judge.restarts == 1
    # The photo swapped out of sight: three frames without a face start the movement again.
    judge = LivenessJudge()
    for i in range(3):
        judge.feed(_five(45.0 + 0.1 * i), bytes([i]), likeness=Likeness.MATCHES)
    for _ in range(LOST_FRAMES + 1):
        judge.lost()
    for i, nose in enumerate((52.0, 52.5, 45.0, 45.1)):
        assert not judge.feed(_five(nose), bytes([10 + i]), likeness=Likeness.MATCHES)
    # A head turned far is lost by the detector for a frame or two: the turn still counts.
    judge = LivenessJudge()
    for i in range(3):
        judge.feed(_five(45.0 + 0.1 * i), bytes([i]), likeness=Likeness.MATCHES)
    judge.feed(_five(52.0), b"turned", likeness=Likeness.RESEMBLES)
    for _ in range(LOST_FRAMES):
        judge.lost()
    judge.feed(_five(52.5), b"turned 2", likeness=Likeness.RESEMBLES)
    assert judge.feed(_five(45.1), b"back", likeness=Likeness.MATCHES)
    # A face that jumped from one frame to the next (photos swapped in view) starts it again.
    judge = LivenessJudge()
    for i in range(3):
        judge.feed(_five(45.0), bytes([i]), likeness=Likeness.MATCHES)
    far = _five(52.0) + np.float32(120.0)
    assert not judge.feed(far, b"jumped", likeness=Likeness.RESEMBLES)
    assert not judge.feed(far + np.float32(0.5), b"jumped 2", likeness=Likeness.RESEMBLES)
    assert not judge.feed(_five(45.0), b"back", likeness=Likeness.MATCHES)
    assert judge.restarts == 1  # the jump there (back, there was nothing left to start again)


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
        passed = [
            judge.feed(_five(45.0), bytes([i]), eyes, likeness=Likeness.MATCHES)
            for i, eyes in enumerate(frames)
        ]
        assert passed[-1] is blink and judge.how == ("blink" if blink else "")
    with pytest.raises(ValueError, match="5x2 or 68x2"):
        yaw_position(np.zeros((3, 2), dtype=np.float32))


def test_liveness_turns_on_the_engines_five_points_without_the_68_point_model(
    engine: DlibFaceEngine,
) -> None:
    # Photos of one man facing the camera (obama-1) and turned aside (obama-2): a real turn.
    import cv2

    frames = [cv2.imread(str(FACES_DIR / f"{name}.jpg")) for name in ("obama-1", "obama-2")]
    # Two photos frame him differently; a man turning stays where he stood, so the turned photo
    # is laid with its eye corners over the first one's (unlaid, his face jumps: a swap).
    frames[1] = placed_like(engine, frames[1], frames[0])
    judge = LivenessJudge()
    seen = []
    for i, index in enumerate((0, 0, 0, 1, 1, 0)):
        points = np.asarray(engine.find(frames[index])[0].points, dtype=np.float32)
        seen.append(judge.feed(points, bytes([i]), likeness=Likeness.MATCHES))
    assert seen == [False, False, False, False, False, True] and judge.how == "turn"
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
        judge.feed(points, b"same", likeness=Likeness.MATCHES)
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
