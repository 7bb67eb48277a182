"""QR decoding of camera frames with zbar (through pyzbar's ctypes bindings).

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
from typing import Any

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


class PyzbarDecoder:
    """``CodeDecoder`` that finds QR codes (only QR) in a frame and returns their raw bytes."""

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
