"""Render a ``CertificateDocument`` as an A4 PDF with reportlab.

Chinese text needs an embedded TrueType font: reportlab cannot embed CFF outlines (Noto CJK's
.ttc), so we look for WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``) or Zen Hei.

Latin text (everything Windows-1252 can encode) is set in DejaVu Sans, a second font. Besides
reading better, it keeps the text of the PDF extractable after CUPS: cairo's PostScript splits
one font into a "latin" and a CJK subset under the same name, and Ghostscript (cups-pdf) then
turns the clashing half into a Type 3 font without Unicode. Two fonts never clash.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from devices.a4.document import CertificateDocument
from devices.a4.seal import draw_seal
from devices.errors import PrinterError
from devices.linebreak import break_lines

log = logging.getLogger(__name__)

FONT_NAME = "KioskCJK"
LATIN_FONT_NAME = "KioskLatin"
LATIN_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
)
KNOWN_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
FONT_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei")

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#a61b1b")
TINT = colors.HexColor("#fbf3ee")
RULE = colors.HexColor("#d9c7bd")


class CjkFontMissingError(PrinterError):
    """No TrueType font with Chinese glyphs is installed, so a certificate cannot be rendered."""


def find_cjk_font() -> Path:
    """Return the path of a CJK TrueType collection reportlab can embed.

    Asks fontconfig first (it knows where the distribution put the font), then tries the known
    paths; raises ``CjkFontMissingError`` when none exists.
    """
    candidates: list[Path] = []
    fc_match = shutil.which("fc-match")
    if fc_match:
        for family in FONT_FAMILIES:
            try:
                found = subprocess.run(
                    [fc_match, "-f", "%{file}", family],
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=False,
                ).stdout.strip()
            except (OSError, subprocess.TimeoutExpired):
                continue
            # fc-match always answers with some font; only a WenQuanYi file is what we asked for.
            if found and "wqy" in Path(found).name.lower():
                candidates.append(Path(found))
    candidates.extend(KNOWN_FONT_PATHS)
    for path in candidates:
        if path.is_file():
            return path
    raise CjkFontMissingError(
        "no CJK TrueType font found for certificates; install fonts-wqy-microhei"
    )


def register_cjk_font(path: Path | None = None) -> str:
    """Register the CJK font with reportlab once per process and return its name."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    font_path = path or find_cjk_font()
    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path), subfontIndex=0))
    except (TTFError, OSError) as err:
        raise CjkFontMissingError(f"font {font_path} cannot be embedded: {err}") from err
    log.debug("certificate font: %s", font_path)
    return FONT_NAME


def register_latin_font() -> str:
    """Register DejaVu Sans for Latin runs; without it the CJK font sets Latin text too."""
    if LATIN_FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return LATIN_FONT_NAME
    for path in LATIN_FONT_PATHS:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont(LATIN_FONT_NAME, str(path)))
            except (TTFError, OSError):
                continue
            return LATIN_FONT_NAME
    log.info("DejaVu Sans not found; Latin text on certificates uses the CJK font")
    return register_cjk_font()


@dataclass(frozen=True)
class _Fonts:
    cjk: str
    latin: str

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Split ``text`` into (font, run) pieces: Windows-1252 characters take the Latin font."""
        pieces: list[tuple[str, str]] = []
        for char in text:
            font = self.latin if _is_latin(char) else self.cjk
            if pieces and pieces[-1][0] == font:
                pieces[-1] = (font, pieces[-1][1] + char)
            else:
                pieces.append((font, char))
        return pieces

    def width(self, text: str, size: float, spacing: float = 0.0) -> float:
        """Return the width of ``text`` at ``size`` points plus ``spacing`` (x size) per gap."""
        base = sum(pdfmetrics.stringWidth(run, font, size) for font, run in self.runs(text))
        return float(base + max(0, len(text) - 1) * size * spacing)

    def markup(self, text: str) -> str:
        """Paragraph markup of ``text`` with Latin runs switched to the Latin font."""
        return "".join(
            _escape(run) if font == self.cjk else f'<font face="{font}">{_escape(run)}</font>'
            for font, run in self.runs(text)
        )

    def draw(
        self,
        canvas: Canvas,
        text: str,
        x: float,
        y: float,
        size: float,
        *,
        align: str = "left",
        spacing: float = 0.0,
    ) -> None:
        """Draw ``text`` at ``(x, y)``, aligned left, centre or right, switching fonts per run."""
        width = self.width(text, size, spacing)
        start = {"left": x, "centre": x - width / 2, "right": x - width}[align]
        # Character spacing is graphics state in PDF and outlives the text object: scope it.
        canvas.saveState()
        obj = canvas.beginText(start, y)
        obj.setCharSpace(size * spacing)
        for font, run in self.runs(text):
            obj.setFont(font, size)
            obj.textOut(run)
        canvas.drawText(obj)
        canvas.restoreState()


def _is_latin(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


class _QrFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A QR code drawn as vector squares: sharp at any printer resolution."""

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self.size = size
        self.width = size
        self.height = size

    def draw(self) -> None:
        modules = len(self.matrix)
        cell = self.size / modules
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + 1) * cell
            run_start: int | None = None
            # Runs of dark modules as one rectangle each: fewer path objects, no hairline seams.
            for col, dark in enumerate([*row, False]):
                if dark and run_start is None:
                    run_start = col
                elif not dark and run_start is not None:
                    canvas.rect(
                        run_start * cell, y, (col - run_start) * cell, cell, stroke=0, fill=1
                    )
                    run_start = None


BODY_SIZE = 13.0
"""The values' type size; the issuing body is printed at it too."""


def render_certificate_pdf(doc: CertificateDocument, *, font_path: Path | None = None) -> bytes:
    """Return the certificate as a one-page A4 PDF (bytes).

    Raises ``CjkFontMissingError`` when no CJK TrueType font is installed.
    """
    fonts = _Fonts(cjk=register_cjk_font(font_path), latin=register_latin_font())
    buffer = io.BytesIO()
    page_w, page_h = A4
    canvas = Canvas(buffer, pagesize=A4, invariant=True, initialFontName=fonts.latin)
    canvas.setTitle(f"{doc.title_zh} {doc.certificate_id}")
    canvas.setAuthor(doc.issuer or "Self-service terminal")
    canvas.setSubject(doc.title_en)

    _draw_border(canvas, page_w, page_h)

    centre = page_w / 2
    y = page_h - 32 * mm
    if doc.issuer:
        canvas.setFillColor(INK)
        size = _fit_size(fonts, doc.issuer, BODY_SIZE, page_w - 60 * mm, spacing=0.05)
        fonts.draw(canvas, doc.issuer, centre, y, size, align="centre", spacing=0.05)
    y -= 19 * mm
    canvas.setFillColor(ACCENT)
    title_size = _fit_size(fonts, doc.title_zh, 36, page_w - 60 * mm, spacing=0.25)
    fonts.draw(canvas, doc.title_zh, centre, y, title_size, align="centre", spacing=0.25)
    y -= 10 * mm
    canvas.setFillColor(MUTED)
    title_en = doc.title_en.upper()
    en_size = _fit_size(fonts, title_en, 12, page_w - 60 * mm, spacing=0.1)
    fonts.draw(canvas, title_en, centre, y, en_size, align="centre", spacing=0.1)
    y -= 7 * mm
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.2)
    canvas.line(centre - 35 * mm, y, centre + 35 * mm, y)
    y -= 9 * mm
    canvas.setFillColor(INK)
    fonts.draw(
        canvas, f"证书编号 Certificate No. {doc.certificate_id}", centre, y, 11, align="centre"
    )
    y -= 8 * mm

    content_w = page_w - 56 * mm
    note_top = FOOTER_TOP + 4 * mm
    note = _note(doc, fonts, content_w) if doc.note else None
    note_h = note.wrap(content_w, 40 * mm)[1] if note is not None else 0.0
    table = _rows_table(doc, fonts, content_w, y - note_top - note_h - 4 * mm)
    _, table_h = table.wrapOn(canvas, content_w, y - note_top)
    table.drawOn(canvas, 28 * mm, y - table_h)
    y -= table_h + 4 * mm
    if note is not None:
        note.drawOn(canvas, 28 * mm, y - note_h)

    _draw_footer(canvas, doc, fonts, page_w)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


FOOTER_TOP = 80 * mm
"""The issuer, date, seal and QR code live below this line."""


def _note(doc: CertificateDocument, fonts: _Fonts, width: float) -> Paragraph:
    """The validity note, Chinese then English, broken by the certificate's line rules."""
    size = 9.5
    lines: list[str] = []
    for part in doc.note.split("\n"):
        lines.extend(break_lines(part, width - 2, lambda t: fonts.width(t, size)))
    return Paragraph(
        "<br/>".join(fonts.markup(line) for line in lines),
        ParagraphStyle(
            "note", fontName=fonts.cjk, fontSize=size, leading=size * 1.45, textColor=MUTED
        ),
    )


def _draw_border(canvas: Canvas, page_w: float, page_h: float) -> None:
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.4)
    canvas.rect(10 * mm, 10 * mm, page_w - 20 * mm, page_h - 20 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(13 * mm, 13 * mm, page_w - 26 * mm, page_h - 26 * mm)
    # Small corner squares tie the two frames together, like the ornaments of printed licences.
    canvas.setFillColor(ACCENT)
    for x in (10 * mm, page_w - 13 * mm):
        for y in (10 * mm, page_h - 13 * mm):
            canvas.rect(x, y, 3 * mm, 3 * mm, stroke=0, fill=1)


def split_label(label: str) -> tuple[str, str]:
    """Split a bilingual label ("公民身份号码 Citizen ID number") into its Chinese and English."""
    for index, char in enumerate(label):
        if char.isascii() and char.isalpha():
            zh, en = label[:index].strip(), label[index:].strip()
            return (zh, en) if zh else (label.strip(), "")
    return label.strip(), ""


def _cell(fonts: _Fonts, text: str, size: float, width: float) -> str:
    """Markup of ``text`` broken into lines of ``width`` points by the line rules."""
    lines = break_lines(text, width, lambda t: fonts.width(t, size))
    return "<br/>".join(fonts.markup(line) for line in lines)


def _label_cell(fonts: _Fonts, label: str, size: float, width: float) -> str:
    """The Chinese label over its English one; the English shrinks rather than wrap mid-phrase."""
    zh, en = split_label(label)
    if en and fonts.width(f"{zh} {en}", size) <= width:
        en_markup = fonts.markup(en)
        return f'{fonts.markup(zh)} <font color="{MUTED.hexval()}">{en_markup}</font>'
    markup = _cell(fonts, zh, size, width)
    if en:
        en_size = _fit_size(fonts, en, size - 2, width, spacing=0, smallest=7)
        en_markup = _cell(fonts, en, en_size, width)
        markup += f'<br/><font size="{en_size:g}" color="{MUTED.hexval()}">{en_markup}</font>'
    return markup


def _rows_table(doc: CertificateDocument, fonts: _Fonts, width: float, max_height: float) -> Table:
    """Build the two-column table, shrinking the type until every row fits on the page."""
    size = BODY_SIZE
    label_w, value_w = width * 0.4, width * 0.6
    padding = 8
    while True:
        label_style = ParagraphStyle(
            "label",
            fontName=fonts.cjk,
            fontSize=size - 1,
            leading=size * 1.3,
            textColor=INK,
        )
        value_style = ParagraphStyle(
            "value",
            fontName=fonts.cjk,
            fontSize=size,
            leading=size * 1.4,
            textColor=INK,
        )
        inner_label, inner_value = label_w - 2 * padding - 2, value_w - 2 * padding - 2
        data = [
            [
                Paragraph(_label_cell(fonts, label, size - 1, inner_label), label_style),
                Paragraph(_cell(fonts, value, size, inner_value), value_style),
            ]
            for label, value in doc.rows
        ] or [[Paragraph("", label_style), Paragraph("", value_style)]]
        table = Table(data, colWidths=[label_w, value_w])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (0, -1), TINT),
                    ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), size * 0.45),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.45),
                    ("LEFTPADDING", (0, 0), (-1, -1), padding),
                    ("RIGHTPADDING", (0, 0), (-1, -1), padding),
                ]
            )
        )
        _, height = table.wrap(width, max_height)
        if height <= max_height or size <= 8:
            return table
        size -= 1


QR_BOX = 46 * mm
"""The certificate's code carries every printed value (about version 21): 46 mm keeps its modules
near half a millimetre, which phones read at arm's length."""


def _draw_footer(canvas: Canvas, doc: CertificateDocument, fonts: _Fonts, page_w: float) -> None:
    qr_x = page_w - 28 * mm - QR_BOX
    qr_y = 28 * mm
    if doc.qr_payload:
        _QrFlowable(doc.qr_payload, QR_BOX).drawOn(canvas, qr_x, qr_y)
        canvas.setFillColor(INK)
        fonts.draw(
            canvas, "扫码验真 Scan to verify", qr_x + QR_BOX / 2, qr_y - 5 * mm, 10, align="centre"
        )
    left = 28 * mm
    room = qr_x - left - 6 * mm
    y = FOOTER_TOP - 8 * mm
    issuer_y = y
    if doc.issuer:
        canvas.setFillColor(MUTED)
        fonts.draw(canvas, "发证机关 Issued by", left, y, 9.5)
        y -= 7 * mm
        canvas.setFillColor(INK)
        issuer_y = y
        size = _fit_size(fonts, doc.issuer, BODY_SIZE, room, spacing=0, smallest=10)
        fonts.draw(canvas, doc.issuer, left, y, size)
        if doc.issuer_en:
            y -= 5.5 * mm
            canvas.setFillColor(MUTED)
            for line in break_lines(doc.issuer_en, room, lambda t: fonts.width(t, 10))[:2]:
                fonts.draw(canvas, line, left, y, 10)
                y -= 4.5 * mm
            y += 4.5 * mm
        y -= 9 * mm
    if doc.issued_at:
        canvas.setFillColor(MUTED)
        fonts.draw(canvas, "发证日期 Date of issue", left, y, 9.5)
        y -= 7 * mm
        canvas.setFillColor(INK)
        fonts.draw(canvas, doc.issued_at, left, y, BODY_SIZE)
    if doc.seal_text:
        # Stamped over the issuer's name, as an issuing body seals its paper (骑字盖章).
        radius = SEAL_DIAMETER / 2
        cx = left + min(room - radius, fonts.width(doc.issuer, BODY_SIZE) * 0.7 + 4 * mm)
        draw_seal(
            canvas, doc.seal_text, max(left + radius, cx), issuer_y + 2 * mm, radius, fonts.cjk
        )
    canvas.setFillColor(MUTED)
    fonts.draw(
        canvas, "本证书由政务服务自助终端打印，扫描二维码可离线核验真伪。", left, 18 * mm, 8.5
    )
    fonts.draw(
        canvas,
        "Printed by a government self-service terminal; the QR code verifies it offline.",
        left,
        14.5 * mm,
        8.5,
    )


SEAL_DIAMETER = 40 * mm
"""Official seals of administrative bodies are about 40 to 42 mm across."""


def _fit_size(
    fonts: _Fonts, text: str, size: float, max_width: float, *, spacing: float, smallest: float = 8
) -> float:
    while size > smallest and fonts.width(text, size, spacing) > max_width:
        size -= 0.5
    return size


def _escape(text: str) -> str:
    """Escape the three characters reportlab's paragraph markup would interpret."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
