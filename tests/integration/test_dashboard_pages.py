"""The staff's pages over HTTP on a real hall: sessions, CSRF, throttling, the daily table's
figures and exports on SQLite and PostgreSQL, and ratings arriving on the event channel."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import select

from assets import load_catalog
from hall.cli import main
from hall.db import Database, Submission
from hall.fleet import acknowledge_alert
from hall.fleet.models import Alert
from hall.schema import (
    TERMINAL_LOGS_PATH,
    EventBatchCreate,
    EventCreate,
    HeartbeatCreate,
    NightlyReport,
    StaffCallCreate,
    SubmissionCreate,
    TerminalLogCreate,
)
from hall.staff import (
    SESSION_IDLE,
    THROTTLE_MAX_FAILURES,
    LoginRefusedError,
    StaffExistsError,
    StaffService,
)
from hall.tickets_schema import TicketCreate
from hall.web import daily
from offline_cache.hall_client import HallClient
from offline_cache.tickets import TicketClient
from tests.fixtures.browser import StaffAccount, add_staff
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    make_submission,
    new_idempotency_key,
)


def _login_form(http: requests.Session, base: str) -> str:
    page = http.get(base + "/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def _log_in(http: requests.Session, base: str, account: StaffAccount) -> requests.Response:
    csrf = _login_form(http, base)
    return http.post(
        base + "/login",
        data={"csrf": csrf, "name": account.name, "password": account.password, "next": ""},
        allow_redirects=False,
    )


@pytest.fixture
def staff_http(hall_server: HallUnderTest, staff_account: StaffAccount) -> requests.Session:
    """A ``requests`` session logged in as staff."""
    http = requests.Session()
    answer = _log_in(http, hall_server.base_url, staff_account)
    assert answer.status_code == 303
    return http


@pytest.fixture
def each_db_terminal(hall_server_each_db: HallUnderTest, tmp_path: Path) -> Iterator[HallClient]:
    """``kiosk-001`` enrolled with ``hall_server_each_db``, as a signed client."""
    identity = hall_server_each_db.enrol(tmp_path / "terminal")
    with HallClient(hall_server_each_db.base_url, identity=identity) as client:
        yield client


def _rating(level: int, **fields: object) -> EventCreate:
    payload: dict[str, object] = {"level": level, "reasons": [], "journey": "apply"}
    payload.update(fields)
    return EventCreate(
        event_id=uuid.uuid4().hex, kind="rating", at=dt.datetime.now(dt.UTC), payload=payload
    )


def _with_visit(submission: SubmissionCreate, seconds: float, **extra: object) -> SubmissionCreate:
    return submission.model_copy(update={"visit_seconds": seconds, **extra})


# --- Sessions and forms ------------------------------------------------------------------


def test_pages_redirect_to_login_without_a_session(hall_server: HallUnderTest) -> None:
    for path in ("/dashboard", "/dashboard/daily", "/dashboard/bigscreen", "/dashboard/daily.csv"):
        answer = requests.get(hall_server.base_url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    data = requests.get(hall_server.base_url + "/dashboard/bigscreen.json", timeout=10)
    assert data.status_code == 401
    root = requests.get(hall_server.base_url + "/", allow_redirects=False, timeout=10)
    assert root.headers["location"] == "/dashboard"


def test_the_session_cookie_is_httponly_strict_and_ends_at_logout(
    hall_server_each_db: HallUnderTest,
) -> None:
    hall_server = hall_server_each_db
    staff_account = add_staff(hall_server)
    http = requests.Session()
    answer = _log_in(http, hall_server.base_url, staff_account)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard"
    cookie = next(
        part for part in answer.headers["set-cookie"].split(", hall_") if "hall_staff=" in part
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; over TLS the cookie is Secure
    page = http.get(hall_server.base_url + "/dashboard")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    out = http.post(
        hall_server.base_url + "/logout", data={"csrf": csrf.group(1)}, allow_redirects=False
    )
    assert out.headers["location"] == "/login"
    db = hall_server.database()
    try:
        assert StaffService(db).count_sessions() == 0
    finally:
        db.dispose()
    again = http.get(hall_server.base_url + "/dashboard", allow_redirects=False)
    assert again.status_code == 303


def test_a_login_without_its_csrf_cookie_or_from_another_origin_is_refused(
    hall_server: HallUnderTest, staff_account: StaffAccount
) -> None:
    base = hall_server.base_url
    form = {"name": staff_account.name, "password": staff_account.password}
    bare = requests.post(base + "/login", data={**form, "csrf": "x"}, allow_redirects=False)
    assert bare.status_code == 403
    http = requests.Session()
    csrf = _login_form(http, base)
    foreign = http.post(
        base + "/login",
        data={**form, "csrf": csrf},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
    )
    assert foreign.status_code == 403
    assert "hall_staff" not in http.cookies


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/logout", {}),
        ("/dashboard/alerts/ack", {"alert_id": "1"}),
        ("/dashboard/commands", {"kiosk_id": "kiosk-001", "kind": "restart"}),
    ],
)
@pytest.mark.parametrize("token", [None, "forged", "other-session"])
def test_a_post_without_the_sessions_token_changes_nothing(
    hall_server: HallUnderTest,
    staff_http: requests.Session,
    tmp_path: Path,
    path: str,
    fields: dict[str, str],
    token: str | None,
) -> None:
    identity = hall_server.enrol(tmp_path / "terminal")
    with HallClient(hall_server.base_url, identity=identity) as terminal:
        terminal.heartbeat(
            HeartbeatCreate(
                kiosk_id="kiosk-001",
                sent_at=dt.datetime.now(dt.UTC),
                app_version="1",
                outbox_depth=0,
                devices={"receipt_printer": "offline"},
            )
        )
    if token == "other-session":
        # A valid token, but of another staff member's session.
        other = requests.Session()
        _log_in(other, hall_server.base_url, add_staff(hall_server, "other-clerk"))
        match = re.search(
            r'name="csrf" value="([^"]+)"', other.get(hall_server.base_url + "/dashboard").text
        )
        assert match is not None
        token = match.group(1)
    data = dict(fields) if token is None else {**fields, "csrf": token}
    refused = staff_http.post(hall_server.base_url + path, data=data, allow_redirects=False)
    assert refused.status_code == 403
    page = staff_http.get(hall_server.base_url + "/dashboard")
    assert page.status_code == 200  # still logged in
    assert "未确认" in page.text  # the alert is not acknowledged
    assert "尚无命令" in page.text  # no command was queued


def test_logins_are_throttled_by_name_even_with_the_right_password_after(
    hall_server: HallUnderTest, staff_account: StaffAccount
) -> None:
    http = requests.Session()
    wrong = StaffAccount(staff_account.name, "wrong password!")
    for _ in range(THROTTLE_MAX_FAILURES):
        assert _log_in(http, hall_server.base_url, wrong).status_code == 401
    throttled = _log_in(http, hall_server.base_url, staff_account)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert "hall_staff" not in http.cookies


def test_only_dashboard_paths_are_followed_after_login(
    hall_server: HallUnderTest, staff_account: StaffAccount
) -> None:
    for target in ("https://evil.example/dashboard", "//evil.example/dashboard", "/api/v1/keys"):
        http = requests.Session()
        csrf = _login_form(http, hall_server.base_url)
        answer = http.post(
            hall_server.base_url + "/login",
            data={
                "csrf": csrf,
                "name": staff_account.name,
                "password": staff_account.password,
                "next": target,
            },
            allow_redirects=False,
        )
        assert answer.headers["location"] == "/dashboard", target


def test_signatures_and_sessions_do_not_stand_in_for_each_other(
    hall_server: HallUnderTest, staff_http: requests.Session, tmp_path: Path
) -> None:
    identity = hall_server.enrol(tmp_path / "terminal")
    with HallClient(hall_server.base_url, identity=identity) as terminal:
        # A signed request for a page is not a staff session: it is sent to log in.
        signed = terminal._request("GET", "/dashboard")
        assert signed.status_code in (303, 200)
        assert "工作人员登录" in signed.text
    # A staff session is not a terminal signature: the terminal API refuses it.
    api = staff_http.get(hall_server.base_url + "/api/v1/terminals")
    assert api.status_code == 401


def test_sessions_end_after_idle_time_on_the_server(hall_server: HallUnderTest) -> None:
    now = [dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)]
    db = hall_server.database()
    try:
        staff = StaffService(db, clock=lambda: now[0])
        staff.add("clerk-2", "another good password")
        opened = staff.login("clerk-2", "another good password", client="127.0.0.1")
        assert staff.session(opened.token) is not None
        now[0] += SESSION_IDLE + dt.timedelta(seconds=1)
        assert staff.session(opened.token) is None
        assert staff.session("forged-token") is None
        with pytest.raises(LoginRefusedError):
            staff.login("nobody", "another good password", client="127.0.0.1")
        with pytest.raises(StaffExistsError):
            staff.add("clerk-2", "yet another password")
    finally:
        db.dispose()


def test_cli_staff_add_reads_the_password_from_stdin(
    hall_server: HallUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = hall_server.settings.database_url
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["staff", "add", "night-shift", "--password-stdin", "--database", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["staff", "add", "day-shift", "--password-stdin", "--database", url]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["staff", "add", "night-shift", "--password-stdin", "--database", url]) == 1
    assert main(["staff", "list", "--database", url]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "night-shift"
    http = requests.Session()
    answer = _log_in(
        http, hall_server.base_url, StaffAccount("night-shift", "a long enough password")
    )
    assert answer.status_code == 303


# --- The daily table ------------------------------------------------------------------------


def test_the_daily_table_counts_decisions_tolerance_visits_and_ratings(
    hall_server_each_db: HallUnderTest, each_db_terminal: HallClient
) -> None:
    hall = hall_server_each_db
    terminal = each_db_terminal
    sent = [
        _with_visit(make_submission("elder-card", demo_applicant("王秀英")), 100.0),
        _with_visit(make_submission("elder-card", demo_applicant("李建国")), 200.0),
        _with_visit(
            make_submission("sole-proprietor-registration", demo_applicant("赵德明")),
            300.0,
            commitment=True,
        ),
    ]
    statuses = [terminal.submit(s, new_idempotency_key()).status for s in sent]
    assert statuses == ["approved", "refused", "accepted"]
    answers = terminal.post_events(
        EventBatchCreate(
            events=[
                _rating(5, item_id="elder-card", case_number=sent[0].case_number),
                _rating(2, item_id="elder-card", reasons=["slow"], visit_seconds=999.0),
                _rating(4, item_id=None, journey="lookup", visit_seconds=50.0),
                # An ID number where a reason code goes, and a sixth level: refused, not counted.
                _rating(5, reasons=["110101194203150026"]),
                _rating(5, item_id="110101194203150026"),
                _rating(6),
                _rating(5, comment="free text"),
            ]
        )
    )
    assert [r.status for r in answers.results] == ["accepted"] * 3 + ["rejected"] * 4
    again = terminal.post_events(EventBatchCreate(events=[_rating(1)]))
    assert again.results[0].status == "accepted"
    account = add_staff(hall)
    http = requests.Session()
    assert _log_in(http, hall.base_url, account).status_code == 303
    export = http.get(hall.base_url + "/dashboard/daily.csv")
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = rows[1]
    by_key = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in rows[2:]}
    elder = by_key[("事项 Item", "elder-card")]
    assert elder["受理 Submissions"] == "2"
    assert elder["即办 Instant approvals"] == "1"
    assert elder["不予通过 Refusals"] == "1"
    # The level-2 rating with no case timed its own visit (999 s); the case's rating did not.
    assert elder["平均用时(秒) Avg visit (s)"] == str(round((100 + 200 + 999) / 3, 1))
    assert elder["5星 Level 5"] == "1"
    assert elder["2星 Level 2"] == "1"
    sole = by_key[("事项 Item", "sole-proprietor-registration")]
    assert (sole["容缺 Tolerated"], sole["转人工 Hand-offs"]) == ("1", "1")
    total = by_key[("合计 Total", "")]
    assert total["受理 Submissions"] == "3"
    assert total["评价数 Ratings"] == "4"
    assert total["P90用时(秒) P90 visit (s)"] == "999.0"
    assert total["满意率 Satisfied"] == "0.5"
    terminal_row = by_key[("终端 Terminal", "kiosk-001")]
    assert terminal_row["受理 Submissions"] == "3"
    xlsx = http.get(hall.base_url + "/dashboard/daily.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert next(row for row in cells if row[0] == "合计 Total")[3] == 3
    page = http.get(hall.base_url + "/dashboard/daily")
    assert "老年人优待证申领" in page.text
    assert "110101194203150026" not in page.text
    bad_day = http.get(hall.base_url + "/dashboard/daily?day=2026-13-45")
    assert bad_day.status_code == 400


def test_the_daily_table_counts_tickets_and_staff_calls_answered(
    hall_server: HallUnderTest, tmp_path: Path
) -> None:
    """取号 per item and terminal; 呼叫 per terminal (no item), with how many staff answered."""
    identity = hall_server.enrol(tmp_path / "terminal")
    now = dt.datetime.now(dt.UTC)
    with HallClient(hall_server.base_url, identity=identity) as terminal:
        tickets = TicketClient(terminal)
        for item_id in ("elder-card", "elder-card", None):
            reason = "handoff_item" if item_id else "call_staff"
            tickets.issue(
                TicketCreate(
                    ticket_id=uuid.uuid4().hex,
                    kiosk_id="kiosk-001",
                    item_id=item_id,
                    reason=reason,
                    created_at=now,
                )
            )
        for n in range(3):
            terminal.call_staff(
                StaffCallCreate(kiosk_id="kiosk-001", call_id=f"call-{n:04d}-x", sent_at=now)
            )
    db = hall_server.database()
    try:
        with db.write() as session:
            first = session.scalars(
                select(Alert.id).where(Alert.kind == "staff_called").order_by(Alert.id)
            ).first()
            assert first is not None
            acknowledge_alert(session, first, "clerk", now=now)
    finally:
        db.dispose()
    http = requests.Session()
    assert _log_in(http, hall_server.base_url, add_staff(hall_server)).status_code == 303
    export = http.get(hall_server.base_url + "/dashboard/daily.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = rows[1]
    assert header[-3:] == ["取号 Tickets", "呼叫 Staff calls", "呼叫已应答 Calls answered"]
    by_key = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in rows[2:]}
    elder = by_key[("事项 Item", "elder-card")]
    assert (elder["取号 Tickets"], elder["呼叫 Staff calls"]) == ("2", "")
    # A plain staff call's ticket, on the no-item row (its id '-' quoted as text for Excel).
    assert by_key[("事项 Item", "'-")]["取号 Tickets"] == "1"
    kiosk = by_key[("终端 Terminal", "kiosk-001")]
    assert (
        kiosk["取号 Tickets"],
        kiosk["呼叫 Staff calls"],
        kiosk["呼叫已应答 Calls answered"],
    ) == (
        "3",
        "3",
        "1",
    )
    total = by_key[("合计 Total", "")]
    assert (total["取号 Tickets"], total["呼叫 Staff calls"]) == ("3", "3")
    page = http.get(hall_server.base_url + "/dashboard/daily")
    assert re.search(r'id="total-tickets">3</span>', page.text)
    assert re.search(r'id="total-calls">3</span>', page.text) and "1 已应答" in page.text


def test_a_past_day_counts_only_that_day(
    hall_server: HallUnderTest, staff_http: requests.Session, terminal_identity: object
) -> None:
    empty = staff_http.get(hall_server.base_url + "/dashboard/daily.csv?day=2020-02-29")
    rows = list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))
    assert rows[0] == ["一表日清 2020-02-29"]
    assert rows[-1][0] == "合计 Total"
    assert rows[-1][3] == "0"


def test_the_fleet_pages_thousands_of_terminals(
    hall_server: HallUnderTest, staff_http: requests.Session
) -> None:
    db: Database = hall_server.database()
    try:
        hall_server.app.state.service.record_heartbeats(
            [
                HeartbeatCreate(
                    kiosk_id=f"K{n:04d}",
                    sent_at=dt.datetime.now(dt.UTC),
                    app_version="0.1.0",
                    outbox_depth=n % 7,
                )
                for n in range(1200)
            ]
        )
    finally:
        db.dispose()
    seen: list[str] = []
    url = hall_server.base_url + "/dashboard"
    while url:
        page = staff_http.get(url)
        assert page.status_code == 200
        ids = re.findall(r'<tr data-kiosk="([^"]+)"', page.text)
        assert len(ids) <= 50
        seen += ids
        after = re.search(r'id="next-page" href="([^"]+)"', page.text)
        url = hall_server.base_url + "/dashboard" + html.unescape(after.group(1)) if after else ""
    assert seen == [f"K{n:04d}" for n in range(1200)]
    assert '<span class="num" id="fleet-total">1200</span>' in page.text
    odd = staff_http.get(
        hall_server.base_url + "/dashboard?status=bogus&alert=x&cursor=%25%00zz&site=%5C"
    )
    assert odd.status_code == 200
    assert odd.text.count("<tr data-kiosk=") == 50


def test_a_day_is_the_halls_local_day_on_both_databases(hall_database_url: str) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    db = Database(hall_database_url)
    try:
        db.migrate()
        local = [
            # (local time, status, tolerated, visit): the first and last fall outside 2 December.
            (dt.datetime(2026, 12, 1, 23, 59, 59), "approved", False, 10.0),
            (dt.datetime(2026, 12, 2, 0, 0, 0), "approved", False, 20.0),
            (dt.datetime(2026, 12, 2, 8, 30, 0), "accepted", True, None),
            (dt.datetime(2026, 12, 2, 23, 59, 59), "refused", False, 40.0),
            (dt.datetime(2026, 12, 3, 0, 0, 0), "approved", False, 50.0),
        ]
        with db.write() as session:
            for n, (when, status, tolerated, visit) in enumerate(local):
                payload: dict[str, object] = {"commitment": tolerated, "visit_seconds": visit}
                if visit is None:
                    del payload["visit_seconds"]
                session.add(
                    Submission(
                        case_number=f"K001-20261202-{n:05d}",
                        idempotency_key=f"key-{n}",
                        payload_hash="0" * 64,
                        kiosk_id="kiosk-001",
                        item_id="elder-card",
                        status=status,
                        payload=payload,
                        tolerated=tolerated,
                        visit_seconds=visit,
                        received_at=when.replace(tzinfo=shanghai),
                        completed_at=when.replace(tzinfo=shanghai),
                    )
                )
        with db.read() as session:
            table = daily.build(
                session, dt.date(2026, 12, 2), timezone=shanghai, catalog=load_catalog()
            )
    finally:
        db.dispose()
    total = table.total
    assert (total.submissions, total.approved, total.refused, total.handed_off) == (3, 1, 1, 1)
    assert total.tolerated == 1
    assert sorted(total.visits) == [20.0, 40.0]
    assert table.hourly[0] == 1 and table.hourly[8] == 1 and table.hourly[23] == 1
    assert table.by_item[0].label == "老年人优待证申领"


def test_a_terminals_page_shows_its_beat_history_commands_and_masked_logs(
    hall_server_each_db: HallUnderTest, tmp_path: Path
) -> None:
    hall_server = hall_server_each_db
    staff_http = requests.Session()
    assert _log_in(staff_http, hall_server.base_url, add_staff(hall_server)).status_code == 303
    identity = hall_server.enrol(tmp_path / "terminal")
    with HallClient(hall_server.base_url, identity=identity) as terminal:
        terminal.heartbeat(
            HeartbeatCreate(
                kiosk_id="kiosk-001",
                sent_at=dt.datetime.now(dt.UTC),
                app_version="0.1.0",
                outbox_depth=4,
                devices={"id_reader": "ok", "receipt_printer": "paper_out"},
            )
        )
        page = staff_http.get(hall_server.base_url + "/dashboard")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        sent = staff_http.post(
            hall_server.base_url + "/dashboard/commands",
            data={"csrf": csrf.group(1), "kiosk_id": "kiosk-001", "kind": "upload_log"},
        )
        assert "上传错误日志" in sent.text
        night_end = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        answer = terminal.heartbeat(
            HeartbeatCreate(
                kiosk_id="kiosk-001",
                sent_at=dt.datetime.now(dt.UTC),
                app_version="0.1.0",
                outbox_depth=4,
                devices={"id_reader": "ok", "receipt_printer": "paper_out"},
                nightly=NightlyReport(
                    night=night_end.date(),
                    started_at=night_end - dt.timedelta(seconds=40),
                    finished_at=night_end,
                    steps={"checkpoint": "ok: WAL 0 bytes (0.0 s)", "self_test": "failed: camera"},
                    self_test={"id_reader": "ok", "camera": "fail: the camera gave no frame"},
                    restart="up 170.2 h (limit 168 h)",
                ),
            )
        )
        command = answer.commands[0]
        # A log line the terminal failed to mask: the page masks it again.
        log = TerminalLogCreate(
            kiosk_id="kiosk-001",
            command_id=command.command_id,
            lines=["ERROR read failed for 110101194203150026", "WARN paper low"],
        )
        stored = terminal._request(
            "POST",
            TERMINAL_LOGS_PATH,
            data=log.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )
        assert stored.status_code == 201
    detail = staff_http.get(hall_server.base_url + "/dashboard/terminal?id=kiosk-001")
    assert detail.status_code == 200
    assert "receipt_printer: paper_out" in detail.text
    assert "110101********0026" in detail.text
    assert "110101194203150026" not in detail.text
    assert "上传错误日志" in detail.text
    assert '"outbox": [4]' in detail.text  # the sampled beat, for the chart
    # The last night: its steps, the part that failed its self-test, and the alert it raised.
    nightly = detail.text[detail.text.index('id="nightly"') :]
    nightly = nightly[: nightly.index("</tr>")]
    assert "checkpoint: ok" in nightly and "self_test: failed" in nightly
    assert "self-test camera" in nightly and "fail: the camera gave no frame" in nightly
    assert "restart: up 170.2 h (limit 168 h)" in nightly
    assert "夜间维护失败" in detail.text
    assert 'id="terminal-updating"' not in detail.text
    missing = staff_http.get(hall_server.base_url + "/dashboard/terminal?id=nobody")
    assert missing.status_code == 404


def test_a_terminal_installing_an_update_is_shown_so_on_both_pages(
    hall_server: HallUnderTest, tmp_path: Path
) -> None:
    staff_http = requests.Session()
    assert _log_in(staff_http, hall_server.base_url, add_staff(hall_server)).status_code == 303
    identity = hall_server.enrol(tmp_path / "terminal")
    beat = HeartbeatCreate(
        kiosk_id="kiosk-001", sent_at=dt.datetime.now(dt.UTC), app_version="0.1.0", outbox_depth=0
    )
    with HallClient(hall_server.base_url, identity=identity) as terminal:
        terminal.heartbeat(beat.model_copy(update={"updating": "0.2.0"}))
        detail = staff_http.get(hall_server.base_url + "/dashboard/terminal?id=kiosk-001")
        fleet_page = staff_http.get(hall_server.base_url + "/dashboard")
        assert "正在更新至 0.2.0" in detail.text and 'id="terminal-updating"' in detail.text
        row = fleet_page.text[fleet_page.text.index('data-kiosk="kiosk-001"') :]
        assert 'data-updating="0.2.0"' in row[: row.index("</tr>")]
        # Back on its release (or the new one): the next beat clears it.
        terminal.heartbeat(beat.model_copy(update={"sent_at": dt.datetime.now(dt.UTC)}))
    detail = staff_http.get(hall_server.base_url + "/dashboard/terminal?id=kiosk-001")
    assert 'id="terminal-updating"' not in detail.text
