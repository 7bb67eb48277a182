"""The food business licence (食品经营许可证)."""

from __future__ import annotations

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec, Found, Layout


def _extras(layout: Layout, found: dict[str, Found]) -> dict[str, Found]:
    """Licence number and code printed apart from their labels."""
    extra: dict[str, Found] = {}
    for name, parse in (("licence_number", v.licence_number), ("uscc", v.uscc)):
        if name in found:
            continue
        for line in layout.lines:
            value = parse(line.text)
            if value is not None and (name != "licence_number" or value.startswith("JY")):
                extra[name] = Found(value, line.confidence, (line.index,))
                break
    return extra


FOOD_BUSINESS_LICENSE = DocumentType(
    name="food_business_license",
    keywords={
        "食品经营许可证": 12,
        "许可证编号": 3,
        "经营者名称": 3,
        "经营项目": 2,
        "主体业态": 2,
        "日常监督管理机构": 2,
        "食品": 1,
    },
    fields=(
        FieldSpec("licence_number", ("许可证编号", "编号"), v.licence_number),
        FieldSpec(
            "operator_name",
            ("经营者名称", "单位名称", "名称"),
            v.text_value,
            multiline=True,
            complete=v.name_complete,
        ),
        FieldSpec("uscc", ("社会信用代码", "统一社会信用代码", "身份证号码"), v.uscc),
        FieldSpec("legal_representative", ("法定代表人", "负责人", "经营者"), v.person_name),
        FieldSpec("address", ("经营场所", "住所", "地址"), v.address, multiline=True),
        FieldSpec("valid_to", ("有效期至", "有效期限", "有效期"), v.end_date),
    ),
    stop_labels=(
        "主体业态",
        "经营项目",
        "日常监督管理机构",
        "日常监督管理人员",
        "投诉举报电话",
        "发证机关",
        "签发人",
        "签发日期",
        "食品经营许可证",
    ),
    required=(
        "licence_number",
        "operator_name",
        "uscc",
        "legal_representative",
        "address",
        "valid_to",
    ),
    extras=_extras,
)
