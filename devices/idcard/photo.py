"""The card's photo: WLT-compressed bytes, decodable only by vendors' closed libraries.

No open WLT decoder exists, so the photo stays opaque bytes on ``IdCard.photo`` and decoding is a
port: ``WltDecoder``. A terminal with a vendor library installs an adapter for it; without one,
``NoWltDecoder`` says plainly that the photo cannot be shown, and nothing else depends on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from devices.errors import DeviceError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

WLT_SIZE = 1024
"""Bytes of the compressed photo in a ``30 01`` reply."""

PHOTO_SHAPE = (126, 102, 3)
"""Height, width and channels (BGR) of a decoded photo."""


class PhotoUnavailableError(DeviceError):
    """The card's photo cannot be decoded on this terminal (no vendor decoder, or it failed)."""

    message_zh = "暂时无法显示证件照片，不影响办理。"
    message_en = "The card's photo cannot be shown right now; this does not affect your business."


@runtime_checkable
class WltDecoder(Protocol):
    """Turns the 1024 WLT bytes into a 126x102 BGR image."""

    def decode(self, wlt: bytes) -> npt.NDArray[np.uint8]:
        """Decode one photo; raises ``PhotoUnavailableError`` when it cannot."""
        ...


class NoWltDecoder:
    """The decoder of a terminal without a vendor library: every photo is unavailable."""

    def decode(self, wlt: bytes) -> npt.NDArray[np.uint8]:
        """Raise ``PhotoUnavailableError``: there is nothing open to decode WLT with."""
        raise PhotoUnavailableError("no WLT decoder installed (vendor library needed)")


def decode_photo(wlt: bytes | bytearray, decoder: WltDecoder) -> npt.NDArray[np.uint8]:
    """Decode ``wlt`` with ``decoder`` and check what comes back.

    A simulated card's JPEG photo may have any length up to ``JPEG_MAX_SIZE``; a WLT photo is
    1024 bytes. Raises ``PhotoUnavailableError`` for a photo of the wrong size, a decoder
    failure of any kind (vendor libraries raise what they like) or an image of the wrong shape.
    """
    is_jpeg = bytes(wlt[:3]) == JPEG_MAGIC
    if (len(wlt) != WLT_SIZE and not is_jpeg) or len(wlt) > JPEG_MAX_SIZE:
        raise PhotoUnavailableError(f"WLT photo is {len(wlt)} bytes, expected {WLT_SIZE}")
    try:
        image = decoder.decode(bytes(wlt))
    except PhotoUnavailableError:
        raise
    except Exception as err:
        raise PhotoUnavailableError(f"WLT decoder failed: {type(err).__name__}") from err
    if tuple(image.shape) != PHOTO_SHAPE or image.dtype.name != "uint8":
        raise PhotoUnavailableError(
            f"WLT decoder returned {image.dtype.name} {tuple(image.shape)}, expected uint8 "
            f"{PHOTO_SHAPE}"
        )
    return image


JPEG_MAGIC = b"\xff\xd8\xff"
"""How a JPEG starts; a WLT photo starts with its own header, never with this."""

JPEG_MAX_SIZE = 2048
"""Largest simulated-card JPEG photo: a ``30 10`` reply (text, photo, 1024 fingerprint bytes)
must stay under GA 467's 4096-byte frame. A 126x102 face keeps its likeness at about quality 40
there (``python -m bench face`` measures the 1024-byte case too)."""


def encode_jpeg_photo(
    image: npt.NDArray[np.uint8], *, max_bytes: int = JPEG_MAX_SIZE, pad: bool = False
) -> bytes:
    """A 126x102 BGR photo as the simulated card's JPEG, at the best quality under ``max_bytes``.

    Real cards carry 1024 WLT bytes that only vendors' libraries encode and decode; the
    simulated reader's cards carry a JPEG instead (the reply's photo length field says how
    long). ``pad`` fills it with zeros to exactly ``max_bytes`` (``max_bytes=1024, pad=True``
    keeps a real reply's length, at a visibly worse photo than WLT's wavelets give).
    ``ValueError`` for a wrong shape or a size that cannot be met.
    """
    import cv2

    if tuple(image.shape) != PHOTO_SHAPE or image.dtype.name != "uint8":
        raise ValueError(f"card photo must be uint8 {PHOTO_SHAPE}, got {tuple(image.shape)}")
    for quality in range(90, 4, -5):
        ok, data = cv2.imencode(
            ".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
        )
        if ok and len(data) <= max_bytes:
            encoded = bytes(data.tobytes())
            return encoded.ljust(max_bytes, b"\x00") if pad else encoded
    raise ValueError(f"photo does not fit {max_bytes} bytes as a JPEG")


class JpegPhotoDecoder:
    """Decodes the simulated card's photo: a JPEG (trailing zero padding is ignored).

    Anything else (a real WLT photo) is ``PhotoUnavailableError``, so a terminal configured with
    it next to a real reader says the photo cannot be shown rather than showing noise.
    """

    def decode(self, wlt: bytes) -> npt.NDArray[np.uint8]:
        """Decode the JPEG to a 126x102 BGR image."""
        import cv2
        import numpy as np

        if not wlt.startswith(JPEG_MAGIC):
            raise PhotoUnavailableError("card photo is not a JPEG (a real card's WLT?)")
        image = cv2.imdecode(np.frombuffer(wlt, dtype=np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise PhotoUnavailableError("card photo JPEG does not decode")
        if tuple(image.shape) != PHOTO_SHAPE:
            size = (PHOTO_SHAPE[1], PHOTO_SHAPE[0])
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        return np.asarray(image, dtype=np.uint8)
