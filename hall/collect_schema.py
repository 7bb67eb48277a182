"""The wire contract of collecting documents approved elsewhere, and of enterprises' records.

Like ``hall.schema`` (whose base model and rules it reuses), this module is imported by the
terminal: it holds paths and pydantic models only. ID numbers travel in request bodies, never in
a path or query string, so they reach no access log.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hall.schema import (
    API_PREFIX,
    KIOSK_ID_PATTERN,
    CaseProgressPublic,
    CertificatePublic,
    LocalizedText,
    _Model,
)

COLLECT_QUERY_PATH = f"{API_PREFIX}/collect/documents"
"""POST a :class:`CollectQueryCreate`: the documents ready for the person on the card."""
COLLECTION_PATH = f"{API_PREFIX}/collect/documents/{{document_id}}/collections"
"""POST a :class:`CollectionCreate`: print one copy (the first is the collection)."""
ENTERPRISE_PATH = f"{API_PREFIX}/enterprises/{{uscc}}"
"""GET an enterprise's public record by its unified social credit code."""

ENTERPRISE_QR_PREFIX = "ZWENT1:"
"""A business licence's QR code: ``ZWENT1:<unified social credit code>`` (一企一证)."""

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
"""GB 32100 unified social credit code: 18 characters, no I, O, S, V, Z."""

REMINDER_DAYS = 90
"""A document expiring within this many days is pointed out (临期提醒)."""

IdNumber = Annotated[str, StringConstraints(pattern=r"^\d{17}[\dX]$")]
Uscc = Annotated[str, StringConstraints(pattern=USCC_PATTERN)]
DocumentId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{4,40}$")]

CollectPurpose = Literal["certificates", "business_licenses"]
"""``certificates``: what was approved for the holder; ``business_licenses``: the licences of
the enterprises the holder legally represents."""


class CollectQueryCreate(_Model):
    """A terminal asking what is ready for the person whose card it has just read."""

    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    id_number: IdNumber
    purpose: CollectPurpose = "certificates"


class ReadyDocumentPublic(_Model):
    """One certificate or licence the hall holds for the holder, approved elsewhere."""

    document_id: str
    kind: Literal["certificate", "business_license"]
    title: LocalizedText
    issuer: LocalizedText
    approved_at: dt.datetime
    valid_until: dt.date | None = None
    collected: bool
    """The first copy has been taken (at any terminal or window): what prints now is a reprint."""
    reprints_left: int
    enterprise_name: str | None = None
    uscc: str | None = None


class ExpiryReminder(_Model):
    """A document of the holder expiring soon, with the item that renews it."""

    title: LocalizedText
    valid_until: dt.date
    renew_item: LocalizedText


class ReadyDocumentsPublic(_Model):
    """The hall's answer to a :class:`CollectQueryCreate`."""

    documents: list[ReadyDocumentPublic]
    reminders: list[ExpiryReminder] = Field(default_factory=list)


class CollectionCreate(_Model):
    """Print one copy of a ready document; the same card must be on the reader."""

    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    id_number: IdNumber


class CollectionPublic(_Model):
    """The copy to print: ``reprint`` is false for the collection itself."""

    document_id: str
    reprint: bool
    reprints_left: int
    certificate: CertificatePublic


class EnterprisePublic(_Model):
    """An enterprise's public record (国家企业信用信息公示), as shown to anyone who scans it."""

    uscc: str
    name: str
    legal_representative: str
    """Masked: 王*英."""
    kind: str
    address: str
    business_scope: str
    established: dt.date
    status: str
    licence_valid_until: dt.date | None = None
    authority: str


def enterprise_qr(uscc: str) -> str:
    """The payload of an enterprise's licence QR code."""
    return ENTERPRISE_QR_PREFIX + uscc


def enterprise_from_qr(payload: str) -> str | None:
    """The USCC in a scanned licence QR code, or ``None`` when it is not one of ours."""
    text = payload.strip()
    if not text.startswith(ENTERPRISE_QR_PREFIX):
        return None
    code = text[len(ENTERPRISE_QR_PREFIX) :]
    return code if re.fullmatch(USCC_PATTERN, code) else None


REPORT_CATEGORIES = (
    "unlicensed",
    "food_safety",
    "pricing",
    "false_advertising",
    "service",
    "praise",
)
"""What a citizen may report about an enterprise (扫码留言举报), as one touch each."""

ReportCategory = Literal[
    "unlicensed", "food_safety", "pricing", "false_advertising", "service", "praise"
]


class RegulatorReportPayload(_Model):
    """A citizen's report or comment on an enterprise (event ``regulator_report``); anonymous."""

    uscc: Uscc
    category: ReportCategory
    text: Annotated[str, StringConstraints(max_length=500)] = ""


CASES_BY_HOLDER_PATH = f"{API_PREFIX}/cases/by-holder"
"""POST a :class:`HolderCasesQueryCreate`: the card holder's recent cases, newest first."""

HOLDER_CASES_LIMIT = 6
"""At most this many cases come back (six choices on a screen)."""


class HolderCasesQueryCreate(_Model):
    """A terminal asking for the cases of the person whose card it has just read."""

    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    id_number: IdNumber


class HolderCasesPublic(_Model):
    """The holder's recent cases with their stages."""

    cases: list[CaseProgressPublic]


PHONE_PATTERN = r"^1[3-9]\d{9}$"
"""A mainland mobile number: 11 digits starting 13 to 19."""


class CaseContactPayload(_Model):
    """A phone number to tell when a case is decided (event ``case_contact``); sealed at rest."""

    case_number: Annotated[str, StringConstraints(max_length=40)]
    phone: Annotated[str, StringConstraints(pattern=PHONE_PATTERN)]


def mask_phone(phone: str) -> str:
    """A phone number as a screen or receipt may show it: 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
