"""Every word the citizen's screen says: the Chinese sources; translations are Qt Linguist's.

Plain words, short sentences; each error says what happened and what to do next.

Chinese is the source language. Each message is its Chinese text marked with
``QT_TRANSLATE_NOOP("kiosk", ...)``; ``pyside6-lupdate`` extracts them into
``kiosk/ui/i18n/kiosk_<lang>.ts`` and ``make translations`` compiles those into ``.qm`` files that
:func:`tr` loads. Two keys with the same Chinese share one translation, so a Chinese text that
needs another English is made unique. A message with a count is in ``PLURALS`` (its source says
``%n``) so that each language gets its plural forms ("1 working day", "2 working days").
Adding a language is adding a ``.ts`` file (``kiosk_<code>.ts``; ``[terminal] languages`` in the
config puts it on the language button); what it leaves untranslated shows in Simplified Chinese. New messages may be appended as ``(zh, en)`` tuples and
converted with ``tools/i18n_convert.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP as _noop
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from kiosk.ui.strings_collect import COLLECT_STRINGS

QT_TRANSLATE_NOOP: Callable[[str, str], str] = _noop  # type: ignore[assignment]
"""Marks a source for ``pyside6-lupdate`` and returns it (PySide6 types its result ``object``)."""

STRINGS: dict[str, str] = {
    "app_title": QT_TRANSLATE_NOOP("kiosk", "政务服务自助终端"),
    "switch_language": QT_TRANSLATE_NOOP("kiosk", "English"),
    "call_staff": QT_TRANSLATE_NOOP("kiosk", "呼叫工作人员"),
    "staff_called": QT_TRANSLATE_NOOP("kiosk", "已通知工作人员，请稍候。服务电话：{phone}"),
    "staff_calling": QT_TRANSLATE_NOOP("kiosk", "正在联系工作人员，请稍候…"),
    "staff_coming": QT_TRANSLATE_NOOP("kiosk", "工作人员已收到您的呼叫，正在赶来，请稍候。"),
    "staff_call_failed": QT_TRANSLATE_NOOP(
        "kiosk",
        "暂时联系不上工作人员（网络不通），呼叫没有发出。请拨打服务电话 {phone}，或到服务台求助。",
    ),
    "out_of_service_title": QT_TRANSLATE_NOOP("kiosk", "本机暂停服务"),
    "out_of_service_body": QT_TRANSLATE_NOOP(
        "kiosk", "请到其他自助终端或服务台办理。服务电话：{phone}"
    ),
    "updating_title": QT_TRANSLATE_NOOP("kiosk", "正在更新系统"),
    "updating_body": QT_TRANSLATE_NOOP(
        "kiosk",
        "本机正在安装新版本，约需几分钟，完成后自动恢复服务。\n急需办理请到其他自助终端或服务台。服务电话：{phone}",
    ),
    "attract_title": QT_TRANSLATE_NOOP("kiosk", "请将身份证放在读卡区"),
    "attract_sub": QT_TRANSLATE_NOOP(
        "kiosk", "放好后请稍等，系统会自动读取。全程无需填表，多数事项即办即取。"
    ),
    "attract_progress": QT_TRANSLATE_NOOP("kiosk", "扫码查询办件进度"),
    "attract_take_card": QT_TRANSLATE_NOOP("kiosk", "请取走您的身份证。"),
    "attract_reading": QT_TRANSLATE_NOOP("kiosk", "正在读取身份证，请不要移动…"),
    "hello": QT_TRANSLATE_NOOP("kiosk", "您好，{name}"),
    "choose_title": QT_TRANSLATE_NOOP("kiosk", "请选择要办理的事项"),
    "tag_instant": QT_TRANSLATE_NOOP("kiosk", "即时办结"),
    "tag_materials": QT_TRANSLATE_NOOP("kiosk", "需拍摄材料"),
    "tag_query": QT_TRANSLATE_NOOP("kiosk", "查询"),
    "guide_conditions": QT_TRANSLATE_NOOP("kiosk", "办理条件"),
    "guide_materials": QT_TRANSLATE_NOOP("kiosk", "所需材料"),
    "guide_steps": QT_TRANSLATE_NOOP("kiosk", "办理步骤"),
    "guide_basis": QT_TRANSLATE_NOOP("kiosk", "设定依据"),
    "guide_on_the_spot": QT_TRANSLATE_NOOP("kiosk", "即办"),
    "guide_fee": QT_TRANSLATE_NOOP("kiosk", "收费：{fee}"),
    "guide_department": QT_TRANSLATE_NOOP("kiosk", "办理部门：{dept}"),
    "start": QT_TRANSLATE_NOOP("kiosk", "开始办理"),
    "back": QT_TRANSLATE_NOOP("kiosk", "返回"),
    "home": QT_TRANSLATE_NOOP("kiosk", "退出"),
    "identify_title": QT_TRANSLATE_NOOP("kiosk", "请先放置身份证"),
    "identify_sub": QT_TRANSLATE_NOOP("kiosk", "办理“{item}”需要读取您的身份证。"),
    "capture_title": QT_TRANSLATE_NOOP("kiosk", "拍摄：{material}"),
    "capture_hint": QT_TRANSLATE_NOOP(
        "kiosk", "请把材料平放在拍摄区内，四角都在框内，然后按“拍照”。"
    ),
    "capture_take": QT_TRANSLATE_NOOP("kiosk", "拍照"),
    "capture_retake": QT_TRANSLATE_NOOP("kiosk", "重拍"),
    "capture_use": QT_TRANSLATE_NOOP("kiosk", "使用这张照片"),
    "capture_failed": QT_TRANSLATE_NOOP(
        "kiosk", "没有拍到清晰的照片。请把材料放平、不要遮挡，再试一次。"
    ),
    "capture_busy": QT_TRANSLATE_NOOP("kiosk", "正在拍照…"),
    "capture_advice_no_document": QT_TRANSLATE_NOOP("kiosk", "请把材料平放在拍摄区内。"),
    "capture_advice_too_dark": QT_TRANSLATE_NOOP("kiosk", "太暗了，请把材料移到灯光下。"),
    "capture_advice_too_bright": QT_TRANSLATE_NOOP("kiosk", "反光太强，请稍微调整材料的角度。"),
    "capture_advice_hold_still": QT_TRANSLATE_NOOP("kiosk", "请放好材料，手离开，保持不动。"),
    "capture_advice_too_blurred": QT_TRANSLATE_NOOP("kiosk", "看不清字，请把材料压平。"),
    "capture_advice_steadying": QT_TRANSLATE_NOOP("kiosk", "很好，请保持不动，马上自动拍照…"),
    "capture_advice_ready": QT_TRANSLATE_NOOP("kiosk", "正在拍照…"),
    "capture_checking": QT_TRANSLATE_NOOP("kiosk", "正在核验材料，约{seconds}秒，请稍候…"),
    "capture_check_ok": QT_TRANSLATE_NOOP("kiosk", "✓ 材料核验通过"),
    "capture_check_failed": QT_TRANSLATE_NOOP("kiosk", "✗ 材料未通过核验："),
    "capture_check_timeout": QT_TRANSLATE_NOOP(
        "kiosk", "未能及时自动核验，可以使用这张照片，由工作人员核验。"
    ),
    "capture_check_unavailable": QT_TRANSLATE_NOOP(
        "kiosk", "暂时无法自动核验，可以使用这张照片，由工作人员核验。"
    ),
    "capture_no_camera": QT_TRANSLATE_NOOP("kiosk", "摄像头暂时无法使用，请联系工作人员。"),
    "review_title": QT_TRANSLATE_NOOP("kiosk", "请核对后提交"),
    "review_item": QT_TRANSLATE_NOOP("kiosk", "办理事项"),
    "review_applicant": QT_TRANSLATE_NOOP("kiosk", "申请人"),
    "review_id": QT_TRANSLATE_NOOP("kiosk", "证件号码"),
    "review_materials": QT_TRANSLATE_NOOP("kiosk", "材料"),
    "review_material_ok": QT_TRANSLATE_NOOP("kiosk", "已拍摄"),
    "review_card_ok": QT_TRANSLATE_NOOP("kiosk", "已读取"),
    "review_material_checked": QT_TRANSLATE_NOOP("kiosk", "已核验"),
    "review_lessor": QT_TRANSLATE_NOOP("kiosk", "出租方"),
    "review_lessee": QT_TRANSLATE_NOOP("kiosk", "承租方"),
    "review_premises": QT_TRANSLATE_NOOP("kiosk", "经营场所"),
    "review_lease_term": QT_TRANSLATE_NOOP("kiosk", "租赁期限"),
    "review_term_value": QT_TRANSLATE_NOOP("kiosk", "{start} 至 {end}"),
    "submit": QT_TRANSLATE_NOOP("kiosk", "确认提交"),
    "submitting": QT_TRANSLATE_NOOP("kiosk", "正在提交，请稍候…"),
    "submitting_sub": QT_TRANSLATE_NOOP("kiosk", "通常需要几秒钟，最长约 {seconds} 秒。"),
    "submit_failed": QT_TRANSLATE_NOOP(
        "kiosk", "提交没有成功，您的资料没有丢失。请按“重试”，或呼叫工作人员。"
    ),
    "submit_store_full": QT_TRANSLATE_NOOP(
        "kiosk", "本机存储空间已满，这次申请没有提交成功。请呼叫工作人员处理，之后再按“重试”。"
    ),
    "retry": QT_TRANSLATE_NOOP("kiosk", "重试"),
    "result_approved": QT_TRANSLATE_NOOP("kiosk", "办理成功"),
    "result_refused": QT_TRANSLATE_NOOP("kiosk", "未能办理"),
    "result_accepted": QT_TRANSLATE_NOOP("kiosk", "已受理"),
    "result_case": QT_TRANSLATE_NOOP("kiosk", "办件编号：{case}"),
    "result_offline_sub": QT_TRANSLATE_NOOP(
        "kiosk",
        "网络暂时不通，您的申请已安全保存，联网后自动提交。请保管好回执：在任一自助机"
        "点“查询办件进度”并扫描回执二维码即可查看结果。",
    ),
    "result_approved_sub": QT_TRANSLATE_NOOP("kiosk", "请在下方出纸口取走证明和回执。"),
    "printing": QT_TRANSLATE_NOOP("kiosk", "正在打印，请稍候…"),
    "printed": QT_TRANSLATE_NOOP("kiosk", "打印完成，请取走。"),
    "reprint": QT_TRANSLATE_NOOP("kiosk", "重新打印"),
    "print_failed": QT_TRANSLATE_NOOP(
        "kiosk",
        "打印机暂时无法打印，您的办件已保存。请记下上面的办件编号，"
        "按“重新打印”再试，或呼叫工作人员。",
    ),
    "done": QT_TRANSLATE_NOOP("kiosk", "完成"),
    "rate_title": QT_TRANSLATE_NOOP("kiosk", "请为本次服务评价"),
    "rate_level_5": QT_TRANSLATE_NOOP("kiosk", "非常满意"),
    "rate_level_4": QT_TRANSLATE_NOOP("kiosk", "满意"),
    "rate_level_3": QT_TRANSLATE_NOOP("kiosk", "基本满意"),
    "rate_level_2": QT_TRANSLATE_NOOP("kiosk", "不满意"),
    "rate_level_1": QT_TRANSLATE_NOOP("kiosk", "非常不满意"),
    "rate_coarse_good": QT_TRANSLATE_NOOP("kiosk", "满意"),
    "rate_coarse_bad": QT_TRANSLATE_NOOP("kiosk", "不满意"),
    "rate_fine_title": QT_TRANSLATE_NOOP("kiosk", "有多满意？"),
    "rate_fine_bad_title": QT_TRANSLATE_NOOP("kiosk", "有多不满意？"),
    "rate_reasons_title": QT_TRANSLATE_NOOP("kiosk", "哪里让您不满意？可以多选，也可以直接提交。"),
    "rate_reason_slow": QT_TRANSLATE_NOOP("kiosk", "等待时间太长"),
    "rate_reason_hard": QT_TRANSLATE_NOOP("kiosk", "操作太难，看不懂"),
    "rate_reason_device": QT_TRANSLATE_NOOP("kiosk", "设备故障（读卡、拍照、打印）"),
    "rate_reason_result": QT_TRANSLATE_NOOP("kiosk", "对办理结果不满意"),
    "rate_send": QT_TRANSLATE_NOOP("kiosk", "提交评价"),
    "rate_skip": QT_TRANSLATE_NOOP("kiosk", "不评价，直接结束"),
    "rate_thanks": QT_TRANSLATE_NOOP("kiosk", "谢谢您的评价！"),
    "rate_prompt": QT_TRANSLATE_NOOP("kiosk", "请点一个按钮评价本次服务；不想评价可以直接离开。"),
    "goodbye": QT_TRANSLATE_NOOP("kiosk", "感谢使用，请取走身份证和回执。"),
    "progress_title": QT_TRANSLATE_NOOP("kiosk", "办件进度查询"),
    "progress_scan": QT_TRANSLATE_NOOP(
        "kiosk", "请把回执上的二维码对准摄像头，没有回执请把身份证放在读卡区"
    ),
    "progress_no_code": QT_TRANSLATE_NOOP(
        "kiosk", "还没有识别到二维码。请把回执拿稳，二维码朝向摄像头，距离约20厘米。"
    ),
    "progress_looking": QT_TRANSLATE_NOOP("kiosk", "正在查询…"),
    "progress_unknown_code": QT_TRANSLATE_NOOP(
        "kiosk", "这不是本中心回执上的二维码，请换一张回执再试。"
    ),
    "progress_offline": QT_TRANSLATE_NOOP(
        "kiosk", "暂时无法连接政务服务中心。本机记录：该件已于 {time} 保存，正在等待提交。"
    ),
    "progress_unreachable": QT_TRANSLATE_NOOP(
        "kiosk", "暂时无法连接政务服务中心，请稍后再试或呼叫工作人员。"
    ),
    "progress_not_found": QT_TRANSLATE_NOOP(
        "kiosk", "没有找到这个办件，请核对回执或呼叫工作人员。"
    ),
    "progress_stage_running": QT_TRANSLATE_NOOP("kiosk", "进行中 · 已用 {t}"),
    "progress_stage_done": QT_TRANSLATE_NOOP("kiosk", "已完成 · 用时 {t}"),
    "progress_stage_waiting": QT_TRANSLATE_NOOP("kiosk", "未开始"),
    "progress_reprint": QT_TRANSLATE_NOOP("kiosk", "补打证书（还可{n}次）"),
    "progress_reprinting": QT_TRANSLATE_NOOP("kiosk", "正在打印证书…"),
    "progress_reprinted": QT_TRANSLATE_NOOP("kiosk", "证书已重新打印，请在出证口取走。"),
    "progress_reprint_used_up": QT_TRANSLATE_NOOP(
        "kiosk", "这份证书的补打次数已用完，请到服务窗口办理。"
    ),
    "progress_reprint_failed": QT_TRANSLATE_NOOP(
        "kiosk", "打印机暂时无法打印，请稍后再试或呼叫工作人员。"
    ),
    "cert_genuine": QT_TRANSLATE_NOOP("kiosk", "证明真实有效：{name}，{cid}"),
    "cert_tampered": QT_TRANSLATE_NOOP("kiosk", "该证明二维码校验失败，可能被篡改。"),
    "cert_expired": QT_TRANSLATE_NOOP("kiosk", "该证明已过有效期。"),
    "cert_unknown_key": QT_TRANSLATE_NOOP("kiosk", "无法识别签发机构的密钥。"),
    "cert_malformed": QT_TRANSLATE_NOOP("kiosk", "二维码内容不完整。"),
    "verify_title": QT_TRANSLATE_NOOP("kiosk", "证明核验结果"),
    "verify_genuine": QT_TRANSLATE_NOOP("kiosk", "✓ 真实有效"),
    "verify_genuine_advice": QT_TRANSLATE_NOOP(
        "kiosk",
        "二维码由政务服务中心签发，没有被改动过。请逐项核对下面的内容和纸面是否一致，不一致即为被改动。",
    ),
    "verify_tampered": QT_TRANSLATE_NOOP("kiosk", "✗ 核验未通过"),
    "verify_tampered_advice": QT_TRANSLATE_NOOP(
        "kiosk", "二维码的内容和签发时不一致，可能被改动过。请不要使用这份证明，并联系工作人员。"
    ),
    "verify_expired": QT_TRANSLATE_NOOP("kiosk", "已过有效期"),
    "verify_expired_advice": QT_TRANSLATE_NOOP(
        "kiosk", "这份证明是真的，但已经过了有效期。如需新的证明，请重新办理。"
    ),
    "verify_unknown_key": QT_TRANSLATE_NOOP("kiosk", "暂时无法核验"),
    "verify_unknown_key_advice": QT_TRANSLATE_NOOP(
        "kiosk", "本机还不认识签发这份证明的密钥。请稍后再试，或请工作人员核验。"
    ),
    "verify_malformed": QT_TRANSLATE_NOOP("kiosk", "二维码不完整"),
    "verify_malformed_advice": QT_TRANSLATE_NOOP(
        "kiosk", "二维码没有读全或已损坏。请把证明放平、拿稳后再扫一次。"
    ),
    "verify_cid": QT_TRANSLATE_NOOP("kiosk", "证明编号"),
    "verify_item": QT_TRANSLATE_NOOP("kiosk", "办理事项"),
    "verify_holder": QT_TRANSLATE_NOOP("kiosk", "持证人"),
    "verify_id": QT_TRANSLATE_NOOP("kiosk", "证件号码"),
    "verify_issued": QT_TRANSLATE_NOOP("kiosk", "签发日期"),
    "verify_until": QT_TRANSLATE_NOOP("kiosk", "有效期至"),
    "verify_no_end": QT_TRANSLATE_NOOP("kiosk", "长期有效"),
    "verify_name": QT_TRANSLATE_NOOP("kiosk", "证明名称、编号"),
    "verify_issuer": QT_TRANSLATE_NOOP("kiosk", "签发机关、日期"),
    "verify_more": QT_TRANSLATE_NOOP("kiosk", "下一页内容"),
    "verify_first_page": QT_TRANSLATE_NOOP("kiosk", "回到第一页"),
    "verify_outdated": QT_TRANSLATE_NOOP("kiosk", "旧版证明"),
    "verify_outdated_advice": QT_TRANSLATE_NOOP(
        "kiosk",
        "这是旧版二维码，只能核对姓名、证件号码和编号，不能核对其他内容。请重新打印一份新证明。",
    ),
    "verify_unsupported": QT_TRANSLATE_NOOP("kiosk", "暂不支持的版本"),
    "verify_unsupported_advice": QT_TRANSLATE_NOOP(
        "kiosk", "这个二维码的格式比本机新，暂时无法核验。请稍后再试，或请工作人员核验。"
    ),
    "attract_unknown_code": QT_TRANSLATE_NOOP(
        "kiosk", "这个二维码不是本中心的回执或证明。查进度请扫回执上的二维码。"
    ),
    "attract_photo_id": QT_TRANSLATE_NOOP("kiosk", "身份证读不出？拍照办理"),
    "choose_photo_id_note": QT_TRANSLATE_NOOP(
        "kiosk", "拍照办理：请选择事项。身份证照片由工作人员核验后办理。"
    ),
    "choose_photo_id_refused": QT_TRANSLATE_NOOP(
        "kiosk",
        "“{item}”是即时办结事项，必须用读卡器读取身份证原件，照片不能用于即时审批。"
        "请选其他事项，或请工作人员帮助读卡。",
    ),
    "identify_photo_id": QT_TRANSLATE_NOOP("kiosk", "身份证读不出？拍照办理"),
    "capture_promise": QT_TRANSLATE_NOOP("kiosk", "暂时没有，承诺补交"),
    "commit_title": QT_TRANSLATE_NOOP("kiosk", "先办理，后补交：请阅读承诺"),
    "commit_deadline": QT_TRANSLATE_NOOP("kiosk", "补交期限：{date}前"),
    "commit_consequence": QT_TRANSLATE_NOOP(
        "kiosk", "按“我承诺”即表示您同意以上承诺，回执上会打印补交期限。"
    ),
    "commit_confirm": QT_TRANSLATE_NOOP("kiosk", "我承诺"),
    "review_promised": QT_TRANSLATE_NOOP("kiosk", "承诺{date}前补交"),
    "review_photo_ok": QT_TRANSLATE_NOOP("kiosk", "已拍照，由工作人员核验"),
    "review_identity": QT_TRANSLATE_NOOP("kiosk", "身份核验"),
    "review_identity_photo": QT_TRANSLATE_NOOP("kiosk", "身份证照片（工作人员核验）"),
    "review_unread": QT_TRANSLATE_NOOP("kiosk", "未能读出"),
    "idle_title": QT_TRANSLATE_NOOP("kiosk", "您还在吗？"),
    "idle_body": QT_TRANSLATE_NOOP(
        "kiosk", "为保护您的个人信息，{n} 秒后将自动退出并清除本次资料。"
    ),
    "idle_stay": QT_TRANSLATE_NOOP("kiosk", "我还在，继续办理"),
    "elder_on": QT_TRANSLATE_NOOP("kiosk", "长辈版"),
    "elder_off": QT_TRANSLATE_NOOP("kiosk", "标准版"),
    "voice_repeat": QT_TRANSLATE_NOOP("kiosk", "重听"),
    "voice_mute": QT_TRANSLATE_NOOP("kiosk", "静音"),
    "voice_unmute": QT_TRANSLATE_NOOP("kiosk", "开声音"),
    "voice_next": QT_TRANSLATE_NOOP("kiosk", "下一步：请按“{action}”。"),
    "attract_elder": QT_TRANSLATE_NOOP("kiosk", "长辈版：大字、语音"),
    "choose_more": QT_TRANSLATE_NOOP("kiosk", "更多事项（第{page}/{pages}页）"),
    "under_a_second": QT_TRANSLATE_NOOP("kiosk", "不到1秒"),
    "card_error": QT_TRANSLATE_NOOP("kiosk", "{message}"),
    "minutes_seconds": QT_TRANSLATE_NOOP("kiosk", "{m}分{s}秒"),
    "hours_minutes": QT_TRANSLATE_NOOP("kiosk", "{h}小时{m}分"),
    "days_hours": QT_TRANSLATE_NOOP("kiosk", "{d}天{h}小时"),
    "seconds": QT_TRANSLATE_NOOP("kiosk", "{s}秒"),
    # The choose screen: categories, pages, search (catalog)
    "tag_bundle": QT_TRANSLATE_NOOP("kiosk", "一件事一次办"),
    "tag_handoff": QT_TRANSLATE_NOOP("kiosk", "需到窗口办理"),
    "tag_service": QT_TRANSLATE_NOOP("kiosk", "自助服务"),
    "choose_popular": QT_TRANSLATE_NOOP("kiosk", "常用事项"),
    "choose_search": QT_TRANSLATE_NOOP("kiosk", "拼音搜索"),
    "choose_search_hide": QT_TRANSLATE_NOOP("kiosk", "收起键盘"),
    "choose_search_prompt": QT_TRANSLATE_NOOP("kiosk", "按拼音或首字母搜索，例如 jzz（居住证）"),
    "choose_search_query": QT_TRANSLATE_NOOP("kiosk", "搜索：{query}"),
    "choose_search_none": QT_TRANSLATE_NOOP(
        "kiosk", "没有找到“{query}”，请换个说法，或点下方的常用说法。"
    ),
    "choose_page": QT_TRANSLATE_NOOP("kiosk", "第{page}/{pages}页 · {count}项"),
    "choose_prev": QT_TRANSLATE_NOOP("kiosk", "◀ 上一页"),
    "choose_next": QT_TRANSLATE_NOOP("kiosk", "下一页 ▶"),
    "choose_service_missing": QT_TRANSLATE_NOOP(
        "kiosk", "“{item}”在这台自助机上暂不能办理，请到服务大厅窗口办理，或点“呼叫工作人员”。"
    ),
    "pad_backspace": QT_TRANSLATE_NOOP("kiosk", "⌫ 删除"),
    "pad_clear": QT_TRANSLATE_NOOP("kiosk", "清空"),
    "pad_suggested": QT_TRANSLATE_NOOP("kiosk", "常用说法："),
    "guide_handoff_note": QT_TRANSLATE_NOOP(
        "kiosk", "此事项需要到服务大厅窗口办理：请带齐上面列出的材料前往窗口。"
    ),
    "identify_card_expired": QT_TRANSLATE_NOOP(
        "kiosk",
        "您的身份证已于 {date} 过期，不能办理。请先到派出所换领新证（可办理临时身份证），"
        "或点“呼叫工作人员”。",
    ),
    "face_title": QT_TRANSLATE_NOOP("kiosk", "人证核验"),
    "face_preparing": QT_TRANSLATE_NOOP("kiosk", "正在读取身份证照片，约需 1 秒…"),
    "face_look": QT_TRANSLATE_NOOP("kiosk", "请正对上方摄像头，摘下帽子和口罩，然后眨一眨眼。"),
    "face_seconds_left": QT_TRANSLATE_NOOP("kiosk", "还剩 {s} 秒"),
    "face_hint_no_face": QT_TRANSLATE_NOOP("kiosk", "没有看到您的脸，请站到屏幕正前方。"),
    "face_hint_blink": QT_TRANSLATE_NOOP("kiosk", "很好，请眨一眨眼或慢慢转一下头。"),
    "face_hint_mismatch": QT_TRANSLATE_NOOP("kiosk", "请本人办理，正对摄像头。"),
    "face_failed_no_face": QT_TRANSLATE_NOOP("kiosk", "这次没有看清您的脸。"),
    "face_failed_mismatch": QT_TRANSLATE_NOOP("kiosk", "这次未能确认是身份证本人。"),
    "face_failed_not_live": QT_TRANSLATE_NOOP("kiosk", "这次没有看到您眨眼或转头。"),
    "face_retry_prompt": QT_TRANSLATE_NOOP("kiosk", "请再试一次（还可以试 {n} 次）。"),
    "face_retry": QT_TRANSLATE_NOOP("kiosk", "再试一次"),
    "face_skip": QT_TRANSLATE_NOOP("kiosk", "跳过核验"),
    "face_cancel": QT_TRANSLATE_NOOP("kiosk", "返回首页"),
    "face_look_turn": QT_TRANSLATE_NOOP(
        "kiosk", "请正对上方摄像头，摘下帽子和口罩，然后慢慢把头转向一侧，再转回来。"
    ),
    "face_look_still": QT_TRANSLATE_NOOP("kiosk", "请正对上方摄像头，摘下帽子和口罩。"),
    "face_hint_turn": QT_TRANSLATE_NOOP("kiosk", "很好，请慢慢把头转向左边或右边，再转回来。"),
    "face_failed_not_turned": QT_TRANSLATE_NOOP("kiosk", "这次没有看到您转头。"),
}
STRINGS.update(COLLECT_STRINGS)

PLURALS: dict[str, tuple[str, str]] = {
    "guide_time": ("法定时限 %n 个工作日 · 承诺时限 {promised}", "statutory"),
    "guide_days": ("%n 个工作日", "n"),
    "result_accepted_sub": (
        "您的申请已保存并受理，将在 %n 个工作日内办结。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。",
        "days",
    ),
    "identify_card_expiring": (
        "提醒：您的身份证将于 {date} 到期（还有 %n 天），请尽早到派出所换领。",
        "days",
    ),
    "collect_doc_reprint": ("{title}（已领取，补打还可%n次）\n{issuer}", "n"),
    "collect_print_failed": (
        "有 %n 份没能打印出来：已排队，打印机恢复后会自动打印；也可呼叫工作人员。",
        "n",
    ),
    "progress_overdue": ("已超过承诺时限 %n 天。请点“呼叫工作人员”取号到窗口询问。", "n"),
}
"""Messages with a count: key -> (the Chinese source with ``%n``, the value that is the count)."""


def _numerus_messages() -> None:  # pragma: no cover - never called
    """Shows ``pyside6-lupdate`` the messages that take a count (numerus forms)."""
    QCoreApplication.translate("kiosk", "法定时限 %n 个工作日 · 承诺时限 {promised}", None, 1)
    QCoreApplication.translate("kiosk", "%n 个工作日", None, 1)
    QCoreApplication.translate(
        "kiosk",
        "您的申请已保存并受理，将在 %n 个工作日内办结。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。",
        None,
        1,
    )
    QCoreApplication.translate(
        "kiosk", "提醒：您的身份证将于 {date} 到期（还有 %n 天），请尽早到派出所换领。", None, 1
    )
    QCoreApplication.translate("kiosk", "{title}（已领取，补打还可%n次）\n{issuer}", None, 1)
    QCoreApplication.translate(
        "kiosk", "有 %n 份没能打印出来：已排队，打印机恢复后会自动打印；也可呼叫工作人员。", None, 1
    )
    QCoreApplication.translate(
        "kiosk", "已超过承诺时限 %n 天。请点“呼叫工作人员”取号到窗口询问。", None, 1
    )


I18N = Path(__file__).with_name("i18n")
"""Where the ``.ts`` sources and the compiled ``.qm`` files are (package data)."""

LANGUAGE_FILES: dict[str, str] = {
    ("zh" if ts.stem == "kiosk_zh_CN" else ts.stem.removeprefix("kiosk_")): ts.stem
    for ts in sorted(I18N.glob("kiosk_*.ts"))
}
"""The terminal's language codes (``zh``, ``en``, ``zh_TW``: one per ``.ts`` file) -> the file."""

LANGUAGE_NAMES: dict[str, str] = {"zh": "中文", "en": "English", "zh_TW": "繁體中文"}
"""Each language's name in itself, for the header's language button (else Qt's name for it)."""


def language_name(language: str, languages: Sequence[str] = ("zh", "en")) -> str:
    """What the language button says to switch to ``language``, in that language.

    Simplified Chinese is "简体中文" when Traditional is on offer too, else "中文".
    """
    if language == "zh" and any(code.startswith("zh_") for code in languages):
        return "简体中文"
    if language in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[language]
    return QLocale(language).nativeLanguageName() or language


def next_language(language: str, languages: Sequence[str]) -> str:
    """The language after ``language`` in the button's cycle (the first if it is not in it)."""
    if language not in languages:
        return languages[0]
    return languages[(list(languages).index(language) + 1) % len(languages)]


_translators: dict[str, QTranslator] = {}
_lock = threading.Lock()


def translator(language: str) -> QTranslator:
    """The loaded translations of ``language`` (one of ``LANGUAGE_FILES``)."""
    found = _translators.get(language)
    if found is not None:
        return found
    if language not in LANGUAGE_FILES:
        raise ValueError(f"unknown language {language!r}: one of {', '.join(LANGUAGE_FILES)}")
    qm = I18N / f"{LANGUAGE_FILES[language]}.qm"
    with _lock:
        if language not in _translators:
            loaded = QTranslator()
            if not loaded.load(str(qm)):
                raise FileNotFoundError(
                    f"{qm} is missing or unreadable: build it with `make translations`"
                )
            _translators[language] = loaded
        return _translators[language]


def tr(key: str, language: str, **values: Any) -> str:
    """The text for ``key`` in ``language`` (``zh``, ``en``, ...), with ``values`` filled in.

    A message the language has not translated yet shows its Chinese source.
    """
    count = -1
    if key in PLURALS:
        source, count_name = PLURALS[key]
        count = int(values[count_name])
    else:
        source = STRINGS[key]
    text = translator(language).translate("kiosk", source, None, count) or source
    if count >= 0:
        text = text.replace("%n", str(count))
    return text.format(**values)


def days_unit(n: int) -> str:
    """English "day" or "days" after ``n``; the messages with a count now have plural forms."""
    return "day" if n == 1 else "days"


def duration(seconds: float, language: str) -> str:
    """A duration in the largest two units that matter."""
    message = tr  # not spelt tr(...): lupdate would take the keys for messages
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return message("days_hours", language, d=days, h=hours)
    if hours:
        return message("hours_minutes", language, h=hours, m=minutes)
    if minutes:
        return message("minutes_seconds", language, m=minutes, s=secs)
    if secs == 0:
        return message("under_a_second", language)  # never "took 0 s"
    return message("seconds", language, s=secs)
