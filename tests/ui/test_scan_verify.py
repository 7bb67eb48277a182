"""Scanning codes on the whole terminal: certificates checked offline, receipts, unknown codes.

The terminal is built by its composition root with the embedded hall over loopback and the
simulated camera; each code is a real QR image shown to that camera and read by the real decoder
chain on the scanner's thread. The certificates are signed here with keys made by the test; the
terminal knows the first key from its key cache on disk, as it would after a refresh.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from devices.idcard.demo_cards import demo_card
from hall.schema import CertificateClaims, canonical_json, encode_certificate_qr
from hall.seed import DEMO_PEOPLE
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from tests.fixtures.hall import demo_applicant, make_submission, new_idempotency_key

WAIT = 15_000
KID = "test-hall-2026"
HOLDER = "赵德明"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path, key: Ed25519PrivateKey) -> Iterator[KioskApp]:
    """The terminal, knowing ``key`` as the hall key ``KID``; certificates go to a folder."""
    with started_kiosk(qtbot, tmp_path, key, {"interval_s": 0.05}) as app:
        yield app


@contextmanager
def started_kiosk(
    qtbot: QtBot, tmp_path: Path, key: Ed25519PrivateKey, scanner: dict[str, object]
) -> Iterator[KioskApp]:
    """Build and start the terminal with ``[devices.scanner]`` set to ``scanner``."""
    data = tmp_path / "data"
    data.mkdir()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    (data / "hall-keys.json").write_text(json.dumps({KID: raw.hex()}))
    settings = load_settings(
        None,
        storage={"data_dir": data},
        terminal={"full_screen": False, "tap_guard_ms": 0},
        devices={"document_printer": {"driver": "folder"}, "scanner": scanner},
        maintenance={"window": "off"},  # not the night's restart mid-test, whatever the hour
    )
    app = build_app(settings)
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    # The hall's own keys arrive too: the refresh worker is done with the hall client.
    qtbot.waitUntil(lambda: len(app.keys()) > 1, timeout=WAIT)
    try:
        yield app
    finally:
        app.stop()


def certificate(
    sign_with: Ed25519PrivateKey,
    *,
    kid: str = KID,
    exp: dt.date | None = None,
    item: str = "elder-card",
    version: int = 2,
) -> str:
    claims = CertificateClaims(
        v=version,
        kid=kid,
        cid="ZS-20261122-00042",
        case="K001-20261122-00042",
        item=item,
        name=HOLDER,
        idm="110105********1221",
        iat=dt.date(2026, 11, 22),
        exp=exp,
        ttl="老年人优待证",
        iss="区民政局",
        f=(("姓名", HOLDER), ("性别", "男"), ("证件号码", "110105********1221")),
    )
    if version == 1:
        v1 = claims.model_dump(mode="json", exclude={"ttl", "iss", "f"})
        body = canonical_json(v1)
        return f"ZWCERT1.{_b64(body)}.{_b64(sign_with.sign(body))}"
    return encode_certificate_qr(claims, sign_with.sign, base_url="https://zwfw.example.gov.cn")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _show(kiosk: KioskApp, payload: str) -> None:
    """Hold a code up to the camera."""
    image = np.asarray(qrcode.make(payload, box_size=4).get_image().convert("L"), dtype=np.uint8)
    assert kiosk.still_camera is not None
    kiosk.still_camera.show(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _scan_certificate(qtbot: QtBot, kiosk: KioskApp, payload: str) -> str:
    with qtbot.waitSignal(kiosk.controller.certificate_checked, timeout=WAIT) as checked:
        _show(kiosk, payload)
    assert kiosk.window.current_screen() is kiosk.window.verify
    status: str = checked.args[0]
    return status


def test_a_genuine_certificate_at_the_attract_screen_gets_its_check_screen(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    w = kiosk.window
    assert w.current_screen() is w.attract
    assert _scan_certificate(qtbot, kiosk, certificate(key)) == "genuine"
    shown = w.verify.visible_text()
    assert w.verify.verdict.objectName() == "outcomeOk"
    # Chinese first, English too, in plain words.
    assert w.verify.verdict.text() == "✓ 真实有效" and w.verify.verdict_other.text() == "✓ Genuine"
    assert "没有被改动过" in shown and "逐项核对" in shown
    assert "ZS-20261122-00042" in shown and "2026-11-22" in shown and "长期有效" in shown
    # Every signed printed value, to compare with the paper: title, issuer, each row.
    assert "老年人优待证" in shown and "区民政局" in shown
    assert "性别" in shown and "男" in shown
    assert "赵*明" in shown and HOLDER not in shown
    assert "110105********1221" in shown

    _click(qtbot, w.header.language_button)
    assert w.verify.verdict.text() == "✓ Genuine" and w.verify.verdict_other.text() == "✓ 真实有效"
    assert "Sex" in w.verify.visible_text() and "Issued by" in w.verify.visible_text()
    _click(qtbot, w.header.language_button)

    _click(qtbot, w.verify.back_button)
    # The check was a journey of its own: the 好差评 rating follows, as after every journey.
    assert w.current_screen() is w.rate
    assert "ZS-20261122-00042" not in w.verify.visible_text()
    _click(qtbot, w.rate.skip_button)
    assert w.current_screen() is w.attract


def test_a_tampered_certificate_says_so_and_repeats_none_of_its_claims(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    genuine = certificate(key)
    other = certificate(key, exp=dt.date(2099, 1, 1))  # claims of another, signed
    forged = f"{other.split('&s=')[0]}&s={genuine.split('&s=')[1]}"
    assert _scan_certificate(qtbot, kiosk, forged) == "tampered"
    w = kiosk.window
    assert w.verify.verdict.objectName() == "outcomeBad"
    shown = w.verify.visible_text()
    assert "核验未通过" in shown and "Failed the check" in shown
    assert "可能被改动过" in shown
    assert "ZS-20261122-00042" not in shown and "赵*明" not in shown
    assert not w.verify.frame.isVisible()


def test_an_expired_certificate_is_real_but_no_longer_valid(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert _scan_certificate(qtbot, kiosk, certificate(key, exp=yesterday)) == "expired"
    shown = kiosk.window.verify.visible_text()
    assert "已过有效期" in shown and "Expired" in shown
    assert yesterday.isoformat() in shown


def test_an_old_format_certificate_is_recognised_and_not_called_genuine(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    assert _scan_certificate(qtbot, kiosk, certificate(key, version=1)) == "outdated"
    w = kiosk.window
    shown = w.verify.visible_text()
    assert "旧版证明" in shown and "Old format" in shown and "重新打印" in shown
    assert "真实有效" not in shown
    assert "ZS-20261122-00042" in shown and "赵*明" in shown


def test_a_certificate_signed_with_a_key_we_do_not_know(qtbot: QtBot, kiosk: KioskApp) -> None:
    stranger = Ed25519PrivateKey.generate()
    payload = certificate(stranger, kid="somebody-else")
    assert _scan_certificate(qtbot, kiosk, payload) == "unknown_key"
    w = kiosk.window
    shown = w.verify.visible_text()
    assert "暂时无法核验" in shown and "Cannot be checked here" in shown
    assert "ZS-20261122-00042" not in shown


def test_a_certificate_scanned_on_the_progress_screen_goes_back_there(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    assert w.current_screen() is w.progress
    assert _scan_certificate(qtbot, kiosk, certificate(key)) == "genuine"
    # Still holding the certificate up, the citizen goes back: it is not checked again.
    _click(qtbot, w.verify.back_button)
    assert w.current_screen() is w.progress


def test_a_receipt_at_the_attract_screen_shows_the_case_progress(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    person = DEMO_PEOPLE[0].resident.name
    submission = make_submission("sole-proprietor-registration", demo_applicant(person))
    # Sent by this terminal: the hall takes a submission only under the signer's own id.
    submission = submission.model_copy(update={"kiosk_id": kiosk.settings.terminal.id})
    kiosk.client.submit(submission, new_idempotency_key())
    w = kiosk.window
    # Receipts carry the public page's URL now: the terminal reads the case number out of it.
    _show(kiosk, f"https://zwfw.example.gov.cn/verify?case={submission.case_number}")
    qtbot.waitUntil(lambda: w.progress.progress is not None, timeout=WAIT)
    assert w.current_screen() is w.progress
    progress = w.progress.progress
    assert progress is not None and progress.case_number == submission.case_number
    assert submission.case_number in w.progress.visible_text()


def test_an_unknown_case_number_is_not_found(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    _show(kiosk, "K001-20261122-99999")
    qtbot.waitUntil(w.progress.error.isVisible, timeout=WAIT)
    assert w.current_screen() is w.progress
    assert "没有找到这个办件" in w.progress.error.text()


def test_an_unknown_code_at_the_attract_screen_gets_a_plain_message(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _show(kiosk, "https://pay.example.invalid/qr/123")
    qtbot.waitUntil(w.attract.error.isVisible, timeout=WAIT)
    assert w.current_screen() is w.attract
    assert "不是本中心的回执或证明" in w.attract.error.text()


def test_codes_are_not_taken_while_the_citizen_is_in_a_journey(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    scanner = kiosk.controller.services.code_scanner
    assert not scanner.enabled  # off for the journey: a code held up now is not taken
    _click(qtbot, w.choose.home_button)
    qtbot.waitUntil(lambda: w.current_screen() is w.attract, timeout=WAIT)
    assert scanner.enabled  # and on again at the attract screen


def test_a_receipt_still_in_view_after_going_back_does_not_reopen_the_progress_screen(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    _show(kiosk, "K001-20261122-99998")
    qtbot.waitUntil(w.progress.error.isVisible, timeout=WAIT)  # "not found": it was read
    _click(qtbot, w.progress.back_button)
    assert w.current_screen() is w.rate  # rated as every journey, then the attract screen
    assert not kiosk.controller.services.code_scanner.enabled
    _click(qtbot, w.rate.skip_button)
    assert w.current_screen() is w.attract
    assert kiosk.controller.services.code_scanner.enabled
    # The receipt is still held up; the citizen lays a card down next and is not sent back.
    assert kiosk.card_simulator is not None
    kiosk.card_simulator.insert(demo_card("adult"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)


@pytest.mark.parametrize("elder", [False, True])
def test_a_full_certificate_check_fits_the_screen_with_every_signed_row(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey, tmp_path: Path, elder: bool
) -> None:
    rows = (
        ("姓名", "李建国"),
        ("公民身份号码", "110108********3012"),
        ("参保单位", "北京中关村科技有限公司"),
        ("参保险种", "企业职工基本养老保险、职工基本医疗保险、失业保险、工伤保险"),
        ("参保起始年月", "2013-07"),
        ("累计缴费月数", "160"),
        ("参保状态", "正常参保"),
        ("有效期至", "2099-02-20"),
    )
    claims = CertificateClaims(
        kid=KID,
        cid="SB2026112200042",
        case="K001-20261122-00042",
        item="si-insured-certificate",
        name="李建国",
        idm="110108********3012",
        iat=dt.date(2026, 11, 22),
        exp=dt.date(2099, 2, 20),
        ttl="社会保险个人参保证明",
        iss="区人力资源和社会保障局",
        f=rows,
    )
    payload = encode_certificate_qr(claims, key.sign, base_url="https://zwfw.example.gov.cn")
    assert _scan_certificate(qtbot, kiosk, payload) == "genuine"
    w = kiosk.window
    w.set_elder_mode(elder)
    for language in ("zh", "en"):
        qtbot.waitUntil(lambda: w.verify.back_button.isVisible(), timeout=WAIT)
        seen = ""
        for page in range(4):
            qtbot.wait(50)  # the rows are laid out
            bottom = w.verify.back_button.mapTo(w, w.verify.back_button.rect().bottomLeft()).y()
            assert bottom <= w.height(), (language, bottom, w.height())
            # Paged to fit, not grown past the panel (the buttons would then be off it).
            assert w.size().toTuple() == (1920, 1080), w.size()
            # Nothing is squeezed: every text gets the height its wrapped lines need.
            for text in [w.verify.advice, *w.verify.frame.findChildren(QLabel)]:
                if text.isVisible() and text.wordWrap():
                    assert text.height() >= text.heightForWidth(text.width()) - 1, text.text()
            mode = "elder" if elder else "standard"
            w.grab().save(str(tmp_path / f"verify-{language}-{mode}-{page}.png"))
            seen += w.verify.visible_text()
            more = w.verify.more_button
            if not more.isVisible() or more.text() in ("回到第一页", "First values"):
                break
            _click(qtbot, more)
        # Every signed value was on the screen, on one card or across pages.
        assert "160" in seen and "北京中关村科技有限公司" in seen and "李*国" in seen
        assert "区人力资源和社会保障局" in seen and "2099-02-20" in seen
        assert ("Months paid" in seen) == (language == "en")
        assert w.verify.more_button.isVisible() == elder  # a full card needs pages in elder mode
        _click(qtbot, w.header.language_button)


def test_a_certificate_check_is_rated_as_its_own_journey(
    qtbot: QtBot, kiosk: KioskApp, key: Ed25519PrivateKey
) -> None:
    w = kiosk.window
    events = kiosk.controller.services.events
    assert events is not None
    posted: list[tuple[str, dict[str, object]]] = []
    real_post = events.post

    def post(kind: str, payload: dict[str, object]) -> str:
        posted.append((kind, dict(payload)))
        return real_post(kind, payload)

    events.post = post  # type: ignore[method-assign]
    assert _scan_certificate(qtbot, kiosk, certificate(key)) == "genuine"
    _click(qtbot, w.verify.back_button)
    assert w.current_screen() is w.rate
    with qtbot.waitSignal(kiosk.controller.session_wiped, timeout=WAIT):
        _click(qtbot, w.rate.level_buttons[5])
    qtbot.waitUntil(lambda: len(posted) == 1, timeout=WAIT)
    kind, payload = posted[0]
    assert kind == "rating" and payload["journey"] == "verify" and payload["level"] == 5
    assert payload["item_id"] is None and payload["case_number"] is None  # nothing applied for
    assert w.current_screen() is w.attract


def test_progress_opened_and_left_without_asking_goes_straight_back(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    """Nothing was asked, so there is nothing to rate: back is the attract screen at once."""
    w = kiosk.window
    _click(qtbot, w.attract.progress_button)
    assert w.current_screen() is w.progress
    _click(qtbot, w.progress.back_button)
    assert w.current_screen() is w.attract
    assert kiosk.controller.session.step.name == "ATTRACT"
    # A question asked on the next visit ends with the rating again.
    _show(kiosk, "K001-20261122-99997")
    qtbot.waitUntil(w.progress.error.isVisible, timeout=WAIT)
    _click(qtbot, w.progress.back_button)
    assert w.current_screen() is w.rate
