"""Checking a photographed material as a clerk would: read it, judge it, keep what pre-fills.

Plain Python for the controller's OCR worker: ``check_photo`` runs off the GUI thread with the
one engine the composition root built; its ``MaterialCheck`` comes back as a value.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from hall.schema import MaterialSpec
from kiosk.config import OcrSettings
from ocr.checks import accepted_types, check_reading, reason_text
from ocr.engine import OcrEngine
from ocr.reader import load_image, read_document

log = logging.getLogger(__name__)


def build_ocr_engine(settings: OcrSettings) -> OcrEngine:
    """The engine the configuration names, built and warmed up (seconds: call it on a worker)."""
    from ocr.engines import EngineOptions, build_engine, warm_up

    engine = build_engine(
        settings.engine,
        EngineOptions(
            threads=settings.threads,
            det_side=settings.det_side,
            use_cls=settings.use_cls,
            det_model=settings.det_model,
            rec_model=settings.rec_model,
            cls_model=settings.cls_model,
        ),
    )
    warm_up(engine)
    return engine


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
        return [reason_text(code, language) for code in self.defects]


def check_photo(
    engine: OcrEngine,
    jpeg: bytes,
    spec: MaterialSpec,
    applicant: Mapping[str, object] | None,
    today: dt.date,
) -> MaterialCheck:
    """Read the photo and judge it against the material's rules (blocking: on a worker)."""
    reading = read_document(load_image(jpeg), engine)
    verdict = check_reading(spec, reading, file=None, applicant=applicant, today=today)
    # Reason codes only: what the document says stays out of the log.
    log.info("material %s: %s %s", spec.id, reading.document_type, verdict.defects or "ok")
    return MaterialCheck(verdict.valid, reading.document_type, verdict.defects, verdict.fields)
