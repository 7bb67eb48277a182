"""ESC/POS bytes for a receipt: a pure function from ``Receipt`` to what the printer is sent.

Kept apart from the transport so that the exact bytes are tested without a socket (golden file)
and read back by ``devices.receipt.oracle``. Only the few commands listed below are emitted;
the oracle knows exactly these.
"""

from __future__ import annotations

import qrcode
import qrcode.constants

from devices.linebreak import NO_LINE_END as NO_LINE_END
from devices.linebreak import NO_LINE_START as NO_LINE_START
from devices.linebreak import break_lines, clean_text
from devices.receipt.layout import Receipt
from devices.receipt.profile import DOTS_PER_CHAR, CutMode, PrinterProfile

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

RESET = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
SIZE_NORMAL = GS + b"!\x00"
SIZE_DOUBLE = GS + b"!\x11"
# GS V 66 n: feed to the cutter plus n dots, then partial cut; one command on every printer we met.
CUT = GS + b"VB\x00"
FULL_CUT = GS + b"VA\x00"
PAPER_STATUS_REQUEST = b"\x10\x04\x04"

FEED_LINES_BEFORE_CUT = 4
"""The cutter sits a few lines above the print head; without this feed the footer is cut off."""

NATIVE_QR_MODULE_DOTS = 6


def char_columns(char: str) -> int:
    """Return how many columns ``char`` takes on a printer in Chinese mode.

    In Chinese mode every multi-byte GB18030 character prints as a full-width glyph, so the byte
    count decides, not Unicode's East Asian Width (which calls ``·`` or ``“`` ambiguous).
    """
    return 1 if len(char.encode("gb18030", errors="replace")) == 1 else 2


def display_width(text: str) -> int:
    """Return the printed width of ``text`` in columns."""
    return sum(char_columns(char) for char in text)


def wrap_text(text: str, width: int, *, indent: int = 0) -> list[str]:
    """Wrap ``text`` to ``width`` columns, counting Chinese characters as two.

    The rules are ``devices.linebreak``'s: Latin words move whole, no line starts with a closing
    mark or ends with an opening one, no lone character on the last line. Continuation lines
    start with ``indent`` spaces. Always returns at least one line.
    """
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    indent = min(indent, width // 2)
    lines = break_lines(text, width, display_width, rest_width=width - indent)
    return lines[:1] + [" " * indent + line for line in lines[1:]]


def text_line(text: str) -> bytes:
    """Encode one printed line as GB18030 followed by LF."""
    return text.encode("gb18030", errors="replace") + LF


def row_lines(label: str, value: str, width: int) -> list[str]:
    """Lay out one ``label: value`` row; continuation lines hang under the value when it fits."""
    head = f"{clean_text(label)}: "
    head_width = display_width(head)
    if head_width > width // 2:
        # A long (bilingual) label takes a line of its own; the value hangs under it.
        indent = 2
        heads = break_lines(head.rstrip(" "), width, display_width)
        values = break_lines(value, width - indent, display_width)
        return heads + [" " * indent + line for line in values]
    # The value is broken on its own, so the label is never glued to its first word.
    lines = break_lines(value, width - head_width, display_width)
    return [head + lines[0]] + [" " * head_width + line for line in lines[1:]]


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR modules of ``data`` (UTF-8, error correction M) without a quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def raster_qr(data: str, paper_dots: int) -> bytes:
    """Return ``GS v 0`` raster bytes of a QR code about half the paper wide.

    Rendering the code ourselves works on printers without a QR engine and lets us choose the
    module size: at least 4 dots (0.5 mm), so phone cameras read it off thermal paper.
    """
    matrix = qr_matrix(data)
    modules = len(matrix)
    scale = max(4, min(8, (paper_dots * 6 // 10) // modules))
    width_dots = modules * scale
    width_bytes = (width_dots + 7) // 8
    body = bytearray()
    for row in matrix:
        packed = bytearray(width_bytes)
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dx in range(scale):
                dot = x * scale + dx
                packed[dot // 8] |= 0x80 >> (dot % 8)
        body += bytes(packed) * scale
    height = modules * scale
    header = GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")
    return header + bytes(body)


def native_qr(data: str) -> bytes:
    """Return ``GS ( k`` bytes that have the printer's own QR engine draw ``data``."""
    payload = data.encode("utf-8")

    def function(fn: int, params: bytes) -> bytes:
        body = b"1" + bytes([fn]) + params
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    return (
        function(65, b"2\x00")  # model 2
        + function(67, bytes([NATIVE_QR_MODULE_DOTS]))
        + function(69, b"1")  # error correction M
        + function(80, b"0" + payload)  # store
        + function(81, b"0")  # print
    )


def encode_for_profile(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """Return the job for ``receipt`` as a printer with ``profile`` needs it."""
    return encode_receipt(
        receipt, width_chars=profile.width_chars, native_qr_code=profile.native_qr, cut=profile.cut
    )


def encode_receipt(
    receipt: Receipt,
    *,
    width_chars: int = 32,
    native_qr_code: bool = False,
    cut: CutMode = "partial",
) -> bytes:
    """Return the complete ESC/POS job for ``receipt``: reset, title, rows, QR, footer, cut.

    All text is encoded as GB18030 here, in Chinese mode (``FS &``): python-escpos's own text path
    picks single-byte code pages for strings without common hanzi and prints ``〇`` as ``?``.
    """
    out = bytearray(RESET + CHINESE_ON)
    out += ALIGN_CENTER + SIZE_DOUBLE + BOLD_ON
    for line in wrap_text(receipt.title, max(2, width_chars // 2)):
        out += text_line(line)
    out += BOLD_OFF + SIZE_NORMAL + ALIGN_LEFT
    out += text_line("-" * width_chars)
    for label, value in receipt.rows:
        for line in row_lines(label, value, width_chars):
            out += text_line(line)
    if receipt.qr_data:
        out += text_line("")
        out += ALIGN_CENTER
        if native_qr_code:
            out += native_qr(receipt.qr_data)
        else:
            out += raster_qr(receipt.qr_data, width_chars * DOTS_PER_CHAR)
        out += LF + ALIGN_LEFT
    if receipt.footer:
        out += text_line("-" * width_chars)
        out += ALIGN_CENTER
        for footer in receipt.footer:
            for line in wrap_text(footer, width_chars):
                out += text_line(line)
        out += ALIGN_LEFT
    out += LF * FEED_LINES_BEFORE_CUT
    if cut == "partial":
        out += CUT
    elif cut == "full":
        out += FULL_CUT
    return bytes(out)
