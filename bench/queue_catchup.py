"""Catch-up after an outage: does a fleet's backlog arrive at the hall as a wave or a flood?

1,000 simulated terminals each hold a few queued submissions. The hall goes down; each terminal
notices at its own next sync (anywhere in its idle interval) and retries with the product's own
:func:`offline_cache.sync.backoff_delay` (full jitter, capped exponential); when the hall comes
back each terminal delivers its backlog, one request per ``SERVICE`` s. Every request's arrival
at the hall is recorded. Measured over the catch-up (from the hall's return to the last
delivery): the peak arrival rate in fixed buckets against the mean rate. Named baseline, same
run: the same fleet with the jitter taken out (delay = the ceiling), which retries in lock-step.

The terminals run on a virtual clock (a discrete-event simulation): on a loaded machine a real
event loop with a thousand tasks stalls and releases arrivals in clumps that are the machine's,
not the backoff's (an asyncio version showed exactly that). Two scales: ``scaled`` (base 0.1 s,
cap 4 s, 12 s outage, 100 ms buckets) and ``product`` (the SyncWorker's defaults: base 1 s, cap
300 s, idle interval 5 s, a 30-minute outage, 1 s buckets).

What to expect: with full jitter each terminal's wait is uniform in [0, cap], so the time from
the hall's return to a terminal's next try has the renewal process's residual density,
``2 (1 - x / cap) / cap``: highest at the return, falling to zero at ``cap``. The wave's peak is
therefore twice its mean in the limit; what a run shows above 2 is counting noise of the bucket
size. Without jitter the fleet returns in lock-step and the peak is many times the mean.
"""

from __future__ import annotations

import collections
import heapq
import inspect
import json
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from offline_cache.sync import SyncWorker, backoff_delay

TERMINALS = int(os.environ.get("QUEUE_CATCHUP_TERMINALS", "1000"))
BACKLOG = 3
SERVICE = 0.03
"""Seconds from one request to the terminal's next when the hall answers."""
RESULTS = Path(__file__).with_name("results") / "queue_catchup.json"


@dataclass(frozen=True)
class Scale:
    """Backoff and outage parameters of one scenario."""

    base: float
    cap: float
    notice_spread: float
    outage: float
    bucket: float


def _product_scale() -> Scale:
    defaults = inspect.signature(SyncWorker.__init__).parameters
    return Scale(
        base=float(defaults["base_delay"].default),
        cap=float(defaults["max_delay"].default),
        notice_spread=float(defaults["idle_interval"].default),
        outage=1800.0,
        bucket=1.0,
    )


SCALES = {
    "scaled": Scale(base=0.1, cap=4.0, notice_spread=0.5, outage=12.0, bucket=0.1),
    "product": _product_scale(),
}

Delay = Callable[[int, random.Random, Scale], float]


def jittered(attempt: int, rng: random.Random, scale: Scale) -> float:
    """The product's delay: full jitter in [0, min(cap, base * 2^(attempt-1))]."""
    return backoff_delay(attempt, scale.base, scale.cap, rng)


def no_jitter(attempt: int, rng: random.Random, scale: Scale) -> float:
    """The baseline: the same capped exponential ceiling, without the draw."""
    return min(scale.cap, scale.base * 2 ** max(attempt - 1, 0))


def simulate(delay: Delay, scale: Scale, terminals: int, seed: int) -> dict[str, float]:
    """Run the fleet through the outage and the catch-up; return the arrival figures."""
    rng = random.Random(seed)
    # (time, terminal, attempt, left): each terminal's next request.
    events = [(rng.uniform(0.0, scale.notice_spread), n, 0, BACKLOG) for n in range(terminals)]
    heapq.heapify(events)
    rngs = [random.Random(seed * 100_000 + n) for n in range(terminals)]
    back = scale.outage
    arrivals_after: list[float] = []
    during = 0
    while events:
        now, n, attempt, left = heapq.heappop(events)
        if now < back:
            during += 1
            attempt += 1
            heapq.heappush(events, (now + delay(attempt, rngs[n], scale), n, attempt, left))
            continue
        arrivals_after.append(now)
        if left > 1:
            heapq.heappush(events, (now + SERVICE, n, 0, left - 1))
    window = max(max(arrivals_after) - back, scale.bucket)
    steady = len(arrivals_after) / window

    def peak_rate(bucket: float) -> float:
        buckets = collections.Counter(math.floor((t - back) / bucket) for t in arrivals_after)
        return max(buckets.values()) / bucket

    peak = peak_rate(scale.bucket)
    # Coarser buckets hold more arrivals each: they show the wave's shape under the counting
    # noise of small buckets.
    coarser = [scale.bucket * 10, scale.cap / 10]
    return {
        "catch_up_s": round(window, 2),
        "arrivals_after_return": len(arrivals_after),
        "steady_per_s": round(steady, 1),
        "peak_per_s": round(peak, 1),
        "peak_to_steady": round(peak / steady, 2),
        "peak_to_steady_coarser": {
            f"{b:g}s": round(peak_rate(b) / steady, 2) for b in coarser if b < window
        },
        "requests_during_outage": during,
    }


def main(terminals: int = TERMINALS, seed: int = 1) -> dict[str, object]:
    """Run both scales with and without jitter; print, write and return the report."""
    report: dict[str, object] = {
        "terminals": terminals,
        "backlog_per_terminal": BACKLOG,
        "baseline": "no jitter: delay = min(cap, base * 2^(attempt-1)), lock-step retries",
        "target_peak_to_steady": 2.0,
    }
    for name, scale in SCALES.items():
        report[name] = {
            "scale": scale.__dict__,
            "full_jitter": simulate(jittered, scale, terminals, seed),
            "no_jitter": simulate(no_jitter, scale, terminals, seed),
        }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
