"""A test oracle: reads back exactly the ESC/POS that ``devices.receipt.commands`` emits.

It rebuilds the printed text lines (decoded from GB18030), the QR payloads (native ``GS ( k``
from the store command, raster ``GS v 0`` images decoded with pyzbar) and whether the paper was
cut. Anything else is an ``OracleError``: the oracle is strict on purpose, so that a stray byte
in the driver's output fails a test instead of printing garbage on a real printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from devices.camera.qr import PyzbarDecoder, decode_text
from devices.receipt.commands import display_width

Align = Literal["left", "center", "right"]
_ALIGN: dict[int, Align] = {
    0: "left",
    1: "center",
    2: "right",
    48: "left",
    49: "center",
    50: "right",
}


class OracleError(ValueError):
    """The bytes are not the ESC/POS the driver emits (unknown command, torn data, bad text)."""


@dataclass(frozen=True)
class PrintedLine:
    """One line of text as the printer would print it, with its style."""

    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False


@dataclass(frozen=True)
class PrintedQr:
    """A QR code on the paper: its payload (``None`` if it did not decode) and how it was sent."""

    payload: str | None
    native: bool


@dataclass
class DecodedReceipt:
    """What a receipt job prints: text lines, QR payloads, whether it was cut, raster images."""

    lines: list[str] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    cut: bool = False
    cut_kind: Literal["full", "partial"] | None = None
    """Which cut the job ends with; ``None`` when the paper is left to be torn off."""
    status_requests: int = 0
    """``DLE EOT n`` real-time requests seen: host-to-printer only, nothing on the paper."""
    images: list[npt.NDArray[np.uint8]] = field(default_factory=list)
    """What is printed as dots, as 0/1 bitmaps (1 = black), one row per dot line: raster images,
    and native QR symbols drawn as the printer's engine draws them."""
    blocks: list[PrintedLine | PrintedQr] = field(default_factory=list)
    """Lines and QR codes in paper order, for ``render_text``."""


@dataclass
class _State:
    align: Align = "left"
    bold: bool = False
    double: bool = False
    chinese: bool = False
    text: bytearray = field(default_factory=bytearray)
    stored_qr: bytes | None = None
    qr_module_dots: int = 3
    """GS ( k function 167: dots per module (printers default to 3)."""
    qr_ec: str = "L"
    """GS ( k function 169: error correction level (L, M, Q, H; printers default to L)."""


def decode_receipt(data: bytes, *, paper_dots: int | None = None) -> DecodedReceipt:
    """Parse one job's bytes into a ``DecodedReceipt``; raises ``OracleError`` on anything else.

    With ``paper_dots`` (384 for 58 mm paper, 576 for 80 mm) a raster image wider than the paper
    is an error too: the printer would cut it off.
    """
    out = DecodedReceipt()
    state = _State()
    pos = 0
    n = len(data)

    def need(count: int) -> bytes:
        if pos + count > n:
            raise OracleError(f"command at offset {pos} is cut short")
        return data[pos : pos + count]

    while pos < n:
        byte = data[pos]
        if byte >= 0x20:
            end = pos
            while end < n and data[end] >= 0x20:
                end += 1
            chunk = data[pos:end]
            if not state.chinese and any(b >= 0x80 for b in chunk):
                raise OracleError(f"multi-byte text outside Chinese mode at offset {pos}")
            state.text += chunk
            pos = end
            continue
        if byte == 0x0A:
            _end_line(out, state)
            pos += 1
            continue
        if state.text:
            raise OracleError(f"command inside a text line at offset {pos}")
        prefix = need(2)
        if prefix == b"\x1b@":
            state = _State()
            pos += 2
        elif prefix == b"\x1ba":
            value = need(3)[2]
            if value not in _ALIGN:
                raise OracleError(f"bad alignment {value} at offset {pos}")
            state.align = _ALIGN[value]
            pos += 3
        elif prefix == b"\x1bE":
            state.bold = bool(need(3)[2] & 1)
            pos += 3
        elif prefix == b"\x1d!":
            size = need(3)[2]
            if size not in (0x00, 0x11):
                raise OracleError(f"character size {size:#04x} is not one we emit")
            state.double = size == 0x11
            pos += 3
        elif prefix == b"\x1c&":
            state.chinese = True
            pos += 2
        elif prefix == b"\x1c.":
            state.chinese = False
            pos += 2
        elif prefix == b"\x1dV":
            mode = need(3)[2]
            if mode in (0, 1, 48, 49):
                pos += 3
            elif mode in (65, 66):
                need(4)
                pos += 4
            else:
                raise OracleError(f"bad cut mode {mode} at offset {pos}")
            out.cut = True
            out.cut_kind = "full" if mode in (0, 48, 65) else "partial"
        elif prefix == b"\x10\x04":
            if need(3)[2] not in (1, 2, 3, 4):
                raise OracleError(f"bad DLE EOT request at offset {pos}")
            out.status_requests += 1
            pos += 3
        elif prefix in (b"\x1d(", b"\x1dv"):
            images = len(out.images)
            if prefix == b"\x1d(":
                pos = _qr_function(data, pos, out, state)
            else:
                pos = _raster(data, pos, out, state)
            for image in out.images[images:]:
                width = int(image.shape[1])
                if paper_dots is not None and width > paper_dots:
                    raise OracleError(f"image {width} dots wide on {paper_dots}-dot paper")
        else:
            raise OracleError(f"unknown command {prefix.hex(' ')} at offset {pos}")
    if state.text:
        raise OracleError("text after the last line feed is never printed")
    return out


def command_length(data: bytes | bytearray, pos: int = 0) -> int | None:
    """Return how many bytes the command (or text run) at ``pos`` takes; ``None`` if incomplete.

    The framing half of ``decode_receipt``, for simulators that read a stream: it knows where
    raster and QR data end, so a ``10 04 04`` inside an image is not taken for a status request.
    An unknown command counts as one byte, as a printer skips what it does not understand.
    """
    n = len(data)
    if pos >= n:
        return None
    byte = data[pos]
    if byte >= 0x20:
        end = pos
        while end < n and data[end] >= 0x20:
            end += 1
        return end - pos
    if byte == 0x0A:
        return 1
    if pos + 1 >= n:
        return None
    prefix = bytes(data[pos : pos + 2])
    fixed = {b"\x1b@": 2, b"\x1c&": 2, b"\x1c.": 2, b"\x1ba": 3, b"\x1bE": 3, b"\x1d!": 3}
    if prefix in fixed:
        size = fixed[prefix]
    elif prefix == b"\x10\x04":
        size = 3
    elif prefix == b"\x1dV":
        if pos + 2 >= n:
            return None
        size = 4 if data[pos + 2] in (65, 66) else 3
    elif prefix == b"\x1d(":
        if pos + 5 > n:
            return None
        size = 5 + int.from_bytes(data[pos + 3 : pos + 5], "little")
    elif prefix == b"\x1dv":
        if pos + 8 > n:
            return None
        width = int.from_bytes(data[pos + 4 : pos + 6], "little")
        height = int.from_bytes(data[pos + 6 : pos + 8], "little")
        size = 8 + width * height
    else:
        return 1
    return size if pos + size <= n else None


def _end_line(out: DecodedReceipt, state: _State) -> None:
    try:
        text = bytes(state.text).decode("gb18030")
    except UnicodeDecodeError as err:
        raise OracleError("text is not valid GB18030") from err
    out.lines.append(text)
    out.blocks.append(PrintedLine(text, state.align, state.bold, state.double))
    state.text.clear()


def _qr_function(data: bytes, pos: int, out: DecodedReceipt, state: _State) -> int:
    head = data[pos : pos + 5]
    if len(head) < 5 or head[2:3] != b"k":
        raise OracleError(f"unknown GS ( command at offset {pos}")
    length = int.from_bytes(head[3:5], "little")
    body = data[pos + 5 : pos + 5 + length]
    if len(body) != length or length < 2:
        raise OracleError(f"GS ( k at offset {pos} is cut short")
    if body[0] != 0x31:
        raise OracleError(f"GS ( k for symbol {body[0]:#04x}, not QR")
    fn = body[1]
    if fn == 80:
        state.stored_qr = bytes(body[3:])
    elif fn == 81:
        if state.stored_qr is None:
            raise OracleError("QR print without stored data")
        try:
            stored = state.stored_qr.decode("utf-8")
        except UnicodeDecodeError as err:
            raise OracleError("stored QR data is not UTF-8") from err
        # Draw the symbol as the printer's QR engine would (module size, error correction) and
        # read it back: what counts is what a phone reads off the paper.
        bitmap = native_qr_bitmap(state.stored_qr, state.qr_module_dots, state.qr_ec)
        out.images.append(bitmap)
        readable = decode_bitmap_qr(bitmap)
        payload = stored if readable == [stored] else None
        if payload is not None:
            out.qr_payloads.append(payload)
        out.blocks.append(PrintedQr(payload, native=True))
    elif fn == 67:
        if len(body) < 3 or not 1 <= body[2] <= 16:
            raise OracleError(f"bad QR module size at offset {pos}")
        state.qr_module_dots = body[2]
    elif fn == 69:
        levels = {48: "L", 49: "M", 50: "Q", 51: "H"}
        if len(body) < 3 or body[2] not in levels:
            raise OracleError(f"bad QR error correction at offset {pos}")
        state.qr_ec = levels[body[2]]
    elif fn != 65:
        raise OracleError(f"GS ( k function {fn} is not one we emit")
    return pos + 5 + length


def native_qr_bitmap(data: bytes, module_dots: int, ec: str) -> npt.NDArray[np.uint8]:
    """The 0/1 dot bitmap a printer's QR engine prints for ``data`` (model 2, no quiet zone)."""
    import qrcode
    import qrcode.constants

    level = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }[ec]
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(data)
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=np.uint8)
    return np.kron(modules, np.ones((module_dots, module_dots), dtype=np.uint8))


def _raster(data: bytes, pos: int, out: DecodedReceipt, state: _State) -> int:
    head = data[pos : pos + 8]
    if len(head) < 8 or head[2] != 0x30:
        raise OracleError(f"unknown GS v command at offset {pos}")
    width_bytes = int.from_bytes(head[4:6], "little")
    height = int.from_bytes(head[6:8], "little")
    size = width_bytes * height
    body = data[pos + 8 : pos + 8 + size]
    if len(body) != size or size == 0:
        raise OracleError(f"raster image at offset {pos} is cut short")
    packed = np.frombuffer(body, dtype=np.uint8).reshape(height, width_bytes)
    bitmap = np.unpackbits(packed, axis=1).astype(np.uint8)
    out.images.append(bitmap)
    payloads = decode_bitmap_qr(bitmap)
    out.qr_payloads.extend(payloads)
    if payloads:
        out.blocks.extend(PrintedQr(payload, native=False) for payload in payloads)
    else:
        out.blocks.append(PrintedQr(None, native=False))
    return pos + 8 + size


def decode_bitmap_qr(
    bitmap: npt.NDArray[np.uint8], *, scale: int = 2, margin: int = 32
) -> list[str]:
    """Decode QR codes in a 0/1 dot bitmap (1 = black) as text.

    The dots are scaled up and surrounded with white first: the printed code's quiet zone is the
    paper, which the raster does not carry, and zbar misses codes without one.
    """
    grey = np.where(bitmap > 0, 0, 255).astype(np.uint8)
    grey = np.kron(grey, np.ones((scale, scale), dtype=np.uint8))
    grey = np.pad(grey, margin, constant_values=255)
    return [decode_text(payload) for payload in PyzbarDecoder().decode(grey)]


def render_text(decoded: DecodedReceipt, width_chars: int = 32) -> str:
    """Return a human-readable picture of the paper: aligned lines, QR codes as a labelled box."""
    rule = "+" + "-" * width_chars + "+"
    rows = [rule]
    for block in decoded.blocks:
        if isinstance(block, PrintedQr):
            kind = "native QR" if block.native else "QR"
            label = f"[{kind}: {block.payload}]" if block.payload else f"[{kind}: unreadable]"
            rows.append(_fit(label, "center", width_chars))
            continue
        text = block.text
        if block.double:
            # Double width: show each character followed by a space, as it takes twice the room.
            text = "".join(ch + (" " if display_width(ch) == 1 else "  ") for ch in text).rstrip()
        rows.append(_fit(text, block.align, width_chars))
    rows.append(_fit("~~ cut ~~" if decoded.cut else "(not cut)", "center", width_chars))
    rows.append(rule)
    return "\n".join(rows) + "\n"


def _fit(text: str, align: Align, width: int) -> str:
    room = width - display_width(text)
    if room < 0:
        return "|" + text
    if align == "center":
        left = room // 2
    elif align == "right":
        left = room
    else:
        left = 0
    return "|" + " " * left + text + " " * (room - left) + "|"
