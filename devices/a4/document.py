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
    """The issuing body, in Chinese (older queued documents: Chinese and English in one)."""
    issued_at: str = ""
    note: str = ""
    """The validity note under the rows; a newline separates the Chinese and English."""
    issuer_en: str = ""
    seal_text: str = ""
    """The body named on the round seal (its name in Chinese); empty: no seal is drawn."""
