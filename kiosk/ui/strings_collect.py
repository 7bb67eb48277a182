"""The words of the collect journeys (证照领取, 营业执照打印, 商家公示), Chinese first.

Merged into ``kiosk.ui.strings.STRINGS``; kept apart so the journeys' texts stay together.
"""

from __future__ import annotations

COLLECT_STRINGS: dict[str, tuple[str, str]] = {
    "collect_title_certificates": ("证照领取", "Collect your certificates"),
    "collect_title_licences": ("营业执照打印", "Print a business licence"),
    "collect_looking": (
        "正在查询可领取的证照，约需几秒…",
        "Looking up what is ready for you, a few seconds…",
    ),
    "collect_prompt": (
        "以下证照已审批完成，请点选要打印的，再按“打印所选”。",
        "These are approved. Tap the ones to print, then “Print selected”.",
    ),
    "collect_none_certificates": (
        "暂时没有您可领取的证照。审批完成后即可在任一自助机打印；如有疑问请呼叫工作人员。",
        "Nothing is ready for you yet. Once approved it prints at any terminal; staff can help.",
    ),
    "collect_none_licences": (
        "没有查到您担任法定代表人的企业。如有疑问请呼叫工作人员。",
        "No enterprise lists you as its legal representative. Staff can help.",
    ),
    "collect_unreachable": (
        "暂时连不上政务服务中心，无法查询可领取的证照。请稍后再试或呼叫工作人员。",
        "The service centre cannot be reached now. Please try later or call staff.",
    ),
    "collect_doc_new": ("{title}\n{issuer} · {day} 审批", "{title}\n{issuer} · approved {day}"),
    "collect_doc_reprint": (
        "{title}（已领取，补打还可{n}次）\n{issuer}",
        "{title} (collected; {n} reprints left)\n{issuer}",
    ),
    "collect_doc_used_up": (
        "{title}（已领取，补打次数已用完，请到窗口）",
        "{title} (collected; no reprints left, see a window)",
    ),
    "collect_licence": ("{name}\n统一社会信用代码 {uscc}", "{name}\nCredit code {uscc}"),
    "collect_print": ("打印所选", "Print selected"),
    "collect_printing": (
        "正在打印，每份约需 10 秒，请在出证口等候…",
        "Printing, about 10 s per copy; please wait at the output tray…",
    ),
    "collect_printed": (
        "已打印 {n} 份，请在出证口取走。",
        "{n} printed. Please take them from the output tray.",
    ),
    "collect_print_failed": (
        "有 {n} 份没能打印出来：已排队，打印机恢复后会自动打印；也可呼叫工作人员。",
        "{n} did not print: they are queued and print when the printer is back; staff can help.",
    ),
    "collect_used_up": (
        "该证照的补打次数已用完，请到人工窗口办理。",
        "This document's reprints are used up; please go to a service window.",
    ),
    "collect_reminder": (
        "提醒：您的{title}将于 {day} 到期，可办理“{renew}”。",
        "Reminder: your {title} expires on {day}; renew it with “{renew}”.",
    ),
    "enterprise_title": ("企业信息公示", "Enterprise public record"),
    "enterprise_looking": ("正在查询企业信息…", "Looking up the enterprise…"),
    "enterprise_not_found": (
        "没有查到这家企业，请核对执照或呼叫工作人员。",
        "This enterprise is not in the register. Check the licence or call staff.",
    ),
    "enterprise_unreachable": (
        "暂时连不上政务服务中心，无法查询企业信息，请稍后再试。",
        "The service centre cannot be reached now; please try later.",
    ),
    "enterprise_name": ("名称", "Name"),
    "enterprise_uscc": ("统一社会信用代码", "Credit code"),
    "enterprise_rep": ("法定代表人", "Legal representative"),
    "enterprise_kind": ("类型", "Type"),
    "enterprise_address": ("住所", "Address"),
    "enterprise_scope": ("经营范围", "Business scope"),
    "enterprise_established": ("成立日期", "Established"),
    "enterprise_status": ("登记状态", "Status"),
    "enterprise_authority": ("登记机关", "Registered by"),
    "ticket_offer_button": ("取号到窗口办理", "Ticket for a window"),
    "ticket_title": ("取号到人工窗口", "A ticket for a service window"),
    "ticket_offer": (
        "打印一张排队号，工作人员扫码即可接着您已办的部分继续办理，不用重新填写。",
        "Print a queue ticket: staff scan it and continue from what you have done here.",
    ),
    "ticket_print": ("打印排队号", "Print a ticket"),
    "ticket_issuing": ("正在取号并打印，约需几秒…", "Getting your number and printing it…"),
    "ticket_number": ("您的排队号：{number}", "Your number: {number}"),
    "ticket_window": ("请到 {window} 等候叫号", "Please wait for {window}"),
    "ticket_ahead": ("前面还有 {n} 人", "{n} waiting before you"),
    "ticket_offline": (
        "网络暂时不通：这是本机临时号，窗口会按此号叫号。",
        "The network is down: this is a local number; the window calls it all the same.",
    ),
    "ticket_printed": ("排队号已打印，请取走。", "Your ticket is printed; please take it."),
    "ticket_print_failed": (
        "排队号没能打印出来，请记下上面的号码，或呼叫工作人员。",
        "The ticket did not print; please note the number above or call staff.",
    ),
    "ticket_failed": (
        "暂时无法取号，请直接呼叫工作人员。",
        "No ticket can be issued now; please call staff.",
    ),
    "enterprise_report_prompt": (
        "对这家企业有意见？点一下即可匿名转交市场监管部门：",
        "Something to tell the regulator? One touch sends it, anonymously:",
    ),
    "report_unlicensed": ("无证经营", "No licence"),
    "report_food_safety": ("食品安全", "Food safety"),
    "report_pricing": ("价格问题", "Pricing"),
    "report_service": ("服务态度", "Service"),
    "report_praise": ("表扬", "Praise"),
    "report_queued": (
        "已记录，将转交市场监管部门处理。谢谢您！",
        "Recorded; it goes to the market regulator. Thank you!",
    ),
    "report_failed": (
        "没能记录您的意见，请稍后再试或拨打 12315。",
        "Your report could not be recorded; please try later or call 12315.",
    ),
    "under_a_minute": ("不到1分钟", "under a minute"),
    "progress_deadline": ("承诺 {day} 前办结", "Promised by {day}"),
    "progress_decided": ("已办结", "Decided"),
    "progress_overdue": (
        "已超过承诺时限 {n} 天。请点“呼叫工作人员”取号到窗口询问。",
        "{n} days past the promised date. Tap “Call staff” for a ticket to a window.",
    ),
    "progress_by_card_looking": ("正在查询您名下的办件…", "Looking up your cases…"),
    "progress_by_card_none": (
        "没有查到您名下近期的办件。",
        "No recent cases in your name.",
    ),
    "progress_case_choice": ("{case}\n{item} · {status}", "{case}\n{item} · {status}"),
    "status_accepted": ("办理中", "In progress"),
    "status_approved": ("已办结", "Approved"),
    "status_refused": ("未予批准", "Not approved"),
    "phone_offer_button": ("留手机号，办结时短信告知", "Leave a phone number for a text"),
    "phone_title": ("办结短信通知（可选）", "A text when it is decided (optional)"),
    "phone_prompt": (
        "输入您的手机号，办结后发短信告知；不留也可以凭回执或身份证在自助机查询。",
        "Type your mobile number for a text when it is decided; or check at a terminal later.",
    ),
    "phone_clear": ("清空", "Clear"),
    "phone_delete": ("退格", "Delete"),
    "phone_confirm": ("确定", "Confirm"),
    "phone_invalid": (
        "请输入11位手机号码，以1开头。",
        "Please type an 11-digit mobile number starting with 1.",
    ),
    "phone_kept": (
        "已记下 {phone}，办结后将发短信告知。",
        "Noted {phone}: you get a text when it is decided.",
    ),
    "phone_failed": (
        "没能记下号码，请凭回执查询进度，或呼叫工作人员。",
        "The number could not be kept; check with your receipt or call staff.",
    ),
    "progress_type_button": ("输入办件编号", "Type the case number"),
    "case_pad_title": ("输入办件编号", "Type your case number"),
    "case_pad_prompt": (
        "请输入回执上办件编号的13位数字（日期8位和序号5位）。",
        "Type the 13 digits of the case number on your receipt (8 of the date, 5 of the number).",
    ),
    "case_pad_confirm": ("查询", "Look it up"),
    "case_pad_incomplete": (
        "还差几位数字，请核对回执。",
        "Some digits are missing; check your receipt.",
    ),
}
