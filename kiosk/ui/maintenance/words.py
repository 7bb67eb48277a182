"""The maintenance screen's words: staff read Chinese first with the English beside it."""

from __future__ import annotations

DEVICE_NAMES: dict[str, str] = {
    "id_reader": "身份证读卡器 ID reader",
    "scanner": "扫码器 Scanner",
    "camera": "高拍仪 Camera",
    "receipt_printer": "回执打印机 Receipt printer",
    "document_printer": "A4 打印机 A4 printer",
    "hall": "大厅服务 Hall",
    "disk": "磁盘空间 Disk",
    "outbox": "待发队列 Outbox",
    "voice": "语音播报 Voice",
    "face_camera": "人脸摄像头 Face camera",
}

STATUS_WORDS: dict[str, str] = {
    "ok": "正常 OK",
    "fail": "故障 Fail",
    "warn": "注意 Warning",
    "simulated": "模拟 Simulated",
    "embedded": "内置 Embedded",
    "not-configured": "未配置 Not set",
    "unprobed": "未检测 Not probed",
}

SECTION_NAMES: dict[str, str] = {
    "id_reader": "身份证读卡器 ID card reader",
    "scanner": "扫码器 Code scanner",
    "camera": "高拍仪 Document camera",
    "receipt_printer": "回执打印机 Receipt printer",
    "document_printer": "A4 打印机 A4 printer",
}

W = {
    "title": "维护模式 Maintenance",
    "pin_title": "请输入维护密码 Enter the maintenance PIN",
    "pin_wrong": "密码不正确 Wrong PIN. 还可尝试 {n} 次 {n} tries left.",
    "pin_locked": (
        "错误次数过多，已锁定 Too many wrong PINs: locked. {m} 分钟后再试 Try again in {m} min."
    ),
    "pin_not_set": "未设置维护密码 No maintenance PIN is set: run `kiosk maintenance set-pin`.",
    "pin_checking": "正在核对… Checking…",
    "ok": "确定 OK",
    "clear": "清除 Clear",
    "cancel": "取消 Cancel",
    "page_status": "设备状态 Status",
    "page_settings": "设备设置 Settings",
    "page_errors": "错误记录 Errors",
    "exit": "退出维护 Exit",
    "refresh": "重新检测 Check again",
    "checking": "正在检测全部设备… Checking every device…",
    "checked_at": "检测时间 Checked at {time}",
    "check_failed": "检测出错 The check failed: {error}",
    "test": "测试 Test",
    "test_card": "读卡 Read card",
    "test_scan": "扫码 Scan code",
    "test_photo": "拍照 Photo",
    "test_receipt": "打印回执 Print receipt",
    "test_page": "打印测试页 Print page",
    "test_running": "{name}：测试中… testing…",
    "test_wait_card": "请在 {s} 秒内放置身份证 Place an ID card on the reader within {s} s",
    "test_wait_code": "请在 {s} 秒内出示二维码 Hold a QR code to the camera within {s} s",
    "test_timeout": "{name}：{s} 秒内无结果 No result within {s} s",
    "test_failed": "{name}：失败 Failed: {error}",
    "test_ok": "{name}：{result}",
    "save": "保存设置 Save",
    "saving": "正在保存… Saving…",
    "no_changes": "没有改动 Nothing was changed.",
    "saved": (
        "已保存到 Saved to {path}（原文件备份为 .bak）。"
        "重启终端后生效 Restart the terminal to use it."
    ),
    "save_errors": "有 {n} 处需要修改，未保存 Fix the {n} marked value(s); nothing was saved.",
    "save_failed": "保存失败 Could not save: {error}",
    "no_errors": "暂无警告或错误 No warnings or errors so far.",
    "yes": "是 yes",
    "no": "否 no",
    "unset": "（未设置 not set）",
    "page_enrol": "登记 Enrol",
    "enrol_title": "向服务大厅登记本终端 Register this terminal with the hall",
    "enrol_hint": (
        "在大厅运行 kiosk-hall enrol-code --kiosk-id {kiosk} 取得一次性登记码，在下面输入。"
        " Run `kiosk-hall enrol-code --kiosk-id {kiosk}` at the hall and type the one-time code."
        " 大厅 Hall: {hall}"
    ),
    "enrol_state_ok": "已登记 Enrolled：终端 terminal {kiosk} · 密钥 key {key_id} · {hall}",
    "enrol_state_none": "未登记 Not enrolled：{problem}",
    "enrol_state_mismatch": "登记有问题 Enrolment problem：{problem}",
    "enrol_button": "登记 Enrol",
    "enrol_backspace": "⌫ 退格",
    "enrol_running": "正在向大厅登记… Enrolling with the hall…",
    "enrol_done": "登记成功，终端已用新身份签名 Enrolled: requests are signed as {kiosk} now.",
    "enrol_bad_code": "登记码应为 16 位（A–Z、2–7）The code has 16 characters (A–Z, 2–7).",
    "enrol_no_hall": "未设置大厅地址 No hall URL: set [hall] url in the settings first.",
    "enrol_refused": (
        "大厅拒绝：登记码无效、已用过或已过期 "
        "The hall refused: the code is unknown, used or expired."
    ),
    "enrol_rejected": "大厅拒绝登记 The hall refused the enrolment ({detail}).",
    "enrol_unreachable": "连不上大厅，请检查网络 The hall cannot be reached: {detail}",
    "enrol_local": "本机保存失败 Could not keep the enrolment here: {detail}",
}


def word(key: str, **values: object) -> str:
    """The text for ``key`` with ``values`` filled in."""
    return W[key].format(**values)
