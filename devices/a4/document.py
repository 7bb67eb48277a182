"""A certificate or licence to print, independent of how it is rendered."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CertificateDocument:
    """One A4 certificate: titles, label/value rows, the signed QR payload and the issuer."""

    title_zh: str
    title_en: str
    certificate_id: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs printed in order, labels bilingual, e.g. ("姓名 Name", "张三")."""
    qr_payload: str = ""
    """The hall-signed payload; any terminal verifies it offline."""
    issuer: str = ""
    issued_at: str = ""
    note: str = ""
