"""What the terminal prints: the receipt and the A4 certificate, built from the session's result.

Built on the UI thread from the session (so a wipe cannot race the printer) and handed to the
printer workers as immutable values holding only what the citizen takes away.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from devices.a4.document import CertificateDocument
from devices.receipt.layout import Receipt
from hall import schema
from hall.schema import CertificatePublic, ServiceItem, SubmissionPublic, mask_id_number

mask_name = schema.mask_name
"""A name as a receipt left on the counter may show it: 王秀英 -> 王*英, 李四 -> 李*."""


def decision_within_days(item: ServiceItem) -> int:
    """The working days a citizen is told to expect a decision in when none came on the spot.

    An instant item promises 0 days; accepted offline, its decision waits for the link, so the
    citizen is told the statutory limit rather than "within 0 days".
    """
    limit = item.time_limit
    return limit.promised_days or limit.statutory_days


def certificate_document(cert: CertificatePublic) -> CertificateDocument:
    """The A4 document for a certificate the hall issued.

    A current (v2) certificate is laid out from the claims its QR code signs, so the paper shows
    exactly what a check of the code shows back; an older one from the hall's fields.
    """
    claims = schema.read_certificate_claims(cert.qr_payload)
    if claims is not None:
        rows = [(f"{zh} {schema.certificate_label_en(zh)}", value) for zh, value in claims.f]
        issued = claims.iat.isoformat()
        valid_until = claims.exp
        issuer_zh = claims.iss or cert.issuer.zh
        title_zh = claims.ttl or cert.title.zh
    else:
        rows = [(f"{f.label.zh} {f.label.en}", f.value) for f in cert.fields]
        if cert.valid_until is not None:
            rows.append(("有效期至 Valid until", cert.valid_until.isoformat()))
        issued = cert.issued_at.astimezone().strftime("%Y-%m-%d %H:%M")
        valid_until = cert.valid_until
        issuer_zh, title_zh = cert.issuer.zh, cert.title.zh
    return CertificateDocument(
        title_zh=title_zh,
        title_en=cert.title.en,
        certificate_id=cert.certificate_id,
        rows=rows,
        qr_payload=cert.qr_payload,
        issuer=issuer_zh,
        issuer_en=cert.issuer.en,
        issued_at=issued,
        note=validity_note(valid_until),
        seal_text=seal_name(issuer_zh),
    )


def seal_name(issuer: str) -> str:
    """The body named on the seal: the issuer without its bracketed aside (区民政局（…）)."""
    return re.sub(r"[（(][^）)]*[）)]", "", issuer).strip() or issuer


def validity_note(valid_until: dt.date | None) -> str:
    """The certificate's validity note, Chinese then English."""
    check = "扫描右下角二维码可核验真伪并查看签发内容，内容与纸面不一致的无效。"
    check_en = (
        "Scan the QR code to verify it and see the signed values; "
        "a paper that differs from them is void."
    )
    if valid_until is None:
        return f"本证明长期有效。{check}\nValid with no end date. {check_en}"
    day = f"{valid_until.year}年{valid_until.month}月{valid_until.day}日"
    return f"本证明有效期至{day}。{check}\nValid until {valid_until.isoformat()}. {check_en}"


_OUTCOME_LINES = {
    "approved": ("已办结", "Approved"),
    "refused": ("不予批准", "Not approved"),
    "accepted": ("已受理", "Accepted"),
}

_LABELS_EN = {
    "办件编号": "Case no.",
    "办理事项": "Service",
    "申请人": "Applicant",
    "证件号码": "ID number",
    "办理时间": "Time",
    "办理状态": "Status",
    "身份核验": "Identity",
    "承诺补交": "Promised",
    "原因": "Reason",
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
    language: str = "zh",
    location_en: str = "",
    public_url: str | None = None,
    helpline: str = "",
) -> Receipt:
    """The receipt: case number, item, time, masked applicant, outcome and the case's QR code.

    ``promises``: (material name, deadline) of each material the citizen promised to bring
    (容缺受理); ``identity_photo``: the applicant was identified from photos of the card.
    ``language`` ``en`` makes it bilingual (Chinese first). ``public_url``: the hall's public
    base URL, whose ``/verify?case=`` page shows the case's progress on a phone; without it the
    code is the bare case number, which terminals read. ``helpline``: printed at the foot.
    """
    english = language == "en"
    status = result.status if result is not None else "accepted"
    zh, en = _OUTCOME_LINES[status]
    item_name = f"{item.name.zh} {item.name.en}" if english else item.name.zh
    rows = [
        ("办件编号", case_number),
        ("办理事项", item_name),
        ("申请人", mask_name(applicant_name)),
        ("证件号码", mask_id_number(applicant_id_number)),
        ("办理时间", printed_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("办理状态", f"{zh} {en}"),
    ]
    if result is not None:
        # A bundle ("一件事一次办"): one receipt, a line per member item with its own outcome.
        for member in result.members:
            member_zh, _ = _OUTCOME_LINES[member.status]
            rows.append(("包含事项", f"{member.name.zh}：{member_zh}"))
    if identity_photo:
        rows.append(
            (
                "身份核验",
                "身份证照片，待工作人员核验"
                + (" ID card photos, to be checked by staff" if english else ""),
            )
        )
    for name, deadline in promises:
        text = f"{name}，{deadline.year}年{deadline.month}月{deadline.day}日前"
        if english:
            text += f" by {deadline.isoformat()}"
        rows.append(("承诺补交", text))
    if result is not None and result.decision is not None and result.decision.reason is not None:
        reason = result.decision.reason
        rows.append(("原因", f"{reason.zh} {reason.en}" if english else reason.zh))
    if english:
        rows = [(f"{label} {_LABELS_EN[label]}", value) for label, value in rows]
    footer = [location]
    if english and location_en:
        footer.append(location_en)
    if promises:
        if english:
            footer.insert(
                0,
                "You have promised to bring the materials above by the date; otherwise "
                "this application is returned.",
            )
        footer.insert(0, "本人已承诺按期补交上述材料，逾期未补交的，本次申请将被退回。")
    if status == "accepted":
        days = decision_within_days(item)
        if english:
            unit = "working day" if days == 1 else "working days"
            footer.insert(
                0, f"Decision within {days} {unit}: check it with this receipt's QR code."
            )
        footer.insert(0, f"办理时限：{days}个工作日内；凭本回执二维码在任一自助机查询结果。")
    if helpline:
        footer.append(f"咨询电话 Helpline: {helpline}")
    footer.append("扫描二维码可查询办件进度。")
    footer.append("Scan the QR code to check your case.")
    # "受理回执" only where the case was accepted for a later decision; decided cases get the
    # general "办件回执", so an approval slip does not read as "still pending".
    title = "政务服务受理回执" if status == "accepted" else "政务服务办件回执"
    if english:
        title += " Case receipt"
    qr = case_number if public_url is None else schema.progress_url(public_url, case_number)
    return Receipt(title=title, rows=rows, qr_data=qr, footer=footer)
