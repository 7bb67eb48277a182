"""Quality gates a document photo passes before it is kept.

Sharp enough, lit enough, not empty, no glare, the document big enough and wholly inside the
frame, and, for ID cards, the side that was asked for.

Each failed gate is a stable code with a hint a citizen can act on. The thresholds are for the
long side scaled to 1000 px, so they hold for any camera resolution. The document is told from the
desk by brightness (terminals put it on a dark plate); a photo that is all paper (a scan, or a
rendered page) has no desk to compare with and skips the size and cut-off gates.

Each gate judges what it is about, not the photo's mean: too dark when even its lightest part (the
paper) is dark, too bright when most of the frame has clipped white and the print faded with it,
blurred from the steepness of its sharpest edges (so a dim photo is not called blurred), empty when
nothing is printed anywhere, glare from a saturated patch that hides print. A gate that cannot be
sure names itself in ``QualityReport.suspect`` instead: the photo goes on to OCR, and what OCR then
cannot read is refused with that gate's hint (``ocr.checks.check_reading``). Where the line of
"unreadable" lies for each gate, and how often each refuses a clean photo, is measured by ``python
-m bench quality`` (README, "Quality gate benchmark").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import numpy.typing as npt

WORKING_SIZE = 1000
MAX_BLUR = 2.7
"""Blur (px at the working size, as a Gaussian's sigma) from which small print is lost: an A4
page's 10.5 pt character is about 8 px high there, and at a third of that its strokes have
merged. Measured from the steepness of the sharpest edges against their own contrast, so a
dim or low-contrast photo is not taken for a blurred one (the variance of the Laplacian, the
``sharpness`` figure, falls with the square of the contrast)."""
BLUR_SUSPECT = 1.3
"""Blur from which the OCR may fail on small print (an A4 page was seen unread from 1.4, while
an ID card's larger print still read at 2.5): OCR tries, and what it cannot read is put down
to the blur."""
EDGE_SPAN = 40
"""Least grey-level span (over 25 px) of an edge the blur is measured on."""
MIN_LIGHT = 45.0
"""The brightest of the photo (its 99th percentile, after a 5 px blur) below which print and
paper are too close for the sensor's noise: the paper itself is no lighter than this. Not the
mean: a small bright document on the dark plate, or a dark screen, has a dark mean."""
MAX_CLIPPED = 0.8
"""Share of the frame clipped white from which too little is left to read whatever the page."""
PRINT_DARK = 50
"""A frame clipped that much is only suspected when its print still shows at full contrast: a
tenth of it at this grey level or darker (print on a well exposed page is 20-60), as on a
screenshot or a black-and-white render whose white is the frame; OCR decides."""
MIN_PRINT = 0.003
"""Share of the frame that must be print (dark strokes) for anything to be there to read: a
card's photo shows 0.007 and more, the desk alone under 0.001. Not the grey level's spread:
a pale card on a pale desk spreads little and is full of print."""
GLARE_LEVEL = 250
"""Grey level (after a 5 px blur) from which the sensor has clipped: what was printed is lost."""
GLARE_MIN_RADIUS = 8
"""A highlight must swallow a disc this wide (px at the working size): a character of the
smallest print read, an A4 page's 10.5 pt line being about 8 px high there."""
GLARE_SMALL_RADIUS = 3
"""A narrower highlight, from this inscribed radius (px), can still hide a stroke of small print
or a QR code's module (a reflection on a small photo, or over fine print): it is suspected when
it stands alone on paper that clips nowhere round it and is wider than the strokes of the print
around it (``_lone_highlight``)."""
GLARE_RING = 12
"""Least width (px) of the ring around a highlight where print is looked for; a wider
highlight's ring is twice its inscribed radius."""
GLARE_RING_INK = 0.005
"""Share of the ring that must be print for the highlight to lie over text."""
GLARE_INK_STEP = 15
"""A stroke this much darker than the paper either side of it (11 px) is print."""
PAPER_CLIPS = 245
"""The paper's median white from which the page itself clips and a highlight cannot be told from
it by level."""
GLARE_HULL_INK = 0.01
"""A highlight hides what is under it: no more than this share of its convex hull is print. The
white round a text block or between its lines has the print inside its hull."""
HOLE_REACH = 2.5
"""A highlight over text is a hole in the print: print is found in every direction within this
many times the hole's radius (a margin or a paragraph's gap is open on one side or two)."""
HOLE_RAY_WIDTH = 15
"""Print is looked for along a band this wide (px) either way, so a ray between two lines of
text still meets them."""
MIN_COVERAGE = 0.08
"""The document must cover at least this share of the frame (an ID card on a document camera
covers 20-30%)."""
EDGE_TOUCH = 0.04
"""A side of the frame counts as touched by the document when this share of it is document."""
MIN_SEPARATION = 40.0
"""Document and desk must differ this much in mean grey level before size and cut-off are judged."""

HINTS: dict[str, tuple[str, str]] = {
    "blurred": (
        "照片模糊，请把材料放平并保持不动，再拍一次。",
        "The photo is blurred. Lay the document flat, keep it still and try again.",
    ),
    "too_dark": (
        "照片太暗，请把材料放在拍摄区灯光下。",
        "The photo is too dark. Place the document under the camera's light.",
    ),
    "too_bright": (
        "照片反光过亮，请调整材料角度避开反光。",
        "The photo is washed out by glare. Tilt the document away from the light.",
    ),
    "empty": (
        "没有拍到材料，请把材料放进拍摄区。",
        "No document was seen. Place the document in the camera area.",
    ),
    "cut_off": (
        "材料没有拍全，请把材料整个放进拍摄框内。",
        "Part of the document is outside the photo. Move the document fully inside the frame.",
    ),
    "too_small": (
        "材料在照片里太小，请把材料平放在拍摄区中间。",
        "The document is too small in the photo. Lay it flat in the middle of the camera area.",
    ),
    "glare": (
        "材料上有反光，看不清字，请调整材料角度或挡住强光后再拍。",
        "Light glares on the document. Tilt it or shade it from strong light and try again.",
    ),
    "wrong_side": (
        "拍到的是证件的另一面，请把证件翻过来再拍。",
        "This is the other side of the card. Turn the card over and try again.",
    ),
}

OTHER_SIDE = {"resident_id_front": "resident_id_back", "resident_id_back": "resident_id_front"}
"""Document types that are two sides of one card."""


@dataclass(frozen=True)
class QualityReport:
    """The measures of one photo and the gates it failed."""

    sharpness: float
    """Variance of the Laplacian (a figure for technicians; the gate judges ``blur``)."""
    brightness: float
    contrast: float
    problems: list[str] = field(default_factory=list)
    coverage: float | None = None
    """The share of the frame the document covers; None when it cannot be told from the desk."""
    glare: float = 0.0
    """The share of the frame in the largest highlight lying over print."""
    suspect: list[str] = field(default_factory=list)
    """Gates that could not be sure: OCR tries, and what it then cannot read is refused with
    the first suspect's hint (``ocr.checks``)."""
    blur: float = 0.0
    """The photo's blur, as a Gaussian's sigma in px at the working size (0 when no edge)."""

    @property
    def ok(self) -> bool:
        """Whether the photo passed every gate."""
        return not self.problems

    def hint(self, language: str) -> str:
        """The citizen-facing hint for the first failed gate ('' when it passed)."""
        if not self.problems:
            return ""
        zh, en = HINTS[self.problems[0]]
        return en if language == "en" else zh

    def with_problem(self, code: str) -> QualityReport:
        """The same report with one more failed gate (a gate judged after recognition)."""
        if code not in HINTS:
            raise ValueError(f"unknown quality gate {code!r}")
        if code in self.problems:
            return self
        return replace(self, problems=[*self.problems, code])


def side_problem(expected: str, found: str) -> str | None:
    """``"wrong_side"`` when the classifier found the other side of the card that was asked for.

    The hook for the classifier: the reader classifies the photo and, when the step asked for
    one side of the ID card, adds this gate with ``QualityReport.with_problem``.
    """
    return "wrong_side" if OTHER_SIDE.get(expected) == found else None


def _blur(grey: npt.NDArray[np.uint8]) -> float | None:
    """The blur of the sharpest edges, as a Gaussian's sigma in px; None without edges.

    A step of contrast C blurred by sigma s has a steepest slope of C / (s sqrt(2 pi)); the
    Sobel operator reads 8 times the slope. The 99th percentile of slope over the local span
    (max minus min over 25 px, wide enough to hold the whole step of a 4 px blur) picks the
    photo's sharpest edges: the print, not the soft shading.
    """
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1)
    box = np.ones((25, 25), np.uint8)
    span = cv2.dilate(grey, box).astype(np.float32) - cv2.erode(grey, box).astype(np.float32)
    edges = span >= EDGE_SPAN
    if int(edges.sum()) < 100:
        return None
    steep = float(np.percentile(np.hypot(gx[edges], gy[edges]) / span[edges], 99))
    return 8.0 / (steep * np.sqrt(2 * np.pi)) if steep > 0 else float("inf")


def _document_extent(grey: npt.NDArray[np.uint8]) -> tuple[float, int] | None:
    """The share of the frame the bright document covers and how many frame sides it touches.

    None when no bright document stands out from the desk.
    """
    blurred = cv2.GaussianBlur(grey, (7, 7), 0)
    level, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = blurred[blurred > level]
    dark = blurred[blurred <= level]
    if light.size == 0 or dark.size == 0:
        return None
    if float(light.mean()) - float(dark.mean()) < MIN_SEPARATION:
        return None
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    closed = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    mask = labels == biggest
    coverage = float(stats[biggest, cv2.CC_STAT_AREA]) / mask.size
    sides = (mask[0, :], mask[-1, :], mask[:, 0], mask[:, -1])
    touched = sum(1 for side in sides if float(side.mean()) > EDGE_TOUCH)
    return coverage, touched


def _ink(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Print: dark strokes thinner than a few pixels (a black-hat), not the desk past an edge."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11))
    strokes = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)
    return np.asarray(strokes > GLARE_INK_STEP)


def _nearest_print(ink: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """For every pixel, the farthest of the nearest print to its left, right, top and bottom.

    Print is looked for in a band ``HOLE_RAY_WIDTH`` wide; a side with no print at all counts
    as infinitely far. A pixel enclosed by print on all four sides gets a small value.
    """
    height, width = ink.shape
    wide = np.ones((1, HOLE_RAY_WIDTH), np.uint8)
    across = cv2.dilate(ink.astype(np.uint8), wide.T) > 0  # for the rays along the rows
    along = cv2.dilate(ink.astype(np.uint8), wide) > 0  # for the rays along the columns
    big = np.float32(1e9)

    def ray(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
        index = np.arange(mask.shape[1], dtype=np.float32)[None, :]
        last = np.maximum.accumulate(np.where(mask, index, -big), axis=1)
        before = index - last
        first = np.minimum.accumulate(np.where(mask, index, big)[:, ::-1], axis=1)[:, ::-1]
        after = first - index
        return np.asarray(np.maximum(before, after), np.float32)

    rows = ray(across)
    columns = ray(along.T).T
    assert rows.shape == (height, width)
    return np.asarray(np.maximum(rows, columns), np.float32)


def _holes(saturated: npt.NDArray[np.bool_], ink: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """The radius of the print-free hole at each saturated pixel that print encloses, else 0.

    A reflection on a page washes out the print under it and leaves a round hole in the text,
    with the text all round it. The white of the page itself is open on some side: a margin
    to the page's edge, a paragraph's gap to either end of its line, the end of a short line
    to the margin.
    """
    free = cv2.distanceTransform((~ink).astype(np.uint8), cv2.DIST_L2, 3)
    free = np.minimum(free, np.float32(max(ink.shape)))  # no print at all: as far as the frame
    enclosed = _nearest_print(ink) <= HOLE_REACH * np.maximum(free, GLARE_MIN_RADIUS)
    return np.where(saturated & enclosed & (free >= GLARE_MIN_RADIUS), free, 0).astype(np.float32)


def _hides_print(
    blob: npt.NDArray[np.uint8], ring: npt.NDArray[np.bool_], ink: npt.NDArray[np.bool_]
) -> bool:
    """Whether a highlight lies over text: print in the ring round it, none inside its hull.

    ``blob``, ``ring`` and ``ink`` are the highlight, the ring and the print in a window round
    it. The white round a text block or between its lines has the print inside its hull.
    """
    if not ring.any() or float(ink[ring].mean()) < GLARE_RING_INK:
        return False  # nothing printed around it: a blank stretch of paper hides nothing
    hull = np.zeros_like(blob)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(blob)), 1)
    return float(ink[hull > 0].mean()) <= GLARE_HULL_INK


def _lone_highlight(
    radius: float,
    ring: npt.NDArray[np.bool_],
    ink: npt.NDArray[np.bool_],
    saturated: npt.NDArray[np.uint8],
) -> bool:
    """Whether a highlight over text too narrow to swallow a character still hides some print.

    Asked of highlights ``_hides_print`` already found over text. ``ring``, ``ink`` and
    ``saturated`` are the ring round it and the print and saturated pixels of a window round it.
    The page's own white between strokes or modules is a gap the print leaves: no wider than the
    strokes round it, and where the paper clips there, it clips in the gaps nearby as well. A
    reflection is brighter than the paper all round it and wider than the print's strokes: it
    washed out what it covers.
    """
    paper = ring & ~ink
    if not paper.any() or bool(saturated[paper].any()):
        return False  # the paper clips beside it too: the page's own white, or can't be told
    half_widths = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 3)[ring & ink]
    return radius > float(np.percentile(half_widths, 95))


def _glare(grey: npt.NDArray[np.uint8]) -> tuple[float, bool, bool]:
    """The largest highlight over print (share of the frame), if it is sure, if the paper clips.

    A highlight is a saturated patch wide enough to swallow a character (its inscribed radius)
    with print in a ring just around it, so it lies over text. The paper's own white decides how
    sure that is: on paper exposed below saturation a saturated patch is light reflected off the
    surface, brighter than the page, and hides what is under it. When the paper's white itself
    clips (bright even light, a page on a light desk), its wide margins and the gaps between
    paragraphs are saturated too and look the same as a highlight: then only a compact patch
    ringed by print is suspected, and OCR is left to tell whether anything was lost. A patch
    too narrow to swallow a character is suspected when it stands alone over print
    (``_lone_highlight``).
    """
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    saturated = (blurred >= GLARE_LEVEL).astype(np.uint8)
    if not saturated.any():
        return 0.0, True, False
    ink = _ink(grey)
    on_paper = ~ink & (blurred >= cv2.threshold(blurred, 0, 255, cv2.THRESH_OTSU)[0])
    paper = blurred[on_paper]
    clipped_paper = paper.size == 0 or float(np.median(paper)) >= PAPER_CLIPS
    inscribed = cv2.distanceTransform(saturated, cv2.DIST_L2, 3)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(saturated)
    frame = float(grey.size)
    best, sure, lone = 0.0, True, 0.0
    for index in range(1, count):
        x, y, w, h, area = (int(value) for value in stats[index])
        if area < GLARE_SMALL_RADIUS**2 * 3:
            continue
        box = (slice(y, y + h), slice(x, x + w))
        radius = float(inscribed[box][labels[box] == index].max())
        if radius < GLARE_SMALL_RADIUS:
            continue
        narrow = radius < GLARE_MIN_RADIUS or area < GLARE_MIN_RADIUS**2 * 3
        if narrow and area / frame <= lone:
            continue  # a larger lone highlight was already found
        # A reflection fades out over about its own radius, washing out the print next to it,
        # and the print beyond may be blank for a line: print is looked for out to twice that.
        reach = max(GLARE_RING, int(2 * radius))
        window = (
            slice(max(0, y - reach), y + h + reach),
            slice(max(0, x - reach), x + w + reach),
        )
        blob = (labels[window] == index).astype(np.uint8)
        # The ring is what lies within ``reach`` of the highlight (a distance transform: a
        # dilation by a disc this wide costs a second a highlight).
        ring = (cv2.distanceTransform(1 - blob, cv2.DIST_L2, 3) <= reach) & (blob == 0)
        if not _hides_print(blob, ring, ink[window]):
            continue
        if narrow:
            if _lone_highlight(radius, ring, ink[window], saturated[window]):
                lone = area / frame
            continue
        # A reflection is brighter than the paper round it; a patch of the paper's own white
        # that clips (a card's lighter ground) has paper just as white all round it.
        rim = blurred[window][ring & on_paper[window]]  # not the desk past the card's edge
        lit_rim = rim.size > 0 and float(np.median(rim)) >= PAPER_CLIPS
        share, certain = area / frame, not (clipped_paper or lit_rim)
        if share > best:
            best, sure = share, certain
    if best == 0:
        # A highlight that runs into the page's own clipped white (or into a margin) is one
        # blob with print in its hull; the hole it leaves in the text still shows where it may
        # lie. The page's own white enclosed by print (a framed licence, an empty table cell)
        # looks the same, so a hole alone is only suspected.
        holes = _holes(saturated > 0, ink)
        if holes.any():
            best, sure = float(np.pi * float(holes.max()) ** 2) / frame, False
        elif lone > 0:
            best, sure = lone, False  # too narrow to be sure it swallowed a character
    return best, sure, clipped_paper


def assess(image: npt.NDArray[np.uint8]) -> QualityReport:
    """Measure a BGR or grey photo and say which gates it fails, most telling first."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = WORKING_SIZE / max(grey.shape[:2])
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    brightness = float(grey.mean())
    contrast = float(grey.std())
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    problems: list[str] = []
    suspect: list[str] = []
    coverage: float | None = None
    glare = 0.0
    light = float(np.percentile(cv2.GaussianBlur(grey, (5, 5), 0), 99))
    clipped = float((grey >= GLARE_LEVEL).mean())
    if light < MIN_LIGHT:
        problems.append("too_dark")
    elif clipped >= MAX_CLIPPED:
        ink = _ink(np.asarray(grey, np.uint8))
        if float(ink.mean()) >= MIN_PRINT and float(np.percentile(grey[ink], 10)) <= PRINT_DARK:
            # The white clipped but the print did not fade with it: nothing else to judge on a
            # frame this white, so OCR tries and a failure is put down to the light.
            blur = _blur(np.asarray(grey, np.uint8))
            return QualityReport(
                sharpness, brightness, contrast, [], None, 0.0, ["too_bright"], blur or 0.0
            )
        problems.append("too_bright")
    blur = _blur(np.asarray(grey, np.uint8))
    blurred = blur is not None and blur > MAX_BLUR
    if not problems and not blurred and float(_ink(np.asarray(grey, np.uint8)).mean()) < MIN_PRINT:
        # Not when blurred: a blurred page has no thin strokes left either, and its hint
        # (hold it still) is the one that helps.
        problems.append("empty")
    if not problems:
        extent = _document_extent(np.asarray(grey, np.uint8))
        if extent is not None:
            coverage, touched = extent
            # Touching every side is paper filling the frame: nothing to say about its edges.
            if 1 <= touched <= 3:
                problems.append("cut_off")
            elif touched == 0 and coverage < MIN_COVERAGE:
                problems.append("too_small")
        glare, sure, clipped_paper = _glare(np.asarray(grey, np.uint8))
        if glare > 0:
            (problems if sure else suspect).append("glare")
        if clipped_paper:
            # The paper's white clips: print lighter than it may be lost with it, or may not
            # (a clean page under bright light). OCR tries; what it cannot read is put down to
            # the light.
            suspect.append("too_bright")
    if not problems and blurred:
        problems.append("blurred")
    elif not problems and blur is not None and blur > BLUR_SUSPECT:
        suspect.insert(0, "blurred")  # the likelier cause of a failed read than the light
    return QualityReport(
        sharpness, brightness, contrast, problems, coverage, glare, suspect, blur or 0.0
    )
