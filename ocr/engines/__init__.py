"""OCR engines behind the one port, and the factory the composition root calls.

``build_engine("rapid")`` is the default: PP-OCRv4 det/cls/rec run through onnxruntime with the ONNX
files the ``rapidocr-onnxruntime`` wheel carries, so it works on a fresh terminal with no network.
``"paddle"`` (paddleocr 3.x on paddle CPU, the ``paddle`` extra) and ``"tesseract"`` (Debian's
``tesseract-ocr`` with ``chi_sim``, the baseline) sit behind the same port. No engine downloads
anything: a missing model file is an ``EngineUnavailable`` error that names the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ocr.engine import OcrEngine

ENGINE_NAMES = ("rapid", "paddle", "tesseract")
"""Every engine ``build_engine`` knows, the default first."""


class EngineUnavailable(RuntimeError):
    """The engine cannot be built here: its package or its model files are missing."""


@dataclass(frozen=True)
class EngineOptions:
    """How an engine runs; every field has a default that suits a 2-core terminal.

    ``det_model``/``rec_model``/``cls_model`` replace the default model files: ONNX files for
    ``rapid``, model directories (paddle inference format) for ``paddle``. ``None`` means the files
    the installed wheel carries.
    """

    threads: int = 2
    """onnxruntime intra-op threads (paddle: CPU threads); a 2-core terminal uses both."""
    det_side: int = 1280
    """The text detector sees a small photo (a card, long side up to this many pixels) enlarged
    so its long side is this; recognition crops the lines from the photo itself."""
    det_page_side: int = 960
    """A larger photo (a whole A4 page) is shrunk so its long side is this: a page's print is
    still 18-25 px high there, plenty for the detector, at half the work of ``det_side``."""
    rec_min_width: int = 320
    """Each line crop is recognised at its own width at the model's 48 px height, padded to no
    less than this (the width PP-OCR's recogniser was trained at)."""
    rec_width_step: int = 0
    """Recognition tensors are padded to a multiple of this width. OpenVINO prepares its kernels
    for each new input shape once (about 20 ms), so there widths 64 px apart (``0``, the default
    there) cost less than every width; ``0`` on onnxruntime means no rounding."""
    use_cls: bool = True
    """Run the 0/180 text-line classifier, which turns upside-down lines before recognition."""
    min_score: float = 0.5
    """Lines recognised with a lower confidence are dropped."""
    runtime: str = "auto"
    """What runs the ``rapid`` engine's ONNX files: ``onnxruntime``, ``openvino`` (OpenVINO's CPU
    plugin, the ``openvino`` extra), or ``auto``: OpenVINO where it is installed, else
    onnxruntime. On the benchmark's A4 pages OpenVINO at ``bf16`` takes 0.55-0.65 of
    onnxruntime's CPU time for the same fields."""
    precision: str = "bf16"
    """OpenVINO's inference precision: ``bf16`` where the CPU has bfloat16 arithmetic
    (AVX512_BF16, AMX; elsewhere the plugin runs f32), or ``f32``. onnxruntime runs f32."""
    det_model: Path | None = None
    rec_model: Path | None = None
    cls_model: Path | None = None
    tesseract_lang: str = "chi_sim"


def build_engine(name: str = "rapid", options: EngineOptions | None = None) -> OcrEngine:
    """Build the named engine; ``EngineUnavailable`` says what is missing when it cannot run."""
    options = options or EngineOptions()
    engine: OcrEngine
    if name == "rapid":
        from ocr.engines.rapid import RapidEngine

        engine = RapidEngine(options)
        return engine
    if name == "paddle":
        from ocr.engines.paddle import PaddleEngine

        engine = PaddleEngine(options)
        return engine
    if name == "tesseract":
        from ocr.engines.tesseract import TesseractEngine

        engine = TesseractEngine(options)
        return engine
    raise ValueError(f"unknown OCR engine {name!r}; known: {', '.join(ENGINE_NAMES)}")


def warm_up(engine: OcrEngine) -> None:
    """Run the engine once on a tiny drawn image, so the citizen's first photo is not the slow one.

    Loading the sessions and the first inference cost more than later calls; the app calls this in
    the background at start-up.
    """
    import cv2

    image = np.full((96, 320, 3), 255, dtype=np.uint8)
    cv2.putText(image, "2025 OCR", (12, 64), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    engine.recognize(image)
