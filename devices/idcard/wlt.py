"""A ``WltDecoder`` that calls the reader vendor's WLT library through ctypes.

Vendors ship the GA 467 photo decoder as a closed shared library; the common Linux ones
(libwlt2bmp.so, libwlt2019.so, the Synjones and Huashi SDKs) export
``int unpack(char *src, char *dst, int bmpSave)``: ``src`` the 1024 WLT bytes, ``dst`` a buffer
that receives 102x126x3 = 38556 bytes of pixels (or, in some builds, a 38862-byte BMP file:
a 54-byte header, then rows of 308 bytes, bottom-up), returning 1 on success. ``bmpSave`` is a
vendor code (602 in-memory and 603 write-a-file in the Huashi library, 0/1 in older ones), so it
is configured, as is the channel order some builds get backwards. Loading happens once when the
decoder is built; a missing library or function fails then, with a message a technician can act
on, not at the first citizen's card.
"""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from devices.errors import DeviceUnavailableError
from devices.idcard.photo import PHOTO_SHAPE, WLT_SIZE, PhotoUnavailableError

if TYPE_CHECKING:
    import numpy.typing as npt

RAW_SIZE = PHOTO_SHAPE[0] * PHOTO_SHAPE[1] * PHOTO_SHAPE[2]
"""38556: the decoded photo's pixels, 126 rows of 102 three-byte pixels."""
BMP_SIZE = 54 + PHOTO_SHAPE[0] * ((PHOTO_SHAPE[1] * 3 + 3) // 4 * 4)
"""38862: the same as a 24-bit BMP file (rows padded to 4 bytes)."""
_OUT_BUFFER = BMP_SIZE + 4096
"""Some vendor builds write past 38862 (a known crash when given exactly that): spare room."""

ChannelOrder = Literal["bgr", "rgb"]


class WltLibraryError(DeviceUnavailableError):
    """The configured vendor library cannot be loaded or lacks its function."""


class VendorWltDecoder:
    """Decodes WLT photos with a vendor library (``wlt_library`` in ``[devices.id_reader]``)."""

    def __init__(
        self,
        library: str | Path,
        *,
        function: str = "unpack",
        mode: int = 602,
        channels: ChannelOrder = "bgr",
        bottom_up: bool = False,
    ) -> None:
        """Load ``library`` and look up ``function``; ``WltLibraryError`` when either fails.

        ``mode`` is the third argument (``bmpSave``); ``channels`` the order the library writes
        raw pixels in; ``bottom_up`` whether its raw rows start at the bottom, as BMP rows do.
        """
        path = Path(library)
        if not path.is_file():
            raise WltLibraryError(f"WLT library not found: {path}")
        try:
            self._lib = ctypes.CDLL(str(path))
            func = getattr(self._lib, function)
        except OSError as err:
            raise WltLibraryError(f"WLT library {path.name} does not load: {err}") from err
        except AttributeError as err:
            raise WltLibraryError(f"WLT library {path.name} has no function {function}") from err
        func.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        func.restype = ctypes.c_int
        self._func = func
        self._mode = int(mode)
        self._channels = channels
        self._bottom_up = bottom_up
        self.name = f"{path.name}:{function}"
        # Vendor decoders keep static state; one call at a time.
        self._lock = threading.Lock()

    def decode(self, wlt: bytes) -> npt.NDArray[np.uint8]:
        """Decode 1024 WLT bytes to a 126x102 BGR image; ``PhotoUnavailableError`` on failure."""
        if len(wlt) != WLT_SIZE:
            raise PhotoUnavailableError(f"WLT photo is {len(wlt)} bytes, expected {WLT_SIZE}")
        source = ctypes.create_string_buffer(bytes(wlt), WLT_SIZE)
        out = ctypes.create_string_buffer(_OUT_BUFFER)
        with self._lock:
            status = self._func(source, out, self._mode)
        if status != 1:
            raise PhotoUnavailableError(f"{self.name} returned {status} (1 is success)")
        return pixels_from_output(out.raw, channels=self._channels, bottom_up=self._bottom_up)


def pixels_from_output(
    data: bytes, *, channels: ChannelOrder = "bgr", bottom_up: bool = False
) -> npt.NDArray[np.uint8]:
    """The 126x102 BGR image in a vendor library's output: a BMP file or raw pixels."""
    height, width, _ = PHOTO_SHAPE
    if data[:2] == b"BM":
        stride = (width * 3 + 3) // 4 * 4
        offset = int.from_bytes(data[10:14], "little")
        bmp_width = int.from_bytes(data[18:22], "little", signed=True)
        bmp_height = int.from_bytes(data[22:26], "little", signed=True)
        bits = int.from_bytes(data[28:30], "little")
        if bmp_width != width or abs(bmp_height) != height or bits != 24:
            raise PhotoUnavailableError(
                f"WLT library wrote a {bmp_width}x{bmp_height} {bits}-bit BMP, expected 102x126x24"
            )
        rows = np.frombuffer(data, dtype=np.uint8, count=stride * height, offset=offset)
        image = rows.reshape(height, stride)[:, : width * 3].reshape(height, width, 3)
        # A positive BMP height means bottom-up rows; BMP pixels are BGR.
        return np.ascontiguousarray(image[::-1] if bmp_height > 0 else image)
    if len(data) < RAW_SIZE:
        raise PhotoUnavailableError(f"WLT library wrote {len(data)} bytes, expected {RAW_SIZE}")
    image = np.frombuffer(data, dtype=np.uint8, count=RAW_SIZE).reshape(PHOTO_SHAPE)
    if bottom_up:
        image = image[::-1]
    if channels == "rgb":
        image = image[:, :, ::-1]
    return np.ascontiguousarray(image)
