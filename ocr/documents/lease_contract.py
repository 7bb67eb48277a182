"""The lease contract (房屋租赁合同) for business premises: form layouts and prose alike."""

from __future__ import annotations

import re

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec, Found, Layout
from ocr.text import find_dates

_TERM_LABEL = re.compile(r"租赁期限|租赁期间|租赁期|租期|期限|起止(?:日期|时间)|租赁时间")
"""What introduces the term: 租赁期限, or on forms 租赁起止日期 and 租赁时间 (then two dates)."""
_PROSE_ADDRESS = re.compile(
    r"(?:位于|坐落于|座落于|坐落在|地址为|位置为)[:]?(.{4,60}?)(?:的|之)?(?:房屋|房产|商铺|铺面|门面|门市|厂房|写字楼|办公室|店面|[,;。])"
)


def _extras(layout: Layout, found: dict[str, Found]) -> dict[str, Found]:
    """Prose contracts: the premises' address and the term written in sentences."""
    extra: dict[str, Found] = {}
    if "address" not in found:
        hit = layout.search(_PROSE_ADDRESS)
        if hit is not None and v.address(hit[0]) is not None:
            extra["address"] = Found(v.address(hit[0]), hit[1])
    if "start_date" not in found or "end_date" not in found:
        for m in _TERM_LABEL.finditer(layout.text):
            window = layout.text[m.end() : m.end() + 60]
            dates = [
                d for d in find_dates(window) if 1 <= d.parts[1] <= 12 and 1 <= d.parts[2] <= 31
            ]
            if len(dates) >= 2:
                first, second = dates[0], dates[1]
                confidence = layout.confidence_of(m.end() + first.start, m.end() + second.end)
                if "start_date" not in found:
                    extra["start_date"] = Found(first.iso, confidence)
                if "end_date" not in found:
                    extra["end_date"] = Found(second.iso, confidence)
                break
    return extra


LEASE_CONTRACT = DocumentType(
    name="lease_contract",
    keywords={
        "租赁合同": 10,
        "租房合同": 10,
        "房屋租赁": 5,
        "出租方": 3,
        "承租方": 3,
        "出租人": 3,
        "承租人": 3,
        "租金": 2,
        "租赁期限": 2,
        "押金": 1,
    },
    fields=(
        FieldSpec(
            "lessor",
            ("出租方", "出租人", "甲方"),
            v.party_name,
            multiline=True,
            complete=v.name_complete,
        ),
        FieldSpec(
            "lessee",
            ("承租方", "承租人", "乙方"),
            v.party_name,
            multiline=True,
            complete=v.name_complete,
        ),
        FieldSpec(
            "address",
            (
                "房屋坐落",
                "房屋坐落地址",
                "坐落地址",
                "出租房屋地址",
                "房屋地址",
                "租赁房屋地址",
                "租赁地址",
                "房屋座落",
                "坐落",
                "房屋位置",
                "租赁物业地址",
                "物业地址",
                "商铺地址",
                "经营场所地址",
            ),
            v.address,
            multiline=True,
        ),
        FieldSpec(
            "start_date",
            ("起租日期", "租赁起始日期", "起始日期", "开始日期", "起租日"),
            v.date_value,
        ),
        FieldSpec(
            "end_date",
            ("到期日期", "终止日期", "租赁终止日期", "结束日期", "截止日期"),
            v.date_value,
        ),
    ),
    stop_labels=(
        "身份证号码",
        "身份证号",
        "证件号码",
        "联系电话",
        "电话",
        "住址",
        "住所",
        "地址",
        "统一社会信用代码",
        "法定代表人",
        "租赁期限",
        "租金",
        "押金",
        "用途",
        "面积",
        "签订日期",
        "签字",
        "签章",
        "日期",
        "委托代理人",
    ),
    strict_labels=("甲方", "乙方", "坐落"),
    required=("lessor", "lessee", "address", "start_date", "end_date"),
    extras=_extras,
)
