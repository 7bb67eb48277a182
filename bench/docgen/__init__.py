"""Generated document photos with exact ground truth, for the OCR benchmark and tests.

``generate(out, count, seed)`` writes ``NNNN_<type>.jpg`` and ``NNNN_<type>.json`` pairs and a
``manifest.json``: per photo the document type, every field's exact expected value (ISO dates,
``long-term`` for 长期, registered capital in whole yuan), whether the document is valid, its defect
codes, the applicant it is checked against and how the photo was taken. The same seed gives the
same files. ``python -m bench.docgen --out DIR --count N --seed S`` runs it from the shell.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bench.docgen.camera import A4_CAMERA, CARD_CAMERA, Shot, photograph
from bench.docgen.documents import (
    DEFECTS,
    DOCUMENT_TYPES,
    Applicant,
    Spec,
    make_applicant,
    make_spec,
)
from bench.docgen.plan import plan
from bench.docgen.render import draw
from bench.docgen.values import REFERENCE_DATE

__all__ = [
    "DEFECTS",
    "DOCUMENT_TYPES",
    "REFERENCE_DATE",
    "Applicant",
    "Shot",
    "Spec",
    "generate",
    "page_for",
    "photograph",
]

Image = npt.NDArray[np.uint8]
CARDS = ("resident_id_front", "resident_id_back")


def page_for(
    document_type: str, seed: int, defect: str | None = None
) -> tuple[Image, Spec, Applicant]:
    """The flat upright page (BGR) of one document, its spec and its applicant."""
    rng = random.Random(f"{document_type}:{seed}:{defect}")
    applicant = make_applicant(rng)
    spec = make_spec(document_type, rng, applicant, defect)
    page = np.asarray(draw(spec, rng).convert("RGB"))
    return cv2.cvtColor(page, cv2.COLOR_RGB2BGR), spec, applicant


def _shoot(page: Image, document_type: str, rng: random.Random) -> tuple[bytes, Shot]:
    card = document_type in CARDS
    roll = rng.random()
    rotation = 0 if roll < 0.6 else (90 if roll < 0.73 else (180 if roll < 0.87 else 270))
    return photograph(
        page,
        rng,
        camera=CARD_CAMERA if card else A4_CAMERA,
        rotation=rotation,
        fill=rng.uniform(0.5, 0.72) if card else rng.uniform(0.75, 0.9),
        skew=rng.uniform(-4.0, 4.0),
        tilt=rng.uniform(0.0, 0.035),
        blur=rng.uniform(0.3, 1.1),
        noise=rng.uniform(1.5, 4.5),
        light=rng.uniform(0.05, 0.3),
        jpeg_quality=rng.randint(75, 92),
    )


def generate(out: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """Write ``count`` photos with their ground truth under ``out``; returns the truths."""
    out.mkdir(parents=True, exist_ok=True)
    truths: list[dict[str, Any]] = []
    for index, (document_type, defect) in enumerate(plan(count, seed)):
        rng = random.Random(f"{seed}:{index}")
        applicant = make_applicant(rng)
        spec = make_spec(document_type, rng, applicant, defect)
        page = cv2.cvtColor(np.asarray(draw(spec, rng).convert("RGB")), cv2.COLOR_RGB2BGR)
        jpeg, shot = _shoot(page, document_type, rng)
        stem = f"{index:04d}_{document_type}"
        (out / f"{stem}.jpg").write_bytes(jpeg)
        truth: dict[str, Any] = {
            "image": f"{stem}.jpg",
            "document_type": document_type,
            "fields": spec.fields,
            "valid": spec.valid,
            "defects": spec.defects,
            "applicant": {"name": applicant.name, "id_number": applicant.id_number},
            "reference_date": REFERENCE_DATE.isoformat(),
            "photo": {
                **asdict(shot),
                "size": list(CARD_CAMERA if document_type in CARDS else A4_CAMERA),
            },
            "seed": seed,
            "index": index,
        }
        text = json.dumps(truth, ensure_ascii=False, indent=2)
        (out / f"{stem}.json").write_text(text, "utf-8")
        truth = json.loads(text)  # what a reader of the file gets: lists, not tuples
        truths.append(truth)
    (out / "manifest.json").write_text(
        json.dumps(
            {"seed": seed, "count": count, "images": [t["image"] for t in truths]}, indent=2
        ),
        "utf-8",
    )
    return truths
