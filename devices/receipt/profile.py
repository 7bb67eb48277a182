"""What a receipt printer model can do: QR engine, paper width, cutter. Configuration picks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

QrMode = Literal["native", "raster"]
CutMode = Literal["partial", "full", "none"]
PaperWidth = Literal[58, 80]

DOTS_PER_CHAR = 12
"""Font A is 12 dots wide: 32 characters fill the 384 dots of 58 mm paper, 48 the 576 of 80 mm."""

CHARS_PER_LINE: dict[int, int] = {58: 32, 80: 48}


@dataclass(frozen=True)
class PrinterProfile:
    """One printer model's abilities.

    ``qr``: ``native`` has the printer's QR engine draw the code (``GS ( k``), ``raster`` sends
    our own bitmap (``GS v 0``), which every printer prints. ``width_chars`` is the line length
    in Font A characters (32 on 58 mm paper, 48 on 80 mm); the raster width follows from it.
    ``cut``: ``partial`` or ``full`` (``GS V``), or ``none`` for printers without a cutter (the
    paper is fed past the tear bar instead).
    """

    qr: QrMode = "raster"
    width_chars: int = 32
    cut: CutMode = "partial"

    def __post_init__(self) -> None:
        """Reject widths no printer has."""
        if not 16 <= self.width_chars <= 64:
            raise ValueError(f"width_chars must be 16 to 64, got {self.width_chars}")

    @classmethod
    def for_paper(
        cls, paper_mm: PaperWidth, *, qr: QrMode = "raster", cut: CutMode = "partial"
    ) -> PrinterProfile:
        """The profile of a printer with ``paper_mm`` (58 or 80) wide paper."""
        if paper_mm not in CHARS_PER_LINE:
            raise ValueError(f"paper width must be 58 or 80 mm, got {paper_mm}")
        return cls(qr=qr, width_chars=CHARS_PER_LINE[paper_mm], cut=cut)

    @property
    def paper_dots(self) -> int:
        """Printable width in dots (203 dpi heads: 384 on 58 mm paper, 576 on 80 mm)."""
        return self.width_chars * DOTS_PER_CHAR

    @property
    def native_qr(self) -> bool:
        """Whether the printer's own QR engine draws the code."""
        return self.qr == "native"
