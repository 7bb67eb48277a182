"""The words of the collect journeys (证照领取, 营业执照打印, 商家公示), Chinese sources.

Merged into ``kiosk.ui.strings.STRINGS``; kept apart so the journeys' texts stay together.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP as _noop

QT_TRANSLATE_NOOP: Callable[[str, str], str] = _noop  # type: ignore[assignment]
"""Marks a source for ``pyside6-lupdate`` and returns it (PySide6 types its result ``object``)."""

COLLECT_STRINGS: dict[str, str] = {
    "collect_title_certificates": QT_TRANSLATE_NOOP("kiosk", "证照领取"),
    "collect_title_licences": QT_TRANSLATE_NOOP("kiosk", "营业执照打印"),
    "collect_looking": QT_TRANSLATE_NOOP("kiosk", "正在查询可领取的证照，约需几秒…"),
    "collect_prompt": QT_TRANSLATE_NOOP(
        "kiosk", "以下证照已审批完成，请点选要打印的，再按“打印所选”。"
    ),
    "collect_none_certificates": QT_TRANSLATE_NOOP(
        "kiosk", "暂时没有您可领取的证照。审批完成后即可在任一自助机打印；如有疑问请呼叫工作人员。"
    ),
    "collect_none_licences": QT_TRANSLATE_NOOP(
        "kiosk", "没有查到您担任法定代表人的企业。如有疑问请呼叫工作人员。"
    ),
    "collect_unreachable": QT_TRANSLATE_NOOP(
        "kiosk", "暂时连不上政务服务中心，无法查询可领取的证照。请稍后再试或呼叫工作人员。"
    ),
    "collect_doc_new": QT_TRANSLATE_NOOP("kiosk", "{title}\n{issuer} · {day} 审批"),
    "collect_doc_used_up": QT_TRANSLATE_NOOP(
        "kiosk", "{title}（已领取，补打次数已用完，请到窗口）"
    ),
    "collect_licence": QT_TRANSLATE_NOOP("kiosk", "{name}\n统一社会信用代码 {uscc}"),
    "collect_print": QT_TRANSLATE_NOOP("kiosk", "打印所选"),
    "collect_printing": QT_TRANSLATE_NOOP("kiosk", "正在打印，每份约需 10 秒，请在出证口等候…"),
    "collect_printed": QT_TRANSLATE_NOOP("kiosk", "已打印 {n} 份，请在出证口取走。"),
    "collect_used_up": QT_TRANSLATE_NOOP("kiosk", "该证照的补打次数已用完，请到人工窗口办理。"),
    "collect_reminder": QT_TRANSLATE_NOOP(
        "kiosk", "提醒：您的{title}将于 {day} 到期，可办理“{renew}”。"
    ),
    "enterprise_title": QT_TRANSLATE_NOOP("kiosk", "企业信息公示"),
    "enterprise_looking": QT_TRANSLATE_NOOP("kiosk", "正在查询企业信息…"),
    "enterprise_not_found": QT_TRANSLATE_NOOP(
        "kiosk", "没有查到这家企业，请核对执照或呼叫工作人员。"
    ),
    "enterprise_unreachable": QT_TRANSLATE_NOOP(
        "kiosk", "暂时连不上政务服务中心，无法查询企业信息，请稍后再试。"
    ),
    "enterprise_name": QT_TRANSLATE_NOOP("kiosk", "名称"),
    "enterprise_uscc": QT_TRANSLATE_NOOP("kiosk", "统一社会信用代码"),
    "enterprise_rep": QT_TRANSLATE_NOOP("kiosk", "法定代表人"),
    "enterprise_kind": QT_TRANSLATE_NOOP("kiosk", "类型"),
    "enterprise_address": QT_TRANSLATE_NOOP("kiosk", "住所"),
    "enterprise_scope": QT_TRANSLATE_NOOP("kiosk", "经营范围"),
    "enterprise_established": QT_TRANSLATE_NOOP("kiosk", "成立日期"),
    "enterprise_status": QT_TRANSLATE_NOOP("kiosk", "登记状态"),
    "enterprise_authority": QT_TRANSLATE_NOOP("kiosk", "登记机关"),
    "ticket_offer_button": QT_TRANSLATE_NOOP("kiosk", "取号到窗口办理"),
    "ticket_title": QT_TRANSLATE_NOOP("kiosk", "取号到人工窗口"),
    "ticket_offer": QT_TRANSLATE_NOOP(
        "kiosk", "打印一张排队号，工作人员扫码即可接着您已办的部分继续办理，不用重新填写。"
    ),
    "ticket_print": QT_TRANSLATE_NOOP("kiosk", "打印排队号"),
    "ticket_issuing": QT_TRANSLATE_NOOP("kiosk", "正在取号并打印，约需几秒…"),
    "ticket_number": QT_TRANSLATE_NOOP("kiosk", "您的排队号：{number}"),
    "ticket_window": QT_TRANSLATE_NOOP("kiosk", "请到 {window} 等候叫号"),
    "ticket_ahead": QT_TRANSLATE_NOOP("kiosk", "前面还有 {n} 人"),
    "ticket_offline": QT_TRANSLATE_NOOP(
        "kiosk", "网络暂时不通：这是本机临时号，窗口会按此号叫号。"
    ),
    "ticket_printed": QT_TRANSLATE_NOOP("kiosk", "排队号已打印，请取走。"),
    "ticket_print_failed": QT_TRANSLATE_NOOP(
        "kiosk", "排队号没能打印出来，请记下上面的号码，或呼叫工作人员。"
    ),
    "ticket_failed": QT_TRANSLATE_NOOP("kiosk", "暂时无法取号，请直接呼叫工作人员。"),
    "enterprise_report_prompt": QT_TRANSLATE_NOOP(
        "kiosk", "对这家企业有意见？点一下即可匿名转交市场监管部门："
    ),
    "report_unlicensed": QT_TRANSLATE_NOOP("kiosk", "无证经营"),
    "report_food_safety": QT_TRANSLATE_NOOP("kiosk", "食品安全"),
    "report_pricing": QT_TRANSLATE_NOOP("kiosk", "价格问题"),
    "report_service": QT_TRANSLATE_NOOP("kiosk", "服务态度"),
    "report_praise": QT_TRANSLATE_NOOP("kiosk", "表扬"),
    "report_queued": QT_TRANSLATE_NOOP("kiosk", "已记录，将转交市场监管部门处理。谢谢您！"),
    "report_failed": QT_TRANSLATE_NOOP("kiosk", "没能记录您的意见，请稍后再试或拨打 12315。"),
    "under_a_minute": QT_TRANSLATE_NOOP("kiosk", "不到1分钟"),
    "progress_deadline": QT_TRANSLATE_NOOP("kiosk", "承诺 {day} 前办结"),
    "progress_decided": QT_TRANSLATE_NOOP("kiosk", "已办结"),
    "progress_by_card_looking": QT_TRANSLATE_NOOP("kiosk", "正在查询您名下的办件…"),
    "progress_by_card_none": QT_TRANSLATE_NOOP("kiosk", "没有查到您名下近期的办件。"),
    "progress_case_choice": QT_TRANSLATE_NOOP("kiosk", "{case}\n{item} · {status}"),
    "status_accepted": QT_TRANSLATE_NOOP("kiosk", "办理中"),
    "status_approved": QT_TRANSLATE_NOOP("kiosk", "已批准"),
    "status_refused": QT_TRANSLATE_NOOP("kiosk", "未予批准"),
    "phone_offer_button": QT_TRANSLATE_NOOP("kiosk", "留手机号，办结时短信告知"),
    "phone_title": QT_TRANSLATE_NOOP("kiosk", "办结短信通知（可选）"),
    "phone_prompt": QT_TRANSLATE_NOOP(
        "kiosk", "输入您的手机号，办结后发短信告知；不留也可以凭回执或身份证在自助机查询。"
    ),
    "phone_clear": QT_TRANSLATE_NOOP("kiosk", "清空"),
    "phone_delete": QT_TRANSLATE_NOOP("kiosk", "退格"),
    "phone_confirm": QT_TRANSLATE_NOOP("kiosk", "确定"),
    "phone_invalid": QT_TRANSLATE_NOOP("kiosk", "请输入11位手机号码，以1开头。"),
    "phone_kept": QT_TRANSLATE_NOOP("kiosk", "已记下 {phone}，办结后将发短信告知。"),
    "phone_failed": QT_TRANSLATE_NOOP("kiosk", "没能记下号码，请凭回执查询进度，或呼叫工作人员。"),
    "progress_type_button": QT_TRANSLATE_NOOP("kiosk", "输入办件编号"),
    "case_pad_title": QT_TRANSLATE_NOOP("kiosk", "请输入办件编号"),
    "case_pad_prompt": QT_TRANSLATE_NOOP(
        "kiosk", "请输入回执上办件编号的13位数字（日期8位和序号5位）。"
    ),
    "case_pad_confirm": QT_TRANSLATE_NOOP("kiosk", "查询"),
    "case_pad_incomplete": QT_TRANSLATE_NOOP("kiosk", "还差几位数字，请核对回执。"),
}
