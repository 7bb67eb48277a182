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

    Raises ``PhotoUnavailableError`` for a photo of the wrong size, a decoder failure of any
    kind (vendor libraries raise what they like) or an image of the wrong shape.
    """
    if len(wlt) != WLT_SIZE:
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
