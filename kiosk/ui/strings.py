"""Every word the citizen's screen says, Chinese first, English beside it.

Plain words, short sentences; each error says what happened and what to do next.
"""

from __future__ import annotations

from typing import Any

from kiosk.ui.strings_collect import COLLECT_STRINGS

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("政务服务自助终端", "Government Self-Service Terminal"),
    "switch_language": ("English", "中文"),
    "call_staff": ("呼叫工作人员", "Call staff"),
    "staff_called": (
        "已通知工作人员，请稍候。服务电话：{phone}",
        "Staff have been called. Please wait. Help line: {phone}",
    ),
    "staff_calling": ("正在联系工作人员，请稍候…", "Contacting staff, please wait…"),
    "staff_coming": (
        "工作人员已收到您的呼叫，正在赶来，请稍候。",
        "A member of staff has seen your call and is on the way. Please wait.",
    ),
    "staff_call_failed": (
        "暂时联系不上工作人员（网络不通），呼叫没有发出。请拨打服务电话 {phone}，或到服务台求助。",
        "Staff could not be reached (no network), so no call was made. "
        "Please ring the help line {phone} or ask at the service desk.",
    ),
    "out_of_service_title": ("本机暂停服务", "This terminal is out of service"),
    "out_of_service_body": (
        "请到其他自助终端或服务台办理。服务电话：{phone}",
        "Please use another terminal or the service desk. Help line: {phone}",
    ),
    "attract_title": ("请将身份证放在读卡区", "Please place your ID card on the reader"),
    "attract_sub": (
        "放好后请稍等，系统会自动读取。全程无需填表，多数事项即办即取。",
        "Hold on a moment while it is read. No forms to fill; most services finish on the spot.",
    ),
    "attract_progress": ("扫码查询办件进度", "Scan a receipt to check progress"),
    "attract_take_card": (
        "请取走您的身份证。",
        "Please take your ID card with you.",
    ),
    "attract_reading": (
        "正在读取身份证，请不要移动…",
        "Reading your ID card, please keep it still…",
    ),
    "hello": ("您好，{name}", "Hello, {name}"),
    "choose_title": ("请选择要办理的事项", "Please choose a service"),
    "tag_instant": ("即时办结", "Done on the spot"),
    "tag_materials": ("需拍摄材料", "Documents needed"),
    "tag_query": ("查询", "Look up"),
    "guide_conditions": ("办理条件", "Who can apply"),
    "guide_materials": ("所需材料", "What you need"),
    "guide_steps": ("办理步骤", "Steps"),
    "guide_basis": ("设定依据", "Legal basis"),
    "guide_time": (
        "法定时限 {statutory} 个工作日 · 承诺时限 {promised}",
        "Statutory limit {statutory} working {statutory_unit} · Promised {promised}",
    ),
    "guide_on_the_spot": ("即办", "on the spot"),
    "guide_days": ("{n} 个工作日", "{n} working {unit}"),
    "guide_fee": ("收费：{fee}", "Fee: {fee}"),
    "guide_department": ("办理部门：{dept}", "Department: {dept}"),
    "start": ("开始办理", "Start"),
    "back": ("返回", "Back"),
    "home": ("退出", "Exit"),
    "identify_title": ("请先放置身份证", "Please place your ID card first"),
    "identify_sub": (
        "办理“{item}”需要读取您的身份证。",
        "“{item}” needs your ID card to be read.",
    ),
    "capture_title": ("拍摄：{material}", "Photograph: {material}"),
    "capture_hint": (
        "请把材料平放在拍摄区内，四角都在框内，然后按“拍照”。",
        "Lay the document flat under the camera, all four corners inside, then press Take photo.",
    ),
    "capture_take": ("拍照", "Take photo"),
    "capture_retake": ("重拍", "Retake"),
    "capture_use": ("使用这张照片", "Use this photo"),
    "capture_failed": (
        "没有拍到清晰的照片。请把材料放平、不要遮挡，再试一次。",
        "The photo is not clear. Lay the document flat, keep it uncovered and try again.",
    ),
    "capture_busy": ("正在拍照…", "Taking the photo…"),
    "capture_advice_no_document": (
        "请把材料平放在拍摄区内。",
        "Lay the document flat in the camera area.",
    ),
    "capture_advice_too_dark": (
        "太暗了，请把材料移到灯光下。",
        "Too dark. Move the document under the light.",
    ),
    "capture_advice_too_bright": (
        "反光太强，请稍微调整材料的角度。",
        "Too much glare. Tilt the document a little.",
    ),
    "capture_advice_hold_still": (
        "请放好材料，手离开，保持不动。",
        "Lay the document down, take your hand away and keep it still.",
    ),
    "capture_advice_too_blurred": (
        "看不清字，请把材料压平。",
        "The text is not sharp. Press the document flat.",
    ),
    "capture_advice_steadying": (
        "很好，请保持不动，马上自动拍照…",
        "Good, keep it still: the photo is taken automatically…",
    ),
    "capture_advice_ready": ("正在拍照…", "Taking the photo…"),
    "capture_checking": (
        "正在核验材料，约{seconds}秒，请稍候…",
        "Checking the document, about {seconds} seconds…",
    ),
    "capture_check_ok": ("✓ 材料核验通过", "✓ The document passed the check"),
    "capture_check_failed": ("✗ 材料未通过核验：", "✗ The document did not pass the check:"),
    "capture_check_timeout": (
        "未能及时自动核验，可以使用这张照片，由工作人员核验。",
        "The check took too long. You can use this photo; staff will check it.",
    ),
    "capture_check_unavailable": (
        "暂时无法自动核验，可以使用这张照片，由工作人员核验。",
        "The document cannot be checked automatically now. Use the photo; staff will check it.",
    ),
    "capture_no_camera": (
        "摄像头暂时无法使用，请联系工作人员。",
        "The camera is not available right now. Please ask staff for help.",
    ),
    "review_title": ("请核对后提交", "Please check, then submit"),
    "review_item": ("办理事项", "Service"),
    "review_applicant": ("申请人", "Applicant"),
    "review_id": ("证件号码", "ID number"),
    "review_materials": ("材料", "Documents"),
    "review_material_ok": ("已拍摄", "photographed"),
    "review_card_ok": ("已读取", "read from card"),
    "review_material_checked": ("已核验", "checked"),
    "review_lessor": ("出租方", "Lessor"),
    "review_lessee": ("承租方", "Lessee"),
    "review_premises": ("经营场所", "Business premises"),
    "review_lease_term": ("租赁期限", "Lease term"),
    "review_term_value": ("{start} 至 {end}", "{start} to {end}"),
    "submit": ("确认提交", "Submit"),
    "submitting": ("正在提交，请稍候…", "Submitting, please wait…"),
    "submitting_sub": (
        "通常需要几秒钟，最长约 {seconds} 秒。",
        "Usually a few seconds, at most about {seconds} s.",
    ),
    "submit_failed": (
        "提交没有成功，您的资料没有丢失。请按“重试”，或呼叫工作人员。",
        "The submission did not go through; nothing is lost. Press Retry or call staff.",
    ),
    "submit_store_full": (
        "本机存储空间已满，这次申请没有提交成功。请呼叫工作人员处理，之后再按“重试”。",
        "This terminal's storage is full, so the application was not submitted. "
        "Please call staff, then press Retry.",
    ),
    "retry": ("重试", "Retry"),
    "result_approved": ("办理成功", "Approved"),
    "result_refused": ("未能办理", "Not approved"),
    "result_accepted": ("已受理", "Accepted"),
    "result_case": ("办件编号：{case}", "Case number: {case}"),
    "result_accepted_sub": (
        "您的申请已保存并受理，将在 {days} 个工作日内办结。请保管好回执：在任一自助机"
        "点“查询办件进度”并扫描回执二维码即可查看结果。",
        "Your application is saved and accepted; it is decided within {days} working {unit}. "
        "Keep your receipt: scan its QR code under “Case progress” at any terminal for the result.",
    ),
    "result_offline_sub": (
        "网络暂时不通，您的申请已安全保存，联网后自动提交。请保管好回执：在任一自助机"
        "点“查询办件进度”并扫描回执二维码即可查看结果。",
        "The network is down; your application is saved safely and will be sent automatically. "
        "Keep your receipt: scan its QR code under “Case progress” at any terminal for the result.",
    ),
    "result_approved_sub": (
        "请在下方出纸口取走证明和回执。",
        "Please take your certificate and receipt from the slot below.",
    ),
    "printing": ("正在打印，请稍候…", "Printing, please wait…"),
    "printed": ("打印完成，请取走。", "Printed. Please take it."),
    "reprint": ("重新打印", "Print again"),
    "print_failed": (
        "打印机暂时无法打印，您的办件已保存。请记下上面的办件编号，"
        "按“重新打印”再试，或呼叫工作人员。",
        "The printer cannot print right now; your case is saved. Note the case number above, "
        "press Print again, or call staff.",
    ),
    "done": ("完成", "Done"),
    "rate_title": ("请为本次服务评价", "How was this service?"),
    "rate_level_5": ("非常满意", "Very satisfied"),
    "rate_level_4": ("满意", "Satisfied"),
    "rate_level_3": ("基本满意", "Fairly satisfied"),
    "rate_level_2": ("不满意", "Dissatisfied"),
    "rate_level_1": ("非常不满意", "Very dissatisfied"),
    "rate_coarse_good": ("满意", "Satisfied"),
    "rate_coarse_bad": ("不满意", "Not satisfied"),
    "rate_fine_title": ("有多满意？", "How satisfied?"),
    "rate_fine_bad_title": ("有多不满意？", "How dissatisfied?"),
    "rate_reasons_title": (
        "哪里让您不满意？可以多选，也可以直接提交。",
        "What went wrong? Tick any that apply, or just send.",
    ),
    "rate_reason_slow": ("等待时间太长", "Took too long"),
    "rate_reason_hard": ("操作太难，看不懂", "Hard to use or understand"),
    "rate_reason_device": (
        "设备故障（读卡、拍照、打印）",
        "A device failed (card, camera, printer)",
    ),
    "rate_reason_result": ("对办理结果不满意", "Unhappy with the outcome"),
    "rate_send": ("提交评价", "Send rating"),
    "rate_skip": ("不评价，直接结束", "No rating, just finish"),
    "rate_thanks": ("谢谢您的评价！", "Thank you for your rating!"),
    "rate_prompt": (
        "请点一个按钮评价本次服务；不想评价可以直接离开。",
        "Tap one button to rate this service, or simply leave.",
    ),
    "goodbye": (
        "感谢使用，请取走身份证和回执。",
        "Thank you. Please take your ID card and receipt.",
    ),
    "progress_title": ("办件进度查询", "Case progress"),
    "progress_scan": (
        "请把回执上的二维码对准摄像头，没有回执请把身份证放在读卡区",
        "Hold your receipt's QR code up to the camera, or lay your ID card on the reader",
    ),
    "progress_no_code": (
        "还没有识别到二维码。请把回执拿稳，二维码朝向摄像头，距离约20厘米。",
        "No code read yet. Hold the receipt still, QR code towards the camera, about 20 cm away.",
    ),
    "progress_looking": ("正在查询…", "Looking it up…"),
    "progress_unknown_code": (
        "这不是本中心回执上的二维码，请换一张回执再试。",
        "This is not a QR code from one of our receipts. Please try another receipt.",
    ),
    "progress_offline": (
        "暂时无法连接政务服务中心。本机记录：该件已于 {time} 保存，正在等待提交。",
        "The service centre cannot be reached now. This terminal saved the case at {time}; "
        "it is waiting to be sent.",
    ),
    "progress_unreachable": (
        "暂时无法连接政务服务中心，请稍后再试或呼叫工作人员。",
        "The service centre cannot be reached now. Please try later or call staff.",
    ),
    "progress_not_found": (
        "没有找到这个办件，请核对回执或呼叫工作人员。",
        "This case was not found. Please check your receipt or call staff.",
    ),
    "progress_stage_running": ("进行中 · 已用 {t}", "In progress · {t} so far"),
    "progress_stage_done": ("已完成 · 用时 {t}", "Done · took {t}"),
    "progress_stage_waiting": ("未开始", "Not started"),
    "progress_reprint": ("补打证书（还可{n}次）", "Reprint certificate ({n} left)"),
    "progress_reprinting": ("正在打印证书…", "Printing the certificate…"),
    "progress_reprinted": (
        "证书已重新打印，请在出证口取走。",
        "The certificate has been printed again. Please take it from the slot.",
    ),
    "progress_reprint_used_up": (
        "这份证书的补打次数已用完，请到服务窗口办理。",
        "This certificate cannot be reprinted here any more. Please go to a service desk.",
    ),
    "progress_reprint_failed": (
        "打印机暂时无法打印，请稍后再试或呼叫工作人员。",
        "The printer cannot print right now. Please try later or call staff.",
    ),
    "cert_genuine": ("证明真实有效：{name}，{cid}", "Certificate is genuine: {name}, {cid}"),
    "cert_tampered": (
        "该证明二维码校验失败，可能被篡改。",
        "This certificate's code failed the check.",
    ),
    "cert_expired": ("该证明已过有效期。", "This certificate has expired."),
    "cert_unknown_key": ("无法识别签发机构的密钥。", "The issuer's key is not known here."),
    "cert_malformed": ("二维码内容不完整。", "The QR code is incomplete."),
    "verify_title": ("证明核验结果", "Certificate check"),
    "verify_genuine": ("✓ 真实有效", "✓ Genuine"),
    "verify_genuine_advice": (
        "二维码由政务服务中心签发，没有被改动过。请逐项核对下面的内容和纸面是否一致，不一致即为被改动。",
        "Issued by the service centre, unchanged. Compare each value below with the paper: "
        "any difference means it was altered.",
    ),
    "verify_tampered": ("✗ 核验未通过", "✗ Failed the check"),
    "verify_tampered_advice": (
        "二维码的内容和签发时不一致，可能被改动过。请不要使用这份证明，并联系工作人员。",
        "The code does not match what was issued; it may have been changed. "
        "Please do not rely on it, and ask staff.",
    ),
    "verify_expired": ("已过有效期", "Expired"),
    "verify_expired_advice": (
        "这份证明是真的，但已经过了有效期。如需新的证明，请重新办理。",
        "This certificate is real but no longer valid. Apply again for a new one.",
    ),
    "verify_unknown_key": ("暂时无法核验", "Cannot be checked here"),
    "verify_unknown_key_advice": (
        "本机还不认识签发这份证明的密钥。请稍后再试，或请工作人员核验。",
        "This terminal does not know the key that signed it yet. "
        "Please try later, or ask staff to check it.",
    ),
    "verify_malformed": ("二维码不完整", "Incomplete code"),
    "verify_malformed_advice": (
        "二维码没有读全或已损坏。请把证明放平、拿稳后再扫一次。",
        "The code was not read in full or is damaged. Hold the certificate flat and still, "
        "and scan again.",
    ),
    "verify_cid": ("证明编号", "Certificate no."),
    "verify_item": ("办理事项", "Service"),
    "verify_holder": ("持证人", "Holder"),
    "verify_id": ("证件号码", "ID number"),
    "verify_issued": ("签发日期", "Issued"),
    "verify_until": ("有效期至", "Valid until"),
    "verify_no_end": ("长期有效", "No end date"),
    "verify_name": ("证明名称、编号", "Certificate, no."),
    "verify_issuer": ("签发机关、日期", "Issued by, on"),
    "verify_more": ("下一页内容", "More values"),
    "verify_first_page": ("回到第一页", "First values"),
    "verify_outdated": ("旧版证明", "Old format"),
    "verify_outdated_advice": (
        "这是旧版二维码，只能核对姓名、证件号码和编号，不能核对其他内容。请重新打印一份新证明。",
        "An old-format code: it covers only the name, ID number and certificate number, not "
        "the other values. Please print a new certificate.",
    ),
    "verify_unsupported": ("暂不支持的版本", "Newer format"),
    "verify_unsupported_advice": (
        "这个二维码的格式比本机新，暂时无法核验。请稍后再试，或请工作人员核验。",
        "This code is of a newer format than this terminal knows. "
        "Please try later, or ask staff to check it.",
    ),
    "attract_unknown_code": (
        "这个二维码不是本中心的回执或证明。查进度请扫回执上的二维码。",
        "This QR code is not one of our receipts or certificates. "
        "To check progress, scan the code on your receipt.",
    ),
    "attract_photo_id": (
        "身份证读不出？拍照办理",
        "Card can't be read? Use photos",
    ),
    "choose_photo_id_note": (
        "拍照办理：请选择事项。身份证照片由工作人员核验后办理。",
        "Using photos: choose a service. Staff check the card photos before deciding.",
    ),
    "choose_photo_id_refused": (
        "“{item}”是即时办结事项，必须用读卡器读取身份证原件，照片不能用于即时审批。"
        "请选其他事项，或请工作人员帮助读卡。",
        "“{item}” is decided on the spot, which needs the card read by the reader: "
        "photos are not enough. Choose another service, or ask staff to help read the card.",
    ),
    "identify_photo_id": ("身份证读不出？拍照办理", "Card can't be read? Use photos"),
    "capture_promise": (
        "暂时没有，承诺补交",
        "I don't have it now: promise to bring it",
    ),
    "commit_title": ("先办理，后补交：请阅读承诺", "Apply now, bring it later: your promise"),
    "commit_deadline": ("补交期限：{date}前", "Bring it by: {date}"),
    "commit_consequence": (
        "按“我承诺”即表示您同意以上承诺，回执上会打印补交期限。",
        'Pressing "I promise" means you agree; the receipt shows the date.',
    ),
    "commit_confirm": ("我承诺", "I promise"),
    "review_promised": ("承诺{date}前补交", "to be brought by {date}"),
    "review_photo_ok": ("已拍照，由工作人员核验", "photographed, staff will check"),
    "review_identity": ("身份核验", "Identity check"),
    "review_identity_photo": (
        "身份证照片（工作人员核验）",
        "ID card photos (checked by staff)",
    ),
    "review_unread": ("未能读出", "could not be read"),
    "idle_title": ("您还在吗？", "Are you still there?"),
    "idle_body": (
        "为保护您的个人信息，{n} 秒后将自动退出并清除本次资料。",
        "To protect your data, this session ends and is cleared in {n} s.",
    ),
    "idle_stay": ("我还在，继续办理", "I'm still here"),
    "elder_on": ("长辈版", "Large text"),
    "elder_off": ("标准版", "Standard"),
    "voice_repeat": ("重听", "Repeat"),
    "voice_mute": ("静音", "Mute"),
    "voice_unmute": ("开声音", "Sound on"),
    "voice_next": ("下一步：请按“{action}”。", "Next: press {action}."),
    "attract_elder": ("长辈版：大字、语音", "Large text and voice"),
    "choose_more": ("更多事项（第{page}/{pages}页）", "More services (page {page} of {pages})"),
    "under_a_second": ("不到1秒", "under 1 s"),
    "card_error": ("{message}", "{message}"),
    "minutes_seconds": ("{m}分{s}秒", "{m} min {s} s"),
    "hours_minutes": ("{h}小时{m}分", "{h} h {m} min"),
    "days_hours": ("{d}天{h}小时", "{d} d {h} h"),
    "seconds": ("{s}秒", "{s} s"),
    # The choose screen: categories, pages, search (catalog)
    "tag_bundle": ("一件事一次办", "All in one application"),
    "tag_handoff": ("需到窗口办理", "At a staffed counter"),
    "tag_service": ("自助服务", "Self-service"),
    "choose_popular": ("常用事项", "Most used"),
    "choose_search": ("拼音搜索", "Search"),
    "choose_search_hide": ("收起键盘", "Hide keyboard"),
    "choose_search_prompt": (
        "按拼音或首字母搜索，例如 jzz（居住证）",
        "Type pinyin, its initials or English, e.g. jzz (居住证)",
    ),
    "choose_search_query": ("搜索：{query}", "Search: {query}"),
    "choose_search_none": (
        "没有找到“{query}”，请换个说法，或点下方的常用说法。",
        "Nothing found for “{query}”. Try other words or one of the phrases below.",
    ),
    "choose_page": (
        "第{page}/{pages}页 · {count}项",
        "Page {page}/{pages} · {count}",
    ),
    "choose_prev": ("◀ 上一页", "◀ Previous"),
    "choose_next": ("下一页 ▶", "Next ▶"),
    "choose_service_missing": (
        "“{item}”在这台自助机上暂不能办理，请到服务大厅窗口办理，或点“呼叫工作人员”。",
        "“{item}” cannot be done on this terminal yet. Please go to a counter of the service "
        "hall, or press “Call staff”.",
    ),
    "pad_backspace": ("⌫ 删除", "⌫ Delete"),
    "pad_clear": ("清空", "Clear"),
    "pad_suggested": ("常用说法：", "Often asked:"),
    "guide_handoff_note": (
        "此事项需要到服务大厅窗口办理：请带齐上面列出的材料前往窗口。",
        "This is done at a staffed counter of the service hall: please bring the materials listed "
        "above to the counter.",
    ),
    "identify_card_expired": (
        "您的身份证已于 {date} 过期，不能办理。请先到派出所换领新证（可办理临时身份证），"
        "或点“呼叫工作人员”。",
        "Your ID card expired on {date}, so nothing can be done with it. Please renew it at a "
        "police station first (a temporary card is issued there), or press “Call staff”.",
    ),
    "identify_card_expiring": (
        "提醒：您的身份证将于 {date} 到期（还有 {days} 天），请尽早到派出所换领。",
        "Note: your ID card expires on {date} (in {days} days). Please renew it at a police "
        "station soon.",
    ),
}
STRINGS.update(COLLECT_STRINGS)


def tr(key: str, language: str, **values: Any) -> str:
    """The text for ``key`` in ``language`` (``zh`` or ``en``), with ``values`` filled in."""
    zh, en = STRINGS[key]
    return (en if language == "en" else zh).format(**values)


def days_unit(n: int) -> str:
    """English "day" or "days" after the number ``n`` (Chinese has no plural)."""
    return "day" if n == 1 else "days"


def duration(seconds: float, language: str) -> str:
    """A duration in the largest two units that matter."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return tr("days_hours", language, d=days, h=hours)
    if hours:
        return tr("hours_minutes", language, h=hours, m=minutes)
    if minutes:
        return tr("minutes_seconds", language, m=minutes, s=secs)
    if secs == 0:
        return tr("under_a_second", language)  # never "took 0 s"
    return tr("seconds", language, s=secs)
