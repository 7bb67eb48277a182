"""What a scanned code is: a case number from our receipts, a signed certificate, or unknown.

Receipts carry the public page's URL (``.../verify?case=...``; older ones the bare number),
certificates a URL with signed claims (``.../verify?v=2&c=...&s=...``; older ones ``ZWCERT1.``).
Whatever host a URL names, only the hall's pinned keys decide whether a certificate is genuine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hall.schema import (
    CertificateCheck,
    case_number_from_qr,
    is_certificate_qr,
    verify_certificate_qr,
)


class ScanKind(StrEnum):
    """The kinds of payload the terminal understands."""

    CASE = "case"
    CERTIFICATE = "certificate"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Scan:
    """A classified payload; ``check`` is set for certificates, ``text`` is a case's number."""

    kind: ScanKind
    text: str
    check: CertificateCheck | None = None


def classify(payload: str, public_keys: Mapping[str, bytes], today: dt.date) -> Scan:
    """Say what ``payload`` is, verifying certificates offline with the hall's keys."""
    text = payload.strip()
    case = case_number_from_qr(text)
    if case is not None:
        return Scan(ScanKind.CASE, case)
    if is_certificate_qr(text):
        return Scan(ScanKind.CERTIFICATE, text, verify_certificate_qr(text, public_keys, today))
    return Scan(ScanKind.UNKNOWN, text)
