"""Read the held-out cases under other photo conditions and print the fields right per type.

``python -m tests.heldout`` reads every case as the test does; ``--tilt``, ``--shadow``,
``--jpeg``, ``--blur`` and ``--offset`` (added to each case's seed) photograph them otherwise,
``--no-page`` reads the whole photo without the page step (to tell its faults from the rest),
``--engine`` reads with another engine or options, as the OCR benchmark names them
(``rapid+det_page_side=736``).
Wrong fields are listed under their case. It is a probe for people, not a test: it fails nothing.
"""

from __future__ import annotations

import argparse

from bench.ocr import engine_spec
from ocr.engines import build_engine
from ocr.reader import read_document
from tests.heldout.render import CASES, Photo, photograph


def main() -> None:
    """Read the cases and print what came out wrong, then the totals per type."""
    parser = argparse.ArgumentParser(prog="python -m tests.heldout")
    parser.add_argument("--tilt", type=float)
    parser.add_argument("--shadow", type=float)
    parser.add_argument("--jpeg", type=int)
    parser.add_argument("--blur", type=float)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--no-page", action="store_true")
    parser.add_argument(
        "--engine", default="rapid", help="engine and option overrides, as in python -m bench ocr"
    )
    parser.add_argument("names", nargs="*", help="only cases whose name holds one of these")
    args = parser.parse_args()
    engine = build_engine(*engine_spec(args.engine))
    totals: dict[str, list[int]] = {}
    for case in CASES:
        if args.names and not any(n in case.name for n in args.names):
            continue
        photo = Photo(
            tilt=case.photo.tilt if args.tilt is None else args.tilt,
            skew=case.photo.skew,
            shadow=case.photo.shadow if args.shadow is None else args.shadow,
            jpeg=case.photo.jpeg if args.jpeg is None else args.jpeg,
            blur=case.photo.blur if args.blur is None else args.blur,
            fill=case.photo.fill,
        )
        card = case.document_type.startswith("resident_id")
        image = photograph(case.draw(), photo, case.seed + args.offset, card=card)
        reading = read_document(image, engine, page_finder=(lambda i: i) if args.no_page else None)
        wrong = {
            name: (expected, reading.fields.get(name))
            for name, expected in case.fields.items()
            if reading.fields.get(name) != expected
        }
        right, total = totals.setdefault(case.document_type, [0, 0])
        totals[case.document_type] = [
            right + len(case.fields) - len(wrong),
            total + len(case.fields),
        ]
        if wrong or reading.quality_problems:
            print(f"{case.name}: {reading.document_type} {reading.quality_problems}")
            for name, (expected, got) in wrong.items():
                print(f"    {name}: expected {expected!r}, read {got!r}")
    for kind, (right, total) in sorted(totals.items()):
        print(f"{kind:24} {right}/{total}")
    print(f"{'all':24} {sum(r for r, _ in totals.values())}/{sum(t for _, t in totals.values())}")


if __name__ == "__main__":
    main()
