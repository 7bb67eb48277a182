"""The round red seal on a certificate, drawn as vectors.

A ring, a five-pointed star and the issuing body's name on the upper arc, the way official seals
of Chinese administrative bodies look. Generated from the body's name (the catalog item's
department), so no image of any real seal is used.

The seal is drawn over the issuer's name, semi-transparent, as a stamp lands on paper.
"""

from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

SEAL_RED = colors.HexColor("#d0201b")
SEAL_ALPHA = 0.82
MAX_ARC_DEGREES = 250.0
"""The name never runs further round than this: the bottom of the ring stays open."""
MIN_ARC_DEGREES = 150.0
"""A short name is spaced out over at least this much of the ring, as seal cutters do."""


def star_points(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star pointing up, centred on ``(cx, cy)``."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def arc_angles(count: int, step_degrees: float) -> list[float]:
    """Angles (degrees, counter-clockwise from east) of ``count`` characters centred on the top.

    Read left to right (so clockwise), ``step_degrees`` apart, never beyond ``MAX_ARC_DEGREES``.
    """
    if count <= 0:
        return []
    if count == 1:
        return [90.0]
    span = min(MAX_ARC_DEGREES, max(MIN_ARC_DEGREES, step_degrees * (count - 1)))
    step = span / (count - 1)
    start = 90.0 + step * (count - 1) / 2
    return [start - i * step for i in range(count)]


def draw_seal(canvas: Canvas, name: str, cx: float, cy: float, radius: float, font: str) -> None:
    """Draw the seal of ``name`` centred on ``(cx, cy)`` with ``radius`` points."""
    chars = [c for c in name if not c.isspace()]
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillAlpha(SEAL_ALPHA)
    canvas.setStrokeAlpha(SEAL_ALPHA)
    ring = radius * 0.055
    canvas.setLineWidth(ring)
    canvas.circle(cx, cy, radius - ring / 2, stroke=1, fill=0)

    star = canvas.beginPath()
    corners = star_points(cx, cy, radius * 0.3)
    star.moveTo(*corners[0])
    for point in corners[1:]:
        star.lineTo(*point)
    star.close()
    canvas.drawPath(star, stroke=0, fill=1)

    size = radius * (0.34 if len(chars) <= 6 else 0.3 if len(chars) <= 10 else 0.25)
    text_radius = radius - ring - size * 0.95
    step = math.degrees(size * 1.12 / text_radius)
    for char, angle in zip(chars, arc_angles(len(chars), step), strict=True):
        theta = math.radians(angle)
        canvas.saveState()
        canvas.translate(cx + text_radius * math.cos(theta), cy + text_radius * math.sin(theta))
        canvas.rotate(angle - 90)
        width = pdfmetrics.stringWidth(char, font, size)
        canvas.setFont(font, size)
        canvas.drawString(-width / 2, 0, char)
        canvas.restoreState()
    canvas.restoreState()
