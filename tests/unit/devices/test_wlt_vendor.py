"""The ctypes WLT adapter against real shared libraries built here with the vendor's signature.

No vendor library can ship with the project, so the tests compile small stand-ins exporting
``int unpack(char *src, char *dst, int bmpSave)`` the way vendor builds do: one writing raw
pixels, one writing a BMP file, one refusing the mode. The adapter's loading, calling and
output parsing are what is under test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from devices.idcard.photo import PHOTO_SHAPE, PhotoUnavailableError, WltDecoder, decode_photo
from devices.idcard.wlt import BMP_SIZE, RAW_SIZE, VendorWltDecoder, WltLibraryError

# Pixel (row r, column c, channel k) = (src[(r * 102 + c) % 1024] + k) & 0xff, rows top-down.
_SOURCE = r"""
#include <string.h>
static unsigned char px(const unsigned char *s, int r, int c, int k) {
    return (unsigned char)((s[(r * 102 + c) % 1024] + k) & 0xff);
}
int unpack(char *src, char *dst, int mode) {
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst;
    if (mode != 602) return 0;
#ifdef BMP
    static const unsigned char hdr[54] = {0x42,0x4D,0xCE,0x97,0,0,0,0,0,0,0x36,0,0,0,0x28,0,
        0,0,0x66,0,0,0,0x7E,0,0,0,1,0,0x18,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0};
    memcpy(d, hdr, 54);
    for (int r = 0; r < 126; r++) {
        unsigned char *row = d + 54 + (125 - r) * 308;
        for (int c = 0; c < 102; c++)
            for (int k = 0; k < 3; k++) row[c * 3 + k] = px(s, r, c, k);
        row[306] = row[307] = 0;
    }
#else
    for (int r = 0; r < 126; r++)
        for (int c = 0; c < 102; c++)
            for (int k = 0; k < 3; k++) d[(r * 102 + c) * 3 + k] = px(s, r, c, k);
#endif
    return 1;
}
"""

WLT = bytes((i * 7 + 3) % 256 for i in range(1024))


def _expected() -> np.ndarray:
    rows, cols = np.meshgrid(np.arange(126), np.arange(102), indexing="ij")
    base = np.frombuffer(WLT, dtype=np.uint8)[(rows * 102 + cols) % 1024].astype(int)
    return np.stack([(base + k) & 0xFF for k in range(3)], axis=-1).astype(np.uint8)


def _build(tmp_path: Path, name: str, *defines: str) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler is not None, "make test installs gcc (APT_PACKAGES) to build the stand-in"
    source = tmp_path / "wlt.c"
    source.write_text(_SOURCE)
    out = tmp_path / name
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", *defines, "-o", str(out), str(source)], check=True
    )
    return out


def test_sizes_are_the_vendors() -> None:
    assert RAW_SIZE == 38556 and BMP_SIZE == 38862


def test_raw_pixels(tmp_path: Path) -> None:
    decoder = VendorWltDecoder(_build(tmp_path, "libwlt2bmp.so"))
    assert isinstance(decoder, WltDecoder)
    image = decode_photo(WLT, decoder)
    assert image.shape == PHOTO_SHAPE
    assert np.array_equal(image, _expected())


def test_raw_pixels_in_rgb_bottom_up(tmp_path: Path) -> None:
    decoder = VendorWltDecoder(_build(tmp_path, "libwlt2bmp.so"), channels="rgb", bottom_up=True)
    assert np.array_equal(decode_photo(WLT, decoder), _expected()[::-1, :, ::-1])


def test_bmp_output(tmp_path: Path) -> None:
    decoder = VendorWltDecoder(_build(tmp_path, "libwlt2019.so", "-DBMP"))
    assert np.array_equal(decode_photo(WLT, decoder), _expected())


def test_a_refused_mode_is_photo_unavailable(tmp_path: Path) -> None:
    decoder = VendorWltDecoder(_build(tmp_path, "libwlt2bmp.so"), mode=603 + 1)
    with pytest.raises(PhotoUnavailableError, match="returned 0"):
        decode_photo(WLT, decoder)


def test_wrong_length_never_reaches_the_library(tmp_path: Path) -> None:
    decoder = VendorWltDecoder(_build(tmp_path, "libwlt2bmp.so"))
    with pytest.raises(PhotoUnavailableError, match="1024"):
        decoder.decode(WLT[:1000])


def test_missing_library_or_function_fails_at_build(tmp_path: Path) -> None:
    with pytest.raises(WltLibraryError, match="not found"):
        VendorWltDecoder(tmp_path / "absent.so")
    (tmp_path / "junk.so").write_bytes(b"not an ELF")
    with pytest.raises(WltLibraryError, match="does not load"):
        VendorWltDecoder(tmp_path / "junk.so")
    with pytest.raises(WltLibraryError, match="no function Unpack2"):
        VendorWltDecoder(_build(tmp_path, "libwlt2bmp.so"), function="Unpack2")
