"""QR decoding: decode rate and time per frame of each decoder alone and of chains of them.

Two image sets:

- **generated**: a few hundred 1280x720 camera-like frames made here with the qrcode package and
  OpenCV from a fixed seed: our own payload kinds (case numbers, signed ``ZWCERT1`` certificate
  payloads, random text), each degraded one way or several (perspective, blur, noise, uneven
  light, small codes). The same seed gives the same images on every machine.
- **real**: the photographs in ``../shared/data/qr-real`` (or ``$QR_REAL_DIR``), each beside
  ``NAME.txt`` holding the expected payload; compared as bytes, exactly.

A frame counts as decoded when the expected payload is among the codes returned. Time is per
frame, median and p95, in milliseconds, measured in this process one frame at a time. The
baseline named in the report is the best single decoder of the run; the chain must decode at
least as many frames as it, at a median under 60 ms per frame. A set of frames without any code
shows what a miss costs (every decoder of a chain runs on it), which is what an idle terminal
pays per frame.

Run: ``python -m bench qr`` (also writes ``bench/results/qr.json``, naming the missed images).
"""

from __future__ import annotations

import json
import os
import statistics
import string
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.camera.qr import DECODERS, DecoderChain, FormatDecoder
from hall.schema import CertificateClaims, encode_certificate_qr

SEED = 20240501
GENERATED = 300
BLANK = 20
WIDTH, HEIGHT = 1280, 720
# shared/ sits beside the project's clone (as in CI); $QR_REAL_DIR points elsewhere.
REAL_DIR = Path(
    os.environ.get("QR_REAL_DIR", Path(__file__).resolve().parents[2] / "shared/data/qr-real")
)
RESULTS = Path(__file__).parent / "results" / "qr.json"
TARGET_MEDIAN_MS = 60.0
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")

CHAINS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("zxing-cpp", "pyzbar"), True),
    (("zxing-cpp", "pyzbar"), False),
    (("zxing-cpp", "pyzbar", "opencv"), False),
    (("pyzbar", "zxing-cpp"), False),
)
"""Candidate chains (order, gated) measured against each other; the first is the terminal's."""

Frame = npt.NDArray[np.uint8]


@dataclass
class Sample:
    """One test frame and the payload it must yield."""

    name: str
    frame: Frame
    expected: bytes | None
    kind: str


# --- the generated set ----------------------------------------------------------------------------


def _payloads(rng: np.random.Generator, count: int) -> list[tuple[str, bytes]]:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    letters = string.ascii_letters + string.digits + " -_/:.?=&"
    out: list[tuple[str, bytes]] = []
    for i in range(count):
        kind = ("case", "certificate", "text")[i % 3]
        if kind == "case":
            prefix = ("SL", "ZS", "BJ", "GA3201")[int(rng.integers(4))]
            text = f"{prefix}-2026{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}-"
            text += f"{int(rng.integers(0, 100000)):05d}"
            out.append((kind, text.encode()))
        elif kind == "certificate":
            claims = CertificateClaims(
                kid="hall-2026",
                cid=f"ZS-{int(rng.integers(10**7, 10**8))}",
                case=f"SL-20260501-{int(rng.integers(0, 100000)):05d}",
                item="birth-registration",
                name="张*",
                idm="110101********1234",
                iat="2026-05-01",
                exp="2031-05-01" if rng.random() < 0.5 else None,
            )
            out.append((kind, encode_certificate_qr(claims, key.sign).encode()))
        else:
            length = int(rng.integers(8, 120))
            chars = rng.choice(list(letters), size=length)
            text = "".join(chars)
            if rng.random() < 0.3:
                text += " 受理回执"
            out.append((kind, text.encode()))
    return out


def _code_image(payload: bytes, module_px: int) -> Frame:
    code = qrcode.QRCode(
        box_size=module_px, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(payload)
    code.make(fit=True)
    return np.array(code.make_image().convert("L"), dtype=np.uint8)


def _background(rng: np.random.Generator) -> Frame:
    base = int(rng.integers(110, 200))
    frame = np.full((HEIGHT, WIDTH), base, dtype=np.float32)
    # Desk texture: low-frequency blotches, so the frame is not a flat field.
    blotches = rng.normal(0, 12, size=(HEIGHT // 40 + 1, WIDTH // 40 + 1)).astype(np.float32)
    frame += cv2.resize(blotches, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    return frame


def _generated_frame(rng: np.random.Generator, payload: bytes) -> tuple[Frame, str]:
    degradations = [
        d for d in ("perspective", "blur", "noise", "light", "small") if rng.random() < 0.4
    ]
    small = "small" in degradations
    modules = _code_image(payload, 1).shape[0]
    target = int(rng.integers(110, 180)) if small else int(rng.integers(260, 520))
    code = _code_image(payload, max(1, round(target / modules)))
    code = cv2.resize(code, (target, target), interpolation=cv2.INTER_AREA)
    frame = _background(rng)
    x = int(rng.integers(0, WIDTH - target))
    y = int(rng.integers(0, HEIGHT - target))
    # A printed code on paper: white is the paper's white, a little under 255.
    frame[y : y + target, x : x + target] = code.astype(np.float32) * 0.9 + 10
    if "perspective" in degradations:
        src = np.float32([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]])
        jitter = rng.uniform(-0.12, 0.12, size=(4, 2)) * np.float32([WIDTH, HEIGHT])
        dst = (src + jitter).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        frame = cv2.warpPerspective(frame, matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)
    if "light" in degradations:
        gx = np.linspace(rng.uniform(0.35, 0.7), rng.uniform(1.0, 1.3), WIDTH, dtype=np.float32)
        gy = np.linspace(rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0), HEIGHT, dtype=np.float32)
        frame = frame * np.outer(gy, gx)
    if "blur" in degradations:
        sigma = float(rng.uniform(1.0, 2.2))
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    if "noise" in degradations:
        frame = frame + rng.normal(0, float(rng.uniform(6, 18)), size=frame.shape)
    grey = np.clip(frame, 0, 255).astype(np.uint8)
    bgr = np.ascontiguousarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
    return bgr, "+".join(degradations) or "clean"


def generated_samples(count: int = GENERATED, seed: int = SEED) -> list[Sample]:
    """Make the generated set: ``count`` frames with a code, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    samples = []
    for i, (kind, payload) in enumerate(_payloads(rng, count)):
        frame, how = _generated_frame(rng, payload)
        samples.append(Sample(f"gen-{i:03d}-{kind}-{how}", frame, payload, kind))
    return samples


def blank_samples(count: int = BLANK, seed: int = SEED + 1) -> list[Sample]:
    """Frames of an empty desk: what the camera sees while nobody holds a code up."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        grey = np.clip(_background(rng) + rng.normal(0, 6, (HEIGHT, WIDTH)), 0, 255)
        frame = cv2.cvtColor(grey.astype(np.uint8), cv2.COLOR_GRAY2BGR)
        out.append(Sample(f"blank-{i:02d}", np.ascontiguousarray(frame), None, "blank"))
    return out


def real_samples(folder: Path = REAL_DIR) -> list[Sample]:
    """The photographs with a ``NAME.txt`` beside them (the README's set), expected as bytes."""
    out = []
    for image in sorted(folder.rglob("*")):
        if image.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        expected_file = image.with_suffix(".txt")
        if not expected_file.exists():
            continue
        frame = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if frame is None:
            continue
        name = str(image.relative_to(folder))
        out.append(Sample(name, np.ascontiguousarray(frame), expected_file.read_bytes(), "real"))
    return out


def _in_frame(sample: Sample) -> Sample:
    """The photo on a 1280x720 grey frame (shrunk to fit if larger): a camera frame's cost."""
    frame = sample.frame
    h, w = frame.shape[:2]
    scale = min(1.0, WIDTH / w, HEIGHT / h)
    if scale < 1.0:
        frame = cv2.resize(frame, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
        h, w = frame.shape[:2]
    canvas = np.full((HEIGHT, WIDTH, 3), 128, dtype=np.uint8)
    y, x = (HEIGHT - h) // 2, (WIDTH - w) // 2
    canvas[y : y + h, x : x + w] = frame
    return Sample(sample.name, canvas, sample.expected, sample.kind)


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One decoder (or chain) on one set."""

    decoded: int
    of: int
    median_ms: float
    p95_ms: float
    missed: list[str]


def _measure(
    subjects: dict[str, Callable[[Frame], list[bytes]]], samples: list[Sample]
) -> dict[str, Row]:
    """Time every subject on every frame, frame by frame in turn.

    Interleaved, so that a burst of load from other processes (this machine is shared) or the
    first touch of a frame's memory falls on every subject alike, not on whichever ran first.
    """
    times: dict[str, list[float]] = {name: [] for name in subjects}
    missed: dict[str, list[str]] = {name: [] for name in subjects}
    for sample in samples:
        for name, decode in subjects.items():
            start = time.perf_counter()
            found = decode(sample.frame)
            times[name].append((time.perf_counter() - start) * 1000.0)
            if sample.expected is not None and sample.expected not in found:
                missed[name].append(sample.name)
    with_code = sum(1 for s in samples if s.expected is not None)
    rows = {}
    for name, values in times.items():
        values.sort()
        rows[name] = Row(
            decoded=with_code - len(missed[name]),
            of=with_code,
            median_ms=round(statistics.median(values), 1),
            p95_ms=round(values[min(len(values) - 1, int(0.95 * len(values)))], 1),
            missed=missed[name],
        )
    return rows


def _decoders() -> dict[str, FormatDecoder]:
    out: dict[str, FormatDecoder] = {}
    for name, factory in DECODERS.items():
        try:
            out[name] = factory()
        except ImportError as err:
            print(f"decoder {name} not available: {err}")
    return out


def main() -> dict[str, Any]:
    """Measure every decoder and candidate chain on every set; print and save the report."""
    real = real_samples()
    sets = {
        "generated": generated_samples(),
        "real": real,
        "real-in-frame": [_in_frame(s) for s in real],
        "blank": blank_samples(),
    }
    decoders = _decoders()
    subjects: dict[str, Callable[[Frame], list[bytes]]] = {n: d.decode for n, d in decoders.items()}
    for names, gated in CHAINS:
        if all(n in decoders for n in names):
            chain = DecoderChain([decoders[n] for n in names], gated=gated)
            subjects["chain:" + chain.name] = chain.decode
    figures: dict[str, dict[str, Row]] = {}
    for set_name, samples in sets.items():
        if not samples:
            print(f"{set_name}: no images")
            continue
        for decode in subjects.values():
            decode(samples[0].frame)  # warm up: first-call set-up is not a frame's cost
        figures[set_name] = _measure(subjects, samples)
    default = "chain:" + DecoderChain.from_names(gated=True).name
    verdict: dict[str, Any] = {}
    for set_name in ("generated", "real", "real-in-frame"):
        if set_name not in figures:
            continue
        rows = figures[set_name]
        best = max(decoders, key=lambda n: (rows[n].decoded, -rows[n].median_ms))
        ours = rows[default]
        verdict[set_name] = {
            "baseline": f"best single decoder: {best}",
            "baseline_decoded": rows[best].decoded,
            "baseline_median_ms": rows[best].median_ms,
            "chain": default,
            "chain_decoded": ours.decoded,
            "chain_median_ms": ours.median_ms,
            "ratio_median_to_baseline": round(ours.median_ms / max(0.1, rows[best].median_ms), 2),
            "meets_targets": ours.decoded >= rows[best].decoded
            and ours.median_ms < TARGET_MEDIAN_MS,
        }
    if "blank" in figures:
        verdict["blank"] = {"chain": default, "miss_median_ms": figures["blank"][default].median_ms}
    report: dict[str, Any] = {
        "sets": {k: len(v) for k, v in sets.items()},
        "verdict": verdict,
        "figures": {k: {n: asdict(r) for n, r in v.items()} for k, v in figures.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _print(report)
    return report


def _print(report: dict[str, Any]) -> None:
    print(f"QR decoding (sets: {report['sets']}); per frame, this process, one thread")
    for set_name, rows in report["figures"].items():
        print(f"\n[{set_name}]")
        print(f"  {'decoder':<40}{'decoded':>10}{'median ms':>12}{'p95 ms':>10}")
        for subject, row in rows.items():
            decoded = f"{row['decoded']}/{row['of']}" if row["of"] else "-"
            print(f"  {subject:<40}{decoded:>10}{row['median_ms']:>12}{row['p95_ms']:>10}")
    print("\n" + json.dumps(report["verdict"], indent=2, ensure_ascii=False))
    print(f"\n(full report with the missed images: {RESULTS})")


if __name__ == "__main__":
    main()
