"""Material verdicts from the catalog's rules and what was read."""

from __future__ import annotations

import datetime as dt

from assets import load_catalog
from hall.schema import ServiceItem
from ocr.checks import check_item, check_reading, reason_text
from ocr.reader import read_lines
from tests.unit.ocr.lines import page

TODAY = dt.date(2026, 11, 22)
APPLICANT = {"name": "李建国", "id_number": "11010519491231002X"}


def _item() -> ServiceItem:
    return load_catalog().item("sole-proprietor-registration")


def _lease(lessee: str = "李建國", end: str = "2028年12月31日") -> list:
    return page(
        "房屋租赁合同",
        "出租方（甲方）：北京华信物业管理有限公司",
        f"承租方（乙方）：{lessee}",
        "房屋坐落：北京市海淀区中关村大街27号",
        f"租赁期限：自2026年01月01日起至{end}止",
    )


def test_good_lease_passes_and_prefills() -> None:
    result = check_item(
        _item(),
        [("lease.jpg", read_lines(_lease()))],
        applicant=APPLICANT,
        today=TODAY,
        card_read=True,
    )
    assert result.verdict == "pass"
    assert result.to_json()["materials"] == [
        {
            "file": "lease.jpg",
            "document_type": "lease_contract",
            "fields": {
                "lessor": "北京华信物业管理有限公司",
                "lessee": "李建國",
                "address": "北京市海淀区中关村大街27号",
                "start_date": "2026-01-01",
                "end_date": "2028-12-31",
            },
            "valid": True,
            "defects": [],
        }
    ]
    assert result.prefill()["lease-contract"]["address"] == "北京市海淀区中关村大街27号"


def test_someone_elses_expired_lease_fails_with_both_reasons() -> None:
    reading = read_lines(_lease(lessee="王五", end="2026年06月30日"))
    result = check_item(
        _item(), [("lease.jpg", reading)], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert result.verdict == "fail"
    assert result.materials[0].defects == ["expired", "name_mismatch"]
    assert reason_text("name_mismatch", "zh").startswith("材料上的姓名与申请人不一致")
    assert "not the applicant" in reason_text("name_mismatch", "en")


def test_wrong_document_and_missing_lease() -> None:
    licence = read_lines(page("营业执照", "名称 某店", "统一社会信用代码 91110000600037341L"))
    result = check_item(
        _item(), [("x.jpg", licence)], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert result.verdict == "fail"
    assert result.materials[0].defects == ["wrong_document"]
    assert result.materials[1].file is None
    assert result.materials[1].defects == ["missing_material"]


def test_unreadable_lessee_is_reported_not_guessed() -> None:
    lines = _lease()
    lines[2] = type(lines[2])(lines[2].text, lines[2].box, 0.2)
    result = check_item(
        _item(), [("l.jpg", read_lines(lines))], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert result.materials[0].defects == ["unreadable"]


def test_photographed_id_card_is_the_applicant_without_a_card_reader() -> None:
    front = page(
        "姓名 李建国",
        "性别 女 民族 汉",
        "出生 1949年12月31日",
        "住址 北京市东城区某街1号",
        "公民身份号码 11010519491231002X",
    )
    back = page(
        "中华人民共和国", "居民身份证", "签发机关 北京市公安局东城分局", "有效期限 2010.01.01-长期"
    )
    readings = [
        ("f.jpg", read_lines(front)),
        ("b.jpg", read_lines(back)),
        ("l.jpg", read_lines(_lease())),
    ]
    result = check_item(_item(), readings, today=TODAY)
    assert result.verdict == "pass", result.to_json()
    assert [m.document_type for m in result.materials] == [
        "resident_id_front",
        "resident_id_back",
        "lease_contract",
    ]
    # The same card with a wrong check character is caught.
    bad = page(
        "姓名 李建国",
        "性别 女 民族 汉",
        "出生 1949年12月31日",
        "住址 北京市东城区某街1号",
        "公民身份号码 110105194912310021",
    )
    result = check_item(_item(), [("f.jpg", read_lines(bad)), *readings[1:]], today=TODAY)
    assert result.verdict == "fail"
    assert "id_checksum" in result.materials[0].defects


def test_tolerable_missing_material_gives_a_tolerated_verdict() -> None:
    item = _item()
    spec = item.materials[1].model_copy(update={"tolerable": True})
    tolerant = item.model_copy(update={"materials": [item.materials[0], spec]})
    result = check_item(tolerant, [], applicant=APPLICANT, today=TODAY, card_read=True)
    assert result.verdict == "tolerated"
    assert result.materials[0].status == "tolerated"


def test_a_doubtful_one_character_difference_asks_for_a_retake() -> None:
    lines = _lease(lessee="李建囯")
    lines[2] = type(lines[2])(lines[2].text, lines[2].box, 0.79)
    result = check_item(
        _item(), [("l.jpg", read_lines(lines))], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert result.materials[0].defects == ["unreadable"]
    sure = check_item(
        _item(),
        [("l.jpg", read_lines(_lease(lessee="李建囯")))],
        applicant=APPLICANT,
        today=TODAY,
        card_read=True,
    )
    assert sure.materials[0].defects == ["name_mismatch"]


def test_addresses_must_agree_across_materials() -> None:
    item = ServiceItem.model_validate(
        {
            "id": "food-shop",
            "name": {"zh": "食品店", "en": "Food shop"},
            "department": {"zh": "局", "en": "Bureau"},
            "time_limit": {"statutory_days": 1, "promised_days": 1},
            "fee": {"amount_yuan": 0, "note": {"zh": "免费", "en": "Free"}},
            "materials": [
                {
                    "id": "licence",
                    "name": {"zh": "营业执照", "en": "Licence"},
                    "source": "camera",
                    "document_type": "business_license",
                    "required_fields": ["uscc", "name", "address"],
                    "must_match": [{"field": "address", "material": "lease", "compare": "address"}],
                },
                {
                    "id": "lease",
                    "name": {"zh": "租赁合同", "en": "Lease"},
                    "source": "camera",
                    "document_type": "lease_contract",
                },
            ],
        }
    )
    licence = page(
        "营业执照", "统一社会信用代码 91110000600037341L", "名称 北京某某餐饮有限公司",
        "住所 北京市海淀区中关村大街27号",
    )  # fmt: skip
    lease = read_lines(_lease())
    same = check_item(item, [("a.jpg", read_lines(licence)), ("b.jpg", lease)], today=TODAY)
    assert same.materials[0].defects == []  # 北京市海淀区中关村大街27号 on both
    moved = page(
        "营业执照", "统一社会信用代码 91110000600037341L", "名称 北京某某餐饮有限公司",
        "住所 北京市朝阳区建国路88号",
    )  # fmt: skip
    result = check_item(item, [("a.jpg", read_lines(moved)), ("b.jpg", lease)], today=TODAY)
    assert result.verdict == "fail"
    assert result.materials[0].defects == ["address_mismatch"]


def test_every_quality_gate_has_its_own_plain_words() -> None:
    from ocr.quality import HINTS

    unreadable = {reason_text("unreadable", "zh"), reason_text("unreadable", "en")}
    for gate in HINTS:
        zh, en = reason_text(f"quality_{gate}", "zh"), reason_text(f"quality_{gate}", "en")
        assert zh not in unreadable and en not in unreadable, gate
        assert zh != en


def test_an_unsure_gate_lets_ocr_try_and_names_its_cause_for_what_was_not_read() -> None:
    from ocr.quality import QualityReport

    unsure = QualityReport(500.0, 200.0, 60.0, [], 0.7, 0.01, ["glare"])
    assert unsure.ok  # OCR is let try
    lines = _lease()
    read = read_lines(lines)
    read.quality = unsure
    passed = check_item(
        _item(), [("l.jpg", read)], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert passed.materials[0].defects == []  # everything was read: the suspicion is dropped
    lines[2] = type(lines[2])(lines[2].text, lines[2].box, 0.2)
    lost = read_lines(lines)
    lost.quality = unsure
    result = check_item(
        _item(), [("l.jpg", lost)], applicant=APPLICANT, today=TODAY, card_read=True
    )
    assert result.materials[0].defects == ["quality_glare", "unreadable"]


def test_a_check_character_misread_on_an_unsure_photo_is_put_down_to_the_gate() -> None:
    from ocr.quality import QualityReport

    def front(confidence: float) -> list:
        lines = page(
            "姓名 李建国",
            "性别 女 民族 汉",
            "出生 1949年12月31日",
            "住址 北京市东城区某街1号",
            "公民身份号码 110105194912310021",  # the check character should be X
        )
        lines[-1] = type(lines[-1])(lines[-1].text, lines[-1].box, confidence)
        return lines

    unsure = QualityReport(500.0, 200.0, 60.0, [], 0.7, 0.01, ["glare"])
    spec = _item().materials[0]
    for confidence, expected in ((0.6, ["quality_glare", "id_checksum"]), (0.97, ["id_checksum"])):
        reading = read_lines(front(confidence))
        reading.quality = unsure
        verdict = check_reading(spec, reading, file=None, applicant=None, today=TODAY)
        # Read unsurely under a suspected highlight: retake it away from the light first;
        # read surely, the card's number is wrong whatever the light.
        assert verdict.defects == expected, confidence
    sure = read_lines(front(0.6))
    sure.quality = QualityReport(500.0, 200.0, 60.0)  # no gate unsure: the number is wrong
    assert check_reading(spec, sure, file=None, applicant=None, today=TODAY).defects == [
        "id_checksum"
    ]
