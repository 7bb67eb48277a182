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
from hall.schema import ServiceItem, SubmissionPublic, mask_id_number


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
        self.fields = {}


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
    case_number: str | None = None
    result: SubmissionPublic | None = None
    rating: int | None = None
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
        if self.step is Step.ATTRACT:
            self.step = Step.CHOOSE
        elif self.step is Step.IDENTIFY:
            self.step = Step.GUIDE if self.item is not None else Step.CHOOSE

    def choose(self, item: ServiceItem) -> None:
        """Pick the item: its guide next, or first the card when it needs one and none is read."""
        needs_card = any(spec.source == "id_card" for spec in item.materials)
        target = Step.IDENTIFY if needs_card and self.card is None else Step.GUIDE
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
        for material_id in [m for m in self.materials if m not in wanted]:
            self.materials.pop(material_id).wipe()

    def add_material(self, material: CapturedMaterial) -> None:
        """Keep a captured material, replacing (and wiping) an earlier photo of the same one."""
        old = self.materials.get(material.material_id)
        if old is not None and old is not material:
            old.wipe()
        self.materials[material.material_id] = material

    def missing_materials(self) -> list[str]:
        """The required materials of the chosen item the session does not hold yet."""
        if self.item is None:
            return []
        missing = []
        for spec in self.item.materials:
            if not spec.required:
                continue
            held = self.card is not None if spec.source == "id_card" else spec.id in self.materials
            if not held:
                missing.append(spec.id)
        return missing

    @property
    def masked_id_number(self) -> str:
        """The applicant's ID number as the screen may show it."""
        return mask_id_number(self.card.id_number) if self.card else ""

    def wipe(self) -> None:
        """Drop every piece of personal data and return to the attract state."""
        if self.card is not None:
            self.card.wipe()
        for material in self.materials.values():
            material.wipe()
        self.card = None
        self.materials = {}
        self.item = None
        self.result = None
        self.case_number = None
        self.rating = None
        self.step = Step.ATTRACT
        self.wiped = True

    def holds_personal_data(self) -> bool:
        """Whether anything personal is still referenced by this session."""
        return self.card is not None or bool(self.materials) or self.result is not None

    def __repr__(self) -> str:
        """Name the session and its step, nothing personal."""
        return f"Session(id={self.id[:8]}, step={self.step.value})"
