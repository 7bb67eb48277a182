"""The citizen session: one state machine from the attract screen back to the wipe.

The session object is the only place the card data, document photos and the hall's answer live
until submission; ``wipe()`` drops them and zeroes the byte buffers it owns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from devices.idcard.card import IdCard
from hall.schema import IdentitySource, ServiceItem, SubmissionPublic, mask_id_number


class SessionError(Exception):
    """A step was asked for that the session's current state does not allow."""


class Step(StrEnum):
    """The states of a citizen session, in journey order."""

    ATTRACT = "attract"
    IDENTIFY = "identify"
    CHOOSE = "choose"
    GUIDE = "guide"
    MATERIALS = "materials"
    REVIEW = "review"
    SUBMIT = "submit"
    RESULT = "result"
    PRINT = "print"
    RATE = "rate"
    PROGRESS = "progress"


# Where each state may go next; any state may also return to ATTRACT (wipe, timeout, cancel).
_NEXT: dict[Step, set[Step]] = {
    Step.ATTRACT: {Step.IDENTIFY, Step.CHOOSE, Step.PROGRESS},
    Step.IDENTIFY: {Step.CHOOSE, Step.GUIDE},
    Step.CHOOSE: {Step.GUIDE, Step.PROGRESS, Step.IDENTIFY},
    Step.GUIDE: {Step.CHOOSE, Step.IDENTIFY, Step.MATERIALS, Step.REVIEW},
    Step.MATERIALS: {Step.GUIDE, Step.MATERIALS, Step.REVIEW},
    Step.REVIEW: {Step.GUIDE, Step.MATERIALS, Step.SUBMIT},
    Step.SUBMIT: {Step.RESULT},
    Step.RESULT: {Step.PRINT, Step.RATE},
    Step.PRINT: {Step.RATE},
    Step.RATE: set(),
    Step.PROGRESS: {Step.CHOOSE},
}


@dataclass(eq=False)
class CapturedMaterial:
    """A photographed document, JPEG bytes owned by the session."""

    material_id: str
    image: bytearray
    content_type: str = "image/jpeg"
    fields: dict[str, object] = field(default_factory=dict)
    """What the machine read from it (typed OCR fields), to pre-fill the application."""

    def wipe(self) -> None:
        """Zero the photo in place and drop it and what was read from it."""
        self.image[:] = bytes(len(self.image))
        self.image = bytearray()
        self.fields.clear()  # the same dict went to the review rows; empty it, not just drop it
        self.fields = {}


ID_FRONT = "front"
ID_BACK = "back"
ID_SIDES = (ID_FRONT, ID_BACK)


def side_key(material_id: str, side: str) -> str:
    """The session's key for one photographed side of an ID card material: ``id-card:front``."""
    return f"{material_id}:{side}"


def base_material(key: str) -> str:
    """The catalog material a session key belongs to (``id-card:front`` -> ``id-card``)."""
    return key.split(":", 1)[0]


@dataclass(eq=False)
class Commitment:
    """The citizen's written promise to bring a tolerated material by a date (容缺受理)."""

    material_id: str
    deadline: dt.date
    text_zh: str
    text_en: str

    def wipe(self) -> None:
        """Drop the text (it names the material only, but goes with the session)."""
        self.text_zh = self.text_en = ""


@dataclass(eq=False, repr=False)
class Session:
    """One citizen's visit. Personal data lives here and nowhere else until submission."""

    language: str = "zh"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    step: Step = Step.ATTRACT
    card: IdCard | None = None
    item: ServiceItem | None = None
    materials: dict[str, CapturedMaterial] = field(default_factory=dict)
    """Photos by material id; an ID card's photographed sides as ``<id>:front`` / ``<id>:back``."""
    commitments: dict[str, Commitment] = field(default_factory=dict)
    """Tolerated materials the citizen promised to bring later, by material id."""
    photo_identity: bool = False
    """The citizen chose to photograph the ID card because no card reader read it."""
    case_number: str | None = None
    result: SubmissionPublic | None = None
    rating: int | None = None
    face_match: str = ""
    """How face match went: ``""`` not done, ``passed``, ``skipped``, ``failed`` (after the
    retries), ``unavailable`` (no camera or no decodable card photo). Never the photo itself."""
    wiped: bool = False

    def go(self, step: Step) -> None:
        """Move to ``step``; ``SessionError`` when the journey does not allow it from here."""
        if step is not Step.ATTRACT and step not in _NEXT[self.step]:
            raise SessionError(f"cannot go from {self.step.value} to {step.value}")
        self.step = step

    def identify(self, card: IdCard) -> None:
        """Take the card just read; a second card replaces (and wipes) the first.

        From the attract screen the citizen goes on to choose an item; when an item that needs the
        card was chosen first (the IDENTIFY step), the journey goes on to that item's guide.
        """
        if self.step in (Step.SUBMIT, Step.RESULT, Step.PRINT, Step.RATE, Step.PROGRESS):
            raise SessionError(f"a card cannot be taken at step {self.step.value}")
        if self.card is not None and self.card is not card:
            self.card.wipe()
        self.card = card
        if self.photo_identity:
            # The reader read it after all: the chip's data replaces the card's photos.
            self.photo_identity = False
            for key in [m for m in self.materials if ":" in m]:
                self.materials.pop(key).wipe()
        if self.step is Step.ATTRACT:
            self.step = Step.CHOOSE
        elif self.step is Step.IDENTIFY:
            self.step = Step.GUIDE if self.item is not None else Step.CHOOSE

    def start_photo_identity(self) -> None:
        """The card could not be read: the citizen will photograph it instead (on its items)."""
        if self.step not in (Step.ATTRACT, Step.CHOOSE, Step.IDENTIFY):
            raise SessionError(f"cannot switch to photo identity at step {self.step.value}")
        if self.card is not None:
            self.card.wipe()
            self.card = None
        self.photo_identity = True
        if self.step is Step.ATTRACT:
            self.step = Step.CHOOSE

    def choose(self, item: ServiceItem) -> None:
        """Pick the item: its guide next, or first the card when it needs one and none is read."""
        needs_card = any(spec.source == "id_card" for spec in item.materials)
        wait_for_card = needs_card and self.card is None and not self.photo_identity
        target = Step.IDENTIFY if wait_for_card else Step.GUIDE
        # Check before changing anything, so a refused choice leaves the session as it was.
        here = Step.CHOOSE if self.step is Step.ATTRACT else self.step
        if target not in _NEXT[here]:
            raise SessionError(f"cannot choose an item at step {self.step.value}")
        self.item = item
        self.step = target
        self._drop_materials_not_for(item)

    def back_to_choose(self) -> None:
        """Leave the chosen item (from its guide or the card request) and choose again."""
        if self.step not in (Step.IDENTIFY, Step.GUIDE, Step.CHOOSE):
            raise SessionError(f"cannot go back to choosing from {self.step.value}")
        self.item = None
        self.step = Step.CHOOSE
        self._drop_materials_not_for(None)

    def _drop_materials_not_for(self, item: ServiceItem | None) -> None:
        """Wipe photos the (new) item does not ask for: they must not travel with it."""
        wanted = {spec.id for spec in item.materials} if item is not None else set()
        for key in [m for m in self.materials if base_material(m) not in wanted]:
            self.materials.pop(key).wipe()
        for key in [m for m in self.commitments if m not in wanted]:
            self.commitments.pop(key).wipe()

    def add_material(self, material: CapturedMaterial) -> None:
        """Keep a captured material, replacing (and wiping) an earlier photo of the same one."""
        old = self.materials.get(material.material_id)
        if old is not None and old is not material:
            old.wipe()
        self.materials[material.material_id] = material
        promised = self.commitments.pop(base_material(material.material_id), None)
        if promised is not None:
            promised.wipe()  # brought after all: the promise no longer holds

    def tolerate(self, commitment: Commitment) -> None:
        """Record the promise for a material left out now, dropping any photo of it."""
        old = self.materials.pop(commitment.material_id, None)
        if old is not None:
            old.wipe()
        self.commitments[commitment.material_id] = commitment

    def missing_materials(self) -> list[str]:
        """The required materials of the chosen item the session does not hold yet."""
        if self.item is None:
            return []
        missing = []
        for spec in self.item.materials:
            if not spec.required:
                continue
            if spec.source == "id_card":
                held = self.card is not None or (
                    self.photo_identity
                    and all(side_key(spec.id, side) in self.materials for side in ID_SIDES)
                )
            else:
                held = spec.id in self.materials or spec.id in self.commitments
            if not held:
                missing.append(spec.id)
        return missing

    @property
    def identity_source(self) -> IdentitySource | None:
        """``card_reader``, ``photo`` or ``None`` while the applicant is unknown."""
        if self.card is not None:
            return "card_reader"
        return "photo" if self.photo_identity else None

    def photo_fields(self, side: str) -> dict[str, object]:
        """What was read from the photographed ID card's ``side`` (empty when not read)."""
        for key, material in self.materials.items():
            if key.endswith(":" + side):
                return material.fields
        return {}

    def applicant(self) -> dict[str, str] | None:
        """The applicant's name and ID number: from the card read, else the photographed front."""
        if self.card is not None:
            return {"name": self.card.name, "id_number": self.card.id_number}
        front = self.photo_fields(ID_FRONT)
        name, number = front.get("name"), front.get("id_number")
        if isinstance(name, str) and name:
            return {"name": name, "id_number": number if isinstance(number, str) else ""}
        return None

    @property
    def masked_id_number(self) -> str:
        """The applicant's ID number as the screen may show it."""
        applicant = self.applicant()
        return mask_id_number(applicant["id_number"]) if applicant else ""

    def wipe(self) -> None:
        """Drop every piece of personal data and return to the attract state."""
        if self.card is not None:
            self.card.wipe()
        for material in self.materials.values():
            material.wipe()
        for commitment in self.commitments.values():
            commitment.wipe()
        self.card = None
        self.materials = {}
        self.commitments = {}
        self.photo_identity = False
        self.item = None
        self.result = None
        self.case_number = None
        self.rating = None
        self.face_match = ""
        self.step = Step.ATTRACT
        self.wiped = True

    def holds_personal_data(self) -> bool:
        """Whether anything personal is still referenced by this session."""
        return (
            self.card is not None
            or bool(self.materials)
            or bool(self.commitments)
            or self.result is not None
        )

    def __repr__(self) -> str:
        """Name the session and its step, nothing personal."""
        return f"Session(id={self.id[:8]}, step={self.step.value})"
