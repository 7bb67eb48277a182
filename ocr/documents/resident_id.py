"""The resident ID card (居民身份证), front (the holder) and back (the issuer and validity)."""

from __future__ import annotations

import re

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec, Found, Layout
from ocr.text import find_dates, is_long_term
from ocr.validators import birth_date_of, gender_of, id_checksum_ok


def _front_extras(layout: Layout, found: dict[str, Found]) -> dict[str, Found]:
    """The number is often recognised apart from its label, anywhere on the card."""
    extra: dict[str, Found] = {}
    if "id_number" not in found:
        for line in layout.lines:
            value = v.id_number(line.text)
            if value is not None:
                extra["id_number"] = Found(value, line.confidence, (line.index,))
                break
    number = found.get("id_number") or extra.get("id_number")
    if number is not None and isinstance(number.value, str) and id_checksum_ok(number.value):
        # A lone 男/女 is the box engines most often miss; the number printed on the same card,
        # its check character right, says the same (GB 11643: 17th digit odd for men).
        if "gender" not in found:
            extra["gender"] = Found(gender_of(number.value), number.confidence, number.lines)
        birth = birth_date_of(number.value)
        if "birth_date" not in found and birth is not None:
            extra["birth_date"] = Found(birth.isoformat(), number.confidence, number.lines)
    return extra


FRONT = DocumentType(
    name="resident_id_front",
    keywords={"公民身份号码": 10, "姓名": 2, "性别": 2, "民族": 2, "出生": 1, "住址": 2},
    fields=(
        FieldSpec("name", ("姓名",), v.person_name),
        FieldSpec("gender", ("性别",), v.gender),
        FieldSpec("ethnicity", ("民族",), v.ethnicity),
        FieldSpec("birth_date", ("出生日期", "出生"), v.date_value),
        FieldSpec("address", ("住址", "住所"), v.address, multiline=True),
        FieldSpec("id_number", ("公民身份号码", "身份号码", "公民身份证号码"), v.id_number),
    ),
    required=("name", "gender", "ethnicity", "birth_date", "address", "id_number"),
    inline_labels=("性别", "民族", "出生", "住址", "公民身份号码"),
    extras=_front_extras,
)


_RANGE = re.compile(r"(有效期限|有效期)")


def _back_extras(layout: Layout, found: dict[str, Found]) -> dict[str, Found]:
    """有效期限 2015.03.01-2035.03.01 (or -长期): one label, two values."""
    extra: dict[str, Found] = {}
    for i, line in enumerate(layout.lines):
        if not _RANGE.search(line.text):
            continue
        window = [line] + [
            other
            for other in layout.lines[i + 1 : i + 3]
            if other.top - line.bottom < 2 * line.height
        ]
        text = " ".join(w.text for w in window)
        dates = [d for d in find_dates(text) if 1 <= d.parts[1] <= 12 and 1 <= d.parts[2] <= 31]
        confidence = min(w.confidence for w in window)
        if dates:
            extra["valid_from"] = Found(dates[0].iso, confidence, (line.index,))
            if len(dates) > 1:
                extra["valid_to"] = Found(dates[1].iso, confidence, (line.index,))
            elif is_long_term(text[dates[0].end :]):
                extra["valid_to"] = Found("long-term", confidence, (line.index,))
            break
    return extra


BACK = DocumentType(
    name="resident_id_back",
    keywords={"签发机关": 6, "有效期限": 3, "居民身份证": 5, "中华人民共和国": 2},
    fields=(FieldSpec("issuing_authority", ("签发机关",), v.text_value),),
    stop_labels=("有效期限", "有效期"),
    required=("issuing_authority", "valid_from", "valid_to"),
    extras=_back_extras,
)
