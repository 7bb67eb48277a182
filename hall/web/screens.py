"""``kiosk-hall demo-screens OUT``: a demo hall with a day's sample work, photographed.

A throw-away hall (SQLite in a temporary folder, the demo residents seeded) takes what a small
fleet sends it, the real way: six terminals enrol with one-time codes and sign their heartbeats,
submissions, ratings and a citizen's call (RFC 9421, ``hall.httpsig``); one falls silent. A staff
member then logs in through the login form in Debian's chromium (Playwright) and the dashboard,
the daily table, the big screen and one terminal's page are written to ``OUT`` as PNG files.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall import fleet as fleet_api
from hall import httpsig
from hall.embedded import EmbeddedHall
from hall.schema import (
    ENROLMENTS_PATH,
    EVENTS_PATH,
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    STAFF_CALLS_PATH,
    SUBMISSIONS_PATH,
)
from hall.seed import DEMO_PEOPLE
from hall.settings import HallSettings
from hall.staff import StaffService

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = ("dashboard.png", "daily-table.png", "bigscreen.png", "terminal.png")

_SITES = (
    ("A01", "市民中心一楼大厅"),
    ("A02", "市民中心二楼"),
    ("B01", "东城区政务服务中心"),
    ("C01", "万达广场便民点"),
    ("D01", "工商银行营业部"),
    ("E01", "科技园写字楼"),
)
_SILENT = "E01"
"""This terminal beats once with a short interval, then falls silent: the page shows it offline."""


@dataclass
class _Terminal:
    kiosk_id: str
    key_id: str
    key: Ed25519PrivateKey
    serial: int = 0


class _Fleet:
    """Terminals that talk to the demo hall over HTTP with signed requests."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def enrol(self, hall: EmbeddedHall, kiosk_id: str, site: str) -> _Terminal:
        key = Ed25519PrivateKey.generate()
        body = {
            "code": hall.enrolment_code(kiosk_id, site=site),
            "public_key_b64": base64.b64encode(httpsig.public_key_raw(key)).decode(),
        }
        answer = self.http.post(self.base_url + ENROLMENTS_PATH, json=body, timeout=10)
        answer.raise_for_status()
        return _Terminal(kiosk_id, answer.json()["key_id"], key)

    def post(
        self, terminal: _Terminal, path: str, payload: dict[str, Any], **headers: str
    ) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        signed = httpsig.sign_request(
            "POST", path, "", body, terminal.key, terminal.key_id, time.time()
        )
        answer = self.http.post(
            self.base_url + path,
            data=body,
            headers={"Content-Type": "application/json", **headers, **signed},
            timeout=30,
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def beat(self, terminal: _Terminal, **fields: Any) -> dict[str, Any]:
        beat: dict[str, Any] = {
            "kiosk_id": terminal.kiosk_id,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "app_version": "0.1.0",
            "catalog_version": "2026.11.22.4",
            "outbox_depth": 0,
            "devices": {"id_reader": "ok", "receipt_printer": "ok", "a4_printer": "ok"},
            "free_disk_bytes": 40 * 1024**3,
            "heartbeat_every_s": 60.0,
        }
        beat.update(fields)
        return self.post(terminal, HEARTBEATS_PATH, beat)

    def submit(
        self, terminal: _Terminal, item_id: str, person: int, visit: float, **extra: Any
    ) -> str:
        terminal.serial += 1
        resident = DEMO_PEOPLE[person].resident
        day = dt.date.today().strftime("%Y%m%d")
        case = f"{terminal.kiosk_id.replace('-', '')[:12]}-{day}-{terminal.serial:05d}"
        submission = {
            "case_number": case,
            "kiosk_id": terminal.kiosk_id,
            "item_id": item_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "applicant": {
                "card_type": "resident",
                "name": resident.name,
                "gender": resident.gender,
                "ethnicity": "汉",
                "birth_date": resident.birth_date.isoformat(),
                "address": resident.household_address,
                "id_number": resident.id_number,
                "issuing_authority": "公安局",
                "valid_from": "2018-05-20",
                "valid_to": "long-term",
            },
            "visit_seconds": visit,
            **extra,
        }
        answer = self.post(
            terminal, SUBMISSIONS_PATH, submission, **{IDEMPOTENCY_HEADER: str(uuid.uuid4())}
        )
        return str(answer["status"])

    def rate(self, terminal: _Terminal, ratings: list[dict[str, Any]]) -> None:
        events = [
            {
                "event_id": uuid.uuid4().hex,
                "kind": "rating",
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "payload": {"reasons": [], "journey": "apply", **payload},
            }
            for payload in ratings
        ]
        self.post(terminal, EVENTS_PATH, {"events": events})


def _fill(hall: EmbeddedHall, fleet: _Fleet) -> dict[str, _Terminal]:
    terminals = {code: fleet.enrol(hall, f"HALL-{code}", site) for code, site in _SITES}
    fleet.beat(terminals[_SILENT], heartbeat_every_s=5.0)
    plan = [
        # (terminal, item, person, visit seconds, extra): 王秀英 0, 李建国 1, 陈美玲 2, 赵德明 3.
        ("A01", "elder-card", 0, 118.0, {}),
        ("A01", "si-insured-certificate", 3, 95.0, {}),
        ("A01", "si-insured-certificate", 2, 142.0, {}),
        ("A02", "elder-card", 1, 260.0, {}),
        ("A02", "si-insured-certificate", 3, 88.0, {}),
        ("B01", "sole-proprietor-registration", 3, 610.0, {"commitment": True}),
        ("B01", "sole-proprietor-registration", 0, 540.0, {}),
        ("B01", "elder-card", 0, 131.0, {}),
        ("C01", "si-insured-certificate", 3, 76.0, {}),
        ("C01", "elder-card", 0, 104.0, {}),
        ("D01", "sole-proprietor-registration", 1, 720.0, {"commitment": True}),
        ("D01", "si-insured-certificate", 3, 83.0, {}),
    ]
    for code, item, person, visit, extra in plan:
        fleet.submit(terminals[code], item, person, visit, **extra)
    fleet.rate(
        terminals["A01"],
        [
            {"level": 5, "item_id": "elder-card", "visit_seconds": 118.0},
            {"level": 5, "item_id": "si-insured-certificate"},
            {"level": 4, "item_id": "si-insured-certificate", "reasons": ["slow"]},
        ],
    )
    fleet.rate(
        terminals["B01"],
        [
            {"level": 3, "item_id": "sole-proprietor-registration", "reasons": ["unclear_steps"]},
            {"level": 5, "item_id": "elder-card"},
        ],
    )
    fleet.rate(
        terminals["C01"],
        [{"level": 5, "journey": "lookup", "visit_seconds": 45.0}, {"level": 2, "item_id": None}],
    )
    fleet.beat(terminals["A01"], outbox_depth=0)
    fleet.beat(terminals["A02"], outbox_depth=1, oldest_pending_age_s=42.0)
    fleet.beat(
        terminals["B01"],
        devices={"id_reader": "ok", "receipt_printer": "paper_low", "a4_printer": "ok"},
    )
    # The last 03:04 in Beijing time (19:04 UTC) that has passed.
    now = dt.datetime.now(dt.UTC)
    night_end = now.replace(hour=19, minute=4, second=31, microsecond=0)
    if night_end > now:
        night_end -= dt.timedelta(days=1)
    fleet.beat(
        terminals["C01"],
        devices={"id_reader": "ok", "receipt_printer": "offline", "a4_printer": "ok"},
        nightly={
            "night": (night_end + dt.timedelta(hours=8)).date().isoformat(),
            "started_at": (night_end - dt.timedelta(seconds=38)).isoformat(),
            "finished_at": night_end.isoformat(),
            "steps": {
                "checkpoint": "ok: WAL 0 bytes (0.0 s)",
                "vacuum": "skipped: few free pages (3% free of 1.2 MB) (0.0 s)",
                "retention": "ok: 14 records purged (0.1 s)",
                "catalog": "ok: catalog 2026.11 (unchanged) (0.2 s)",
                "self_test": "failed: receipt_printer",
            },
            "self_test": {
                "id_reader": "ok",
                "camera": "ok",
                "receipt_printer": "fail: no answer from 192.168.1.40:9100",
                "document_printer": "ok",
                "disk": "ok: 41.2 GB free",
            },
            "restart": "",
        },
    )
    fleet.beat(terminals["D01"], outbox_depth=3, oldest_pending_age_s=4200.0)
    fleet.post(
        terminals["A02"],
        STAFF_CALLS_PATH,
        {
            "kiosk_id": terminals["A02"].kiosk_id,
            "call_id": "demo-call-0001",
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    return terminals


def write_demo_screens(out: Path) -> int:
    """Make the demo hall, photograph its pages into ``out``; returns the exit status."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.stderr.write("kiosk-hall: demo-screens needs Playwright (pip install '.[dev]')\n")
        return 2
    if not CHROMIUM.exists():
        sys.stderr.write(
            "kiosk-hall: demo-screens needs Debian's chromium (apt-get install chromium)\n"
        )
        return 2
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hall-demo-") as folder:
        data = Path(folder)
        settings = HallSettings(
            data_dir=data,
            database_url=f"sqlite:///{data / 'hall.db'}",
            signing_key_path=data / "signing-key.pem",
            port=0,
            seed_demo_data=True,
        )
        hall = EmbeddedHall(settings)
        hall.start()
        try:
            started = time.monotonic()
            fleet = _Fleet(hall.base_url)
            terminals = _fill(hall, fleet)
            password = secrets.token_urlsafe(18)
            db = hall.app.state.database
            StaffService(db).add("zhang.wei", password)
            with db.write() as session:
                fleet_api.queue_command(
                    session,
                    terminals["C01"].kiosk_id,
                    "print_test_page",
                    "zhang.wei",
                    now=dt.datetime.now(dt.UTC),
                )
            # The silent terminal counts as offline three 5 s beats after its only one.
            time.sleep(max(0.0, 16.0 - (time.monotonic() - started)))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                try:
                    _photograph(browser, hall.base_url, "zhang.wei", password, out)
                finally:
                    browser.close()
            fleet.http.close()
        finally:
            hall.stop()
    for name in SCREENS:
        sys.stdout.write(f"{out / name}\n")
    return 0


def _photograph(browser: Any, base_url: str, name: str, password: str, out: Path) -> None:
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(base_url + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/dashboard")
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    page.goto(base_url + "/dashboard/terminal?id=HALL-C01")
    page.screenshot(path=str(out / "terminal.png"), full_page=True)
    page.goto(base_url + "/dashboard/daily")
    page.wait_for_selector("#chart-hourly canvas")
    page.screenshot(path=str(out / "daily-table.png"), full_page=True)
    cookies = context.cookies()
    context.close()
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    wall.add_cookies(cookies)
    screen = wall.new_page()
    screen.goto(base_url + "/dashboard/bigscreen")
    screen.wait_for_selector("#bs-hourly canvas")
    screen.screenshot(path=str(out / "bigscreen.png"))
    wall.close()
