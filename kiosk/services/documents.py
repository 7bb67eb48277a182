"""What the terminal prints: the receipt and the A4 certificate, built from the session's result.

Built on the UI thread from the session (so a wipe cannot race the printer) and handed to the
printer workers as immutable values holding only what the citizen takes away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from devices.a4.document import CertificateDocument
from devices.receipt.layout import Receipt
from hall.schema import CertificatePublic, ServiceItem, SubmissionPublic, mask_id_number


def mask_name(name: str) -> str:
    """A name as a receipt left on the counter may show it: 王秀英 -> 王*英, 李四 -> 李*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def decision_within_days(item: ServiceItem) -> int:
    """The working days a citizen is told to expect a decision in when none came on the spot.

    An instant item promises 0 days; accepted offline, its decision waits for the link, so the
    citizen is told the statutory limit rather than "within 0 days".
    """
    limit = item.time_limit
    return limit.promised_days or limit.statutory_days


def certificate_document(cert: CertificatePublic) -> CertificateDocument:
    """The A4 document for a certificate the hall issued."""
    rows = [(f"{f.label.zh} {f.label.en}", f.value) for f in cert.fields]
    if cert.valid_until is not None:
        rows.append(("有效期至 Valid until", cert.valid_until.isoformat()))
    return CertificateDocument(
        title_zh=cert.title.zh,
        title_en=cert.title.en,
        certificate_id=cert.certificate_id,
        rows=rows,
        qr_payload=cert.qr_payload,
        issuer=f"{cert.issuer.zh}  {cert.issuer.en}",
        issued_at=cert.issued_at.astimezone().strftime("%Y-%m-%d %H:%M"),
    )


_OUTCOME_LINES = {
    "approved": ("已办结", "Approved"),
    "refused": ("不予批准", "Not approved"),
    "accepted": ("已受理", "Accepted"),
}


def receipt(
    *,
    item: ServiceItem,
    case_number: str,
    applicant_name: str,
    applicant_id_number: str,
    result: SubmissionPublic | None,
    printed_at: dt.datetime,
    location: str,
    promises: Sequence[tuple[str, dt.date]] = (),
    identity_photo: bool = False,
) -> Receipt:
    """The receipt: case number, item, time, masked applicant, outcome and the case's QR code.

    ``promises``: (material name, deadline) of each material the citizen promised to bring
    (容缺受理); ``identity_photo``: the applicant was identified from photos of the card.
    """
    status = result.status if result is not None else "accepted"
    zh, en = _OUTCOME_LINES[status]
    rows = [
        ("办件编号", case_number),
        ("办理事项", item.name.zh),
        ("申请人", mask_name(applicant_name)),
        ("证件号码", mask_id_number(applicant_id_number)),
        ("办理时间", printed_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("办理状态", f"{zh} {en}"),
    ]
    if identity_photo:
        rows.append(("身份核验", "身份证照片，待工作人员核验"))
    for name, deadline in promises:
        rows.append(("承诺补交", f"{name}，{deadline.year}年{deadline.month}月{deadline.day}日前"))
    if result is not None and result.decision is not None and result.decision.reason is not None:
        rows.append(("原因", result.decision.reason.zh))
    footer = [location]
    if promises:
        footer.insert(0, "本人已承诺按期补交上述材料，逾期未补交的，本次申请将被退回。")
    if status == "accepted":
        days = decision_within_days(item)
        footer.insert(0, f"办理时限：{days}个工作日内；凭本回执二维码在任一自助机查询结果。")
    footer.append("扫描二维码可查询办件进度。")
    footer.append("Scan the QR code to check your case.")
    # "受理回执" only where the case was accepted for a later decision; decided cases get the
    # general "办件回执", so an approval slip does not read as "still pending".
    title = "政务服务受理回执" if status == "accepted" else "政务服务办件回执"
    return Receipt(title=title, rows=rows, qr_data=case_number, footer=footer)
