"""Face match (人证核验) without Qt: when it is needed, and judging camera frames against the card.

The flow (``kiosk.ui.flows.face``) runs ``FaceCheck`` on the face worker: ``load_card`` once
(decode the chip photo, embed its face), then ``look`` at each camera frame. The card photo,
its embedding and every frame live in the ``FaceCheck`` only; ``wipe`` zeroes them with the
session, and nothing of them is logged, stored or sent (the ticket says only "not matched").
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import numpy as np

from devices.face.engine import DLIB_THRESHOLD, FaceEngine, distance
from devices.face.liveness import LIKENESS_MARGIN, Likeness, LivenessJudge
from devices.idcard.photo import (
    JpegPhotoDecoder,
    NoWltDecoder,
    PhotoUnavailableError,
    WltDecoder,
    decode_photo,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    from hall.schema import ServiceItem
    from kiosk.config import KioskSettings

log = logging.getLogger(__name__)

FaceMatchMode = Literal["required", "optional", "off"]


_STRICTNESS: dict[str, int] = {"off": 0, "optional": 1, "required": 2}


def mode_for(
    item: ServiceItem, *, available: bool, members: Iterable[ServiceItem] = ()
) -> FaceMatchMode:
    """What the terminal does for ``item``: its ``face_match``, or ``off`` without a face camera.

    A bundle ("一件事一次办") takes the strictest of its own and its ``members``' modes: a bundle
    holding an item that requires face match requires it. ``available`` is false when face match
    is switched off on this terminal (``[face] mode``) or it has no face camera.
    """
    if not available:
        return "off"
    mode: FaceMatchMode = item.face_match
    for member in members:
        if _STRICTNESS[member.face_match] > _STRICTNESS[mode]:
            mode = member.face_match
    return mode


def bundle_members(item: ServiceItem, items: Iterable[ServiceItem]) -> list[ServiceItem]:
    """The catalog items a bundle is made of (none for a single item)."""
    wanted = set(item.bundle_of)
    return [other for other in items if other.id in wanted] if wanted else []


class Verdict(StrEnum):
    """What one frame showed."""

    NO_FACE = "no_face"
    MATCHED = "matched"
    """The card's face, and (when liveness is asked) the person moved: done."""
    LOOKS_ALIKE = "looks_alike"
    """The card's face, liveness still to show (blink or turn)."""
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class FrameResult:
    """One frame's verdict; ``distance`` for the technician's tests (never logged with a name)."""

    verdict: Verdict
    distance: float | None = None


class FaceCheck:
    """One session's face match: the card's embedding, the attempts, the liveness judge."""

    def __init__(
        self,
        engine: FaceEngine,
        decoder: WltDecoder,
        *,
        threshold: float = DLIB_THRESHOLD,
        attempts: int = 3,
        liveness: bool = True,
    ) -> None:
        """Judge with ``engine`` at ``threshold``; ``attempts`` tries before staff take over."""
        if not 0.0 < threshold < 2.0:
            raise ValueError(f"threshold must be between 0 and 2, got {threshold}")
        self.engine = engine
        self.decoder = decoder
        self.threshold = threshold
        self.attempts = attempts
        self.attempts_used = 0
        self.liveness = LivenessJudge(blink=engine.has_landmarks68) if liveness else None
        self._card: npt.NDArray[np.float32] | None = None
        self._photo: npt.NDArray[np.uint8] | None = None

    @property
    def card_loaded(self) -> bool:
        """Whether the card's face is ready to compare with."""
        return self._card is not None

    @property
    def moves(self) -> str:
        """What the citizen is asked to do: ``turn``, ``blink_or_turn``, ``""`` (no liveness)."""
        if self.liveness is None:
            return ""
        return "blink_or_turn" if self.liveness.blink else "turn"

    @property
    def attempts_left(self) -> int:
        """Attempts not used yet."""
        return max(0, self.attempts - self.attempts_used)

    def load_card(self, photo: bytes | bytearray) -> None:
        """Decode the chip's photo and embed its face (on the worker).

        Raises ``PhotoUnavailableError`` when the photo cannot be decoded or shows no face: the
        match cannot be made on this terminal, staff compare the card by eye.
        """
        image = decode_photo(photo, self.decoder)
        faces = self.engine.find(image)
        if not faces:
            raise PhotoUnavailableError("no face found in the card photo")
        self._photo = image
        self._card = self.engine.embed(image, faces[0])

    def look(self, frame: npt.NDArray[np.uint8]) -> FrameResult:
        """Judge one camera frame (on the worker)."""
        if self._card is None:
            raise RuntimeError("load_card first")
        faces = self.engine.find(frame)
        if not faces:
            if self.liveness is not None:
                self.liveness.lost()
            return FrameResult(Verdict.NO_FACE)
        face = faces[0]
        dist = distance(self._card, self.engine.embed(frame, face))
        if self.liveness is not None and not self.liveness.passed:
            # Every frame with a face moves the liveness measure, told how it compares with the
            # card: a turned head lies further from the frontal card photo (it need only
            # resemble it), and a movement made by another face does not count.
            if dist < self.threshold:
                likeness = Likeness.MATCHES
            elif dist < self.threshold + LIKENESS_MARGIN:
                likeness = Likeness.RESEMBLES
            else:
                likeness = Likeness.OTHER
            digest = hashlib.blake2b(frame.tobytes(), digest_size=16).digest()
            eyes = self.engine.landmarks68(frame, face) if self.liveness.blink else None
            self.liveness.feed(
                np.asarray(face.points, dtype=np.float32), digest, eyes, likeness=likeness
            )
        if dist >= self.threshold:
            return FrameResult(Verdict.MISMATCH, dist)
        if self.liveness is not None and not self.liveness.passed:
            return FrameResult(Verdict.LOOKS_ALIKE, dist)
        # Passed only on a frame that itself matches, after the movement was seen.
        return FrameResult(Verdict.MATCHED, dist)

    def attempt_failed(self) -> None:
        """One attempt ran out of time or showed another face; liveness starts again."""
        self.attempts_used += 1
        if self.liveness is not None:
            self.liveness.reset()

    def wipe(self) -> None:
        """Zero the card photo and the embedding in place and drop them."""
        if self._card is not None:
            self._card.fill(0)
        if self._photo is not None:
            self._photo.fill(0)
        self._card = None
        self._photo = None
        if self.liveness is not None:
            self.liveness.reset()


def build_wlt_decoder(settings: KioskSettings) -> WltDecoder:
    """The chip photo's decoder.

    The vendor library when configured, the simulator's JPEG one for the simulated reader,
    else ``NoWltDecoder`` (photos unavailable, said plainly).
    """
    reader = settings.devices.id_reader
    if reader.wlt_library is not None:
        from devices.idcard.wlt import VendorWltDecoder, WltLibraryError

        try:
            return VendorWltDecoder(
                reader.wlt_library,
                function=reader.wlt_function,
                mode=reader.wlt_mode,
                channels=reader.wlt_channels,
                bottom_up=reader.wlt_bottom_up,
            )
        except WltLibraryError as err:
            # The terminal still serves; face match hands citizens to staff until it is fixed.
            log.error("WLT decoder unavailable: %s", err)
            return NoWltDecoder()
    if reader.driver == "simulated" and reader.simulated_photo == "jpeg":
        return JpegPhotoDecoder()
    return NoWltDecoder()
