"""``python -m bench.docgen --out DIR --count N --seed S``: write photos and their truth."""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from bench.docgen import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.docgen", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the photos and truth")
    parser.add_argument("--count", type=int, default=60, help="how many photos (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same files")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    started = time.perf_counter()
    truths = generate(args.out, args.count, args.seed)
    kinds = collections.Counter(t["document_type"] for t in truths)
    invalid = sum(not t["valid"] for t in truths)
    print(f"wrote {len(truths)} photos to {args.out} in {time.perf_counter() - started:.1f} s")
    for kind, number in sorted(kinds.items()):
        print(f"  {kind}: {number}")
    print(f"  invalid: {invalid} ({invalid / len(truths):.0%})")


if __name__ == "__main__":
    main()
