"""QR decoding of camera frames: zbar, zxing-cpp and OpenCV decoders, and the chain of them.

Each decoder is a ``CodeDecoder``; ``DecoderChain`` tries them in order and stops at the first that
finds a code. The order (``DEFAULT_CHAIN``) comes from ``python -m bench qr`` (provisional figures,
a loaded 2-core machine): zxing-cpp alone decodes 261/300 degraded 1280x720 frames and 112/137 real
photographs, zbar 244 and 95, OpenCV 159 and 38; zxing-cpp is also the fastest (median 14 ms against
zbar's 88 and OpenCV's 179 on the degraded frames), so it goes first. zbar then adds 4 + 4 codes,
which makes the chain decode every frame any of the three decodes (so merging would add nothing);
OpenCV adds none and is left out by default. The camera scanner's chain is *gated*: zbar runs only
when zxing-cpp located a code it could not read, which keeps 7 of those 8 and costs about a tenth of
the whole chain's time on an empty frame (what an idle terminal sees all day). A decoder whose
library does not import is skipped with a log line, so a terminal without zxing-cpp still scans with
zbar.

zbar normally turns a QR code's bytes into text by guessing the character set, which mangles
GB18030 payloads that Chinese government codes still carry. zbar 0.23 added a "binary" option
that hands back the bytes as encoded; pyzbar 0.1.9 cannot pass it, so the scan loop below calls
the same C functions pyzbar wraps with that option set. On an older zbar without it we fall back
to pyzbar's own ``decode``.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt
from pyzbar import wrapper as zbar
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as pyzbar_decode

log = logging.getLogger(__name__)

_CFG_BINARY = 4
"""``ZBAR_CFG_BINARY`` in zbar.h since 0.23: keep QR data as bytes, no charset conversion."""
_FOURCC_Y800 = int.from_bytes(b"Y800", "little")
"""8-bit greyscale, one byte per pixel."""

_Found = tuple[int, int, bytes]
"""(top, left, payload) of one code, sortable into reading order."""


QR_FORMAT = "QRCode"
"""The format name every decoder reports for a QR code (zxing-cpp's ``BarcodeFormat`` name)."""


@dataclass(frozen=True)
class Code:
    """One code found in a frame: its format name and its payload as the raw bytes it carries."""

    format: str
    payload: bytes


class FormatDecoder(Protocol):
    """A ``CodeDecoder`` that also says each code's format (every decoder here does)."""

    name: str

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payloads, in reading order."""
        ...

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the codes with their formats, in reading order."""
        ...


class PyzbarDecoder:
    """``CodeDecoder`` that finds QR codes (only QR) in a frame and returns their raw bytes."""

    name = "pyzbar"

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payload of every QR code in ``frame`` (BGR, BGRA or grey), top to bottom.

        A second pass on a binarised copy catches codes in dim or uneven light, where zbar's own
        thresholding misses them on the plain grey frame.
        """
        grey = to_grey(frame)
        found = _scan(grey)
        if not found:
            _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
            found = _scan(np.asarray(binary, dtype=np.uint8))
        return [payload for _, _, payload in sorted(found)]

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the QR codes in ``frame`` with their format."""
        return [Code(QR_FORMAT, payload) for payload in self.decode(frame)]


class ZxingDecoder:
    """``CodeDecoder`` on zxing-cpp: QR and Micro QR codes, payload bytes as encoded.

    zxing-cpp's own pyramid (``try_downscale``) and local binariser cover small codes and uneven
    light, so there is no second pass here.
    """

    name = "zxing-cpp"

    def __init__(self) -> None:
        """Import zxing-cpp now, so a missing library shows when the chain is built."""
        import zxingcpp

        self._zx = zxingcpp

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payload of every QR code in ``frame``, top to bottom."""
        return [code.payload for code in self.decode_codes(frame)]

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the QR codes in ``frame`` with their format, top to bottom."""
        return self.sight(frame)[0]

    def sight(self, frame: npt.NDArray[np.uint8]) -> tuple[list[Code], bool]:
        """Return the codes read, and whether any code was seen at all (read or not).

        zxing-cpp reports symbols it located but could not decode (``return_errors``); when it
        saw nothing, the benchmark found no frame where another decoder read a code either
        (bar one real photo in 137), which is what lets ``DecoderChain`` skip them then.
        """
        # Made per call: a BarcodeFormats object still alive at interpreter exit makes nanobind
        # print a leak report.
        formats = self._zx.barcode_formats_from_str("QRCode,MicroQRCode")
        results = self._zx.read_barcodes(to_grey(frame), formats=formats, return_errors=True)
        found = []
        for result in results:
            if not result.valid:
                continue
            corners = [result.position.top_left, result.position.top_right]
            top = min(p.y for p in corners)
            left = min(p.x for p in corners)
            found.append((top, left, Code(result.format.name, bytes(result.bytes))))
        codes = [code for _, _, code in sorted(found, key=lambda f: (f[0], f[1]))]
        return codes, bool(results)


class OpenCvDecoder:
    """``CodeDecoder`` on OpenCV's ``QRCodeDetector`` (always there: OpenCV is a dependency).

    OpenCV hands back text, not bytes: UTF-8 payloads as their text, others as Latin-1 (the QR
    standard's default for byte mode). ``_raw_bytes`` undoes that, so GB18030 comes back as its
    bytes; only a payload of Latin-1 letters alone that was also valid UTF-8 stays ambiguous.
    """

    name = "opencv"

    def __init__(self) -> None:
        """Make the detector once; it is not thread-safe, so each scanner owns its own."""
        self._detector = cv2.QRCodeDetector()

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payload of every QR code in ``frame``, top to bottom."""
        return [code.payload for code in self.decode_codes(frame)]

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the QR codes in ``frame`` with their format, top to bottom."""
        try:
            ok, texts, points, _ = self._detector.detectAndDecodeMulti(to_grey(frame))
        except cv2.error:
            return []  # OpenCV raises on some degenerate detections; that is "no code"
        except UnicodeDecodeError:
            # OpenCV's binding turns the payload into str as UTF-8 and fails on other bytes
            # (GB18030): the payload is lost to this decoder, the others return it intact.
            return []
        if not ok or points is None:
            return []
        found = []
        for text, corners in zip(texts, points, strict=False):
            if text:
                top, left = float(corners[:, 1].min()), float(corners[:, 0].min())
                found.append((top, left, Code(QR_FORMAT, _raw_bytes(text))))
        return [code for _, _, code in sorted(found, key=lambda f: (f[0], f[1]))]


def _raw_bytes(text: str) -> bytes:
    """The payload bytes behind OpenCV's text (see ``OpenCvDecoder``)."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")  # beyond Latin-1: OpenCV read it as UTF-8
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # not UTF-8: OpenCV read the bytes as Latin-1, and these are they
    return text.encode("utf-8")


DECODERS: dict[str, type[PyzbarDecoder] | type[ZxingDecoder] | type[OpenCvDecoder]] = {
    ZxingDecoder.name: ZxingDecoder,
    PyzbarDecoder.name: PyzbarDecoder,
    OpenCvDecoder.name: OpenCvDecoder,
}
"""Every decoder by the name used in configuration and in the benchmark."""

DEFAULT_CHAIN: tuple[str, ...] = ("zxing-cpp", "pyzbar")
"""The measured order (see the module docstring and ``bench/qr.py``)."""


class DecoderChain:
    """``CodeDecoder`` that asks its decoders in order and stops at the first that finds a code.

    Stopping (rather than asking all and merging) is what the benchmark supports: the later
    decoders add codes only on frames where the first found nothing, and asking them on every
    frame would double the time of a successful scan.
    """

    def __init__(self, decoders: list[FormatDecoder], *, gated: bool = False) -> None:
        """Use ``decoders`` in this order; at least one.

        ``gated``: when the first decoder is zxing-cpp and it saw no code at all in a frame, do
        not ask the others. The camera scanner uses this: on the empty frames an idle terminal
        sees all day it costs zxing-cpp's ~7 ms instead of the whole chain's ~90 ms per frame,
        and it kept 7 of the 8 codes the second decoder added in the benchmark.
        """
        if not decoders:
            raise ValueError("a decoder chain needs at least one decoder")
        self.decoders = list(decoders)
        self.gated = gated
        self.name = "+".join(d.name for d in self.decoders) + (" (gated)" if gated else "")

    @classmethod
    def from_names(
        cls, names: tuple[str, ...] | list[str] = DEFAULT_CHAIN, *, gated: bool = False
    ) -> DecoderChain:
        """Build the chain by decoder name, skipping (with a log line) those that cannot load.

        Unknown names raise ``ValueError``; when no decoder loads at all, zbar is used, as it
        always was (it is a main dependency).
        """
        decoders: list[FormatDecoder] = []
        for name in names:
            try:
                factory = DECODERS[name]
            except KeyError:
                raise ValueError(
                    f"unknown QR decoder {name!r}; known: {', '.join(DECODERS)}"
                ) from None
            try:
                decoders.append(factory())
            except ImportError as err:
                log.warning("QR decoder %s is not available (%s); skipped", name, err)
        if not decoders:
            decoders.append(PyzbarDecoder())
        return cls(decoders, gated=gated)

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payloads the first successful decoder finds, in reading order."""
        return [code.payload for code in self.decode_codes(frame)]

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the codes the first successful decoder finds, with their formats."""
        first, *rest = self.decoders
        if self.gated and isinstance(first, ZxingDecoder):
            codes, seen = first.sight(frame)
            if codes or not seen:
                return codes
        else:
            rest = self.decoders
        for decoder in rest:
            codes = decoder.decode_codes(frame)
            if codes:
                return codes
        return []


@dataclass(frozen=True)
class Roi:
    """A region of interest as fractions of the frame: left, top, width, height in 0..1.

    The scan window of a terminal's camera is where the citizen is told to hold the code;
    decoding only there is faster and ignores codes on posters behind the citizen.
    """

    left: float = 0.0
    top: float = 0.0
    width: float = 1.0
    height: float = 1.0

    def __post_init__(self) -> None:
        """Refuse a region that is empty or leaves the frame."""
        values = (self.left, self.top, self.width, self.height)
        if not all(0.0 <= v <= 1.0 for v in values) or self.width <= 0 or self.height <= 0:
            raise ValueError(f"region of interest must lie within 0..1 and not be empty: {values}")
        if self.left + self.width > 1.0 + 1e-9 or self.top + self.height > 1.0 + 1e-9:
            raise ValueError(f"region of interest leaves the frame: {values}")

    def crop(self, frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """Return the part of ``frame`` inside the region (a view, no copy)."""
        height, width = frame.shape[:2]
        x0, y0 = round(self.left * width), round(self.top * height)
        x1 = max(x0 + 1, round((self.left + self.width) * width))
        y1 = max(y0 + 1, round((self.top + self.height) * height))
        return frame[y0:y1, x0:x1]


class RoiDecoder:
    """``CodeDecoder`` that decodes only inside a region of interest of each frame."""

    def __init__(self, inner: FormatDecoder, roi: Roi) -> None:
        """Decode with ``inner`` inside ``roi``."""
        self.inner = inner
        self.roi = roi
        self.name = inner.name

    def decode(self, frame: npt.NDArray[np.uint8]) -> list[bytes]:
        """Return the payloads of the codes inside the region."""
        return [code.payload for code in self.decode_codes(frame)]

    def decode_codes(self, frame: npt.NDArray[np.uint8]) -> list[Code]:
        """Return the codes inside the region, with their formats."""
        return self.inner.decode_codes(self.roi.crop(frame))


def to_grey(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Return an 8-bit single-channel copy of a BGR, BGRA or grey frame."""
    if frame.ndim == 2:
        return np.ascontiguousarray(frame, dtype=np.uint8)
    if frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    if frame.shape[2] == 3:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return np.ascontiguousarray(frame[:, :, 0], dtype=np.uint8)


def decode_text(payload: bytes) -> str:
    """Turn a QR payload into text: UTF-8 first (the standard's default), then GB18030."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    return payload.decode("gb18030", errors="replace")


@contextmanager
def _scanner() -> Iterator[Any]:
    scanner = zbar.zbar_image_scanner_create()
    if not scanner:
        raise MemoryError("zbar could not create an image scanner")
    try:
        yield scanner
    finally:
        zbar.zbar_image_scanner_destroy(scanner)


def _scan(grey: npt.NDArray[np.uint8]) -> list[_Found]:
    height, width = grey.shape
    pixels = ctypes.create_string_buffer(grey.tobytes(), grey.size)
    with _scanner() as scanner:
        zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, zbar.ZBarConfig.CFG_ENABLE, 0)
        zbar.zbar_image_scanner_set_config(
            scanner, ZBarSymbol.QRCODE, zbar.ZBarConfig.CFG_ENABLE, 1
        )
        if zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _CFG_BINARY, 1) != 0:
            log.debug("zbar has no binary mode; payloads are converted to text by zbar")
            return _scan_with_pyzbar(grey)
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, _FOURCC_Y800)
            zbar.zbar_image_set_size(image, width, height)
            # ``pixels`` stays referenced until the scan is over; zbar does not copy it.
            zbar.zbar_image_set_data(image, ctypes.cast(pixels, ctypes.c_void_p), grey.size, None)
            if zbar.zbar_scan_image(scanner, image) < 0:
                raise ValueError("zbar rejected the image format")
            found: list[_Found] = []
            symbol = zbar.zbar_image_first_symbol(image)
            while symbol:
                data = ctypes.string_at(
                    zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol)
                )
                points = range(zbar.zbar_symbol_get_loc_size(symbol))
                top = min((zbar.zbar_symbol_get_loc_y(symbol, i) for i in points), default=0)
                left = min((zbar.zbar_symbol_get_loc_x(symbol, i) for i in points), default=0)
                found.append((int(top), int(left), bytes(data)))
                symbol = zbar.zbar_symbol_next(symbol)
            return found
        finally:
            zbar.zbar_image_destroy(image)


def _scan_with_pyzbar(grey: npt.NDArray[np.uint8]) -> list[_Found]:
    results = pyzbar_decode(grey, symbols=[ZBarSymbol.QRCODE])
    return [(r.rect.top, r.rect.left, bytes(r.data)) for r in results]
