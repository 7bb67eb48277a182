"""The OCR benchmark's engine specs: a variant's option overrides, and bad ones refused."""

from __future__ import annotations

import pytest

from bench.ocr import engine_spec
from ocr.engines import EngineOptions


def test_plain_name_keeps_the_default_options() -> None:
    assert engine_spec("rapid") == ("rapid", EngineOptions())


def test_overrides_are_typed_like_the_defaults() -> None:
    name, options = engine_spec("rapid+det_page_side=736+use_cls=0+min_score=0.4")
    assert name == "rapid"
    assert options.det_page_side == 736
    assert options.use_cls is False
    assert options.min_score == pytest.approx(0.4)
    assert options.det_side == EngineOptions().det_side


@pytest.mark.parametrize(
    "spec", ["rapid+nosuch=1", "rapid+det_page_side", "rapid+det_model=/tmp/x.onnx"]
)
def test_unknown_or_malformed_overrides_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="engine option"):
        engine_spec(spec)


def test_a_bad_value_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        engine_spec("rapid+det_page_side=big")
