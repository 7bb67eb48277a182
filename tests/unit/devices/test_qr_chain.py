"""The decoder chain on generated camera-like frames: order, stop at the first, skips, ROI."""

from __future__ import annotations

import logging
import sys

import cv2
import numpy as np
import numpy.typing as npt
import pytest
import qrcode

from devices.camera.qr import (
    DEFAULT_CHAIN,
    QR_FORMAT,
    Code,
    DecoderChain,
    OpenCvDecoder,
    PyzbarDecoder,
    Roi,
    RoiDecoder,
    ZxingDecoder,
    decode_text,
)
from devices.ports import CodeDecoder

Frame = npt.NDArray[np.uint8]
CASE = b"SL-20260501-00012"


def code_image(payload: bytes, module_px: int = 6) -> Frame:
    """The QR code alone, white border included, grey."""
    code = qrcode.QRCode(box_size=module_px, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return np.array(code.make_image().convert("L"), dtype=np.uint8)


def frame_with(payload: bytes, *, at: tuple[int, int] = (100, 200), module_px: int = 6) -> Frame:
    """A 1280x720 BGR desk frame with the code pasted at ``at`` (top, left)."""
    frame = np.full((720, 1280), 140, dtype=np.uint8)
    image = code_image(payload, module_px)
    top, left = at
    frame[top : top + image.shape[0], left : left + image.shape[1]] = image
    return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))


def degraded(frame: Frame, seed: int = 7) -> Frame:
    """Perspective, uneven light, blur and noise: what a hand-held receipt looks like."""
    rng = np.random.default_rng(seed)
    h, w = frame.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[40, 20], [w - 10, 60], [w - 60, h - 10], [10, h - 50]])
    warped = cv2.warpPerspective(frame, cv2.getPerspectiveTransform(src, dst), (w, h))
    light = np.outer(np.linspace(0.7, 1.0, h), np.linspace(0.55, 1.1, w))[..., None]
    out = cv2.GaussianBlur(warped.astype(np.float32) * light, (0, 0), 1.2)
    out += rng.normal(0, 8, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


class Counting:
    """A decoder that counts its calls and finds nothing (to see what the chain asks)."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, frame: Frame) -> list[bytes]:
        return []

    def decode_codes(self, frame: Frame) -> list[Code]:
        self.calls += 1
        return []


@pytest.mark.parametrize("decoder", [ZxingDecoder(), PyzbarDecoder(), OpenCvDecoder()])
def test_every_decoder_is_a_code_decoder_and_reads_a_plain_frame(decoder: CodeDecoder) -> None:
    assert isinstance(decoder, CodeDecoder)
    assert decoder.decode(frame_with(CASE)) == [CASE]


def test_the_default_chain_is_zxing_then_zbar() -> None:
    chain = DecoderChain.from_names()
    assert DEFAULT_CHAIN == ("zxing-cpp", "pyzbar")
    assert [d.name for d in chain.decoders] == ["zxing-cpp", "pyzbar"]
    assert isinstance(chain, CodeDecoder)


@pytest.mark.parametrize("gated", [False, True])
def test_the_chain_reads_degraded_frames_of_our_payload_kinds(gated: bool) -> None:
    payloads = [
        CASE,
        b"ZWCERT1.eyJ2IjoxLCJraWQiOiJoYWxsLTIwMjYiLCJjaWQiOiJaUy0xIn0.c2lnbmF0dXJlLWJ5dGVz",
        "受理回执 〇一二".encode(),
    ]
    chain = DecoderChain.from_names(gated=gated)
    for seed, payload in enumerate(payloads):
        codes = chain.decode_codes(degraded(frame_with(payload), seed))
        assert codes == [Code(QR_FORMAT, payload)], payload


def test_codes_come_back_in_reading_order_with_their_format() -> None:
    frame = frame_with(b"TOP", at=(40, 600))
    lower = code_image(b"BOTTOM")
    frame[400 : 400 + lower.shape[0], 100 : 100 + lower.shape[1]] = lower[..., None]
    chain = DecoderChain.from_names()
    assert chain.decode_codes(frame) == [Code("QRCode", b"TOP"), Code("QRCode", b"BOTTOM")]
    assert chain.decode(frame) == [b"TOP", b"BOTTOM"]


def test_gb18030_bytes_come_back_unchanged_from_zxing() -> None:
    payload = "受理回执 〇一二".encode("gb18030")
    [found] = DecoderChain.from_names().decode(frame_with(payload))
    assert found == payload
    assert decode_text(found) == "受理回执 〇一二"


def test_the_chain_stops_at_the_first_decoder_that_finds_a_code() -> None:
    second = Counting()
    chain = DecoderChain([ZxingDecoder(), second])
    assert chain.decode(frame_with(CASE)) == [CASE]
    assert second.calls == 0


def test_the_chain_asks_the_next_decoder_when_the_first_finds_nothing() -> None:
    first, second = Counting(), Counting()
    chain = DecoderChain([first, second, PyzbarDecoder()])
    assert chain.decode(frame_with(CASE)) == [CASE]
    assert (first.calls, second.calls) == (1, 1)


def test_a_gated_chain_skips_the_others_on_a_frame_without_any_code() -> None:
    blank = np.full((720, 1280, 3), 150, dtype=np.uint8)
    second = Counting()
    assert DecoderChain([ZxingDecoder(), second], gated=True).decode(blank) == []
    assert second.calls == 0
    ungated = Counting()
    assert DecoderChain([ZxingDecoder(), ungated]).decode(blank) == []
    assert ungated.calls == 1


def test_a_gated_chain_asks_the_others_when_zxing_saw_a_code_it_could_not_read() -> None:
    code = qrcode.QRCode(box_size=8, border=4, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(CASE)
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    # Flip data modules between the finder patterns, past what error correction mends: zxing
    # still locates the code but cannot read it.
    rng = np.random.default_rng(1)
    modules = image.shape[0] // 8
    for _ in range(60):
        r, c = (int(v) * 8 for v in rng.integers(13, modules - 5, 2))
        image[r : r + 8, c : c + 8] = 255 - image[r : r + 8, c : c + 8]
    frame = np.full((720, 1280), 140, dtype=np.uint8)
    frame[100 : 100 + image.shape[0], 200 : 200 + image.shape[1]] = image
    first = ZxingDecoder()
    codes, seen = first.sight(frame)
    assert codes == [] and seen
    second = Counting()
    assert DecoderChain([first, second], gated=True).decode(frame) == []
    assert second.calls == 1


def test_a_decoder_that_does_not_import_is_skipped_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # `import zxingcpp` now fails
    with caplog.at_level(logging.WARNING, logger="devices.camera.qr"):
        chain = DecoderChain.from_names(["zxing-cpp", "pyzbar"])
    assert [d.name for d in chain.decoders] == ["pyzbar"]
    assert "zxing-cpp is not available" in caplog.text
    assert chain.decode(frame_with(CASE)) == [CASE]


def test_with_no_decoder_left_zbar_still_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    with pytest.raises(ImportError):
        ZxingDecoder()
    chain = DecoderChain.from_names(["zxing-cpp"])
    assert [d.name for d in chain.decoders] == ["pyzbar"]


def test_unknown_decoder_names_and_empty_chains_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown QR decoder 'zxing'"):
        DecoderChain.from_names(["zxing"])
    with pytest.raises(ValueError, match="at least one"):
        DecoderChain([])


def test_opencv_gives_back_the_bytes_of_a_payload_that_is_not_utf8() -> None:
    payload = "受理回执".encode("gb18030")
    assert OpenCvDecoder().decode(frame_with(payload)) == [payload]
    assert OpenCvDecoder().decode(frame_with("受理回执".encode())) == ["受理回执".encode()]


def test_roi_decodes_only_inside_its_region() -> None:
    frame = frame_with(CASE, at=(60, 80))  # top left of the frame
    chain = DecoderChain.from_names()
    top_left = RoiDecoder(chain, Roi(0.0, 0.0, 0.5, 0.6))
    bottom_right = RoiDecoder(chain, Roi(0.5, 0.5, 0.5, 0.5))
    assert top_left.decode(frame) == [CASE]
    assert bottom_right.decode(frame) == []
    assert isinstance(top_left, CodeDecoder)


def test_roi_crops_by_fractions_of_the_frame() -> None:
    frame = np.zeros((720, 1280, 3), dtype=np.uint8)
    assert Roi(0.25, 0.5, 0.5, 0.5).crop(frame).shape == (360, 640, 3)
    assert Roi().crop(frame).shape == frame.shape


@pytest.mark.parametrize(
    "values",
    [(0.0, 0.0, 0.0, 0.5), (-0.1, 0.0, 0.5, 0.5), (0.6, 0.0, 0.5, 0.5), (0.0, 0.7, 0.5, 0.5)],
)
def test_roi_refuses_empty_or_outside_regions(values: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="region of interest"):
        Roi(*values)
