"""The business licence (营业执照) of a company or a sole proprietorship (个体工商户)."""

from __future__ import annotations

from ocr.documents import values as v
from ocr.documents.base import DocumentType
from ocr.documents.layout import FieldSpec, Found, Layout
from ocr.text import find_dates, is_long_term


def _term_complete(text: str) -> bool:
    return len(find_dates(text)) >= 2 or is_long_term(text)


_TERM_SPEC = FieldSpec(
    "term",
    ("营业期限", "经营期限", "营业期间", "合伙期限"),
    v.long_text,
    multiline=True,
    complete=_term_complete,
)


def _extras(layout: Layout, found: dict[str, Found]) -> dict[str, Found]:
    """The code printed apart from its label, and the term (one label, two values)."""
    extra: dict[str, Found] = {}
    if "uscc" not in found:
        for line in layout.lines:
            value = v.uscc(line.text)
            if value is not None:
                extra["uscc"] = Found(value, line.confidence, (line.index,))
                break
    # The term as one value: beside or under its label, run on over lines (…至长 / 期).
    term = layout.find(_TERM_SPEC)
    if term is not None and isinstance(term.value, str):
        rest = term.value
        dates = [d for d in find_dates(rest) if 1 <= d.parts[1] <= 12 and 1 <= d.parts[2] <= 31]
        if dates:
            extra["term_from"] = Found(dates[0].iso, term.confidence, term.lines)
        if len(dates) > 1:
            extra["term_to"] = Found(dates[1].iso, term.confidence, term.lines)
        elif is_long_term(rest):
            extra["term_to"] = Found("long-term", term.confidence, term.lines)
    return extra


BUSINESS_LICENSE = DocumentType(
    name="business_license",
    keywords={
        "营业执照": 10,
        "统一社会信用代码": 2,
        "注册资本": 2,
        "成立日期": 2,
        "经营范围": 2,
        "登记机关": 2,
        "法定代表人": 1,
        "经营者": 1,
        "组成形式": 2,
        "注册日期": 1,
    },
    fields=(
        FieldSpec("uscc", ("统一社会信用代码", "社会信用代码", "信用代码"), v.uscc),
        FieldSpec(
            "name",
            ("名称", "企业名称", "单位名称", "字号名称"),
            v.text_value,
            multiline=True,
            complete=v.name_complete,
        ),
        FieldSpec(
            "company_type",
            ("类型", "企业类型", "主体类型", "公司类型"),
            v.text_value,
            multiline=True,
            complete=v.type_complete,
        ),
        FieldSpec(
            "legal_representative",
            ("法定代表人", "经营者", "负责人", "执行事务合伙人", "投资人"),
            v.person_name,
        ),
        FieldSpec("registered_capital", ("注册资本", "资金数额", "出资额"), v.money),
        FieldSpec("established_date", ("成立日期", "注册日期", "成立时间"), v.date_value),
        FieldSpec(
            "address",
            ("住所", "经营场所", "营业场所", "主要经营场所", "地址"),
            v.address,
            multiline=True,
        ),
        FieldSpec("business_scope", ("经营范围",), v.long_text, multiline=True),
    ),
    stop_labels=(
        "营业期限",
        "经营期限",
        "合伙期限",
        "登记机关",
        "组成形式",
        "发照日期",
        "核准日期",
        "编号",
        "证照编号",
        "营业执照",
        "副本",
        "正本",
    ),
    required=(
        "uscc",
        "name",
        "company_type",
        "legal_representative",
        "established_date",
        "address",
    ),
    # Labels no firm's name, type or address contains: where the detector ran two columns into
    # one box (北京天成物业管理成立日期), the next column's label still ends the value.
    inline_labels=(
        "统一社会信用代码",
        "法定代表人",
        "注册资本",
        "成立日期",
        "注册日期",
        "营业期限",
        "经营期限",
        "合伙期限",
        "经营范围",
        "登记机关",
    ),
    extras=_extras,
)
