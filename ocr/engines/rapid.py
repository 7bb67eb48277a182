"""The default engine: PP-OCRv4 detection, 0/180 line classification and recognition on onnxruntime.

The model files are the ONNX files the ``rapidocr-onnxruntime`` wheel carries (``models/`` in the
package), so a fresh terminal reads documents with no network. We drive the wheel's three stages
ourselves rather than through its all-in-one call: the detector then sees the photo scaled to
``det_side`` (the wheel would run it on a 2000 px image, three times the work for the same lines),
recognition crops from the full-resolution photo and runs each line at its own width on both cores
(see ``_recognise``), and the page orientation falls out of the same pass (see
``recognize_upright``).
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import queue
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ocr.engine import TextLine
from ocr.engines import EngineOptions, EngineUnavailable
from ocr.engines.sessions import SessionMaker

Image = npt.NDArray[np.uint8]
Box = npt.NDArray[np.float32]

ROTATIONS = (0, 90, 180, 270)
MAX_UPSCALE = 2.5
"""The detector sees small images enlarged at most this much."""
OPENVINO_WIDTH_STEP = 64
"""Recognition widths on OpenVINO when ``rec_width_step`` is 0: 64 px apart measured a little
cheaper than 32 and much cheaper than every width (``python -m bench ocr``, README)."""


def wheel_model_dir() -> Path:
    """Where the installed ``rapidocr-onnxruntime`` wheel keeps its ONNX files."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or spec.origin is None:
        raise EngineUnavailable(
            "the rapid engine needs the rapidocr-onnxruntime package (pip install "
            "rapidocr-onnxruntime==1.4.4), which carries the PP-OCRv4 model files"
        )
    return Path(spec.origin).parent / "models"


DEFAULT_MODELS = {
    "det": "ch_PP-OCRv4_det_infer.onnx",
    "rec": "ch_PP-OCRv4_rec_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}


def rotate(image: Image, degrees: int) -> Image:
    """The image turned clockwise by 0, 90, 180 or 270 degrees."""
    if degrees % 360 == 0:
        return image
    code = {
        90: cv2.ROTATE_90_CLOCKWISE,
        180: cv2.ROTATE_180,
        270: cv2.ROTATE_90_COUNTERCLOCKWISE,
    }[degrees % 360]
    return np.ascontiguousarray(cv2.rotate(image, code))


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Lines top to bottom; lines whose middles share a row go left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.top + item.bottom) / 2):
        middle = (line.top + line.bottom) / 2
        if rows:
            last = rows[-1]
            ref = last[0]
            height = max(ref.bottom - ref.top, line.bottom - line.top, 1.0)
            if abs(middle - (ref.top + ref.bottom) / 2) < height * 0.5:
                last.append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda item: item.left)]


class RapidEngine:
    """PP-OCRv4 through onnxruntime with the wheel's (or the configured) ONNX files."""

    name = "rapid"

    def __init__(self, options: EngineOptions | None = None) -> None:
        """Load the three sessions; ``EngineUnavailable`` names a missing package or file."""
        self.options = options or EngineOptions()
        models = wheel_model_dir()
        paths = {
            "det": self.options.det_model or models / DEFAULT_MODELS["det"],
            "rec": self.options.rec_model or models / DEFAULT_MODELS["rec"],
            "cls": self.options.cls_model or models / DEFAULT_MODELS["cls"],
        }
        for stage, path in paths.items():
            if not Path(path).is_file():
                raise EngineUnavailable(f"the {stage} model file {path} does not exist")
        # A bad runtime or precision fails before three sessions are loaded for nothing.
        self._sessions = SessionMaker.for_options(self.options)
        self.runtime = self._sessions.runtime
        """The runtime that runs the models (``onnxruntime`` or ``openvino``)."""
        # The wheel logs through its own handlers; the kiosk's log is ours to fill.
        for name in ("RapidOCR", "OrtInferSession"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from rapidocr_onnxruntime import RapidOCR

        # limit_type "min" with a small limit keeps the detector at the size we hand it.
        self._ocr: Any = RapidOCR(
            intra_op_num_threads=self.options.threads,
            inter_op_num_threads=1,
            det_model_path=str(paths["det"]),
            rec_model_path=str(paths["rec"]),
            cls_model_path=str(paths["cls"]),
            det_limit_type="min",
            det_limit_side_len=32,
            text_score=self.options.min_score,
        )
        self._tune_sessions(paths)
        # One recognition session per thread, each on one core (see ``_recognise``); more
        # sessions than cores would only take turns.
        sessions = max(1, min(self.options.threads, os.cpu_count() or 1))
        self._rec_sessions = [self._sessions.open(paths["rec"], threads=1) for _ in range(sessions)]
        # The wheel's own recognition session is never run: its memory goes back.
        self._ocr.text_rec.session.session = self._rec_sessions[0]
        self._rec_height = int(self._ocr.text_rec.rec_image_shape[1])
        self._width_step = max(1, self.options.rec_width_step)
        if self.options.rec_width_step == 0 and self.runtime == "openvino":
            self._width_step = OPENVINO_WIDTH_STEP
        # One photo at a time: the sessions use every core already and the wheel keeps state.
        self._lock = threading.Lock()

    def _tune_sessions(self, paths: dict[str, Path]) -> None:
        """Rebuild the wheel's detector and classifier sessions with our options and runtime."""
        threads = max(1, self.options.threads)
        self._ocr.text_det.infer.session = self._sessions.open(paths["det"], threads=threads)
        self._ocr.text_cls.infer.session = self._sessions.open(paths["cls"], threads=threads)

    def recognize(self, image: Image) -> list[TextLine]:
        """Every text line found, boxes in the pixels of ``image``, in reading order."""
        with self._lock:
            image = self._gray_to_bgr(image)
            return self._read(image, self._detect(image), classify=self.options.use_cls)

    def orientation(self, image: Image) -> int:
        """How far (degrees clockwise: 0/90/180/270) to turn ``image`` so its text stands upright.

        The detector's line shapes tell lying text (90/270) from standing text, and the 0/180
        classifier's vote on the lines tells upright from upside down.
        """
        with self._lock:
            return self._upright(self._gray_to_bgr(image))[0]

    def recognize_upright(self, image: Image) -> tuple[int, list[TextLine]]:
        """Turn the photo upright and read it.

        Returns the clockwise rotation applied and the lines of the turned image (boxes in its
        pixels). An upside-down photo's boxes are turned with it rather than detected again.
        """
        with self._lock:
            degrees, turned, boxes = self._upright(self._gray_to_bgr(image))
            return degrees, self._read(turned, boxes, classify=False)

    def recognize_upright_page(self, image: Image) -> tuple[int, Image, list[TextLine]]:
        """As ``recognize_upright``, with the turned image too (its pixels are the boxes').

        The reader re-reads a missing value's place on it (``recognize_crop``).
        """
        with self._lock:
            degrees, turned, boxes = self._upright(self._gray_to_bgr(image))
            return degrees, turned, self._read(turned, boxes, classify=False)

    def recognize_crop(
        self, image: Image, box: tuple[float, float, float, float]
    ) -> tuple[str, float] | None:
        """Recognise one line in ``box`` (left, top, right, bottom) of ``image``, no detection.

        For a value the detector did not find (a lone 回 beside 民族): the recogniser reads a
        region the caller chose from the label's geometry. ``None`` when the region is empty.
        """
        height, width = image.shape[:2]
        left, top = max(int(box[0]), 0), max(int(box[1]), 0)
        right, bottom = min(int(np.ceil(box[2])), width), min(int(np.ceil(box[3])), height)
        if right - left < 4 or bottom - top < 8:
            return None
        crop = np.ascontiguousarray(self._gray_to_bgr(image)[top:bottom, left:right])
        with self._lock:
            text, score = self._recognise([crop])[0]
        return (text, score) if text.strip() else None

    # -- the stages -----------------------------------------------------------------------------

    @staticmethod
    def _gray_to_bgr(image: Image) -> Image:
        if image.ndim == 2:
            return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        return image

    def _detect(self, image: Image) -> list[Box]:
        # Small images are enlarged too: an ID card photographed from a document camera is only
        # 600-800 px wide, and the detector drops lone characters (性别 女) at that size.
        side = max(image.shape[:2])
        if side > self.options.det_side:
            scale = self.options.det_page_side / side
        else:
            scale = min(MAX_UPSCALE, self.options.det_side / side)
        small = image
        if scale != 1.0:
            interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
            small = np.asarray(
                cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation),
                dtype=np.uint8,
            )
        boxes = self._detect_boxes(small)
        if boxes is None or len(boxes) == 0:
            return []
        return [np.asarray(box, dtype=np.float32) / scale for box in boxes]

    def _detect_boxes(self, image: Image) -> Any:
        """The wheel's detection stage (``text_det``) on ``image``, its input made in float32.

        The wheel normalises the page in float64 (its mean and std are float64 arrays) and casts
        the tensor back, about 10 ms of CPU per 960 px page; the same arithmetic in float32 gives
        the same tensor to float32 rounding, and the same boxes.
        """
        det = self._ocr.text_det
        shape = image.shape[:2]
        resized = det.get_preprocess(max(shape)).resize(image)  # sides to multiples of 32
        if resized is None:
            return None
        scale = np.float32(1 / 255.0)
        mean = np.asarray(det.mean, np.float32).reshape(3, 1, 1)
        std = np.asarray(det.std, np.float32).reshape(3, 1, 1)
        planes = np.asarray(resized, np.float32).transpose(2, 0, 1)
        tensor = ((planes * scale - mean) / std)[np.newaxis]
        predictions = det.infer(np.ascontiguousarray(tensor, np.float32))[0]
        boxes, _scores = det.postprocess_op(predictions, shape)
        return det.filter_tag_det_res(boxes, shape)

    def _crops(self, image: Image, boxes: list[Box]) -> list[Image]:
        crops: list[Image] = self._ocr.get_crop_img_list(image, boxes)
        return crops

    def _upright(self, image: Image) -> tuple[int, Image, list[Box]]:
        """The turn that stands the text up, the turned image and its line boxes."""
        boxes = self._detect(image)
        if not boxes:
            return 0, image, boxes
        standing = lying = 0
        for box in boxes:
            width = float(np.linalg.norm(box[1] - box[0]))
            height = float(np.linalg.norm(box[3] - box[0]))
            if width > height * 1.5:
                lying += 1
            elif height > width * 1.5:
                standing += 1
        degrees = 0
        if standing > lying:
            # Detected standing, a line breaks at wide gaps (after a colon): detect it again
            # lying. Upside-down lines are found as well as upright ones, so 180 needs no pass.
            degrees = 90
            image = rotate(image, 90)
            boxes = self._detect(image)
        wide = [
            box
            for box in boxes
            if np.linalg.norm(box[1] - box[0]) > 2 * np.linalg.norm(box[3] - box[0])
        ]
        # The longest lines vote: short ones (single digits, stamps) are poor witnesses.
        wide.sort(key=lambda box: -float(np.linalg.norm(box[1] - box[0])))
        crops = self._crops(image, wide[:12])
        if crops:
            _images, results, _elapsed = self._ocr.text_cls(crops)
            flipped = sum(float(score) for label, score in results if label == "180")
            upright = sum(float(score) for label, score in results if label == "0")
            if flipped > upright:
                boxes = [turn_box(box, 180, image.shape[:2]) for box in boxes]
                image = rotate(image, 180)
                degrees += 180
        return degrees, image, boxes

    def _read(self, image: Image, boxes: list[Box], *, classify: bool) -> list[TextLine]:
        if not boxes:
            return []
        crops = self._crops(image, boxes)
        if classify:
            crops, _results, _elapsed = self._ocr.text_cls(crops)
        recognised = self._recognise(crops)
        height, width = image.shape[:2]
        lines: list[TextLine] = []
        for box, (text, score) in zip(boxes, recognised, strict=True):
            if score < self.options.min_score or not text.strip():
                continue
            corners = tuple(
                (float(np.clip(x, 0, width)), float(np.clip(y, 0, height))) for x, y in box
            )
            lines.append(TextLine(text, corners, score))  # type: ignore[arg-type]
        return reading_order(lines)

    def _recognise(self, crops: list[Image]) -> list[tuple[str, float]]:
        """The text and score of every line crop, in the order given.

        The wheel batches six crops padded to the widest of them and to at least 320 px; a page's
        lines range from a two-character label to a clause across the page, so a third of its work
        went on padding. Here every crop runs alone at its own width (no narrower than the model's
        trained 320 px, which keeps short labels read as before), on one single-threaded session
        per core: each takes the longest crop still waiting, so both cores stay busy to the end,
        where one two-threaded run of a small tensor kept them waiting on each other. Measured on
        the benchmark's A4 pages: recognition takes about 0.55 of the wheel's time.
        """
        waiting: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in sorted(range(len(crops)), key=lambda i: -aspect(crops[i])):
            waiting.put(index)
        # Helpers are started per call and joined before it returns: a page's recognition is
        # half a second, a thread's start a tenth of a millisecond, and no thread outlives it.
        results: dict[int, tuple[str, float]] = {}
        errors: list[BaseException] = []

        def helper_work(session: Any) -> None:
            try:
                self._recognise_waiting(crops, waiting, session, results)
            except BaseException as err:  # re-raised in the caller's thread below
                errors.append(err)

        helpers = [
            threading.Thread(target=helper_work, args=(session,), name="ocr-recognise")
            for session in self._rec_sessions[1 : len(crops)]
        ]
        for helper in helpers:
            helper.start()
        try:
            self._recognise_waiting(crops, waiting, self._rec_sessions[0], results)
        finally:
            for helper in helpers:
                helper.join()
        if errors:
            raise errors[0]
        return [results[index] for index in range(len(crops))]

    def _rec_width(self, crop: Image) -> int:
        """The width of ``crop``'s recognition tensor.

        Its own width at the model's height, at least ``rec_min_width``, rounded up to the width
        step (``rec_width_step``).
        """
        width = max(1, math.ceil(self._rec_height * aspect(crop)), self.options.rec_min_width)
        return -(-width // self._width_step) * self._width_step

    def _recognise_waiting(
        self,
        crops: list[Image],
        waiting: queue.SimpleQueue[int],
        session: Any,
        results: dict[int, tuple[str, float]],
    ) -> None:
        """Recognise crops from ``waiting`` on ``session`` into ``results`` until none is left."""
        height = self._rec_height
        input_name = session.get_inputs()[0].name
        decode = self._ocr.text_rec.postprocess_op
        while True:
            try:
                index = waiting.get_nowait()
            except queue.Empty:
                return
            width = max(1, math.ceil(height * aspect(crops[index])))
            tensor = np.zeros((1, 3, height, self._rec_width(crops[index])), np.float32)
            resized = cv2.resize(crops[index], (width, height)).astype(np.float32)
            tensor[0, :, :, :width] = resized.transpose(2, 0, 1) / 127.5 - 1.0
            predictions = session.run(None, {input_name: tensor})[0]
            text, score = decode(predictions)[0][:2]
            results[index] = (str(text), float(score))


def aspect(crop: Image) -> float:
    """A line crop's width over its height."""
    height, width = crop.shape[:2]
    return float(width) / float(max(height, 1))


def turn_box(box: Box, degrees: int, shape: tuple[int, ...]) -> Box:
    """A line box moved with its image (``shape``: height, width) turned clockwise by 90 or 180.

    The corners come back clockwise from the new top left, as the crop step expects.
    """
    height, width = shape[0], shape[1]
    x, y = box[:, 0], box[:, 1]
    if degrees == 90:
        moved = np.stack([height - y, x], axis=1)
        # The corner that was bottom-left is now top-left.
        return np.roll(moved, 1, axis=0).astype(np.float32)
    moved = np.stack([width - x, height - y], axis=1)
    return np.roll(moved, 2, axis=0).astype(np.float32)
