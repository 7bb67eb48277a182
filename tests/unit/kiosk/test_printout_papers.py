"""What a session prints when the citizen chose English, and where the receipt's code points."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.idcard.demo_cards import demo_card
from hall.schema import CatalogPublic, case_number_from_qr
from kiosk.config import ConfigError, load_settings
from kiosk.services.printout import printout
from kiosk.services.session import Session, Step

NOW = dt.datetime(2026, 3, 14, 6, 5, tzinfo=dt.UTC)
CASE = "DEMO01-20260314-00003"


def _session(catalog: CatalogPublic, language: str) -> Session:
    session = Session()
    session.identify(demo_card("elder"))
    session.choose(catalog.item("sole-proprietor-registration"))
    session.case_number = CASE
    session.step = Step.SUBMIT
    session.language = language
    return session


def test_an_english_citizen_gets_a_bilingual_receipt_with_a_progress_url(
    catalog: CatalogPublic,
) -> None:
    out = printout(
        _session(catalog, "en"),
        None,
        location="大厅",
        location_en="Main hall",
        printed_at=NOW,
        public_url="https://zwfw.example.gov.cn",
        helpline="12345",
    )
    receipt = out.receipt
    assert receipt.qr_data == f"https://zwfw.example.gov.cn/verify?case={CASE}"
    assert case_number_from_qr(receipt.qr_data) == CASE
    labels = [label for label, _ in receipt.rows]
    assert labels[0] == "办件编号 Case no." and "申请人 Applicant" in labels
    assert "Accepted" in dict(receipt.rows)["办理状态 Status"]
    assert "Decision within 1 working day: check it with this receipt's QR code." in receipt.footer
    assert "Main hall" in receipt.footer and "咨询电话 Helpline: 12345" in receipt.footer
    assert receipt.title.endswith("Case receipt")


def test_a_chinese_citizen_gets_the_chinese_receipt(catalog: CatalogPublic) -> None:
    out = printout(_session(catalog, "zh"), None, location="大厅", printed_at=NOW, helpline="12345")
    assert out.receipt.qr_data == CASE  # no public address known: terminals read the number
    assert out.receipt.rows[0][0] == "办件编号"
    assert "Main hall" not in out.receipt.footer
    assert not any("Decision within" in line for line in out.receipt.footer)


def test_the_terminal_takes_the_halls_public_url_from_its_config() -> None:
    settings = load_settings(None, hall={"public_url": "https://zwfw.example.gov.cn"})
    assert settings.hall.public_url == "https://zwfw.example.gov.cn"
    with pytest.raises(ConfigError, match=r"hall\.public_url"):
        load_settings(None, hall={"public_url": "zwfw.example.gov.cn/x?y"})
