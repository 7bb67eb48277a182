"""``python -m bench [NAME ...]``: run every benchmark (or the named ones) and print its report."""

import importlib
import sys

# One module per benchmark, each with ``main()``; ``python -m bench idcard qr`` runs just those.
BENCHMARKS = (
    "startup", "preview", "qr", "idcard", "receipt",
    "queue_enqueue", "queue_drain", "queue_catchup", "queue_kill",
    "ocr", "ocr_rec", "doctor", "wal", "fleet", "quality", "journey", "soak", "registers",
    "face",
)  # fmt: skip

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] in BENCHMARKS and sys.argv[2].startswith("-"):
        # One benchmark with its own options (``python -m bench fleet --terminals 10000``).
        importlib.import_module(f"bench.{sys.argv[1]}").main()
        sys.exit(0)
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in chosen:
        importlib.import_module(f"bench.{name}").main()
