"""The staff's pages: login, the fleet dashboard, 一表日清, the big screen, and their assets.

Server-rendered (Jinja2, autoescaped). A page needs a live staff session (``hall.staff``): the
cookie is HttpOnly, SameSite=Strict, Secure over TLS; without one, a page answers a redirect to
``/login``. Every form carries the session's CSRF token and every POST is refused without it
(the login form uses a double-submit cookie, as there is no session yet), and a POST from another
origin is refused too. These paths are exempt from the terminals' signature check and accept
no signature in place of a session; the terminal API accepts no session in place of a signature.
The Content-Security-Policy allows only the hall's own scripts and styles: no inline script.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy import select

from hall import fleet as fleet_api
from hall.db import Database, Submission, utc_now
from hall.errors import HallError
from hall.fleet import releases
from hall.ratings import LEVEL_NAMES, LEVELS
from hall.schema import COMMAND_KINDS, FLEET_FAULTS, DesiredConfig, FleetStatus
from hall.service import HallService
from hall.staff import (
    ActiveSession,
    InvalidStaffInputError,
    LoginRefusedError,
    LoginThrottledError,
    StaffService,
    check_name,
)
from hall.web import daily, fleet

logger = logging.getLogger(__name__)

SESSION_COOKIE = "hall_staff"
LOGIN_CSRF_COOKIE = "hall_login_csrf"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
DASHBOARD_PATH = "/dashboard"
DAILY_PATH = "/dashboard/daily"
DAILY_CSV_PATH = "/dashboard/daily.csv"
DAILY_XLSX_PATH = "/dashboard/daily.xlsx"
BIGSCREEN_PATH = "/dashboard/bigscreen"
BIGSCREEN_DATA_PATH = "/dashboard/bigscreen.json"
STATIC_PREFIX = "/dashboard/static/"
TERMINAL_PATH = "/dashboard/terminal"
CONFIG_PATH = "/dashboard/config"
ALERT_ACK_PATH = "/dashboard/alerts/ack"
COMMANDS_PATH = "/dashboard/commands"

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
STATIC_FILES = {
    path.relative_to(STATIC_DIR).as_posix(): path
    for path in sorted(STATIC_DIR.rglob("*"))
    if path.is_file() and (path.suffix in _STATIC_TYPES or path.name == "LICENSE")
}
"""Every asset served, by its path under ``/dashboard/static/`` (fixed when the hall starts)."""

ROOT_PATH = "/"
_PAGE_PATHS = (
    ROOT_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    DASHBOARD_PATH,
    DAILY_PATH,
    DAILY_CSV_PATH,
    DAILY_XLSX_PATH,
    BIGSCREEN_PATH,
    BIGSCREEN_DATA_PATH,
    ALERT_ACK_PATH,
    COMMANDS_PATH,
    TERMINAL_PATH,
    CONFIG_PATH,
)
PUBLIC_PATHS = frozenset(_PAGE_PATHS) | frozenset(STATIC_PREFIX + name for name in STATIC_FILES)
"""Paths the terminals' signature middleware leaves to this module's own staff check."""

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)

_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(include_in_schema=False)


# --- Plumbing -------------------------------------------------------------------------------


def _db(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _hall(request: Request) -> HallService:
    service: HallService = request.app.state.service
    return service


def _staff_service(request: Request) -> StaffService:
    return StaffService(_db(request))


def _script_json(data: object) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``</script>`` can end it early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status_code)
    _headers(response)
    return response


def _current(request: Request) -> ActiveSession | None:
    return _staff_service(request).session(request.cookies.get(SESSION_COOKIE))


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    response = RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)
    _headers(response)
    return response


def _safe_next(value: str | None) -> str:
    """Only a path of this dashboard: never another host (an open redirect)."""
    if not value:
        return DASHBOARD_PATH
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(DASHBOARD_PATH):
        return DASHBOARD_PATH
    if "\\" in value or value.startswith("//"):
        return DASHBOARD_PATH
    return value


async def _form_lists(request: Request) -> dict[str, list[str]]:
    """A urlencoded form's fields with every value; anything else (or too many fields): empty."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    body = await request.body()
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=600)
    except (UnicodeDecodeError, ValueError):
        return {}


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first value of each); anything else: empty."""
    fields = await _form_lists(request)
    return {key: values[0] for key, values in fields.items() if values}


def _same_origin(request: Request) -> bool:
    """A state-changing request whose Origin (or Referer) names another site is refused."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    if origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "")


def _csrf_refused() -> HTMLResponse:
    logger.warning("staff form refused: missing or wrong CSRF token")
    return _render(
        "error.html",
        status_code=403,
        title="请求被拒绝 Request refused",
        message_zh="表单已过期或来自其他网站，未做任何更改。请返回页面重试。",
        message_en="The form expired or came from another site; nothing was changed. "
        "Go back and try again.",
    )


def _token_ok(sent: str | None, expected: str | None) -> bool:
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def _local_today(request: Request) -> dt.date:
    return utc_now().astimezone(_hall(request).timezone).date()


def _parse_day(request: Request, text: str | None) -> dt.date | None:
    if not text:
        return _local_today(request)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# --- Login and logout -------------------------------------------------------------------------


@router.get(ROOT_PATH)
def root() -> Response:
    """A person who types the hall's address lands on the dashboard (or its login)."""
    return _headers(RedirectResponse(DASHBOARD_PATH, status_code=303))


@router.get(LOGIN_PATH)
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form, with a fresh double-submit CSRF token."""
    if _current(request) is not None:
        response: Response = RedirectResponse(_safe_next(next), status_code=303)
        return _headers(response)
    return _login_form(request, next=_safe_next(next))


def _login_form(
    request: Request, *, next: str, error: str = "", status_code: int = 200, name: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _render(
        "login.html", status_code=status_code, csrf=token, next=next, error=error, name=name
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    """Check the name and password; on success open a session and go where the staff wanted."""
    form = await _form(request)
    if not _same_origin(request) or not _token_ok(
        form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)
    ):
        return _csrf_refused()
    target = _safe_next(form.get("next"))
    name = form.get("name", "").strip()
    password = form.get("password", "")
    client = request.client.host if request.client else "unknown"
    try:
        check_name(name)
        opened = _staff_service(request).login(name, password, client=client)
    except (InvalidStaffInputError, LoginRefusedError):
        return _login_form(
            request,
            next=target,
            status_code=401,
            name=name if len(name) <= 64 else "",
            error="用户名或密码不正确。 Wrong name or password.",
        )
    except LoginThrottledError as err:
        minutes = max(1, round(err.retry_after.total_seconds() / 60))
        response = _login_form(
            request,
            next=target,
            status_code=429,
            name=name if len(name) <= 64 else "",
            error=f"登录失败次数过多，请 {minutes} 分钟后再试。 "
            f"Too many failed logins: try again in {minutes} min.",
        )
        response.headers["Retry-After"] = str(int(err.retry_after.total_seconds()) + 1)
        return response
    redirect = RedirectResponse(target, status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        opened.token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return _headers(redirect)


@router.post(LOGOUT_PATH)
async def logout(request: Request) -> Response:
    """End the session (the form carries its CSRF token) and go back to the login page."""
    form = await _form(request)
    current = _current(request)
    if current is None:
        return _to_login(request)
    if not _same_origin(request) or not _token_ok(form.get("csrf"), current.csrf_token):
        return _csrf_refused()
    _staff_service(request).logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return _headers(response)


# --- Pages ----------------------------------------------------------------------------------


def _page(request: Request, build: Callable[[ActiveSession], Response]) -> Response:
    current = _current(request)
    if current is None:
        return _to_login(request)
    return build(current)


@router.get(DASHBOARD_PATH)
def dashboard(
    request: Request,
    status: str = "",
    site: str = "",
    version: str = "",
    alert: str = "",
    cursor: str | None = None,
    sent: str = "",
    to: str = "",
    acked: str = "",
) -> Response:
    """The fleet: status, site, versions, faults, last beat and queue; alerts; commands."""

    def build(current: ActiveSession) -> Response:
        wanted: FleetStatus | None = next((s for s in fleet.STATUSES if s == status), None)
        wanted_alert = alert if alert in ("any", "staff_called", "offline", *FLEET_FAULTS) else ""
        filters = {
            "status": wanted or "",
            "site": site.strip()[:200],
            "version": version.strip()[:64],
            "alert": wanted_alert,
        }
        now = utc_now()
        with _db(request).read() as session:
            try:
                listed = fleet_api.list_terminals(
                    session,
                    now=now,
                    status=wanted,
                    site=filters["site"] or None,
                    version=filters["version"] or None,
                    alert=wanted_alert or None,
                    cursor=cursor or None,
                )
            except HallError:
                # A cursor not made here (edited by hand): the first page instead.
                listed = fleet_api.list_terminals(session, now=now)
            counted = fleet.counts(session, now=now)
            alerts = fleet_api.open_alerts(session, limit=100)
            recent = fleet.recent_commands(session)
            release_rows = releases.summaries(session)[:10]
        # Calls from citizens first: someone is standing at that terminal.
        alerts.sort(key=lambda a: (a.kind != "staff_called", a.acknowledged_at is not None))
        notice = ""
        if sent in fleet.COMMAND_NAMES and to:
            notice = f"已发送「{fleet.COMMAND_NAMES[sent]}」到 {to[:64]}，随终端下次心跳下发。"
        elif acked:
            notice = "告警已确认。 Alert acknowledged."
        return _render(
            "dashboard.html",
            staff=current,
            nav="fleet",
            page=listed,
            counts=counted,
            filters=filters,
            cursor=cursor or "",
            alerts=alerts,
            commands=recent,
            releases=release_rows,
            command_kinds=COMMAND_KINDS,
            command_names=fleet.COMMAND_NAMES,
            alert_names=fleet.ALERT_NAMES,
            status_names=fleet.STATUS_NAMES,
            alert_kinds=("staff_called", "offline", *FLEET_FAULTS),
            notice=notice,
            timezone=_hall(request).timezone,
        )

    return _page(request, build)


@router.get(TERMINAL_PATH)
def terminal_page(request: Request, id: str = "", saved: str = "") -> Response:
    """One terminal: its devices and versions, 24 hours of sampled beats, alerts, commands, logs."""

    def build(current: ActiveSession) -> Response:
        kiosk_id = id.strip()[:64]
        with _db(request).read() as session:
            detail = fleet.terminal_detail(session, kiosk_id, now=utc_now()) if kiosk_id else None
            own = fleet_api.desired_config(session, f"terminal:{kiosk_id}") if detail else None
        if detail is None:
            return _refused(current, 404, "没有这台终端。", "There is no such terminal.")
        now = utc_now().timestamp()
        chart = {
            "tz": str(_hall(request).timezone),
            "from": now - 24 * 3600,
            "to": now,
            "t": [sample.slot_at.timestamp() for sample in detail.history],
            "outbox": [sample.heartbeat.outbox_depth for sample in detail.history],
            "print": [sample.heartbeat.print_queue_depth for sample in detail.history],
        }
        return _render(
            "terminal.html",
            staff=current,
            nav="fleet",
            t=detail,
            own=own.config if own is not None else None,
            items=_hall(request).catalog.items,
            saved=saved,
            chart_json=_script_json(chart),
            command_kinds=COMMAND_KINDS,
            command_names=fleet.COMMAND_NAMES,
            alert_names=fleet.ALERT_NAMES,
            status_names=fleet.STATUS_NAMES,
            timezone=_hall(request).timezone,
        )

    return _page(request, build)


_CONFIG_NUMBERS = {"idle_warning_s": int, "idle_countdown_s": int, "decision_wait_s": float}
_CONFIG_NUMBERS_MORE = {"receipt_width_chars": int}
_CONFIG_CHOICES = ("language", "receipt_cut", "document_printer_queue")


def _desired_from_form(form: dict[str, list[str]]) -> dict[str, object]:
    """The desired configuration a form asks for: blank fields are the terminal's own."""

    def first(name: str) -> str:
        values = form.get(name) or [""]
        return values[0].strip()

    config: dict[str, object] = {}
    for name, kind in {**_CONFIG_NUMBERS, **_CONFIG_NUMBERS_MORE}.items():
        text = first(name)
        if text:
            try:
                config[name] = kind(text)
            except ValueError:
                config[name] = text  # refused by the model, with the field's name
    for name in _CONFIG_CHOICES:
        if first(name):
            config[name] = first(name)
    if first("items_mode") == "some":
        config["enabled_items"] = [item for item in form.get("enabled_items", []) if item]
    return config


@router.post(CONFIG_PATH)
async def set_config(request: Request) -> Response:
    """Set the desired configuration of one terminal, its site, or every terminal."""
    fields = await _form_lists(request)
    form = {key: values[0] for key, values in fields.items() if values}
    current = _current(request)
    if current is None:
        return _to_login(request)
    if not _same_origin(request) or not _token_ok(form.get("csrf"), current.csrf_token):
        return _csrf_refused()
    kiosk_id = form.get("kiosk_id", "").strip()[:64]
    scope = form.get("scope", "terminal")
    with _db(request).read() as session:
        detail = fleet.terminal_detail(session, kiosk_id, now=utc_now()) if kiosk_id else None
    if detail is None:
        return _refused(current, 404, "没有这台终端。", "There is no such terminal.")
    if scope == "site" and detail.site:
        target = f"site:{detail.site}"
    elif scope == "all":
        target = "all"
    else:
        target = f"terminal:{kiosk_id}"
    try:
        config = DesiredConfig.model_validate(_desired_from_form(fields))
    except ValidationError as err:
        names = sorted({str(e["loc"][0]) for e in err.errors() if e.get("loc")})
        return _refused(
            current,
            400,
            "配置未保存，以下项目的值超出允许范围：" + "、".join(names),
            "Nothing was saved; out of range: " + ", ".join(names),
        )
    try:
        with _db(request).write() as session:
            version = fleet_api.set_desired_config(
                session, target, config, current.staff_name, now=utc_now()
            )
    except HallError as err:
        return _refused(current, 400, "配置未保存。", str(err))
    logger.info("staff %s set desired config v%d for %s", current.staff_name, version, target)
    back = f"{TERMINAL_PATH}?id={quote(kiosk_id)}&saved={version}"
    return _headers(RedirectResponse(back, status_code=303))


async def _staff_post(request: Request) -> tuple[ActiveSession, dict[str, str]] | Response:
    """The session and form of a state-changing POST, or the answer refusing it."""
    form = await _form(request)
    current = _current(request)
    if current is None:
        return _to_login(request)
    if not _same_origin(request) or not _token_ok(form.get("csrf"), current.csrf_token):
        return _csrf_refused()
    return current, form


def _refused(current: ActiveSession, status_code: int, zh: str, en: str) -> HTMLResponse:
    return _render(
        "error.html",
        status_code=status_code,
        staff=current,
        title="未执行 Not done",
        message_zh=zh,
        message_en=en,
    )


@router.post(ALERT_ACK_PATH)
async def acknowledge_alert(request: Request) -> Response:
    """Acknowledge one alert as the logged-in staff member (a staff call is then cleared)."""
    checked = await _staff_post(request)
    if isinstance(checked, Response):
        return checked
    current, form = checked
    try:
        alert_id = int(form.get("alert_id", ""))
    except ValueError:
        return _refused(current, 400, "告警编号无效。", "That is not an alert number.")
    try:
        with _db(request).write() as session:
            view = fleet_api.acknowledge_alert(session, alert_id, current.staff_name, now=utc_now())
    except HallError:
        return _refused(current, 404, "没有这条告警。", "There is no such alert.")
    logger.info(
        "staff %s acknowledged %s alert %d of %s",
        current.staff_name,
        view.kind,
        view.id,
        view.kiosk_id,
    )
    response = RedirectResponse(f"{DASHBOARD_PATH}?acked=1", status_code=303)
    return _headers(response)


@router.post(COMMANDS_PATH)
async def send_command(request: Request) -> Response:
    """Queue a command for one terminal; it goes out with that terminal's next heartbeat."""
    checked = await _staff_post(request)
    if isinstance(checked, Response):
        return checked
    current, form = checked
    kiosk_id = form.get("kiosk_id", "").strip()[:64]
    kind = form.get("kind", "")
    try:
        with _db(request).write() as session:
            view = fleet_api.queue_command(
                session, kiosk_id, kind, current.staff_name, now=utc_now()
            )
    except HallError as err:
        return _refused(current, 400, "命令未发送：终端或命令无效。", str(err))
    logger.info("staff %s queued %s for %s", current.staff_name, view.kind, view.kiosk_id)
    target = f"{DASHBOARD_PATH}?sent={quote(view.kind)}&to={quote(view.kiosk_id)}"
    return _headers(RedirectResponse(target, status_code=303))


@router.get(DAILY_PATH)
def daily_page(request: Request, day: str | None = None) -> Response:
    """一表日清 of one local day (today unless ``day=YYYY-MM-DD``)."""

    def build(current: ActiveSession) -> Response:
        wanted = _parse_day(request, day)
        if wanted is None:
            return _render(
                "error.html",
                status_code=400,
                title="日期无效 Invalid date",
                message_zh="日期格式应为 年-月-日，例如 2026-12-02。",
                message_en="A date reads year-month-day, e.g. 2026-12-02.",
                staff=current,
            )
        table = _daily(request, wanted)
        chart = {
            "hours": list(range(24)),
            "submissions": table.hourly,
            "ratings": [table.total.ratings[level] for level in reversed(LEVELS)],
            "levels": [LEVEL_NAMES[level][0] for level in reversed(LEVELS)],
        }
        return _render(
            "daily.html",
            staff=current,
            nav="daily",
            table=table,
            levels=list(reversed(LEVELS)),
            level_names=LEVEL_NAMES,
            chart_json=_script_json(chart),
            today=_local_today(request),
            previous=wanted - dt.timedelta(days=1),
            following=wanted + dt.timedelta(days=1),
        )

    return _page(request, build)


def _daily(request: Request, day: dt.date) -> daily.DailyTable:
    hall = _hall(request)
    with _db(request).read() as session:
        return daily.build(session, day, timezone=hall.timezone, catalog=hall.catalog)


def _export(request: Request, day: str | None, kind: str) -> Response:
    current = _current(request)
    if current is None:
        return _to_login(request)
    wanted = _parse_day(request, day)
    if wanted is None:
        return _headers(JSONResponse({"code": "invalid_date", "message": "day is YYYY-MM-DD"}, 400))
    table = _daily(request, wanted)
    if kind == "csv":
        body, media = daily.to_csv(table), "text/csv; charset=utf-8"
    else:
        body, media = daily.to_xlsx(table), daily.XLSX_MEDIA_TYPE
    response = Response(body, media_type=media)
    name = f"daily-{wanted.isoformat()}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    logger.info("staff %s exported the daily table of %s as %s", current.staff_name, wanted, kind)
    return _headers(response)


@router.get(DAILY_CSV_PATH)
def daily_csv(request: Request, day: str | None = None) -> Response:
    """The daily table as CSV."""
    return _export(request, day, "csv")


@router.get(DAILY_XLSX_PATH)
def daily_xlsx(request: Request, day: str | None = None) -> Response:
    """The daily table as XLSX."""
    return _export(request, day, "xlsx")


def _bigscreen_data(request: Request) -> dict[str, Any]:
    hall = _hall(request)
    today = _local_today(request)
    table = _daily(request, today)
    start, end = daily.day_bounds(today, hall.timezone)
    names = {item.id: item.name.zh for item in hall.catalog.items}
    with _db(request).read() as session:
        counted = fleet.counts(session, now=utc_now())
        recent = session.execute(
            select(
                Submission.received_at, Submission.item_id, Submission.kiosk_id, Submission.status
            )
            .where(Submission.received_at >= start, Submission.received_at < end)
            .order_by(Submission.received_at.desc())
            .limit(5)
        ).all()
    status_names = {"approved": "即办通过", "refused": "不予通过", "accepted": "已受理"}
    total = table.total
    share = total.satisfied_share
    return {
        "day": today.isoformat(),
        "updated": utc_now().astimezone(hall.timezone).strftime("%H:%M:%S"),
        "counts": {
            "submissions": total.submissions,
            "approved": total.approved,
            "refused": total.refused,
            "tolerated": total.tolerated,
            "handed_off": total.handed_off,
            "rated": total.rated,
        },
        "terminals": {
            "total": counted.total,
            "online": counted.online,
            "offline": counted.offline,
        },
        "satisfied_pct": None if share is None else round(100 * share, 1),
        "ratings": [
            {"level": level, "zh": LEVEL_NAMES[level][0], "count": total.ratings[level]}
            for level in reversed(LEVELS)
        ],
        "hourly": table.hourly,
        "activity": [
            {
                "time": at.astimezone(hall.timezone).strftime("%H:%M"),
                "item": names.get(item_id, item_id),
                "terminal": kiosk_id,
                "status": status_names.get(status, status),
                "kind": status,
            }
            for at, item_id, kiosk_id, status in recent
        ],
    }


@router.get(BIGSCREEN_PATH)
def bigscreen(request: Request) -> Response:
    """The wall display (1920x1080, read-only); its script refreshes it every 15 s."""

    def build(current: ActiveSession) -> Response:
        data = _bigscreen_data(request)
        return _render("bigscreen.html", staff=current, data=data, data_json=_script_json(data))

    return _page(request, build)


@router.get(BIGSCREEN_DATA_PATH)
def bigscreen_data(request: Request) -> Response:
    """The big screen's numbers as JSON, for its refresh (401 without a session)."""
    if _current(request) is None:
        return _headers(JSONResponse({"code": "unauthenticated", "message": "log in"}, 401))
    return _headers(JSONResponse(_bigscreen_data(request)))


@router.get(STATIC_PREFIX + "{name:path}")
def static(name: str) -> Response:
    """The dashboard's own CSS and scripts, and the vendored chart library (no CDN)."""
    path = STATIC_FILES.get(name)
    if path is None:
        return _headers(JSONResponse({"code": "not_found", "message": "no such file"}, 404))
    media = _STATIC_TYPES.get(path.suffix, "text/plain; charset=utf-8")
    response = Response(path.read_bytes(), media_type=media)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return _headers(response)
