"""The staff's pages in a real browser (Debian's chromium through Playwright) on a real hall.

A terminal enrolled the real way sends signed heartbeats and submissions over loopback; staff log
in through the login form and read what the hall made of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete

from hall.schema import (
    STAFF_CALL_PATH,
    STAFF_CALLS_PATH,
    CommandAck,
    HeartbeatCreate,
    StaffCallCreate,
    StaffCallPublic,
)
from hall.staff import StaffSession
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity
from tests.fixtures.browser import StaffAccount, log_in
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    make_submission,
    new_idempotency_key,
)


@pytest.fixture
def terminal(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> Iterator[HallClient]:
    """A signed client of ``kiosk-001`` (enrolled with ``hall_server``)."""
    with HallClient(hall_server.base_url, identity=terminal_identity) as client:
        yield client


def _beat(**fields: object) -> HeartbeatCreate:
    values: dict[str, object] = {
        "kiosk_id": "kiosk-001",
        "sent_at": dt.datetime.now(dt.UTC),
        "app_version": "0.1.0",
        "catalog_version": "2026.11.22.4",
        "outbox_depth": 2,
        "oldest_pending_age_s": 95.0,
        "devices": {"id_reader": "ok", "receipt_printer": "ok"},
    }
    values.update(fields)
    return HeartbeatCreate.model_validate(values)


def _reload_until(page: Page, ready: Callable[[], bool], attempts: int = 60) -> None:
    """Reload a server-rendered page until ``ready`` holds (bounded by attempts, not time)."""
    for _ in range(attempts):
        if ready():
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError("the page never showed what was expected")


def test_a_caller_without_a_session_is_sent_to_login_and_back_after_it(
    browser: Browser, hall_server: HallUnderTest, staff_account: StaffAccount
) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(hall_server.base_url + "/dashboard/daily?day=2026-11-22")
        assert page.url.startswith(hall_server.base_url + "/login?next=")
        expect(page.locator("h1")).to_contain_text("工作人员登录")
        page.fill("#name", staff_account.name)
        page.fill("#password", "not the password")
        page.click("button[type=submit]")
        expect(page.locator(".alert-box")).to_contain_text("用户名或密码不正确")
        page.fill("#password", staff_account.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard/daily?day=2026-11-22")
        expect(page.locator("#daily-day")).to_have_text("2026-11-22")
        cookie = next(c for c in context.cookies() if c["name"] == "hall_staff")
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Strict"
        # Logging out ends the session on the server: the old page needs a login again.
        page.click("form.logout button")
        page.wait_for_url("**/login")
        page.goto(hall_server.base_url + "/dashboard")
        assert "/login?next=" in page.url
    finally:
        context.close()


def test_staff_see_a_terminal_beat_then_go_offline(
    staff_page: Page, hall_server: HallUnderTest, terminal: HallClient
) -> None:
    # A 5 s beat interval (the shortest the hall honours): offline after three missed beats.
    terminal.heartbeat(
        _beat(heartbeat_every_s=5.0, devices={"id_reader": "ok", "receipt_printer": "offline"})
    )
    staff_page.goto(hall_server.base_url + "/dashboard")
    row = staff_page.locator("#fleet tr[data-kiosk='kiosk-001']")
    expect(row).to_have_attribute("data-status", "degraded")
    expect(row).to_contain_text("设备故障")
    expect(row).to_contain_text("0.1.0")
    expect(staff_page.locator("#alerts tr[data-kind='device_failed']")).to_contain_text(
        "receipt_printer: offline"
    )
    terminal.heartbeat(_beat(heartbeat_every_s=5.0))
    staff_page.reload()
    expect(row).to_have_attribute("data-status", "ok")
    expect(staff_page.locator("#fleet-ok")).to_have_text("1")
    # The terminal falls silent: after three missed beats the page says so.
    _reload_until(staff_page, lambda: row.get_attribute("data-status") == "offline", attempts=120)
    expect(row).to_contain_text("离线")
    expect(staff_page.locator("#fleet-offline")).to_have_text("1")
    staff_page.select_option("#fleet-filters select[name=status]", "ok")
    staff_page.click("#fleet-filters button")
    expect(staff_page.locator("#fleet tbody")).to_contain_text("没有终端")


def test_staff_acknowledge_a_citizens_call_and_the_terminal_sees_it(
    staff_page: Page, hall_server: HallUnderTest, terminal: HallClient
) -> None:
    terminal.heartbeat(_beat())
    call = StaffCallCreate(
        kiosk_id="kiosk-001", call_id="call-0001-abcd", sent_at=dt.datetime.now(dt.UTC)
    )
    raised = terminal._request(
        "POST",
        STAFF_CALLS_PATH,
        data=call.model_dump_json().encode(),
        headers={"Content-Type": "application/json"},
    )
    assert raised.status_code == 201
    staff_page.goto(hall_server.base_url + "/dashboard")
    alert = staff_page.locator("#alerts tr[data-kind='staff_called']")
    expect(alert).to_contain_text("呼叫工作人员")
    expect(alert).to_contain_text("kiosk-001")
    expect(staff_page.locator("#alert-count")).to_have_text("1")
    alert.locator("button").click()
    expect(staff_page.locator("#notice")).to_contain_text("告警已确认")
    expect(staff_page.locator("#alerts tr[data-kind='staff_called']")).to_have_count(0)
    answer = terminal._request("GET", STAFF_CALL_PATH.format(call_id=call.call_id))
    seen = StaffCallPublic.model_validate_json(answer.content)
    assert seen.acknowledged_at is not None


def test_staff_send_a_command_that_goes_out_with_the_next_beat(
    staff_page: Page, hall_server: HallUnderTest, terminal: HallClient
) -> None:
    terminal.heartbeat(_beat())
    staff_page.reload()
    row = staff_page.locator("#fleet tr[data-kiosk='kiosk-001']")
    row.locator("select[name=kind]").select_option("print_test_page")
    row.locator("form.command button").click()
    expect(staff_page.locator("#notice")).to_contain_text("打印测试页")
    command = staff_page.locator("#commands tbody tr").first
    expect(command).to_have_attribute("data-state", "pending")
    expect(command).to_contain_text("duty-officer")
    answer = terminal.heartbeat(_beat())
    assert [c.kind for c in answer.commands] == ["print_test_page"]
    done = CommandAck(command_id=answer.commands[0].command_id, status="done")
    terminal.heartbeat(_beat(command_acks=[done.model_dump()]))
    staff_page.reload()
    expect(staff_page.locator("#commands tbody tr").first).to_have_attribute("data-state", "done")


def test_staff_read_the_daily_table_of_what_terminals_sent(
    staff_page: Page, hall_server: HallUnderTest, terminal: HallClient, tmp_path: Path
) -> None:
    approved = terminal.submit(
        make_submission("elder-card", demo_applicant("王秀英")), new_idempotency_key()
    )
    refused = terminal.submit(
        make_submission("elder-card", demo_applicant("李建国")), new_idempotency_key()
    )
    assert (approved.status, refused.status) == ("approved", "refused")
    staff_page.goto(hall_server.base_url + "/dashboard/daily")
    expect(staff_page.locator("#total-submissions")).to_have_text("2")
    item = staff_page.locator("#by-item tbody tr", has_text="老年人优待证申领")
    cells = item.locator("td")
    expect(cells.nth(1)).to_have_text("2")  # submitted
    expect(cells.nth(2)).to_have_text("1")  # instant approvals
    expect(cells.nth(3)).to_have_text("1")  # refusals
    expect(staff_page.locator("#by-terminal tbody")).to_contain_text("kiosk-001")
    # The hourly chart is drawn by the vendored uPlot, served by the hall itself.
    expect(staff_page.locator("#chart-hourly canvas")).to_have_count(1)
    with staff_page.expect_download() as download:
        staff_page.click("#export-xlsx")
    saved = tmp_path / "daily.xlsx"
    download.value.save_as(saved)
    from openpyxl import load_workbook

    sheet = load_workbook(saved).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    item_row = next(row for row in rows if row[1] == "elder-card")
    assert item_row[3:6] == [2, 1, 1]
    # An older day is there too, empty.
    staff_page.fill("input[name=day]", "2026-01-05")
    staff_page.click("form.filters button[type=submit]")
    expect(staff_page.locator("#daily-day")).to_have_text("2026-01-05")
    expect(staff_page.locator("#total-submissions")).to_have_text("0")


def test_a_form_with_a_wrong_csrf_token_changes_nothing(
    staff_page: Page, hall_server: HallUnderTest
) -> None:
    staff_page.eval_on_selector("form.logout input[name=csrf]", "el => el.value = 'forged'")
    staff_page.click("form.logout button")
    expect(staff_page.locator("h1")).to_contain_text("请求被拒绝")
    # Still logged in: the refused logout did not end the session.
    staff_page.goto(hall_server.base_url + "/dashboard")
    expect(staff_page.locator("form.logout")).to_be_visible()


def test_the_big_screen_shows_today_and_refreshes_itself(
    browser: Browser, hall_server: HallUnderTest, staff_account: StaffAccount, terminal: HallClient
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, hall_server.base_url, staff_account)
        terminal.heartbeat(_beat())
        page.clock.install()
        page.goto(hall_server.base_url + "/dashboard/bigscreen")
        expect(page.locator("#bs-submissions")).to_have_text("0")
        expect(page.locator("#bs-online")).to_have_text("1/1")
        terminal.submit(
            make_submission("elder-card", demo_applicant("王秀英")), new_idempotency_key()
        )
        expect(page.locator("#bs-submissions")).to_have_text("0")
        # No reload: the page's own 15 s refresh (on the page's fake clock) brings the case in.
        page.clock.run_for(16_000)
        expect(page.locator("#bs-submissions")).to_have_text("1")
        expect(page.locator("#bs-activity")).to_contain_text("老年人优待证申领")
        expect(page.locator("#bs-activity")).to_contain_text("即办通过")
        box = page.locator(".bs-frame").bounding_box()
        assert box is not None and (box["width"], box["height"]) == (1920, 1080)
    finally:
        context.close()


def test_the_big_screen_marks_its_figures_old_when_it_cannot_refresh(
    browser: Browser, hall_server: HallUnderTest, staff_account: StaffAccount
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, hall_server.base_url, staff_account)
        page.clock.install()
        page.goto(hall_server.base_url + "/dashboard/bigscreen")
        expect(page.locator("#bs-state")).to_contain_text("每15秒刷新")
        # The session ends on the server (say, its 12 hours ran out): the wall keeps its figures
        # but says they are no longer current, rather than going blank or pretending.
        db = hall_server.database()
        try:
            with db.write() as session:
                session.execute(delete(StaffSession))
        finally:
            db.dispose()
        page.clock.run_for(16_000)
        expect(page.locator("#bs-state")).to_contain_text("登录已过期")
        expect(page.locator(".bs-clock")).to_have_class(re.compile("stale"))
        expect(page.locator("#bs-submissions")).to_have_text("0")
    finally:
        context.close()


def test_staff_set_a_terminals_desired_configuration_and_see_it_applied(
    staff_page: Page, hall_server: HallUnderTest, terminal: HallClient
) -> None:
    terminal.heartbeat(_beat())
    staff_page.goto(hall_server.base_url + "/dashboard")
    staff_page.click("#fleet a:has-text('kiosk-001')")
    expect(staff_page.locator("#terminal-id")).to_contain_text("kiosk-001")
    form = staff_page.locator("form.config-form")
    # Out of range: refused with the field's name, nothing saved.
    form.locator("input[name=idle_warning_s]").fill("5")
    form.locator("button[type=submit]").click()
    expect(staff_page.locator("main")).to_contain_text("idle_warning_s")
    assert terminal.heartbeat(_beat()).desired is None
    staff_page.go_back()
    form.locator("input[name=idle_warning_s]").fill("90")
    form.locator("select[name=language]").select_option("en")
    form.locator("input[name=items_mode][value=some]").check()
    form.locator("input[name=enabled_items][value=elder-card]").check()
    form.locator("button[type=submit]").click()
    expect(staff_page.locator("#config-saved")).to_be_visible()
    expect(staff_page.locator("#config-state")).to_contain_text("未同步")
    desired = terminal.heartbeat(_beat()).desired
    assert desired is not None
    assert (desired.config.idle_warning_s, desired.config.language) == (90, "en")
    assert desired.config.enabled_items == ["elder-card"]
    terminal.heartbeat(_beat(config_version=desired.version))
    staff_page.reload()
    expect(staff_page.locator("#config-state")).to_contain_text("已同步")
    expect(form.locator("input[name=idle_warning_s]")).to_have_value("90")
