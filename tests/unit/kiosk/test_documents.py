"""What the terminal prints: masked names, the receipt's rows and the certificate document."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from devices.a4.document import CertificateDocument
from devices.receipt.layout import Receipt
from hall.schema import (
    CatalogPublic,
    CertificateField,
    CertificatePublic,
    DecisionPublic,
    LocalizedText,
    SubmissionPublic,
    SubmissionStatus,
)
from kiosk.services.documents import certificate_document, mask_name, receipt

CASE = "DEMO01-20260314-00003"
NAME = "王秀英"
ID_NUMBER = "110105195203141221"
PRINTED_AT = dt.datetime(2026, 3, 14, 6, 5, tzinfo=dt.UTC)
RECEIVED_AT = dt.datetime(2026, 3, 14, 6, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("", ""),
        ("王", "王"),
        ("李四", "李*"),
        ("王秀英", "王*英"),
        ("欧阳春晓", "欧**晓"),
        ("Ann", "A*n"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def _everything_printed(value: Receipt | CertificateDocument) -> str:
    return repr(dataclasses.asdict(value))


def _answer(status: SubmissionStatus, decision: DecisionPublic | None = None) -> SubmissionPublic:
    return SubmissionPublic(
        case_number=CASE,
        item_id="elder-card",
        status=status,
        received_at=RECEIVED_AT,
        decision=decision,
    )


def _receipt(
    catalog: CatalogPublic, result: SubmissionPublic | None, item: str = "elder-card"
) -> Receipt:
    return receipt(
        item=catalog.item(item),
        case_number=CASE,
        applicant_name=NAME,
        applicant_id_number=ID_NUMBER,
        result=result,
        printed_at=PRINTED_AT,
        location="区政务服务中心 24小时自助区",
    )


def test_receipt_rows_show_the_applicant_masked(catalog: CatalogPublic) -> None:
    printed = _receipt(
        catalog, _answer("approved", DecisionPublic(outcome="approved", decided_at=RECEIVED_AT))
    )
    rows = dict(printed.rows)
    assert printed.title == "政务服务办件回执"
    assert rows["办件编号"] == CASE
    assert rows["办理事项"] == "老年人优待证申领"
    assert rows["申请人"] == "王*英"
    assert rows["证件号码"] == "110105********1221"
    local = PRINTED_AT.astimezone().strftime("%Y-%m-%d %H:%M")
    assert rows["办理时间"] == local
    assert printed.qr_data == CASE
    everything = _everything_printed(printed)
    assert ID_NUMBER not in everything
    assert "19520314" not in everything
    assert NAME not in everything


def test_approved_outcome(catalog: CatalogPublic) -> None:
    printed = _receipt(
        catalog, _answer("approved", DecisionPublic(outcome="approved", decided_at=RECEIVED_AT))
    )
    rows = dict(printed.rows)
    assert rows["办理状态"] == "已办结 Approved"
    assert "原因" not in rows
    assert not any("办理时限" in line for line in printed.footer)
    assert "Scan the QR code to check your case." in printed.footer


def test_refused_outcome_names_the_reason(catalog: CatalogPublic) -> None:
    decision = DecisionPublic(
        outcome="refused",
        reason_code="under_60",
        reason=LocalizedText(zh="申请人未满60周岁。", en="The applicant is under 60."),
        decided_at=RECEIVED_AT,
    )
    printed = _receipt(catalog, _answer("refused", decision))
    rows = dict(printed.rows)
    assert rows["办理状态"] == "不予批准 Not approved"
    assert rows["原因"] == "申请人未满60周岁。"
    assert printed.rows[-1] == ("原因", "申请人未满60周岁。")


def test_offline_acceptance_promises_the_time_limit(catalog: CatalogPublic) -> None:
    printed = _receipt(catalog, None, item="sole-proprietor-registration")
    rows = dict(printed.rows)
    assert rows["办理状态"] == "已受理 Accepted"
    assert printed.title == "政务服务受理回执"
    assert rows["办理事项"] == "个体工商户设立登记"
    assert printed.footer[0] == "办理时限：1个工作日内；凭本回执二维码在任一自助机查询结果。"
    assert printed.footer[1] == "区政务服务中心 24小时自助区"
    assert printed.footer[-2:] == [
        "扫描二维码可查询办件进度。",
        "Scan the QR code to check your case.",
    ]


def test_accepted_by_the_hall_also_promises_the_time_limit(catalog: CatalogPublic) -> None:
    printed = _receipt(catalog, _answer("accepted"), item="sole-proprietor-registration")
    assert dict(printed.rows)["办理状态"] == "已受理 Accepted"
    assert printed.footer[0].startswith("办理时限：1个工作日内")


def test_instant_item_accepted_offline_names_the_statutory_limit(catalog: CatalogPublic) -> None:
    # An instant item promises 0 days; offline its decision waits, so "within 0 days" is wrong.
    printed = _receipt(catalog, None, item="elder-card")
    assert printed.footer[0] == "办理时限：5个工作日内；凭本回执二维码在任一自助机查询结果。"


def _certificate(valid_until: dt.date | None) -> CertificatePublic:
    return CertificatePublic(
        certificate_id="CERT-2026-000042",
        template="elder-card",
        title=LocalizedText(zh="老年人优待证", en="Senior Citizen Preferential Card"),
        holder_name=NAME,
        holder_id_masked="110105********1221",
        fields=[
            CertificateField(label=LocalizedText(zh="姓名", en="Name"), value=NAME),
            CertificateField(
                label=LocalizedText(zh="证件号码", en="ID number"), value="110105********1221"
            ),
        ],
        issued_at=dt.datetime(2026, 3, 14, 6, 4, 30, tzinfo=dt.UTC),
        valid_until=valid_until,
        issuer=LocalizedText(zh="区民政局", en="District Civil Affairs Bureau"),
        qr_payload="ZWCERT1.abc.def",
    )


def test_certificate_document_from_the_hall_certificate() -> None:
    doc = certificate_document(_certificate(dt.date(2031, 3, 13)))
    assert doc.title_zh == "老年人优待证"
    assert doc.title_en == "Senior Citizen Preferential Card"
    assert doc.certificate_id == "CERT-2026-000042"
    assert doc.rows == [
        ("姓名 Name", NAME),
        ("证件号码 ID number", "110105********1221"),
        ("有效期至 Valid until", "2031-03-13"),
    ]
    assert doc.qr_payload == "ZWCERT1.abc.def"
    assert (doc.issuer, doc.issuer_en) == ("区民政局", "District Civil Affairs Bureau")
    assert doc.seal_text == "区民政局"
    assert doc.note.startswith("本证明有效期至2031年3月13日。")
    issued = dt.datetime(2026, 3, 14, 6, 4, 30, tzinfo=dt.UTC).astimezone()
    assert doc.issued_at == issued.strftime("%Y-%m-%d %H:%M")
    assert ID_NUMBER not in _everything_printed(doc)


def test_certificate_without_expiry_has_no_validity_row() -> None:
    doc = certificate_document(_certificate(None))
    assert [label for label, _ in doc.rows] == ["姓名 Name", "证件号码 ID number"]
