"""Material checks: what a clerk would check, from the catalog item's rules and what was read.

Each photographed document gets a verdict (``pass``, ``fail`` with stable reason codes, or
``tolerated`` when a missing material may follow under the citizen's written commitment, 容缺受理)
and the whole item gets one. Reason codes are the same on the screen, in ``kiosk ocr check`` and
in the benchmark; ``reason_text`` words them for a citizen, Chinese first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hall.schema import FieldMatch, LocalizedText, MaterialSpec, ServiceItem
from ocr.documents import DOCUMENT_TYPES, UNKNOWN
from ocr.reader import DocumentReading
from ocr.text import comparable, same_address, same_name
from ocr.validators import check_fields, check_id_card_pair

REASONS: dict[str, tuple[str, str]] = {
    "wrong_document": (
        "这不是所需的材料，请放入正确的材料再拍。",
        "This is not the document needed. Place the right one and take the photo again.",
    ),
    "unreadable": (
        "有内容看不清，请把材料放平、避开反光后重拍。",
        "Some of it cannot be read. Lay the document flat, away from glare, and retake.",
    ),
    "missing_field": (
        "材料上缺少必要内容，请确认拍的是完整的一页。",
        "Something required is missing. Make sure the whole page is in the photo.",
    ),
    "missing_material": (
        "还缺少这份材料。",
        "This document has not been provided yet.",
    ),
    "id_checksum": (
        "身份证号码不正确，请核对证件。",
        "The ID number is not valid. Please check the card.",
    ),
    "uscc_checksum": (
        "统一社会信用代码不正确，请核对执照。",
        "The unified social credit code is not valid. Please check the licence.",
    ),
    "expired": (
        "材料已过期，请提供在有效期内的材料。",
        "The document has expired. Please bring one that is still valid.",
    ),
    "not_yet_valid": (
        "材料还未生效。",
        "The document is not valid yet.",
    ),
    "date_invalid": (
        "材料上的日期不正确，请核对。",
        "A date on the document is not correct. Please check it.",
    ),
    "id_birth_mismatch": (
        "身份证号码与出生日期不一致。",
        "The ID number does not match the date of birth.",
    ),
    "id_gender_mismatch": (
        "身份证号码与性别不一致。",
        "The ID number does not match the gender.",
    ),
    "name_mismatch": (
        "材料上的姓名与申请人不一致，请提供本人的材料。",
        "The name on the document is not the applicant's. Please bring your own document.",
    ),
    "address_mismatch": (
        "材料上的地址与其他材料不一致。",
        "The address does not match the other documents.",
    ),
    "value_mismatch": (
        "材料上的内容与其他材料不一致。",
        "The document does not agree with the other documents.",
    ),
}
QUALITY_REASONS: dict[str, tuple[str, str]] = {
    "blurred": ("照片模糊，请放平材料保持不动后重拍。", "The photo is blurred. Keep it still."),
    "too_dark": ("照片太暗，请把材料放在灯光下重拍。", "The photo is too dark. Retake it."),
    "too_bright": ("照片反光过亮，请避开反光重拍。", "The photo has glare. Retake it."),
    "empty": ("没有拍到材料，请把材料放进拍摄区。", "No document was seen. Place it and retake."),
    "glare": (
        "材料上有反光，看不清字，请调整角度后重拍。",
        "Light glares on the document. Tilt it and retake.",
    ),
    "cut_off": (
        "材料没有拍全，请把材料整个放进拍摄框。",
        "Part of the document is cut off. Retake.",
    ),
    "too_small": ("材料拍得太小，请把材料放在拍摄区中间。", "The document is too small. Retake."),
    "wrong_side": ("拍到的是证件另一面，请翻过来再拍。", "This is the other side. Turn it over."),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "Name"),
    "gender": ("性别", "Gender"),
    "ethnicity": ("民族", "Ethnicity"),
    "birth_date": ("出生日期", "Date of birth"),
    "address": ("地址", "Address"),
    "id_number": ("身份证号码", "ID number"),
    "issuing_authority": ("签发机关", "Issued by"),
    "valid_from": ("有效期起", "Valid from"),
    "valid_to": ("有效期至", "Valid until"),
    "uscc": ("统一社会信用代码", "Unified social credit code"),
    "company_type": ("类型", "Type"),
    "legal_representative": ("法定代表人/经营者", "Legal representative"),
    "registered_capital": ("注册资本（元）", "Registered capital (yuan)"),
    "established_date": ("成立日期", "Established"),
    "business_scope": ("经营范围", "Business scope"),
    "lessor": ("出租方", "Lessor"),
    "lessee": ("承租方", "Lessee"),
    "start_date": ("租赁起始", "Lease starts"),
    "end_date": ("租赁截止", "Lease ends"),
    "licence_number": ("许可证编号", "Licence number"),
    "operator_name": ("经营者名称", "Operator"),
}


def reason_text(code: str, language: str) -> str:
    """A reason code in plain words for the citizen (``zh`` or ``en``)."""
    if code.startswith("quality_"):
        zh, en = QUALITY_REASONS.get(code[8:], REASONS["unreadable"])
    else:
        zh, en = REASONS.get(code, REASONS["unreadable"])
    return en if language == "en" else zh


def field_label(name: str, language: str) -> str:
    """A field's name for the screen."""
    zh, en = FIELD_LABELS.get(name, (name, name))
    return en if language == "en" else zh


@dataclass
class MaterialVerdict:
    """The verdict on one photographed document (or one missing material)."""

    material_id: str
    file: str | None
    document_type: str
    fields: dict[str, object] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)
    status: str = "pass"
    """``pass``, ``fail``, ``tolerated`` (missing, may follow under commitment) or ``missing``."""

    @property
    def valid(self) -> bool:
        """Whether the document passed every check."""
        return self.status == "pass"

    def to_json(self) -> dict[str, object]:
        """The shape ``kiosk ocr check`` prints for one material."""
        return {
            "file": self.file,
            "document_type": self.document_type,
            "fields": dict(self.fields),
            "valid": self.valid,
            "defects": list(self.defects),
        }


@dataclass
class CheckResult:
    """The verdict on an item's materials: ``pass``, ``fail`` or ``tolerated``."""

    verdict: str
    materials: list[MaterialVerdict]

    def to_json(self) -> dict[str, object]:
        """The JSON ``kiosk ocr check`` prints."""
        return {"verdict": self.verdict, "materials": [m.to_json() for m in self.materials]}

    def prefill(self) -> dict[str, dict[str, object]]:
        """The fields of every passed document by material id, to pre-fill the application."""
        filled: dict[str, dict[str, object]] = {}
        for m in self.materials:
            if m.valid:
                filled.setdefault(m.material_id, {}).update(m.fields)
        return filled


APPLICANT_FIELDS: dict[str, dict[str, str]] = {
    "resident_id_front": {"name": "name", "id_number": "id_number"},
    "lease_contract": {"lessee": "name"},
    "business_license": {"legal_representative": "name"},
    "food_business_license": {"legal_representative": "name"},
}
"""Without a catalog rule: which field of each document names the applicant (and which
attribute of the applicant it must equal)."""


def check_document(
    reading: DocumentReading,
    *,
    applicant: Mapping[str, object] | None = None,
    today: dt.date | None = None,
) -> list[str]:
    """The defects of one document on its own, with the default rules of its type.

    For the benchmark and ``kiosk ocr check`` without an item: quality, type, required fields,
    check characters, dates, expiry, and the applicant in the field that names them.
    """
    today = today or dt.date.today()
    if reading.document_type not in DOCUMENT_TYPES:
        spec_types: list[str] = []
        must: list[FieldMatch] = []
    else:
        spec_types = [reading.document_type]
        must = [
            FieldMatch(field=f, applicant=a, compare="name" if a == "name" else "exact")
            for f, a in APPLICANT_FIELDS.get(reading.document_type, {}).items()
        ]
    spec = MaterialSpec(
        id=reading.document_type,
        name=LocalizedText(zh="", en=""),
        source="camera",
        document_types=spec_types or ["none"],
        must_match=must,
    )
    return check_reading(spec, reading, file=None, applicant=applicant, today=today).defects


def accepted_types(spec: MaterialSpec) -> list[str]:
    """The document types a material accepts."""
    if spec.document_types:
        return list(spec.document_types)
    return [spec.document_type] if spec.document_type else []


def _type_fields(document_type: str) -> set[str]:
    doc = DOCUMENT_TYPES.get(document_type)
    if doc is None:
        return set()
    return {f.name for f in doc.fields} | set(doc.required)


def _compare(kind: str, a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return a == b
    if kind == "address":
        return same_address(a, b)
    if kind == "name":
        return same_name(a, b)
    return a.strip().upper() == b.strip().upper()


SURE_CONFIDENCE = 0.9
"""Below this a field that disagrees by one character is taken for a misread."""

MISREAD_CAN_CAUSE: dict[str, tuple[str, ...]] = {
    "id_checksum": ("id_number",),
    "uscc_checksum": ("uscc",),
    "id_birth_mismatch": ("id_number", "birth_date"),
    "id_gender_mismatch": ("id_number", "gender"),
}
"""Defects one misread character of these fields gives: on a photo a gate was unsure of, and
with the field read below ``SURE_CONFIDENCE``, they are put down to the gate's cause too."""


def _one_character_apart(a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    x, y = comparable(a), comparable(b)
    return len(x) == len(y) >= 2 and sum(p != q for p, q in zip(x, y, strict=True)) == 1


def _mismatch_code(match: FieldMatch) -> str:
    return {"name": "name_mismatch", "address": "address_mismatch"}.get(
        match.compare, "value_mismatch"
    )


def check_reading(
    spec: MaterialSpec,
    reading: DocumentReading,
    *,
    file: str | None,
    applicant: Mapping[str, object] | None,
    today: dt.date,
) -> MaterialVerdict:
    """Check one document against its material's rules (other materials are checked later)."""
    verdict = MaterialVerdict(spec.id, file, reading.document_type, dict(reading.fields))

    def add(code: str) -> None:
        if code not in verdict.defects:
            verdict.defects.append(code)

    if reading.quality_problems:
        for problem in reading.quality_problems:
            add(f"quality_{problem}")
    elif reading.document_type not in accepted_types(spec):
        add("wrong_document")
    else:
        wanted = _type_fields(reading.document_type)
        required = [f for f in spec.required_fields if f in wanted]
        doc = DOCUMENT_TYPES[reading.document_type]
        for name in required or list(doc.required):
            if name in reading.fields:
                continue
            add("unreadable" if name in reading.unreadable else "missing_field")
        for code in check_fields(reading.document_type, reading.fields, today):
            add(code)
        for match in spec.must_match:
            value = reading.fields.get(match.field)
            if match.applicant is None or applicant is None or value is None:
                continue
            expected = applicant.get(match.applicant)
            if expected is not None and not _compare(match.compare, value, expected):
                sure = reading.confidence.get(match.field, 1.0) >= SURE_CONFIDENCE
                if not sure and _one_character_apart(value, expected):
                    # 候佳 read for 侯佳 at 0.79: more likely a misread than someone else's
                    # document, so the citizen is asked to retake it, not told it is not theirs.
                    add("unreadable")
                else:
                    add(_mismatch_code(match))
    suspect = reading.quality.suspect if reading.quality is not None else []
    unread = {"unreadable", "missing_field"} | (
        {"wrong_document"} if reading.document_type == UNKNOWN else set()
    )
    unread |= {
        code
        for code, names in MISREAD_CAN_CAUSE.items()
        if any(reading.confidence.get(name, 1.0) < SURE_CONFIDENCE for name in names)
    }
    if suspect and unread.intersection(verdict.defects):
        # A gate that was unsure let OCR try; what OCR could not read is put down to the gate's
        # cause first, so the citizen is told what to change (tilt the page away from the light).
        verdict.defects.insert(0, f"quality_{suspect[0]}")
    verdict.status = "fail" if verdict.defects else "pass"
    return verdict


def check_item(
    item: ServiceItem,
    readings: Sequence[tuple[str | None, DocumentReading]],
    *,
    applicant: Mapping[str, object] | None = None,
    today: dt.date | None = None,
    card_read: bool = False,
) -> CheckResult:
    """Check the photographed documents ``(file, reading)`` against the item's materials.

    Each document is given to the first material that accepts its type; one no material
    accepts fails as ``wrong_document``. The applicant is the card read by the reader, else
    the photographed ID card's front. ``card_read`` says the ``id_card`` material came from
    the reader, so no photo of it is needed.
    """
    today = today or dt.date.today()
    camera_specs = [s for s in item.materials if accepted_types(s)]
    if applicant is None:
        for _, reading in readings:
            if reading.document_type == "resident_id_front" and reading.fields.get("name"):
                applicant = reading.fields
                break
    verdicts: list[MaterialVerdict] = []
    for file, reading in readings:
        spec = next(
            (s for s in camera_specs if reading.document_type in accepted_types(s)),
            None,
        )
        if spec is None:
            fallback = next((s for s in camera_specs if s.source == "camera"), None)
            spec = fallback or MaterialSpec.model_validate(
                {"id": "unknown", "name": {"zh": "", "en": ""}, "source": "camera"}
            )
        verdicts.append(check_reading(spec, reading, file=file, applicant=applicant, today=today))
    _check_across(item, verdicts)
    _check_id_sides(verdicts)
    for spec in item.materials:
        wanted = accepted_types(spec)
        held = any(v.material_id == spec.id and v.document_type in wanted for v in verdicts)
        if spec.source == "id_card" and card_read:
            held = True
        if held or not spec.required:
            continue
        status = "tolerated" if spec.tolerable else "missing"
        verdicts.append(
            MaterialVerdict(
                spec.id,
                None,
                wanted[0] if wanted else spec.source,
                defects=["missing_material"],
                status=status,
            )
        )
    if any(v.status in ("fail", "missing") for v in verdicts):
        overall = "fail"
    elif any(v.status == "tolerated" for v in verdicts):
        overall = "tolerated"
    else:
        overall = "pass"
    return CheckResult(overall, verdicts)


def _check_across(item: ServiceItem, verdicts: list[MaterialVerdict]) -> None:
    """Fields that must agree between two materials (the licence's and the lease's address)."""
    by_material = {v.material_id: v for v in verdicts if v.document_type != UNKNOWN}
    for spec in item.materials:
        for match in spec.must_match:
            if match.material is None:
                continue
            mine, other = by_material.get(spec.id), by_material.get(match.material)
            if mine is None or other is None:
                continue
            a = mine.fields.get(match.field)
            b = other.fields.get(match.other_field or match.field)
            if a is not None and b is not None and not _compare(match.compare, a, b):
                code = _mismatch_code(match)
                if code not in mine.defects:
                    mine.defects.append(code)
                mine.status = "fail"


def _check_id_sides(verdicts: list[MaterialVerdict]) -> None:
    """A photographed card's two sides must agree (issued after birth, span fits the age)."""
    fronts = [v for v in verdicts if v.document_type == "resident_id_front"]
    backs = [v for v in verdicts if v.document_type == "resident_id_back"]
    if len(fronts) == 1 and len(backs) == 1:
        for code in check_id_card_pair(fronts[0].fields, backs[0].fields):
            if code not in backs[0].defects:
                backs[0].defects.append(code)
            backs[0].status = "fail"
