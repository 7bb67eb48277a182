"""What a result means for printing: the receipt always, and the certificates issued.

For a bundle, each approved member's certificate prints too.

Plain Python for the result flow (``kiosk.ui.flows.result``), which sends each document to its
printer's worker or to the durable print queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from devices.a4.document import CertificateDocument
from devices.receipt.layout import Receipt
from hall.schema import SubmissionPublic
from kiosk.services import documents
from kiosk.services.reminders import with_reminders
from kiosk.services.session import Session


@dataclass(frozen=True)
class Printout:
    """The documents one session's result prints."""

    receipt: Receipt
    certificate: CertificateDocument | None = None
    member_certificates: tuple[CertificateDocument, ...] = ()
    """A bundle's: each approved member item's certificate, in bundle order."""


def printout(
    session: Session,
    result: SubmissionPublic | None,
    *,
    location: str,
    printed_at: dt.datetime,
    location_en: str = "",
    public_url: str | None = None,
    helpline: str = "",
) -> Printout:
    """The receipt (and the certificate, if the hall issued one) for a submitted session.

    The receipt is bilingual when the citizen chose English; its QR code opens the case's
    progress on the hall's public page when ``public_url`` is known.
    """
    item, case_number = session.item, session.case_number
    assert item is not None and case_number is not None
    applicant = session.applicant() or {"name": "", "id_number": ""}
    names = {spec.id: spec.name.zh for spec in item.materials}
    receipt = documents.receipt(
        item=item,
        case_number=case_number,
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        result=result,
        printed_at=printed_at,
        location=location,
        promises=[
            (names.get(c.material_id, c.material_id), c.deadline)
            for c in session.commitments.values()
        ],
        identity_photo=session.identity_source == "photo",
        language=session.language,
        location_en=location_en,
        public_url=public_url,
        helpline=helpline,
    )
    receipt = with_reminders(receipt, session.card, printed_at.astimezone().date())
    certificate = None
    if result is not None and result.certificate is not None:
        certificate = documents.certificate_document(result.certificate)
    members: tuple[CertificateDocument, ...] = ()
    if result is not None:
        members = tuple(
            documents.certificate_document(member.certificate)
            for member in result.members
            if member.certificate is not None
        )
    return Printout(receipt, certificate, members)
