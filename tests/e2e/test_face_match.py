"""Face match (人证核验) on the real widgets: the simulated card carries a JPEG photo, the
simulated face camera shows a face photo (a person turning their head, or a photo held up),
and dlib's engine judges on the face worker (see conftest for the rest of the terminal)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from devices.a4.cupsd import CupsSetup
from devices.idcard.demo_cards import DEMO_LIVE_FACES, FACES_DIR, demo_card
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.ui.screens.face import PREVIEW_SIZE
from kiosk.ui.strings import tr

WAIT = 90_000
REQUIRED = "no-criminal-record-certificate"
OPTIONAL = "tax-payment-certificate"


@pytest.fixture
def kiosk(
    qtbot: QtBot, tmp_path: Path, cups_pdf: CupsSetup, request: pytest.FixtureRequest
) -> Iterator[KioskApp]:
    """The terminal with face match on; a try lasts ``request.param`` seconds (default 60: a
    busy CI machine judges a frame in well under a second; tests of failures ask for 3)."""
    attempt_timeout = float(getattr(request, "param", 60.0))
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        terminal={"full_screen": False, "tap_guard_ms": 0},
        devices={"id_reader": {"poll_interval_s": 0.1}},
        ocr={"check_materials": False},
        voice={"engine": "none"},
        face={"attempt_timeout_s": attempt_timeout, "frame_interval_s": 0.05},
        maintenance={"window": "off"},  # not the night's restart mid-test, whatever the hour
    )
    app = build_app(settings)
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    qtbot.waitUntil(lambda: app.keys() != {}, timeout=10_000)
    try:
        yield app
    finally:
        app.stop()


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _to_face(
    qtbot: QtBot,
    kiosk: KioskApp,
    card_key: str,
    item_id: str,
    face: str | None,
    *,
    moving: bool = True,
) -> None:
    w = kiosk.window
    assert kiosk.card_simulator is not None and kiosk.face_still is not None
    if face is not None:
        kiosk.face_still.show_file(FACES_DIR / f"{face}.jpg", moving=moving)
    kiosk.card_simulator.insert(kiosk.card_simulator.demo_card(card_key))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _click(qtbot, w.choose.reveal(item_id))
    assert w.current_screen() is w.guide
    _click(qtbot, w.guide.start_button)
    assert w.current_screen() is w.face


def test_the_face_models_are_loaded_at_start_before_any_citizen(
    kiosk: KioskApp, qtbot: QtBot
) -> None:
    from kiosk.app import FaceCheckFactory

    factory = kiosk.controller.navigator.services.face_check
    assert isinstance(factory, FaceCheckFactory)
    # Nobody has come yet: the warm-up at start loads them on the face worker.
    qtbot.waitUntil(lambda: factory.loaded, timeout=WAIT)
    assert kiosk.controller.session.card is None


def test_the_card_holder_passes_and_goes_on(qtbot: QtBot, kiosk: KioskApp) -> None:
    w = kiosk.window
    with qtbot.waitSignal(kiosk.controller.face.face_checked, timeout=WAIT) as checked:
        _to_face(qtbot, kiosk, "adult", REQUIRED, DEMO_LIVE_FACES["adult"])
    assert checked.args == ["passed"]
    qtbot.waitUntil(lambda: w.current_screen() is w.review, timeout=WAIT)
    assert kiosk.controller.session.face_match == "passed"


@pytest.mark.parametrize("kiosk", [3.0], indirect=True)
def test_someone_else_is_refused_three_times_then_handed_to_staff(
    qtbot: QtBot, kiosk: KioskApp, caplog: pytest.LogCaptureFixture
) -> None:
    w, face = kiosk.window, kiosk.window.face
    _to_face(qtbot, kiosk, "adult", REQUIRED, "biden")
    # The citizen sees the camera's picture, mirrored, to know where to stand.
    qtbot.waitUntil(lambda: not face.preview.pixmap().isNull(), timeout=WAIT)
    shown = face.preview.pixmap()
    assert (shown.width(), shown.height()) == PREVIEW_SIZE
    for left in (2, 1):
        qtbot.waitUntil(lambda: face.retry_button.isVisible(), timeout=WAIT)
        assert face.message.text() == tr("face_failed_mismatch", "zh")
        assert face.prompt.text() == tr("face_retry_prompt", "zh", n=left)
        _click(qtbot, face.retry_button)
    with qtbot.waitSignal(kiosk.controller.face.face_checked, timeout=WAIT) as checked:
        pass
    assert checked.args == ["failed"]
    assert w.current_screen() is w.ticket
    assert kiosk.controller.session.face_match == "failed"
    assert kiosk.controller.handoff._reason == "face_mismatch"
    # Nothing personal in the logs: no name, no ID number, no distance tied to a person.
    card = demo_card("adult")
    assert card.id_number not in caplog.text and card.name not in caplog.text
    # The wipe drops the check (its photo and embedding) and resets the screen.
    kiosk.controller.wipe()
    assert kiosk.controller.face._check is None
    assert face.state == "preparing"
    assert face.preview.pixmap().isNull()


@pytest.mark.parametrize("kiosk", [3.0], indirect=True)
def test_the_holders_photo_held_up_fails_liveness(qtbot: QtBot, kiosk: KioskApp) -> None:
    face = kiosk.window.face
    _to_face(qtbot, kiosk, "elder", REQUIRED, DEMO_LIVE_FACES["elder"], moving=False)
    # Asked for a turn (no blink model is named), then told the face matches but did not turn.
    qtbot.waitUntil(lambda: face.state == "looking", timeout=WAIT)
    assert face.prompt.text() == tr("face_look_turn", "zh")
    qtbot.waitUntil(lambda: face.hint.text() == tr("face_hint_turn", "zh"), timeout=WAIT)
    qtbot.waitUntil(lambda: face.retry_button.isVisible(), timeout=WAIT)
    assert face.message.text() == tr("face_failed_not_turned", "zh")
    assert face.hint.text() == ""
    # The bar ran and the time left was shown while it looked.
    assert kiosk.controller.session.face_match == ""


def test_nobody_at_the_camera_says_so_and_an_optional_check_can_be_skipped(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, face = kiosk.window, kiosk.window.face
    _to_face(qtbot, kiosk, "elder2", OPTIONAL, None)
    assert face.skip_button.isVisible()
    qtbot.waitUntil(lambda: face.hint.text() == tr("face_hint_no_face", "zh"), timeout=WAIT)
    assert face.preview.pixmap().isNull()  # no picture from the camera: no mirror either
    _click(qtbot, face.skip_button)
    qtbot.waitUntil(lambda: w.current_screen() is w.review, timeout=WAIT)
    assert kiosk.controller.session.face_match == "skipped"


def test_a_bundle_holding_a_required_item_requires_it(qtbot: QtBot, kiosk: KioskApp) -> None:
    face = kiosk.window.face
    with qtbot.waitSignal(kiosk.controller.face.face_checked, timeout=WAIT) as checked:
        _to_face(qtbot, kiosk, "adult", "new-job-bundle", DEMO_LIVE_FACES["adult"])
        assert not face.skip_button.isVisible()
    assert checked.args == ["passed"]


def test_collecting_a_certificate_matches_the_face_before_anything_is_listed(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    """Collecting prints the holder's papers: the face flow runs first, then the collect flow
    takes the item over (``item:certificate-collect``) and lists what is ready."""
    w = kiosk.window
    assert kiosk.card_simulator is not None and kiosk.face_still is not None
    kiosk.face_still.show_file(FACES_DIR / f"{DEMO_LIVE_FACES['elder']}.jpg", moving=True)
    kiosk.card_simulator.insert(kiosk.card_simulator.demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    with qtbot.waitSignal(kiosk.controller.face.face_checked, timeout=WAIT) as checked:
        _click(qtbot, w.choose.reveal("certificate-collect"))
        assert w.current_screen() is w.face
        assert not w.face.skip_button.isVisible()  # required for collecting
        assert not w.collect.buttons
    assert checked.args == ["passed"]
    with qtbot.waitSignal(kiosk.controller.collect.documents_shown, timeout=WAIT) as shown:
        pass
    assert shown.args[0] >= 1
    assert w.current_screen() is w.collect


@pytest.mark.parametrize("kiosk", [3.0], indirect=True)
def test_someone_else_cannot_collect_the_holders_certificates(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w, face = kiosk.window, kiosk.window.face
    assert kiosk.card_simulator is not None and kiosk.face_still is not None
    kiosk.face_still.show_file(FACES_DIR / "biden.jpg", moving=True)
    kiosk.card_simulator.insert(kiosk.card_simulator.demo_card("elder"))
    qtbot.waitUntil(lambda: w.current_screen() is w.choose, timeout=WAIT)
    _click(qtbot, w.choose.reveal("certificate-collect"))
    for _ in range(2):
        qtbot.waitUntil(lambda: face.retry_button.isVisible(), timeout=WAIT)
        _click(qtbot, face.retry_button)
    with qtbot.waitSignal(kiosk.controller.face.face_checked, timeout=WAIT) as checked:
        pass
    assert checked.args == ["failed"]
    assert w.current_screen() is w.ticket
    assert not w.collect.buttons  # nothing of the holder's was listed


def test_english_and_elder_mode(qtbot: QtBot, kiosk: KioskApp) -> None:
    face = kiosk.window.face
    face.set_language("en")
    assert face.title.text() == "Face check"
    face.set_elder(True)
    assert face.elder
    face.set_language("zh")
    assert face.title.text() == "人证核验"


def test_the_mirror_is_flipped_rgb_and_cut_to_the_preview() -> None:
    import numpy as np

    from kiosk.ui.flows.face import mirror

    frame = np.zeros((720, 1280, 3), np.uint8)
    frame[:, :640] = (255, 0, 0)  # BGR blue on the camera's left
    shown = mirror(frame)
    width, height = PREVIEW_SIZE
    assert shown.shape == (height, width, 3)
    # Mirrored: the camera's left is the screen's right, and blue is RGB (0, 0, 255); the 16:9
    # frame fits whole into the 4:3 preview, with a margin above and below.
    assert tuple(shown[height // 2, width - 10]) == (0, 0, 255)
    assert tuple(shown[height // 2, 10]) == (0, 0, 0)
    assert tuple(shown[5, width // 2]) == (0x1F, 0x29, 0x33)


class _StalledCamera:
    """The face camera on a machine so busy that its first frame takes as long as it likes."""

    def __init__(self, camera: object, gate: threading.Event) -> None:
        self._camera = camera
        self._gate = gate

    def grab(self) -> object:
        self._gate.wait(30)
        return self._camera.grab()  # type: ignore[attr-defined]

    def close(self) -> None:
        self._gate.set()


@pytest.mark.parametrize("kiosk", [3.0], indirect=True)
def test_a_try_runs_its_time_from_the_first_frame_judged(qtbot: QtBot, kiosk: KioskApp) -> None:
    face = kiosk.window.face
    gate = threading.Event()
    services = kiosk.controller.navigator.services
    services.face_camera = _StalledCamera(services.face_camera, gate)  # type: ignore[assignment]
    try:
        _to_face(qtbot, kiosk, "adult", REQUIRED, "biden")
        # Longer than a try with no frame judged: the try has not started, nothing failed.
        qtbot.wait(4000)
        assert not face.retry_button.isVisible() and face.state != "retry"
        gate.set()
        qtbot.waitUntil(lambda: not face.preview.pixmap().isNull(), timeout=WAIT)
        qtbot.waitUntil(lambda: face.retry_button.isVisible(), timeout=WAIT)
        assert face.message.text() == tr("face_failed_mismatch", "zh")
    finally:
        gate.set()
