"""What a receipt says, independent of how a printer is told to print it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Receipt:
    """One receipt: a title, label/value rows, an optional QR code and footer lines.

    Text is Chinese first; the driver encodes it as GB18030 itself.
    """

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    qr_data: str | None = None
    footer: list[str] = field(default_factory=list)
