"""Finding the document in a photo, flattening it, and turning it upright.

``find_page`` looks for the document's four corners (the largest bright convex quadrilateral, then
edges as a fallback) and warps it flat. ``orientation``/``upright`` turn a page by 0/90/180/270
degrees: an engine that can tell (the default engine reads it from its line detector and its
0/180 line classifier) decides, otherwise the text lines' geometry decides 0 against 90.
``deskew`` removes the small turn left when no page edge was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

WORKING_SIZE = 800
"""Corners are searched on the photo scaled to this long side: plenty for a page's edges."""
MIN_AREA = 0.04
"""A quadrilateral smaller than this share of the frame is not taken for the document."""
MIN_PAPER_CONTRAST = 20.0
"""The document must be this much lighter (mean grey) than the desk around it."""


@dataclass(frozen=True)
class Page:
    """The flattened document and where its corners were in the photo.

    ``corners`` run clockwise from the top left as seen in the photo (the page's own top may be
    elsewhere until it is turned upright).
    """

    image: Image
    corners: Quad

    @property
    def area(self) -> float:
        """The area of the quadrilateral in the photo, in square pixels."""
        return float(cv2.contourArea(np.array(self.corners, np.float32)))


@runtime_checkable
class OrientationAware(Protocol):
    """An engine that can say how far to turn an image so its text stands upright."""

    def orientation(self, image: Image) -> int:
        """Degrees clockwise (0, 90, 180, 270)."""
        ...


def order_corners(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Four points ordered top-left, top-right, bottom-right, bottom-left."""
    pts = points.reshape(4, 2).astype(np.float32)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    ordered = pts[np.argsort(angles)]  # clockwise in image coordinates, starting anywhere
    start = int(np.argmin(ordered.sum(axis=1)))  # the top-left has the smallest x + y
    return np.roll(ordered, -start, axis=0)


def _quad_from_contour(
    contour: npt.NDArray[np.int32], min_area: float
) -> npt.NDArray[np.float32] | None:
    area = cv2.contourArea(contour)
    if area < min_area:
        return None
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return approx.reshape(4, 2).astype(np.float32)
    # Rounded or torn corners: the smallest rectangle around it, when the shape is nearly one.
    rect = cv2.minAreaRect(hull)
    box = cv2.boxPoints(rect).astype(np.float32)
    if area / max(cv2.contourArea(box), 1.0) > 0.9:
        return box
    return None


def _candidates(grey: Image) -> list[npt.NDArray[np.uint8]]:
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    masks = []
    # A light page on a darker desk: Otsu splits them.
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    masks.append(cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel))
    # Any page on any desk: its edges, closed into an outline.
    edges = cv2.Canny(blurred, 40, 120)
    masks.append(cv2.dilate(edges, kernel))
    return [np.asarray(mask, dtype=np.uint8) for mask in masks]


def _paper_on_desk(grey: Image, quad: npt.NDArray[np.float32]) -> bool:
    """Whether the quadrilateral is lighter than what surrounds it, as paper on the desk is.

    A block of text on a page also has four edges, but it is darker than the paper around it.
    """
    inside = np.zeros(grey.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    outside = inside == 0
    if outside.sum() < 0.02 * inside.size:
        return False
    return float(grey[inside > 0].mean()) - float(grey[outside].mean()) >= MIN_PAPER_CONTRAST


def locate(image: Image) -> Quad | None:
    """The document's corners in ``image`` clockwise from the top left; None when none is seen."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, WORKING_SIZE / max(grey.shape[:2]))
    small = (
        grey
        if scale == 1.0
        else cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )
    frame_area = small.shape[0] * small.shape[1]
    for mask in _candidates(np.asarray(small, np.uint8)):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quad_from_contour(np.asarray(contour, np.int32), MIN_AREA * frame_area)
            # The whole frame is no finding: the document fills it or there is none.
            if quad is None or cv2.contourArea(quad) > 0.97 * frame_area:
                continue
            if not _paper_on_desk(np.asarray(small, np.uint8), quad):
                continue
            corners = order_corners(quad / scale)
            return tuple((float(x), float(y)) for x, y in corners)  # type: ignore[return-value]
    return None


def warp(image: Image, corners: Quad) -> Image:
    """The quadrilateral ``corners`` of ``image`` warped to a flat rectangle at full resolution."""
    pts = np.array(corners, np.float32)
    width = int(max(np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[3] - pts[0]), np.linalg.norm(pts[2] - pts[1])))
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(pts, target)
    flat = cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR)
    return np.asarray(flat, dtype=np.uint8)


def find_page(image: Image) -> Page | None:
    """The document in the photo, flattened, with its corners; None when no page edge is seen."""
    corners = locate(image)
    if corners is None:
        return None
    return Page(warp(image, corners), corners)


def rotate(image: Image, degrees: int) -> Image:
    """``image`` turned clockwise by 0, 90, 180 or 270 degrees."""
    degrees %= 360
    if degrees == 0:
        return image
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return np.ascontiguousarray(cv2.rotate(image, code[degrees]))


def _text_mask(image: Image) -> Image:
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, 1200 / max(grey.shape[:2]))
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    dark = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    return np.asarray(dark, dtype=np.uint8)


def lying_text(image: Image) -> bool:
    """Whether the text lines run up and down (the page is turned by 90 or 270 degrees).

    Characters smeared along the lines merge into long bars; we compare how many long bars lie
    across against how many stand up.
    """
    dark = _text_mask(image)
    across = stand = 0
    for kernel in ((25, 1), (1, 25)):
        merged = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones(kernel[::-1], np.uint8))
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(merged)
        widths, heights = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        if kernel[0] > 1:
            across = int(np.sum((widths > 4 * heights) & (widths > 60)))
        else:
            stand = int(np.sum((heights > 4 * widths) & (heights > 60)))
        del count
    return stand > across


def orientation(image: Image, engine: object | None = None) -> int:
    """Degrees clockwise to turn ``image`` so its text stands upright (0, 90, 180 or 270).

    With an ``OrientationAware`` engine its answer is used; otherwise only lying text is seen
    (90), and an upside-down page stays as it is.
    """
    if isinstance(engine, OrientationAware):
        return engine.orientation(image) % 360
    return 90 if lying_text(image) else 0


def upright(image: Image, engine: object | None = None) -> tuple[Image, int]:
    """``image`` turned so its text stands upright, and the clockwise turn applied."""
    degrees = orientation(image, engine)
    return rotate(image, degrees), degrees


def flatten(image: Image) -> Image:
    """The reader's page step for an engine that turns pages itself (``recognize_upright``).

    The document found and flattened; when no page edge is seen, the photo with its small skew
    removed.
    """
    page = find_page(image)
    return page.image if page is not None else deskew(image)[0]


def straighten(image: Image, engine: object | None = None) -> Image:
    """The page step before recognition: found, flattened and turned upright.

    When no page edge is seen (the paper fills the photo) the photo's small skew is removed
    instead of flattening.
    """
    return upright(flatten(image), engine)[0]


def skew_angle(image: Image, limit: float = 10.0) -> float:
    """The small turn (degrees, counter-clockwise positive as drawn) of the text lines, if any.

    Characters are smeared into line bars; the median angle of the long bars is the skew.
    """
    dark = _text_mask(image)
    merged = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((3, 21), np.uint8))
    contours, _ = cv2.findContours(merged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles: list[float] = []
    weights: list[float] = []
    for contour in contours:
        (_, _), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h = h, w
            angle -= 90
        if w < 80 or w < 5 * h:
            continue
        # OpenCV's angle is clockwise in image coordinates; report it counter-clockwise.
        angle = -((angle + 45) % 90 - 45)
        if abs(angle) <= limit:
            angles.append(angle)
            weights.append(w)
    if len(angles) < 3:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.array(weights)[order])
    median = np.array(angles)[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))]
    return float(median)


def deskew(image: Image, limit: float = 10.0) -> tuple[Image, float]:
    """``image`` turned so its text lines run level, and the angle that was removed."""
    angle = skew_angle(image, limit)
    if abs(angle) < 0.3:
        return image, 0.0
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    level = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(level, dtype=np.uint8), angle
