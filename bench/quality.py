"""How often each quality gate refuses a clean photo, and how often it catches a degraded one.

Clean photos come from two independent renderers, ``bench.docgen`` (every document type, random
camera conditions) and ``tests.heldout.render`` (its own layouts, fonts and camera), each also
shot with a longer exposure (the paper's white clipping at 255, the issue #11 case) and on a pale
desk, plus the real camera photos in ``../shared/data/qr-real`` (zxing-cpp's QR test set).
Every clean photo is then degraded for one gate at a time, mild to severe:

- ``blurred``: Gaussian blur, sigma a share of the frame's long side (0.001 to 0.006); print is
  taken as unreadable from 0.004 (an A4 page's 10.5 pt character is about 0.008 of the long side
  high, so the blur's sigma is half a character).
- ``too_dark``: exposure times 0.35 to 0.08 with the sensor noise that comes with it; unreadable
  from 0.15 (print and paper then differ by fewer grey levels than the noise's spread).
- ``glare``: a saturated reflection (``bench.docgen.camera.glare_spot``), radius 0.02 to 0.12 of
  the frame's short side; unreadable when its saturated core hides print the clean photo shows.
- ``too_small``: the document re-shot at a smaller fill; unreadable at fill <= 0.2 (the card's
  print falls under 3 px/mm).
- ``cut_off``: the frame cropped so 5 to 30% of the document falls outside one to three sides;
  counted from 15% (a field line is lost), 5% (the margin only) is shown apart.
- ``too_bright``: exposure times 1.8 to 3 (the page washed out); unreadable from 2.2 where it
  clips a fifth or more of the print the clean photo shows (a pure black-on-white image, whose
  white was already 255 and whose black stays 0, loses nothing).
- ``empty``: the desk alone.

Where a reader can say whether a photo still reads, it decides instead of the print rules of
``glare`` and ``too_bright``: a real photo whose code the terminal's decoder chain
(``devices.camera.qr``, zxing-cpp then zbar) reads when clean is unreadable degraded when that
payload is no longer read, and legible while it is. A QR code's error correction restores the
modules a small reflection or a washed-out corner takes, which counting hidden print pixels
cannot see (and on a photo a tenth of the gate's 1000 px, 20 such pixels counted on the
upscaled copy are a fifth of one of its pixels). The print rules stand for the documents and
for a real photo whose code does not read even clean.

A degraded photo is caught when ``assess`` refuses it (any gate: a badly blurred dark photo may
be called dark) or names the gate as a suspect (OCR then tries and a failure carries the hint).
A clean photo is falsely refused when any gate that applies to it refuses it; the real photos
are QR codes, screens and close-ups, not documents on the terminal's plate, so the document's
size and edge gates (``too_small``, ``cut_off``, ``empty``) do not apply to them and their
refusals by those gates are listed apart. Suspects on clean photos are counted too: they cost
nothing when OCR reads the photo, but give the wrong hint when it fails for another reason.
``wrong_side`` is not an image gate:
it is the classifier's answer (``ocr.quality.side_problem``), measured with ``--sides``.

Run: ``python -m bench quality`` or ``python -m bench.quality [--docgen N] [--seed S] [--every K]
[--against OLD_QUALITY.py] [--sides]`` (``--sides`` also reads every ID card photo with the
default engine for ``wrong_side``) (``--seed S``: the docgen documents' first seed, 1000 unless
given) (``--every K`` takes every K-th held-out and real photo) (writes
``bench/results/quality.json``); ``--against`` scores another version of ``ocr/quality.py`` in
the same run (``git show HEAD~1:ocr/quality.py > /tmp/old.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from bench.docgen import DOCUMENT_TYPES, page_for, photograph
from bench.docgen.camera import A4_CAMERA, CARD_CAMERA, glare_spot
from ocr.page import Quad, locate
from ocr.quality import QualityReport, assess

Image = npt.NDArray[np.uint8]
Assess = Callable[[Image], QualityReport]

RESULTS = Path(__file__).parent / "results" / "quality.json"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "qr-real"
LONG_SIDE = 1300
"""Photos are scaled to this long side before degrading: the gates judge at 1000 px anyway."""


@dataclass
class Clean:
    """One clean photo, where it came from, and how to re-shoot it at another fill."""

    name: str
    source: str
    image: Image
    document: bool
    """A document on a desk (the size and cut-off gates apply); False for the real photos."""
    reshoot: Callable[[float], Image] | None = None
    document_type: str | None = None
    """What the photo shows (for ``wrong_side``); None for the real photos."""
    read: Callable[[Image], frozenset[bytes]] | None = None
    """The codes a reader finds in a photo, when there is one to ask (the real photos)."""
    codes: frozenset[bytes] = frozenset()
    """What ``read`` finds in the clean photo: empty when it reads nothing (or no reader)."""
    quad: Quad | None = None
    """Where the document lies, when known from how the photo was made (the pale-desk copy's
    page is where it was on the dark desk; found again on the pale one, it may be wrong)."""

    def still_reads(self, degraded: Image) -> bool | None:
        """Whether the reader still finds the clean photo's codes; None when it has none."""
        if self.read is None or not self.codes:
            return None
        return self.codes <= self.read(degraded)


def _fit(image: Image) -> Image:
    scale = LONG_SIDE / max(image.shape[:2])
    if scale >= 1:
        return image
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.uint8)


def _decode(jpeg: bytes) -> Image:
    return np.asarray(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), np.uint8)


def _exposed(image: Image, gain: float) -> Image:
    return np.clip(image.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def _pale_desk(image: Image) -> tuple[Image, Quad | None]:
    """The photo with its dark desk replaced by a pale one (grey 175-185), and the page's quad."""
    out = image.copy()
    quad = locate(image)
    if quad is None:
        return out, None
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.array(quad, np.int32), 255)
    out[mask == 0] = (175, 180, 185)
    return out, quad


def _variants(
    name: str, source: str, image: Image, reshoot: Callable[[float], Image], document_type: str
) -> list[Clean]:
    bright = _exposed(image, 1.2)
    pale, quad = _pale_desk(bright)
    return [
        Clean(name, source, image, True, reshoot, document_type),
        Clean(f"{name}+exposed1.2", source, bright, True, None, document_type),
        Clean(f"{name}+pale-desk", source, pale, True, None, document_type, quad=quad),
    ]


def docgen_photos(count: int, first_seed: int = 1000) -> Iterator[Clean]:
    """``count`` documents per type from bench.docgen (seeds from ``first_seed``), shot as the
    generator shoots them."""
    for document_type in DOCUMENT_TYPES:
        card = document_type.startswith("resident_id")
        for seed in range(first_seed - 1000, first_seed - 1000 + count):
            page, _spec, _who = page_for(document_type, 1000 + seed)

            def shoot(
                fill: float | None, page: Image = page, seed: int = seed, card: bool = card
            ) -> Image:
                rng = random.Random(seed)
                fill = fill if fill is not None else (0.6 if card else 0.82)
                jpeg, _shot = photograph(
                    page,
                    rng,
                    camera=CARD_CAMERA if card else A4_CAMERA,
                    rotation=rng.choice((0, 0, 90, 180, 270)),
                    fill=fill,
                    skew=rng.uniform(-4, 4),
                    tilt=rng.uniform(0, 0.035),
                    blur=rng.uniform(0.3, 1.1),
                    noise=rng.uniform(1.5, 4.5),
                    light=rng.uniform(0.02, 0.3),
                    jpeg_quality=rng.randint(75, 92),
                )
                return _fit(_decode(jpeg))

            name = f"{document_type}-{seed}"
            yield from _variants(name, "docgen", shoot(None), shoot, document_type)


def heldout_photos(every: int = 1) -> Iterator[Clean]:
    """Every ``every``-th held-out case, shot by its own renderer."""
    from tests.heldout.render import CASES, Photo
    from tests.heldout.render import photograph as shoot_case

    for case in CASES[::every]:
        card = case.document_type.startswith("resident_id")
        sheet = case.draw()

        def shoot(fill: float | None, case=case, sheet=sheet, card=card) -> Image:  # type: ignore[no-untyped-def]
            photo = case.photo if fill is None else Photo(**{**case.photo.__dict__, "fill": fill})
            return _fit(shoot_case(sheet, photo, case.seed, card=card))

        yield from _variants(case.name, "heldout", shoot(None), shoot, case.document_type)


def real_photos(every: int = 1) -> Iterator[Clean]:
    """Every ``every``-th real camera photo of QR codes (not documents: no size or cut-off gate)."""
    from devices.camera.qr import DecoderChain

    chain = DecoderChain.from_names()

    def read(image: Image) -> frozenset[bytes]:
        return frozenset(chain.decode(image))

    kinds = (".png", ".jpg", ".jpeg", ".webp")
    paths = [path for path in sorted(REAL.glob("*/*")) if path.suffix.lower() in kinds]
    for path in paths[::every]:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is not None:
            image = _fit(image)
            name = f"{path.parent.name}/{path.name}"
            yield Clean(name, "real", image, False, read=read, codes=read(image))


def _print_under(clean: Image, glared: Image) -> int:
    """Pixels of print (at the gate's 1000 px) the saturated core of a reflection hides."""
    from ocr.quality import _ink

    def grey(image: Image) -> Image:
        g = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        s = 1000 / max(g.shape[:2])
        return np.asarray(cv2.resize(g, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), np.uint8)

    core = grey(glared) >= 250
    return int((_ink(grey(clean)) & core).sum())


DOCUMENT_GATES = ("too_small", "cut_off", "empty")
"""Gates about a document on the plate: not judged on the real photos."""


def _print_clipped(clean: Image, bright: Image) -> float:
    """The share of the clean photo's print (at the gate's 1000 px) clipped white in ``bright``."""
    from ocr.quality import _ink

    def grey(image: Image) -> Image:
        g = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        s = 1000 / max(g.shape[:2])
        return np.asarray(cv2.resize(g, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), np.uint8)

    ink = _ink(grey(clean))
    return float((ink & (grey(bright) >= 250)).sum()) / max(1, int(ink.sum()))


def degrade(clean: Clean, rng: random.Random) -> Iterator[tuple[str, str, bool, Image]]:
    """(gate, strength, unreadable, photo) for every degradation that applies to ``clean``."""
    image = clean.image
    long_side = max(image.shape[:2])
    for share in (0.001, 0.002, 0.004, 0.006):
        blurred = cv2.GaussianBlur(image, (0, 0), share * long_side)
        yield "blurred", f"sigma {share}", share >= 0.004, np.asarray(blurred, np.uint8)
    for gain in (0.35, 0.25, 0.15, 0.08):
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 3, image.shape)
        dark = np.clip(image.astype(np.float32) * gain + noise, 0, 255).astype(np.uint8)
        yield "too_dark", f"exposure x{gain}", gain <= 0.15, dark
    for radius in (0.02, 0.04, 0.08, 0.12):
        glared = glare_spot(image, random.Random(rng.getrandbits(32)), radius=radius)
        reads = clean.still_reads(glared)
        unreadable = not reads if reads is not None else _print_under(image, glared) >= 20
        yield "glare", f"radius {radius}", unreadable, glared
    for gain in (1.8, 2.2, 3.0):
        bright = _exposed(image, gain)
        reads = clean.still_reads(bright)
        if reads is None:
            unreadable = gain >= 2.2 and _print_clipped(image, bright) >= 0.2
        else:
            unreadable = not reads
        yield "too_bright", f"exposure x{gain}", unreadable, bright
    if not clean.document:
        return
    if clean.reshoot is not None:
        for fill in (0.35, 0.2, 0.12):
            yield "too_small", f"fill {fill}", fill <= 0.2, clean.reshoot(fill)
    # Where the page is: known for the pale-desk copy (there ``locate`` can take part of the
    # desk for the page, and "the desk alone" would still show print).
    quad = clean.quad if clean.quad is not None else locate(image)
    if quad is not None:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
        for share in (0.05, 0.15, 0.3):
            dx, dy = share * (right - left), share * (bottom - top)
            sides = rng.sample(["left", "right", "top", "bottom"], rng.randint(1, 3))
            x0 = int(left + dx) if "left" in sides else 0
            x1 = int(right - dx) if "right" in sides else image.shape[1]
            y0 = int(top + dy) if "top" in sides else 0
            y1 = int(bottom - dy) if "bottom" in sides else image.shape[0]
            cut = np.ascontiguousarray(image[y0:y1, x0:x1])
            yield "cut_off", f"{share:.0%} outside", share >= 0.15, cut
        desk = image.copy()
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.fillConvexPoly(mask, np.array(quad, np.int32), 255)
        fill = np.median(image[mask == 0], axis=0)
        desk[mask > 0] = fill.astype(np.uint8)
        yield "empty", "desk alone", True, desk


def _load(path: Path) -> Assess:
    spec = importlib.util.spec_from_file_location("quality_against", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.assess  # type: ignore[no-any-return]


def _caught(report: QualityReport) -> bool:
    return bool(report.problems) or bool(getattr(report, "suspect", []))


def run(photos: list[Clean], judges: dict[str, Assess]) -> dict[str, object]:
    """Score every judge on the clean photos and their degradations (each made once)."""
    scores = {label: {"clean": {}, "caught": {}, "missed": {}} for label in judges}
    for number, photo in enumerate(photos, 1):
        degraded = list(degrade(photo, random.Random(photo.name)))
        for label, judge in judges.items():
            clean, caught, missed = (scores[label][key] for key in ("clean", "caught", "missed"))
            tally = clean.setdefault(
                photo.source, {"photos": 0, "refused": [], "not_applicable": [], "suspect": []}
            )
            tally["photos"] += 1
            report = judge(photo.image)
            applies = [p for p in report.problems if photo.document or p not in DOCUMENT_GATES]
            if applies:
                tally["refused"].append(f"{photo.name}: {','.join(report.problems)}")
            elif report.problems:
                tally["not_applicable"].append(f"{photo.name}: {','.join(report.problems)}")
            if getattr(report, "suspect", []):
                tally["suspect"].append(f"{photo.name}: {','.join(report.suspect)}")
            for gate, strength, unreadable, image in degraded:
                hit = _caught(judge(image))
                key = f"{photo.source} {strength}{'' if unreadable else ' (legible)'}"
                row = caught.setdefault(gate, {}).setdefault(key, [0, 0])
                row[0] += int(hit)
                row[1] += 1
                if unreadable and not hit:
                    missed.setdefault(gate, []).append(f"{photo.name} {strength}")
        if number % 20 == 0:
            print(f"  {number}/{len(photos)} photos", file=sys.stderr, flush=True)
    return dict(scores)


def sides(photos: list[Clean]) -> dict[str, object]:
    """``wrong_side`` on every photo of an ID card's side, read by the default engine.

    The gate is the classifier's answer (``side_problem``): asked for the side the photo shows,
    a ``wrong_side`` is a false refusal; asked for the other side, it is a catch.
    """
    from ocr.engines import build_engine
    from ocr.quality import OTHER_SIDE, side_problem
    from ocr.reader import read_document

    engine = build_engine("rapid")
    tally: dict[str, dict[str, list[str]]] = {}
    for photo in photos:
        if photo.document_type not in OTHER_SIDE:
            continue
        found = read_document(photo.image, engine, check_quality=False).document_type
        row = tally.setdefault(photo.source, {"photos": [], "refused": [], "missed": []})
        row["photos"].append(photo.name)
        if side_problem(photo.document_type, found):
            row["refused"].append(f"{photo.name}: read as {found}")
        if side_problem(OTHER_SIDE[photo.document_type], found) is None:
            row["missed"].append(f"{photo.name}: read as {found}")
    return dict(tally)


def _table(result: dict[str, object]) -> str:
    lines = []
    for label, scored in result.items():
        assert isinstance(scored, dict)
        if label == "wrong_side":
            for source, row in scored.items():
                n, refused, missed = len(row["photos"]), row["refused"], row["missed"]
                lines.append(
                    f"== wrong_side {source:8} false refusals {len(refused)}/{n},"
                    f" caught {n - len(missed)}/{n}"
                )
            continue
        lines.append(f"== {label}")
        for source, tally in scored["clean"].items():
            n, refused = tally["photos"], tally["refused"]
            lines.append(
                f"  clean {source:8} false refusals {len(refused)}/{n} ({len(refused) / n:.1%}),"
                f" suspect {len(tally['suspect'])}/{n},"
                f" refused by gates that do not apply {len(tally['not_applicable'])}"
            )
        for gate, rows in scored["caught"].items():
            must = [v for k, v in rows.items() if "(legible)" not in k]
            hit, total = sum(v[0] for v in must), sum(v[1] for v in must)
            share = f"{hit / total:.1%}" if total else "-"
            lines.append(f"  {gate:10} caught (unreadable) {hit}/{total} ({share})")
            for key, (h, t) in rows.items():
                lines.append(f"      {key:34} {h}/{t}")
    return "\n".join(lines)


def main() -> None:
    """Build the photos, score the gates (and ``--against``), print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench quality")
    parser.add_argument("--docgen", type=int, default=2, help="documents per type (default 2)")
    parser.add_argument(
        "--seed", type=int, default=1000, help="first docgen document seed (default 1000)"
    )
    parser.add_argument("--every", type=int, default=1, help="every Nth held-out and real photo")
    parser.add_argument("--against", type=Path, help="another ocr/quality.py to score alike")
    parser.add_argument(
        "--sides", action="store_true", help="also read the ID cards for wrong_side (OCR)"
    )
    args, _ = parser.parse_known_args()
    started = time.perf_counter()
    photos = [
        *docgen_photos(args.docgen, args.seed),
        *heldout_photos(args.every),
        *real_photos(args.every),
    ]
    judges: dict[str, Assess] = {"ocr.quality": assess}
    if args.against is not None:
        judges[f"against {args.against.name}"] = _load(args.against)
    result = run(photos, judges)
    if args.sides:
        result["wrong_side"] = sides(photos)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    print(_table(result))
    print(f"{len(photos)} clean photos in {time.perf_counter() - started:.0f} s; see {RESULTS}")


if __name__ == "__main__":
    main()
