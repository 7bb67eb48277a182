"""What a scanned code is: a case number from our receipts, a signed certificate, or unknown."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from hall.schema import (
    CASE_NUMBER_PATTERN,
    CertificateCheck,
    is_certificate_qr,
    verify_certificate_qr,
)

_CASE = re.compile(CASE_NUMBER_PATTERN)


class ScanKind(StrEnum):
    """The kinds of payload the terminal understands."""

    CASE = "case"
    CERTIFICATE = "certificate"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Scan:
    """A classified payload; ``check`` is set for certificates."""

    kind: ScanKind
    text: str
    check: CertificateCheck | None = None


def classify(payload: str, public_keys: Mapping[str, bytes], today: dt.date) -> Scan:
    """Say what ``payload`` is, verifying certificates offline with the hall's keys."""
    text = payload.strip()
    if _CASE.match(text):
        return Scan(ScanKind.CASE, text)
    if is_certificate_qr(text):
        return Scan(ScanKind.CERTIFICATE, text, verify_certificate_qr(text, public_keys, today))
    return Scan(ScanKind.UNKNOWN, text)
