"""Photographing a flat page the way a terminal's document camera sees it.

The page is turned (0/90/180/270 and a small skew), tilted in perspective, laid on a desk-like
background at the camera's resolution, lit unevenly, softened, given sensor noise and saved as
JPEG. Everything is drawn from the one random generator, so a seed gives the same photo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]

A4_CAMERA = (2592, 1944)
CARD_CAMERA = (1920, 1080)


@dataclass
class Shot:
    """How one photo was taken; ``corners`` are where the page's own top-left, top-right,
    bottom-right and bottom-left corners landed in the photo."""

    rotation: int
    skew: float
    blur: float
    noise: float
    jpeg_quality: int
    corners: list[tuple[float, float]] = field(default_factory=list)


def _background(rng: random.Random, size: tuple[int, int]) -> Image:
    width, height = size
    base = np.array([rng.randint(40, 120), rng.randint(40, 110), rng.randint(30, 100)], np.float32)
    small = np.random.default_rng(rng.getrandbits(32)).normal(
        0, 12, (height // 32 + 1, width // 32 + 1, 1)
    )
    texture = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    image = base[None, None, :] + texture[..., None] if texture.ndim == 2 else base + texture
    return np.clip(image, 0, 255).astype(np.uint8)


def photograph(
    page: Image,
    rng: random.Random,
    *,
    camera: tuple[int, int],
    rotation: int = 0,
    fill: float = 0.8,
    skew: float = 0.0,
    tilt: float = 0.03,
    blur: float = 0.6,
    noise: float = 3.0,
    light: float = 0.2,
    jpeg_quality: int = 88,
) -> tuple[bytes, Shot]:
    """A JPEG photo of ``page`` (BGR) and how it was taken.

    ``rotation`` turns the page clockwise; ``fill`` is the share of the frame's limiting side the
    page takes; ``skew`` adds a small turn in degrees; ``tilt`` moves each corner by up to
    that share of the page size (perspective); ``light`` is the depth of the uneven lighting.
    """
    height, width = page.shape[:2]
    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    turned = {0: src, 90: src[[3, 0, 1, 2]], 180: src[[2, 3, 0, 1]], 270: src[[1, 2, 3, 0]]}
    # Where each page corner goes is easier to say for the turned page's bounding box.
    page_w, page_h = (height, width) if rotation in (90, 270) else (width, height)
    frame_w, frame_h = camera
    scale = min(frame_w * fill / page_w, frame_h * fill / page_h)
    out_w, out_h = page_w * scale, page_h * scale
    cx = frame_w / 2 + rng.uniform(-0.5, 0.5) * (frame_w - out_w) * 0.6
    cy = frame_h / 2 + rng.uniform(-0.5, 0.5) * (frame_h - out_h) * 0.6
    box = np.array(
        [
            [-out_w / 2, -out_h / 2],
            [out_w / 2, -out_h / 2],
            [out_w / 2, out_h / 2],
            [-out_w / 2, out_h / 2],
        ],
        np.float32,
    )
    theta = np.deg2rad(skew)
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], np.float32)
    box = box @ turn.T
    jitter = np.array(
        [[rng.uniform(-tilt, tilt) * out_w, rng.uniform(-tilt, tilt) * out_h] for _ in range(4)],
        np.float32,
    )
    offsets = box + jitter
    # Skew and tilt must not push a corner out of the frame: shrink until it all fits.
    margin = 0.02 * min(frame_w, frame_h)
    while True:
        dst = offsets + np.array([cx, cy], np.float32)
        if (
            dst[:, 0].min() >= margin
            and dst[:, 1].min() >= margin
            and dst[:, 0].max() <= frame_w - margin
            and dst[:, 1].max() <= frame_h - margin
        ):
            break
        offsets *= 0.97
        cx += (frame_w / 2 - cx) * 0.1
        cy += (frame_h / 2 - cy) * 0.1
    # The turned page's top-left is the original corner listed first in ``turned``.
    matrix = cv2.getPerspectiveTransform(turned[rotation], dst)
    background = _background(rng, camera)
    warped = cv2.warpPerspective(page, matrix, camera, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((height, width), 255, np.uint8), matrix, camera)
    photo = np.where(mask[..., None] > 127, warped, background).astype(np.float32)
    # Uneven light: a gradient across the frame and a soft bright spot.
    ys, xs = np.mgrid[0:frame_h, 0:frame_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs / frame_w + np.sin(angle) * ys / frame_h
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    spot_x, spot_y = rng.uniform(0, frame_w), rng.uniform(0, frame_h)
    spot = np.exp(-(((xs - spot_x) ** 2 + (ys - spot_y) ** 2) / (2 * (0.35 * frame_w) ** 2)))
    # A terminal's camera is exposed for white paper: the page's white stays below saturation
    # (a washed-out patch is the glare gate's business, see ``glare_spot``).
    gain = (1.0 - light * ramp) * (0.9 + 0.06 * spot) * rng.uniform(0.95, 1.0)
    photo *= gain[..., None]
    if blur > 0:
        photo = cv2.GaussianBlur(photo, (0, 0), blur)
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    photo += noise_rng.normal(0, noise, photo.shape).astype(np.float32)
    photo_u8 = np.clip(photo, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", photo_u8, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    corners = cv2.perspectiveTransform(src[None], matrix)[0]
    shot = Shot(
        rotation, skew, blur, noise, jpeg_quality, [(float(x), float(y)) for x, y in corners]
    )
    return encoded.tobytes(), shot


def glare_spot(photo: Image, rng: random.Random, radius: float = 0.12) -> Image:
    """``photo`` with a reflection: a washed-out disc (``radius`` of the frame's short side) with
    a soft rim, somewhere in the middle of the frame."""
    height, width = photo.shape[:2]
    r = radius * min(width, height)
    cx = rng.uniform(0.35, 0.65) * width
    cy = rng.uniform(0.35, 0.65) * height
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    strength = np.clip((1.6 * r - distance) / (0.6 * r), 0.0, 1.0)[..., None]
    lit = photo.astype(np.float32) * (1 - strength) + 255.0 * strength
    return np.clip(lit, 0, 255).astype(np.uint8)
