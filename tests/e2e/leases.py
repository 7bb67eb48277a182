"""Lease contract photos for the e2e terminal's simulated camera, drawn by the benchmark's
document generator with the parties and dates a test needs."""

from __future__ import annotations

import random

import cv2
import numpy as np
import numpy.typing as npt

from bench.docgen.camera import A4_CAMERA, photograph
from bench.docgen.documents import Spec
from bench.docgen.render import draw


def lease_photo(
    lessee: str,
    *,
    lessor: str = "北京华信物业管理有限公司",
    address: str = "北京市海淀区中关村大街27号1层108室",
    start: str = "2026年01月01日",
    end: str = "2030年12月31日",
    seed: int = 7,
) -> npt.NDArray[np.uint8]:
    """A sharp, upright camera photo (BGR) of a lease with these parties, premises and term."""
    rng = random.Random(seed)
    printed = {
        "lessor": lessor,
        "lessee": lessee,
        "address": address,
        "start_date": start,
        "end_date": end,
        "area": "45.6",
        "rent": "8000",
        "signed": "2025年12月20日",
    }
    spec = Spec("lease_contract", dict(printed), printed)
    page = cv2.cvtColor(np.asarray(draw(spec, rng).convert("RGB")), cv2.COLOR_RGB2BGR)
    jpeg, _ = photograph(
        page, rng, camera=A4_CAMERA, fill=0.85, tilt=0.0, blur=0.3, noise=1.5, light=0.05
    )
    photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return np.asarray(photo, dtype=np.uint8)
