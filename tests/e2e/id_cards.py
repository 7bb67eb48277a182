"""ID card photos (both sides) for the e2e terminal's simulated camera, drawn by the benchmark's
document generator with the holder and validity a test needs."""

from __future__ import annotations

import random

import cv2
import numpy as np
import numpy.typing as npt

from bench.docgen.camera import CARD_CAMERA, photograph
from bench.docgen.documents import Spec
from bench.docgen.render import draw

HOLDER = {
    "name": "王秀英",
    "gender": "女",
    "ethnicity": "汉",
    "birth": (1952, 3, 14),
    "address": "北京市朝阳区建国路88号院3号楼2单元501号",
    "id_number": "110105195203141221",
}
"""The elder demo card's holder: a valid ID number (its check character is right)."""


def _photo(spec: Spec, seed: int) -> npt.NDArray[np.uint8]:
    rng = random.Random(seed)
    page = cv2.cvtColor(np.asarray(draw(spec, rng).convert("RGB")), cv2.COLOR_RGB2BGR)
    jpeg, _ = photograph(
        page, rng, camera=CARD_CAMERA, fill=0.62, tilt=0.0, blur=0.3, noise=1.5, light=0.05
    )
    photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return np.asarray(photo, dtype=np.uint8)


def id_front_photo(
    *, name: str = HOLDER["name"], id_number: str = HOLDER["id_number"], seed: int = 3
) -> npt.NDArray[np.uint8]:
    """A sharp, upright camera photo (BGR) of the card's portrait side."""
    year, month, day = HOLDER["birth"]  # type: ignore[misc]
    printed = {
        "name": name,
        "gender": str(HOLDER["gender"]),
        "ethnicity": str(HOLDER["ethnicity"]),
        "birth_date": f"{year} 年 {month} 月 {day} 日",
        "address": str(HOLDER["address"]),
        "id_number": id_number,
    }
    return _photo(Spec("resident_id_front", dict(printed), printed), seed)


def id_back_photo(
    *, period: str = "2016.05.10-长期", authority: str = "北京市公安局朝阳分局", seed: int = 4
) -> npt.NDArray[np.uint8]:
    """A sharp, upright camera photo (BGR) of the card's emblem side."""
    printed = {"issuing_authority": authority, "period": period}
    return _photo(Spec("resident_id_back", dict(printed), printed), seed)
