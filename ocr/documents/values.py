"""Value parsers: each takes the text found after a label and gives the typed value or ``None``.

``None`` means "this text is not such a value" (the layout search then tries the next
candidate), so the parsers are strict about shape and lenient about OCR noise around it.
"""

from __future__ import annotations

import re

from ocr.text import find_dates, is_long_term, parse_money, squeeze
from ocr.validators import repair_id_number, repair_uscc

_EDGE = " :;,.。、|-_=~\"'：；，"
_STOP = re.compile(r"[,;。，；]")
_WHITE = re.compile(r"\s+")


_CJK_MARKS = str.maketrans({"(": "（", ")": "）", ";": "；", ",": "，", ":": "："})


def _plain(text: str) -> str:
    """The text as printed without white space.

    Chinese text is printed with full-width marks; engines return some of them half-width
    (``（自然人独资)``), so in text holding Chinese they are given full-width, as printed.
    """
    value = _WHITE.sub("", text)
    if re.search(f"[{_CJK}]", value):
        value = value.translate(_CJK_MARKS)
    return value


_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
ETHNIC_GROUPS = frozenset(_ETHNIC_NAMES.split())
"""The 56 ethnic groups as the card prints them (汉, not 汉族)."""


_SUB_LABEL = re.compile(r"^(?:姓名|名称|全称|单位名称|公司名称)[:：]?")


def _plain_value(text: str) -> str:
    """``_plain`` without a sub-label the form put before the value (出租人（甲方）姓名：张三).

    Forms also print it without a colon, or as the label's own last word in a table cell
    (出租人姓名 | 张三): then nothing is left and the value is looked for beside the label.
    """
    return _SUB_LABEL.sub("", _plain(text).lstrip(":："))


def text_value(text: str) -> str | None:
    """Free text (a name of a firm, a type, an authority): up to the first clause mark."""
    value = _STOP.split(_plain_value(text), maxsplit=1)[0].strip(_EDGE)
    return value if len(value) >= 2 else None


def long_text(text: str) -> str | None:
    """Free text that may run over lines and hold clause marks (business scope, addresses)."""
    value = _plain(text).strip(" :|：")
    return value if len(value) >= 2 else None


def address(text: str) -> str | None:
    """An address: text that runs on over lines, at least four characters, up to a clause mark."""
    value = long_text(text)
    if value is None:
        return None
    value = _STOP.split(value, maxsplit=1)[0].strip(_EDGE)
    value = re.sub(r"^(?:位于|坐落于|座落于|于|在|为)", "", value)  # 房屋坐落于…
    # A contract names the premises after the address: …500号（以下简称该房屋）.
    value = re.sub(r"[(（]以下.*$", "", value).strip(_EDGE)
    return value if len(value) >= 4 else None


_PERSON = re.compile(
    rf"^[{_CJK}]{{2,8}}$"
    rf"|^[{_CJK}]{{1,10}}(?:·[{_CJK}]{{1,10}}){{1,3}}$"  # 买买提·艾力
    r"|^[A-Za-z][A-Za-z .'-]{1,40}$"
)
_NAME_DOT = re.compile(rf"(?<=[{_CJK}])\s*[.·•・∙‧･]\s*(?=[{_CJK}])")


def _name_dots(value: str) -> str:
    """A transcribed name's middle dot as printed (阿卜杜热合曼·买买提明).

    Engines return it as ``.``, ``•`` or ``・``.
    """
    return _NAME_DOT.sub("·", value)


_PARTY = re.compile(rf"^[{_CJK}A-Za-z0-9()（）·]{{2,40}}$")
_SIGN = re.compile(r"[(（](?:签字|签章|盖章|签名|签字盖章|公章)[)）]|签字|盖章")


def person_name(text: str) -> str | None:
    """A person's name: two to eight Chinese characters (or a Latin name)."""
    value = _SIGN.sub("", _STOP.split(_name_dots(_plain_value(text)))[0]).strip(_EDGE)
    return value if _PERSON.match(value) else None


_ANNOTATION = re.compile(r"[（(][^（）()]*(?:\d{6}|[:：])[^（）()]*(?:[）)]|$)|[（(]$")


def party_name(text: str) -> str | None:
    """A contract party: a person or an organisation, without signature-line words.

    Contracts put the party's ID or credit code after the name in brackets (张三（身份证号：…）);
    a bracket holding a number or a label, or one left open where a label cut the line, is not
    part of the name (a firm's own brackets, （有限合伙）, hold neither).
    """
    value = _ANNOTATION.sub("", _name_dots(_plain_value(text)))
    value = _SIGN.sub("", text_value(value) or "").strip(_EDGE)
    return value if _PARTY.match(value) and not value.isdigit() else None


def date_value(text: str) -> str | None:
    """The first date written in the text as ``YYYY-MM-DD`` (validators judge if it is real)."""
    for match in find_dates(text):
        month, day = match.parts[1], match.parts[2]
        if 1 <= month <= 12 and 1 <= day <= 31:
            return match.iso
    return None


def end_date(text: str) -> str | None:
    """The date a validity ends: the last of a range (有效期限：2024年5月21日至2029年5月20日)."""
    dates = [m for m in find_dates(text) if 1 <= m.parts[1] <= 12 and 1 <= m.parts[2] <= 31]
    return dates[-1].iso if dates else None


def date_or_long_term(text: str) -> str | None:
    """A date, or ``long-term`` for 长期."""
    if is_long_term(text) and not find_dates(text):
        return "long-term"
    return date_value(text)


def gender(text: str) -> str | None:
    """男 or 女, as printed."""
    value = squeeze(text).strip(_EDGE)
    if value in ("男", "女", "男性", "女性"):
        return value[0]
    return None


def ethnicity(text: str) -> str | None:
    """One of the 56 ethnic groups, as printed on the card (汉, not 汉族)."""
    value = squeeze(text).strip(_EDGE)
    if value.endswith("族") and value[:-1] in ETHNIC_GROUPS:
        return value[:-1]
    return value if value in ETHNIC_GROUPS else None


_ID_RUN = re.compile(r"[0-9A-Za-z×]{17,19}")


def id_number(text: str) -> str | None:
    """An 18-character ID number, with look-alike letters put back where the check agrees."""
    for run in _ID_RUN.findall(squeeze(text)):
        if len(run) != 18:
            continue
        value = repair_id_number(run)
        if re.match(r"^\d{17}[\dX]$", value):
            return value
    return None


_USCC_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")


def uscc(text: str) -> str | None:
    """An 18-character unified social credit code, look-alikes repaired where the check agrees."""
    for run in _USCC_RUN.findall(squeeze(text)):
        value = repair_uscc(run)
        if re.match(r"^[0-9A-Z]{2}\d{6}[0-9A-Z]{10}$", value):
            return value
    return None


def money(text: str) -> int | None:
    """Whole yuan."""
    return parse_money(text)


_LICENCE = re.compile(r"[A-Za-z]{1,3}[0-9OoIl]{10,20}")


def licence_number(text: str) -> str | None:
    """A food business licence number: JY and 14 digits (older ones: other letters, digits)."""
    m = _LICENCE.search(squeeze(text))
    if m is None:
        return None
    raw = m.group(0).upper()
    head = re.match(r"[A-Z]+", raw)
    assert head is not None
    # The letters are at most 3 (JY); what follows must be digits, so O/I/L there are misreads.
    prefix = head.group(0)[:2] if len(head.group(0)) > 2 else head.group(0)
    digits = raw[len(prefix) :].translate(str.maketrans("OIL", "011"))
    return prefix + digits if digits.isdigit() else None


_NAME_ENDS = (
    "公司",
    "店",
    "厂",
    "中心",
    "部",
    "社",
    "所",
    "院",
    "馆",
    "行",
    "场",
    "站",
    "会",
    "局",
)
_TYPE_ENDS = ("公司", ")", "）", "户", "企业", "合伙", "社")


def name_complete(text: str) -> bool:
    """Whether a party's or firm's name is whole: a person's name, or a firm's with its ending."""
    return bool(
        re.fullmatch(rf"[{_CJK}]{{2,4}}|[{_CJK}]{{1,10}}(?:·[{_CJK}]{{1,10}}){{1,3}}", text)
    ) or text.endswith(_NAME_ENDS)


def type_complete(text: str) -> bool:
    """Whether a company type is whole (有限责任公司, 个体工商户, ...（自然人独资）)."""
    return text.endswith(_TYPE_ENDS)
