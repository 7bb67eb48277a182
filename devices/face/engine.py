"""The face engine port and its dlib driver.

dlib's models come in registry packages, so nothing is downloaded at run time: the HOG frontal
face detector is built into ``dlib`` (``dlib-bin`` wheels, Boost Software Licence), and
``face-recognition-models`` (models CC0 / public domain, package MIT) carries the 5-point shape
predictor and the ResNet model that maps an aligned 150x150 face chip to a 128-d vector. dlib
publishes 99.38% on LFW for that model with faces of one person closer than 0.6 (Euclidean).

The package also carries dlib's 68-point landmark model; it is not loaded unless the operator
names a 68-point model file (``landmarks68_model``): it was trained on iBUG 300-W, whose licence
excludes commercial use. Liveness turns on the five points without it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import cv2
import numpy as np

from devices.errors import DeviceError, DeviceUnavailableError

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

DLIB_THRESHOLD = 0.6
"""dlib's published same-person distance for ``dlib_face_recognition_resnet_model_v1``."""

EMBEDDING_SIZE = 128

_MIN_SIDE = 320
"""Images whose long side is smaller (a 126x102 card photo) are enlarged to this first: the HOG
detector finds faces from about 80 px, and the card photo's face is about 70 px wide."""
_MAX_SIDE = 800
"""Camera frames are reduced to this long side: a face at arm's length stays well over 80 px and
detection costs a quarter of a full HD frame's."""


class FaceError(DeviceError):
    """Root of the face engine's errors."""


class FaceEngineUnavailableError(FaceError, DeviceUnavailableError):
    """The face models cannot be loaded on this terminal."""


class NoFaceError(FaceError):
    """No face was found in the image."""

    message_zh = "没有看到您的脸，请正对摄像头。"
    message_en = "We cannot see your face; please look straight at the camera."


@dataclass(frozen=True)
class Face:
    """One face found in an image: its box and five landmarks, in the image's own pixels.

    The five points are dlib's: the outer and inner corner of each eye (image-right eye first)
    and the bottom of the nose.
    """

    box: tuple[int, int, int, int]
    """Left, top, right, bottom."""
    points: tuple[tuple[float, float], ...]

    @property
    def width(self) -> int:
        """Width of the box in pixels."""
        return self.box[2] - self.box[0]


@runtime_checkable
class FaceEngine(Protocol):
    """Finds faces and embeds them; an engine is used from one worker thread at a time."""

    def find(self, image: npt.NDArray[np.uint8]) -> list[Face]:
        """Faces in a BGR image, the largest first (an empty list when there is none)."""
        ...

    def embed(self, image: npt.NDArray[np.uint8], face: Face) -> npt.NDArray[np.float32]:
        """The 128-d embedding of ``face`` (found in the same ``image``)."""
        ...

    def landmarks68(
        self, image: npt.NDArray[np.uint8], face: Face
    ) -> npt.NDArray[np.float32] | None:
        """The 68 dlib landmarks of ``face`` (68x2), or ``None`` if the engine has no such model."""
        ...

    @property
    def has_landmarks68(self) -> bool:
        """Whether :meth:`landmarks68` has a model to answer with."""
        ...


def distance(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Euclidean distance between two embeddings (dlib's measure: same person below 0.6)."""
    if a.shape != (EMBEDDING_SIZE,) or b.shape != (EMBEDDING_SIZE,):
        raise ValueError(f"embeddings must be {EMBEDDING_SIZE}-d, got {a.shape} and {b.shape}")
    return float(np.linalg.norm(a.astype(np.float64) - b.astype(np.float64)))


def largest_face(engine: FaceEngine, image: npt.NDArray[np.uint8]) -> Face:
    """The largest face in ``image``; ``NoFaceError`` when there is none."""
    faces = engine.find(image)
    if not faces:
        raise NoFaceError("no face in the image")
    return faces[0]


def embed_largest(
    engine: FaceEngine, image: npt.NDArray[np.uint8]
) -> tuple[Face, npt.NDArray[np.float32]]:
    """Find the largest face of ``image`` and embed it."""
    face = largest_face(engine, image)
    return face, engine.embed(image, face)


def _check_image(image: npt.NDArray[np.uint8]) -> None:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected a BGR uint8 image, got {image.dtype} {image.shape}")
    if min(image.shape[:2]) < 16:
        raise ValueError(f"image too small for a face: {image.shape[1]}x{image.shape[0]}")


class DlibFaceEngine:
    """dlib's HOG detector, 5-point alignment and ResNet embedding (models from packages).

    Building it loads about 32 MB of models (0.3 s). A 68-point model, when one is named, is
    loaded when ``landmarks68`` is first asked for (a blink) or by ``load_landmarks68``. Calls
    are serialised by a lock, since dlib's objects are not documented as thread-safe.
    """

    def __init__(self, *, jitter: int = 0, landmarks68_model: Path | None = None) -> None:
        """Load the models; ``FaceEngineUnavailableError`` when a package or model is missing.

        ``jitter`` > 0 embeds that many randomly jittered copies of each chip and averages them
        (dlib's ``num_jitters``): steadier, and that many times slower. ``landmarks68_model`` is
        a 68-point shape predictor file the operator may use (none by default: see the module).
        """
        try:
            import dlib
            import face_recognition_models as models
        except ImportError as err:
            raise FaceEngineUnavailableError(
                f"face models not installed ({err.name}): pip install dlib-bin "
                "face-recognition-models"
            ) from err
        try:
            self._detector = dlib.get_frontal_face_detector()
            self._shape5 = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
            self._net = dlib.face_recognition_model_v1(models.face_recognition_model_location())
        except RuntimeError as err:
            raise FaceEngineUnavailableError(f"face model failed to load: {err}") from err
        self._dlib = dlib
        self._shape68: object | None = None
        self._model68 = landmarks68_model
        self._jitter = max(0, int(jitter))
        self._lock = threading.Lock()

    def _working(self, image: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], float]:
        """The RGB image dlib works on, and its scale from ``image``."""
        _check_image(image)
        long_side = max(image.shape[:2])
        scale = 1.0
        if long_side < _MIN_SIDE:
            scale = _MIN_SIDE / long_side
        elif long_side > _MAX_SIDE:
            scale = _MAX_SIDE / long_side
        work = image
        if scale != 1.0:
            interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
            work = np.asarray(
                cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation),
                dtype=np.uint8,
            )
        return np.ascontiguousarray(cv2.cvtColor(work, cv2.COLOR_BGR2RGB)), scale

    def find(self, image: npt.NDArray[np.uint8]) -> list[Face]:
        """Faces in a BGR image, the largest first; one upsampled pass if the first finds none."""
        rgb, scale = self._working(image)
        with self._lock:
            rects, scores, _ = self._detector.run(rgb, 0)
            if not rects:
                rects, scores, _ = self._detector.run(rgb, 1)
            # A weak detection next to a confident one is a pattern (a badge, a poster), not a
            # second person: keep those within a quarter of the best score, then the largest.
            best = max(scores, default=0.0)
            kept = [rect for rect, score in zip(rects, scores, strict=True) if score >= best / 4]
            faces = []
            for rect in kept:
                shape = self._shape5(rgb, rect)
                points = tuple((shape.part(i).x / scale, shape.part(i).y / scale) for i in range(5))
                box = (
                    round(rect.left() / scale),
                    round(rect.top() / scale),
                    round(rect.right() / scale),
                    round(rect.bottom() / scale),
                )
                faces.append(Face(box=box, points=points))
        faces.sort(key=lambda face: face.width, reverse=True)
        return faces

    def _rect(self, face: Face, scale: float) -> object:
        left, top, right, bottom = (round(v * scale) for v in face.box)
        return self._dlib.rectangle(left, top, right, bottom)

    def embed(self, image: npt.NDArray[np.uint8], face: Face) -> npt.NDArray[np.float32]:
        """The 128-d embedding of ``face``, aligned on its five points."""
        rgb, scale = self._working(image)
        with self._lock:
            rect = self._rect(face, scale)
            shape = self._shape5(rgb, rect)
            vector = self._net.compute_face_descriptor(rgb, shape, self._jitter)
        return np.asarray(vector, dtype=np.float32)

    @property
    def has_landmarks68(self) -> bool:
        """Whether a 68-point model was named (a blink can count)."""
        return self._model68 is not None

    def load_landmarks68(self) -> None:
        """Load the named 68-point model (about 100 MB) now rather than at its first use."""
        if self._model68 is not None:
            with self._lock:
                self._load68(self._model68)

    def _load68(self, model: Path) -> Any:
        """The 68-point predictor, loaded on first use (call with the lock held)."""
        if self._shape68 is None:
            try:
                self._shape68 = self._dlib.shape_predictor(str(model))
            except RuntimeError as err:
                raise FaceEngineUnavailableError(f"68-point model failed: {err}") from err
        return self._shape68

    def landmarks68(
        self, image: npt.NDArray[np.uint8], face: Face
    ) -> npt.NDArray[np.float32] | None:
        """The 68 landmarks of ``face`` (68x2, in ``image``'s pixels); ``None`` without a model."""
        if self._model68 is None:
            return None
        rgb, scale = self._working(image)
        with self._lock:
            predictor = self._load68(self._model68)
            rect = self._rect(face, scale)
            shape = predictor(rgb, rect)
            points = [(shape.part(i).x / scale, shape.part(i).y / scale) for i in range(68)]
        return np.asarray(points, dtype=np.float32)


def card_photo_crop(image: npt.NDArray[np.uint8], face: Face) -> npt.NDArray[np.uint8]:
    """Cut and scale ``image`` the way a card photo frames a head: 102x126 BGR.

    GA 467's photo shows the head and the top of the shoulders; the face box (brows to chin) is
    about half the photo's width and sits a little above the middle. Used by the simulator and
    the bench to make card photos of any face image.
    """
    left, top, right, bottom = face.box
    side = max(right - left, bottom - top)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    width = side * 1.9
    height = width * 126 / 102
    x0, y0 = cx - width / 2, cy - height * 0.52
    matrix = np.array(
        [[102 / width, 0, -x0 * 102 / width], [0, 126 / height, -y0 * 126 / height]],
        dtype=np.float64,
    )
    crop = cv2.warpAffine(
        image, matrix, (102, 126), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(crop, dtype=np.uint8)
