"""The hall's public verification page, ``GET /verify``: what a phone opens from a QR code.

Certificates carry ``/verify?v=2&c=...&s=...`` (signed claims of every printed value, checked here
with the hall's keys exactly as a terminal checks them offline); receipts carry
``/verify?case=...`` (the case's progress: item, status and stages, nothing personal).

The page is plain server-rendered HTML, Chinese first with English, without JavaScript. It never
repeats what the request said: values come only from a verified signature or from the database,
and every one is escaped. Only the masked ID number is ever shown, and names are masked too. The
answers are cheap, cookie-free GETs with ``Cache-Control``, so a front proxy may cache and
rate-limit them by URL.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hall.errors import CaseNotFoundError
from hall.keys import SigningKeyRing
from hall.schema import (
    CASE_NUMBER_PATTERN,
    VERIFY_PATH,
    CaseProgressPublic,
    CertificateCheck,
    certificate_rows,
    mask_name,
    parse_verify_query,
    verify_certificate_query,
)
from hall.service import HallService

router = APIRouter()

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
}

_VERDICTS: dict[str, tuple[str, str, str, str, bool]] = {
    # status: (headline zh, headline en, advice zh, advice en, good)
    "genuine": (
        "✓ 真实有效",
        "✓ Genuine",
        "这份证明由政务服务中心签发。请逐项核对下列内容与纸面是否一致，不一致即为被改动。",
        "Issued by the service centre. Compare each value below with the paper: any difference "
        "means the paper was changed.",
        True,
    ),
    "expired": (
        "已过有效期",
        "Expired",
        "这份证明是真的，但已经过了有效期。下列内容仅供核对。",
        "This certificate is real but no longer valid. The values below are for comparison only.",
        False,
    ),
    "tampered": (
        "✗ 核验未通过",
        "✗ Failed the check",
        "二维码的内容和签发时不一致，可能被改动过。请不要采信这份证明。",
        "The code does not match what was issued; it may have been changed. Do not rely on it.",
        False,
    ),
    "unknown_key": (
        "无法核验",
        "Cannot be checked",
        "签发这份证明的密钥不是本中心的。请向签发机构核实。",
        "The key that signed this certificate is not one of this centre's. Ask the issuer.",
        False,
    ),
    "malformed": (
        "二维码不完整",
        "Incomplete code",
        "链接不完整或已损坏。请重新扫描证明上的二维码。",
        "The link is incomplete or damaged. Scan the code on the certificate again.",
        False,
    ),
    "outdated": (
        "旧版证明",
        "Old format",
        "这是旧版二维码，只能核对姓名、证件号码和编号，不能核对其他内容。请持证人重新打印证明。",
        "An old-format code: it covers only the name, ID number and certificate number, not "
        "the other values. Ask the holder for a new printout.",
        False,
    ),
    "unsupported": (
        "暂不支持的版本",
        "Newer format",
        "这个二维码的格式比本系统新，暂时无法核验。请到政务服务中心核验。",
        "This code is of a newer format than this page knows. Please check it at a service centre.",
        False,
    ),
}

_STATUS = {
    "accepted": ("已受理，办理中", "Accepted, in progress"),
    "approved": ("已办结", "Approved"),
    "refused": ("不予批准", "Not approved"),
}

_STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;background:#f5f1ee;
color:#1f2933;font-size:18px;line-height:1.6}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0}
.en{color:#52606d;font-size:.9em}
.verdict{padding:1rem;border-radius:.5rem;margin:1rem 0;border:2px solid}
.ok{background:#e3f4e8;border-color:#1e7b3a}
.bad{background:#fbe9e7;border-color:#a61b1b}
.verdict strong{font-size:1.5rem;display:block}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid #d9c7bd}
th{width:40%;font-weight:normal;color:#3e4c59}
footer{margin-top:1.5rem;font-size:.85rem;color:#52606d}
"""


def _page(
    title_zh: str, title_en: str, body: str, *, status_code: int, max_age: int
) -> HTMLResponse:
    html = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title_zh)} {escape(title_en)}</title><style>{_STYLE}</style></head>"
        f'<body><main><h1>{escape(title_zh)} <span class="en" lang="en">{escape(title_en)}'
        f"</span></h1>{body}<footer>本页仅显示签发机关签名的内容，证件号码已隐去中间部分。"
        '<br><span lang="en">This page shows only what the issuing centre signed; ID numbers '
        "are masked.</span></footer></main></body></html>"
    )
    headers = dict(_HEADERS)
    headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _verdict(zh: str, en: str, advice_zh: str, advice_en: str, good: bool) -> str:
    kind = "ok" if good else "bad"
    return (
        f'<section class="verdict {kind}" role="status"><strong>{escape(zh)}</strong>'
        f'<span class="en" lang="en">{escape(en)}</span><p>{escape(advice_zh)}<br>'
        f'<span class="en" lang="en">{escape(advice_en)}</span></p></section>'
    )


def _table(rows: list[tuple[str, str, str]]) -> str:
    cells = "".join(
        f'<tr><th scope="row">{escape(zh)}<br><span class="en" lang="en">{escape(en)}</span>'
        f"</th><td>{escape(value)}</td></tr>"
        for zh, en, value in rows
    )
    return f"<table>{cells}</table>"


def _hall_keys(service: HallService, ring: SigningKeyRing | None) -> dict[str, bytes]:
    """The hall's certificate keys by key id, current and retired, as ``GET /api/v1/keys``."""
    if ring is not None:
        return dict(ring.public_keys())
    key = service.key.public()
    return {key.kid: base64.b64decode(key.public_key_b64)}


def _certificate_page(check: CertificateCheck) -> HTMLResponse:
    zh, en, advice_zh, advice_en, good = _VERDICTS[check.status]
    body = _verdict(zh, en, advice_zh, advice_en, good)
    claims = check.claims
    shown = claims is not None and check.status in ("genuine", "expired", "outdated")
    if claims is not None and shown:
        rows = [("证明编号", "Certificate no.", claims.cid)]
        if claims.ttl:
            rows.insert(0, ("证明名称", "Certificate", claims.ttl))
        rows.extend(certificate_rows(claims))
        if check.status == "outdated":
            rows.append(("持证人", "Holder", mask_name(claims.name)))
            rows.append(("证件号码", "ID number", claims.idm))
        if claims.iss:
            rows.append(("发证机关", "Issued by", claims.iss))
        rows.append(("签发日期", "Issued", claims.iat.isoformat()))
        if claims.exp is not None and not any(zh.startswith("有效期") for zh, _, _ in rows):
            rows.append(("有效期至", "Valid until", claims.exp.isoformat()))
        body += _table(rows)
    status_code = 200 if check.status in ("genuine", "expired", "outdated") else 400
    if check.status in ("unknown_key", "unsupported"):
        status_code = 200
    return _page("证明核验", "Certificate check", body, status_code=status_code, max_age=300)


def _progress_page(progress: CaseProgressPublic) -> HTMLResponse:
    status_zh, status_en = _STATUS[progress.status]
    rows = [
        ("办件编号", "Case no.", progress.case_number),
        ("办理事项", "Service", f"{progress.item_name.zh} / {progress.item_name.en}"),
        ("办理状态", "Status", f"{status_zh} / {status_en}"),
    ]
    for stage in progress.stages:
        when = "—"
        if stage.finished_at is not None:
            when = f"{stage.finished_at:%Y-%m-%d %H:%M} 完成 done"
        elif stage.started_at is not None:
            when = f"{stage.started_at:%Y-%m-%d %H:%M} 起办理中 in progress"
        rows.append((stage.name.zh, stage.name.en, when))
    body = _verdict(status_zh, status_en, "办件进度如下。", "The case's progress.", True)
    body += _table(rows)
    return _page("办件进度", "Case progress", body, status_code=200, max_age=60)


def _message(zh: str, en: str, advice_zh: str, advice_en: str, status_code: int) -> HTMLResponse:
    body = _verdict(zh, en, advice_zh, advice_en, False)
    return _page("核验 / 查询", "Check", body, status_code=status_code, max_age=60)


# HEAD answers like GET (a proxy's health probe, a phone's prefetch); one operation in the
# OpenAPI document, so its generated ids stay unique.
@router.head(VERIFY_PATH, response_class=HTMLResponse, include_in_schema=False)
@router.get(VERIFY_PATH, response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    """Check a certificate's code or show a receipt's case progress, as a page for a phone."""
    service: HallService = request.app.state.service
    params = parse_verify_query(request.url.query)
    if set(params) == {"case"}:
        case = params["case"]
        if not re.match(CASE_NUMBER_PATTERN, case):
            return _message(
                "办件编号无效",
                "Not a case number",
                "请重新扫描回执上的二维码。",
                "Scan the code on your receipt again.",
                400,
            )
        try:
            progress = service.progress(case)
        except CaseNotFoundError:
            return _message(
                "暂未查到这个办件",
                "Case not found yet",
                "离线受理的办件在终端联网后才会出现。请稍后再查，或拨打服务热线。",
                "A case accepted offline appears once its terminal is back online. "
                "Please try later or call the helpline.",
                404,
            )
        return _progress_page(progress)
    today = dt.datetime.now(service.timezone).date()
    ring = getattr(request.app.state, "signing_keys", None)
    keys = _hall_keys(service, ring)
    return _certificate_page(verify_certificate_query(params, keys, today))
