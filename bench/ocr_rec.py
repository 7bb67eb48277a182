"""Line recognition: the default engine's own driver against the rapidocr wheel's, same lines.

Subject: ``RapidEngine._recognise``, which runs every line crop alone at its own width (padded to
no less than ``rec_min_width``) on one single-threaded onnxruntime session per core, each taking
the longest line still waiting. Baseline: the wheel's ``TextRecognizer`` on the same crops, which
batches six crops padded to the widest of them and to 320 px and runs them on one two-threaded
session. Both run on the line crops the detector finds on flat generated A4 pages (every A4
type, ``bench.docgen.page_for``), taken in turns page by page so that load on a shared machine
falls on both alike. Reported: seconds per page for each, their ratio, and how many lines the two
read differently (the texts should agree but for padding's effect on punctuation).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.docgen import page_for
from ocr.engines import build_engine, warm_up
from ocr.engines.rapid import DEFAULT_MODELS, RapidEngine, wheel_model_dir

RESULTS = Path(__file__).parent / "results" / "ocr_rec.json"
A4_TYPES = ("business_license", "lease_contract", "food_business_license")


def main() -> None:
    pages_per_type = int(os.environ.get("OCR_REC_BENCH_PAGES", "4"))
    rounds = int(os.environ.get("OCR_REC_BENCH_ROUNDS", "2"))
    engine: Any = build_engine("rapid")
    warm_up(engine)
    crops_per_page = []
    for kind in A4_TYPES:
        for seed in range(pages_per_type):
            page, _spec, _who = page_for(kind, seed)
            _degrees, upright, boxes = engine._upright(page)
            crops_per_page.append(engine._crops(upright, boxes))
    wheel = engine._ocr.text_rec
    # The engine hands the wheel's recogniser one of its own single-threaded sessions; the
    # baseline gets back the session the wheel would run: the same model on every thread.
    wheel.session.session = RapidEngine._session(
        wheel_model_dir() / DEFAULT_MODELS["rec"], threads=engine.options.threads
    )
    ours_s: list[float] = []
    wheel_s: list[float] = []
    lines = differ = 0
    for _round in range(rounds):
        for crops in crops_per_page:
            started = time.perf_counter()
            theirs, _elapsed = wheel(crops, False)
            wheel_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            mine = engine._recognise(crops)
            ours_s.append(time.perf_counter() - started)
            lines += len(crops)
            differ += sum(a[0] != b[0] for a, b in zip(theirs, mine, strict=True))
    report = {
        "pages": len(crops_per_page),
        "rounds": rounds,
        "lines_per_page_median": statistics.median(len(c) for c in crops_per_page),
        "threads": engine.options.threads,
        "rec_min_width": engine.options.rec_min_width,
        "ours_s_per_page_p50": round(statistics.median(ours_s), 3),
        "wheel_s_per_page_p50": round(statistics.median(wheel_s), 3),
        "ratio_total": round(sum(ours_s) / sum(wheel_s), 3),
        "lines_read": lines,
        "lines_read_differently": differ,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2), "utf-8")
    print(
        f"ocr_rec: {report['pages']} A4 pages x {rounds}, "
        f"{report['lines_per_page_median']} lines per page (median)\n"
        f"  own-width, {report['threads']} sessions  "
        f"p50 {report['ours_s_per_page_p50']:.3f} s/page\n"
        f"  wheel (batches of 6)  p50 {report['wheel_s_per_page_p50']:.3f} s/page\n"
        f"  ratio {report['ratio_total']:.2f} of the wheel's time; "
        f"{differ} of {lines} lines read differently\n"
        f"  written to {RESULTS}"
    )
