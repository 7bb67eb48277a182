"""The runtimes behind the default engine: onnxruntime always, OpenVINO where it is installed.

The OpenVINO tests run the real models on OpenVINO's CPU plugin and compare with onnxruntime on
the same images; they are skipped, with the reason, where the ``openvino`` extra is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.docgen import page_for
from ocr.engine import OcrEngine
from ocr.engines import EngineOptions, EngineUnavailable, build_engine
from ocr.engines.rapid import RapidEngine
from ocr.engines.sessions import chosen_runtime, openvino_installed

needs_openvino = pytest.mark.skipif(
    not openvino_installed(), reason="the openvino extra is not installed here"
)


def licence() -> np.ndarray:
    page, _spec, _who = page_for("business_license", seed=4)
    return page


def test_the_default_engine_runs_where_auto_points(ocr_engine: OcrEngine) -> None:
    assert isinstance(ocr_engine, RapidEngine)
    assert EngineOptions().runtime == "auto"
    assert ocr_engine.runtime == ("openvino" if openvino_installed() else "onnxruntime")


def test_a_bad_runtime_or_precision_is_refused_before_loading() -> None:
    with pytest.raises(ValueError, match="unknown OCR runtime 'tensorrt'"):
        build_engine("rapid", EngineOptions(runtime="tensorrt"))
    with pytest.raises(ValueError, match="unknown OCR precision 'int4'"):
        build_engine("rapid", EngineOptions(precision="int4"))


def test_auto_takes_openvino_only_where_it_is_installed() -> None:
    auto = EngineOptions(runtime="auto")
    assert chosen_runtime(auto, openvino=False) == "onnxruntime"
    with pytest.raises(EngineUnavailable, match="needs the openvino package"):
        chosen_runtime(EngineOptions(runtime="openvino"), openvino=False)
    assert chosen_runtime(auto, openvino=True) == "openvino"
    # Without the flag it looks for itself: this machine's answer.
    assert chosen_runtime(auto) == ("openvino" if openvino_installed() else "onnxruntime")


@pytest.fixture(scope="module")
def onnxruntime_engine() -> RapidEngine:
    engine = build_engine("rapid", EngineOptions(runtime="onnxruntime"))
    assert isinstance(engine, RapidEngine)
    return engine


def test_onnxruntime_reads_the_licence_at_every_width(onnxruntime_engine: RapidEngine) -> None:
    """The fallback runtime: precision does not apply, widths are not rounded."""
    assert onnxruntime_engine.runtime == "onnxruntime"
    page, spec, _who = page_for("business_license", seed=4)
    text = "".join(line.text for line in onnxruntime_engine.recognize(page))
    for field in ("uscc", "name", "legal_representative"):
        assert str(spec.fields[field]) in text
    assert onnxruntime_engine._rec_width(np.zeros((48, 100, 3), np.uint8)) == 320
    assert onnxruntime_engine._rec_width(np.zeros((48, 500, 3), np.uint8)) == 500


@pytest.fixture(scope="module")
def openvino_engine() -> RapidEngine:
    if not openvino_installed():
        pytest.skip("the openvino extra is not installed here")
    engine = build_engine("rapid", EngineOptions(runtime="openvino", precision="f32"))
    assert isinstance(engine, RapidEngine)
    return engine


@needs_openvino
def test_openvino_reads_what_onnxruntime_reads(
    openvino_engine: RapidEngine, onnxruntime_engine: RapidEngine
) -> None:
    """At f32 the two runtimes read the same lines in the same places (64 px width steps)."""
    assert openvino_engine.runtime == "openvino"
    page = licence()
    ours = openvino_engine.recognize(page)
    theirs = onnxruntime_engine.recognize(page)
    assert [line.text for line in ours] == [line.text for line in theirs]
    for mine, other in zip(ours, theirs, strict=True):
        assert np.abs(np.asarray(mine.box) - np.asarray(other.box)).max() <= 2.0


@needs_openvino
def test_openvino_rounds_widths_to_64(openvino_engine: RapidEngine) -> None:
    assert openvino_engine._rec_width(np.zeros((48, 100, 3), np.uint8)) == 320
    assert openvino_engine._rec_width(np.zeros((48, 500, 3), np.uint8)) == 512
    assert openvino_engine._rec_width(np.zeros((48, 512, 3), np.uint8)) == 512


@needs_openvino
def test_openvino_bf16_reads_the_licence_fields() -> None:
    """bf16 (f32 on a CPU without bfloat16) keeps the fields a licence is checked on."""
    engine = build_engine("rapid", EngineOptions(runtime="openvino", precision="bf16"))
    page, spec, _who = page_for("business_license", seed=4)
    text = "".join(line.text for line in engine.recognize(page))
    for field in ("uscc", "name", "legal_representative"):
        assert str(spec.fields[field]) in text


@needs_openvino
def test_openvino_sends_no_telemetry(openvino_engine: RapidEngine) -> None:
    """The wheel's telemetry package is never loaded, so it starts no thread and sends nothing."""
    import sys
    import threading

    assert sys.modules.get("openvino_telemetry") is None
    assert not [t.name for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor")]
