"""Checking a photographed material as a clerk would: read it, judge it, keep what pre-fills.

Plain Python for the controller's OCR worker: ``check_photo`` runs off the GUI thread with the
one engine the composition root built; its ``MaterialCheck`` comes back as a value.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hall.schema import LocalizedText, MaterialSpec, ServiceItem
from kiosk.config import OcrSettings
from kiosk.services.session import ID_BACK, ID_FRONT, Commitment, side_key
from ocr.checks import accepted_types, check_reading, reason_text
from ocr.engine import OcrEngine
from ocr.reader import load_image, read_document
from ocr.validators import check_id_card_pair

if TYPE_CHECKING:
    from ocr.engines import EngineOptions

log = logging.getLogger(__name__)


def engine_options(settings: OcrSettings) -> EngineOptions:
    """The engine options the ``[ocr]`` section sets."""
    from ocr.engines import EngineOptions

    return EngineOptions(
        threads=settings.threads,
        det_side=settings.det_side,
        det_page_side=settings.det_page_side,
        rec_min_width=settings.rec_min_width,
        use_cls=settings.use_cls,
        runtime=settings.runtime,
        precision=settings.precision,
        rec_width_step=settings.rec_width_step,
        det_model=settings.det_model,
        rec_model=settings.rec_model,
        cls_model=settings.cls_model,
    )


def build_ocr_engine(settings: OcrSettings) -> OcrEngine:
    """The engine the configuration names, built and warmed up (seconds: call it on a worker)."""
    from ocr.engines import build_engine, warm_up

    engine = build_engine(settings.engine, engine_options(settings))
    warm_up(engine)
    return engine


SIDE_TYPES = {ID_FRONT: "resident_id_front", ID_BACK: "resident_id_back"}

_SIDE_NAMES = {
    ID_FRONT: LocalizedText(zh="身份证人像面（有照片的一面）", en="ID card, photo side"),
    ID_BACK: LocalizedText(zh="身份证国徽面（有国徽的一面）", en="ID card, emblem side"),
}
_SIDE_HINTS = {
    ID_FRONT: LocalizedText(
        zh="请把身份证有照片的一面朝上，平放在拍摄区中间。",
        en="Lay the ID card flat in the middle of the camera area, photo side up.",
    ),
    ID_BACK: LocalizedText(
        zh="请把身份证翻过来，有国徽的一面朝上，平放在拍摄区中间。",
        en="Turn the ID card over: emblem side up, flat in the middle of the camera area.",
    ),
}

KIOSK_REASONS: dict[str, tuple[str, str]] = {
    "wrong_side": (
        "拍到的是身份证的另一面，请把身份证翻过来再拍。",
        "This is the other side of the ID card. Please turn the card over and retake.",
    ),
}
"""Reasons only the terminal's flow gives (the card's sides are asked for one at a time)."""


def photo_id_spec(item: ServiceItem) -> MaterialSpec | None:
    """The item's ID card material when it may be photographed instead of read, else ``None``.

    An instant item never accepts photos: its decision rests on the chip's data alone.
    """
    if item.instant:
        return None
    for spec in item.materials:
        if spec.source == "id_card":
            sides = set(accepted_types(spec))
            return spec if set(SIDE_TYPES.values()) <= sides else None
    return None


def side_spec(card_spec: MaterialSpec, side: str) -> MaterialSpec:
    """The camera material for one side of a photographed ID card."""
    return card_spec.model_copy(
        update={
            "id": side_key(card_spec.id, side),
            "name": _SIDE_NAMES[side],
            "hint": _SIDE_HINTS[side],
            "source": "camera",
            "document_type": SIDE_TYPES[side],
            "document_types": [SIDE_TYPES[side]],
            "tolerable": False,
        }
    )


def commitment_for(item: ServiceItem, spec: MaterialSpec, today: dt.date) -> Commitment:
    """The promise for a tolerated material: what, to whom, by when, and what follows if not."""
    days = spec.tolerance_days or 0
    deadline = today + dt.timedelta(days=days)
    zh = (
        f"本人承诺：在{deadline.year}年{deadline.month}月{deadline.day}日前，"
        f"把「{spec.name.zh}」交到{item.department.zh}（或在本机补拍）。"
        f"到期未补交的，本次申请将被退回。"
    )
    material_en = spec.name.en[:1].lower() + spec.name.en[1:]  # mid-sentence
    en = (
        f"I promise to bring the {material_en} to the {item.department.en} "
        f"(or photograph it at this terminal) by {deadline:%d %B %Y}. "
        f"If I do not, this application will be returned."
    )
    return Commitment(spec.id, deadline, zh, en)


def needs_check(spec: MaterialSpec) -> bool:
    """Whether the machine checks this material (it names the document types it accepts)."""
    return bool(accepted_types(spec))


@dataclass(frozen=True)
class MaterialCheck:
    """The verdict on one photo: ``ok``, the reason codes, and the fields that pre-fill."""

    ok: bool
    document_type: str
    defects: list[str] = field(default_factory=list)
    fields: dict[str, object] = field(default_factory=dict)

    def reasons(self, language: str) -> list[str]:
        """The defects in plain words, in the citizen's language."""
        texts = []
        for code in self.defects:
            if code in KIOSK_REASONS:
                zh, en = KIOSK_REASONS[code]
                texts.append(en if language == "en" else zh)
            else:
                texts.append(reason_text(code, language))
        return texts


def check_photo(
    engine: OcrEngine,
    jpeg: bytes,
    spec: MaterialSpec,
    applicant: Mapping[str, object] | None,
    today: dt.date,
    *,
    front: Mapping[str, object] | None = None,
) -> MaterialCheck:
    """Read the photo and judge it against the material's rules (blocking: on a worker).

    ``front``: for the back of a photographed ID card, what its front said, so the two sides
    are checked against each other (issued after birth, a lawful validity for the age).
    """
    reading = read_document(load_image(jpeg), engine)
    verdict = check_reading(spec, reading, file=None, applicant=applicant, today=today)
    wanted = accepted_types(spec)
    sides = set(SIDE_TYPES.values())
    if (
        "wrong_document" in verdict.defects
        and reading.document_type in sides
        and len(wanted) == 1
        and wanted[0] in sides
    ):
        # The citizen laid the card the wrong way up: say that, not "the wrong document".
        verdict.defects[verdict.defects.index("wrong_document")] = "wrong_side"
    if front is not None and verdict.valid and reading.document_type == SIDE_TYPES[ID_BACK]:
        for code in check_id_card_pair(front, reading.fields):
            if code not in verdict.defects:
                verdict.defects.append(code)
        verdict.status = "fail" if verdict.defects else "pass"
    # Reason codes only: what the document says stays out of the log.
    log.info("material %s: %s %s", spec.id, reading.document_type, verdict.defects or "ok")
    return MaterialCheck(verdict.valid, reading.document_type, verdict.defects, verdict.fields)
