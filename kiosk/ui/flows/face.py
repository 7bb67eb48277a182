"""Face match (人证核验): the citizen at the face camera against the card's photo.

Runs before an item that prints or decides personal data.

Offered as ``face`` (``nav.go("face", "materials")``: where to go once it passes, with any
arguments for it after the name, and ``item=`` when the item is not the session's, e.g.
``nav.go("face", "item:certificate-collect", item, item=item)``). The item's ``face_match``
says whether it runs (``kiosk.services.face.mode_for``); the card's photo is
decoded and embedded on the face worker, then a frame is judged every ``frame_interval_s``
until it matches (and the citizen blinked or turned), or the try times out. Three failed tries
hand the citizen to staff with a ticket saying face match failed; the check, the card photo and
its embedding are wiped with the session.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from devices.idcard.photo import PhotoUnavailableError
from hall.schema import ServiceItem
from kiosk.services.face import FaceCheck, FrameResult, Verdict, bundle_members, mode_for
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens.face import PREVIEW_SIZE

log = logging.getLogger(__name__)

_HINTS = {
    Verdict.NO_FACE: "face_hint_no_face",
    Verdict.LOOKS_ALIKE: "face_hint_turn",
    Verdict.MISMATCH: "face_hint_mismatch",
}
_BLINK_TOO = {"face_hint_turn": "face_hint_blink", "face_failed_not_turned": "face_failed_not_live"}
"""The words for a terminal where a blink counts as well as a turn (``[face] blink_model``)."""


class FaceFlow(QObject):
    """The face screen; offers ``face``."""

    face_checked = Signal(str)
    """``passed``, ``skipped``, ``failed`` or ``unavailable``, once decided."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the face screen and build the timers."""
        super().__init__(nav)
        self.nav = nav
        settings = nav.services.settings.face
        self._interval_ms = int(settings.frame_interval_s * 1000)
        self._timeout_s = settings.attempt_timeout_s
        self._check: FaceCheck | None = None
        self._next = ""
        self._next_args: tuple[Any, ...] = ()
        self._mode = "off"
        self._generation = 0
        self._looking = False
        self._grabbing = False
        self._deadline = 0.0
        self._timing = False
        self._seen: set[Verdict] = set()
        self._frames = QTimer(self)
        self._frames.setSingleShot(True)
        self._frames.timeout.connect(self._on_frames_timeout)
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._on_clock_timeout)
        w = nav.window
        w.face.retry_requested.connect(self._on_face_retry_requested)
        w.face.skip_requested.connect(self._on_face_skip_requested)
        w.face.cancel_requested.connect(nav.wipe)
        nav.provide("face", self._start)
        nav.hold_idle_while(lambda: self._looking)
        nav.on_wipe(self._wipe)

    def warm_up(self) -> None:
        """Load the face models on the face worker now.

        So the day's first citizen does not wait for them (about 0.5 s, seconds on a busy
        machine).
        """
        factory = self.nav.services.face_check
        if factory is None:
            return

        def load() -> None:
            factory().wipe()

        def failed(error: BaseException) -> None:
            log.warning("face match: models did not load at start (%s)", error)

        self.nav.workers.face.run(load, lambda _: None, failed)

    # --- the steps -----------------------------------------------------------------------------

    def _start(self, next_name: str, *next_args: Any, item: ServiceItem | None = None) -> None:
        nav = self.nav
        if item is None:
            item = nav.session.item  # the item being applied for
        services = nav.services
        # ``[face] mode = "on"`` without a camera keeps the item's mode: ``_cannot`` then hands a
        # required check to staff; ``auto`` without a camera turns it off.
        available = services.settings.face_match_available
        mode: str = "off"
        if item is not None:
            members = bundle_members(item, services.catalog().items)
            mode = mode_for(item, available=available, members=members)
        if mode == "off":
            nav.go(next_name, *next_args)
            return
        self._next, self._next_args, self._mode = next_name, next_args, mode
        card = nav.session.card
        if card is None or services.face_camera is None or services.face_check is None:
            self._cannot(mode)
            return
        self._generation += 1
        nav.begin_activity()
        nav.window.face.reset(optional=mode == "optional")
        nav.window.show_screen(nav.window.face)
        factory, photo = services.face_check, bytes(card.photo)
        generation = self._generation

        def load() -> FaceCheck:
            check = factory()
            check.load_card(photo)
            return check

        nav.workers.face.run(
            load, partial(self._on_loaded, generation), partial(self._on_load_failed, generation)
        )

    def _cannot(self, mode: str) -> None:
        if mode == "optional":
            self.nav.session.face_match = "unavailable"
            self.nav.go(self._next, *self._next_args)
        else:
            self._finish("unavailable")

    def _on_loaded(self, generation: int, check: FaceCheck) -> None:
        if generation != self._generation:
            check.wipe()
            return
        self._check = check
        self._begin_attempt()

    def _on_load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        # Only the kind of failure is logged: never the photo, never who.
        log.warning("face match: card photo unusable (%s)", type(error).__name__)
        if not isinstance(error, PhotoUnavailableError):
            log.error("face match failed to start: %s", error)
        self._cannot(self._mode)

    def _begin_attempt(self) -> None:
        check = self._check
        assert check is not None
        self._looking = True
        self._seen = set()
        # The try's time runs from its first judged frame: on a busy machine the first frame
        # may take seconds, and the citizen gets the whole time in front of a working camera.
        self._deadline = time.monotonic() + self._timeout_s
        self._timing = False
        attempt = check.attempts_used + 1
        self.nav.window.face.show_looking(
            attempt, check.attempts, int(self._timeout_s), check.moves
        )
        self._clock.start()
        self._frames.start(0)

    def _on_frames_timeout(self) -> None:
        nav, check, camera = self.nav, self._check, self.nav.services.face_camera
        if not self._looking or check is None or camera is None or self._grabbing:
            return
        self._grabbing = True
        generation = self._generation

        def judge() -> tuple[FrameResult | None, Any]:
            frame = camera.grab()
            if frame is None:
                return None, None
            return check.look(frame), mirror(frame)

        nav.workers.face.run(
            judge, partial(self._on_judged, generation), partial(self._on_judge_failed, generation)
        )

    def _on_judged(self, generation: int, judged: tuple[FrameResult | None, Any]) -> None:
        self._grabbing = False
        if generation != self._generation or not self._looking:
            return
        result, preview = judged
        if not self._timing:
            self._timing = True
            self._deadline = time.monotonic() + self._timeout_s
        self.nav.window.face.show_preview(preview)
        if result is None:
            self.nav.window.face.show_hint("face_hint_no_face")
        elif result.verdict is Verdict.MATCHED:
            self._stop_looking()
            self._finish("passed")
            return
        else:
            self._seen.add(result.verdict)
            self.nav.window.face.show_hint(self._words(_HINTS[result.verdict]))
        if time.monotonic() >= self._deadline:
            self._attempt_failed()
            return
        self._frames.start(self._interval_ms)

    def _on_judge_failed(self, generation: int, error: BaseException) -> None:
        self._grabbing = False
        if generation != self._generation or not self._looking:
            return
        log.warning("face match: frame failed (%s)", type(error).__name__)
        self._frames.start(self._interval_ms)

    def _on_clock_timeout(self) -> None:
        if not self._timing:
            return  # no frame judged yet: the try's time has not started
        left = self._deadline - time.monotonic()
        self.nav.window.face.show_time_left(int(max(0.0, left) + 0.999))
        if left <= 0 and not self._grabbing and self._looking:
            self._attempt_failed()

    def _words(self, key: str) -> str:
        check = self._check
        blink = check is not None and check.moves == "blink_or_turn"
        return _BLINK_TOO.get(key, key) if blink else key

    def _attempt_failed(self) -> None:
        check = self._check
        assert check is not None
        self._stop_looking()
        check.attempt_failed()
        if Verdict.LOOKS_ALIKE in self._seen:
            reason = self._words("face_failed_not_turned")
        elif Verdict.MISMATCH in self._seen:
            reason = "face_failed_mismatch"
        else:
            reason = "face_failed_no_face"
        if check.attempts_left == 0:
            self._finish("failed")
            return
        self.nav.window.face.show_retry(reason, check.attempts_left)

    def _stop_looking(self) -> None:
        self._looking = False
        self._clock.stop()
        self._frames.stop()

    def _finish(self, outcome: str) -> None:
        nav = self.nav
        nav.session.face_match = outcome
        self._drop_check()
        self.face_checked.emit(outcome)
        if outcome in ("passed", "skipped") or (
            outcome == "unavailable" and self._mode == "optional"
        ):
            nav.go(self._next, *self._next_args)
            return
        reason = "face_mismatch" if outcome == "failed" else "face_unavailable"
        if nav.offers("handoff"):
            nav.go("handoff", reason)
        else:
            nav.wipe()

    # --- the citizen's buttons -------------------------------------------------------------------

    def _on_face_retry_requested(self) -> None:
        if self._check is None or self._looking:
            return
        self.nav.touch()
        self._begin_attempt()

    def _on_face_skip_requested(self) -> None:
        if self._mode != "optional":
            return
        self._stop_looking()
        self._generation += 1
        self._finish("skipped")

    # --- the wipe ---------------------------------------------------------------------------------

    def _drop_check(self) -> None:
        check, self._check = self._check, None
        if check is not None:
            # On the face worker: a frame being judged there holds the same check.
            self.nav.workers.face.run(check.wipe, lambda _: None, lambda _: None)

    def _wipe(self) -> None:
        self._generation += 1
        self._stop_looking()
        self._grabbing = False
        self._drop_check()
        self._next, self._next_args, self._mode = "", (), "off"
        self.nav.window.face.reset()


def mirror(frame: Any) -> Any:
    """A camera frame (BGR) as the citizen's mirror: flipped, RGB, fitted into the preview.

    The whole frame is shown (a dark margin where its shape differs), so a face near its edge
    is never cut away from the citizen's view.
    """
    width, height = PREVIEW_SIZE
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    rows, cols = frame.shape[:2]
    scale = min(width / cols, height / rows)
    fitted = cv2.resize(frame, (max(1, round(cols * scale)), max(1, round(rows * scale))))
    shown = np.full((height, width, 3), (0x33, 0x29, 0x1F), np.uint8)
    top, left = (height - fitted.shape[0]) // 2, (width - fitted.shape[1]) // 2
    shown[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return np.ascontiguousarray(cv2.flip(shown, 1)[:, :, ::-1])
