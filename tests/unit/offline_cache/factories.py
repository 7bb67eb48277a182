"""Builders for offline-cache tests: the demo applicant and her elder-card submission."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from hall.schema import (
    ApplicantCreate,
    CertificateField,
    CertificatePublic,
    DecisionPublic,
    LocalizedText,
    MaterialCreate,
    SubmissionCreate,
    SubmissionPublic,
)

NAME = "王秀英"
ID_NUMBER = "110105195203141221"
ADDRESS = "北京市朝阳区和平街十一区25号楼3单元502号"


def applicant() -> ApplicantCreate:
    """The demo applicant as the card reader gives her."""
    return ApplicantCreate(
        card_type="resident",
        name=NAME,
        gender="女",
        ethnicity="汉",
        birth_date=dt.date(1952, 3, 14),
        address=ADDRESS,
        id_number=ID_NUMBER,
        issuing_authority="北京市公安局朝阳分局",
        valid_from=dt.date(2015, 6, 1),
        valid_to="long-term",
    )


def photo(size: int = 2048, seed: int = 7) -> MaterialCreate:
    """A fake document photo of ``size`` bytes (not compressible, like a real JPEG)."""
    # Starts as a JPEG does (the hall checks the type), then does not compress, like one.
    noise = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(size // 32 + 1))
    data = (b"\xff\xd8\xff\xe0" + noise)[:size]
    return MaterialCreate(
        material_id="photo",
        content_type="image/jpeg",
        data_b64=base64.b64encode(data).decode(),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def submission(
    case_number: str,
    *,
    item_id: str = "elder-card",
    kiosk_id: str = "DEMO01",
    materials: list[MaterialCreate] | None = None,
) -> SubmissionCreate:
    """An elder-card submission by the demo applicant."""
    return SubmissionCreate(
        case_number=case_number,
        kiosk_id=kiosk_id,
        item_id=item_id,
        created_at=dt.datetime.now(dt.UTC),
        applicant=applicant(),
        materials=materials if materials is not None else [],
        form={"phone": "13800000000"},
    )


def approved(case_number: str, *, item_id: str = "elder-card") -> SubmissionPublic:
    """The hall's instant approval with a certificate naming the holder."""
    now = dt.datetime.now(dt.UTC)
    return SubmissionPublic(
        case_number=case_number,
        item_id=item_id,
        status="approved",
        received_at=now,
        decision=DecisionPublic(outcome="approved", reason_code="elder_age_60", decided_at=now),
        certificate=CertificatePublic(
            certificate_id="CERT-1",
            template="elder-card",
            title=LocalizedText(zh="老年人优待证", en="Senior citizen card"),
            holder_name=NAME,
            holder_id_masked="110105********1223",
            fields=[CertificateField(label=LocalizedText(zh="姓名", en="Name"), value=NAME)],
            issued_at=now,
            issuer=LocalizedText(zh="民政局", en="Civil Affairs Bureau"),
            qr_payload="ZWCERT1.x.y",
        ),
    )
