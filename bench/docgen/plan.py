"""Which documents a generated set holds: every type in turn, about a fifth of them invalid."""

from __future__ import annotations

import random

from bench.docgen.documents import DEFECTS, DOCUMENT_TYPES


def plan(count: int, seed: int) -> list[tuple[str, str | None]]:
    """The (document type, defect or None) of each photo: types in turn, a fifth invalid."""
    rng = random.Random(seed)
    jobs: list[tuple[str, str | None]] = []
    per_type: dict[str, int] = dict.fromkeys(DOCUMENT_TYPES, 0)
    for index in range(count):
        document_type = DOCUMENT_TYPES[index % len(DOCUMENT_TYPES)]
        k = per_type[document_type]
        per_type[document_type] += 1
        defect = None
        if k % 5 == 1:
            defects = DEFECTS[document_type]
            defect = defects[(k // 5 + rng.randrange(len(defects))) % len(defects)]
        jobs.append((document_type, defect))
    return jobs
