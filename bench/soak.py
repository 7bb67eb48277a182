"""Soak: N mixed citizen journeys in one process, watching for leaks and false print failures.

``python -m bench soak --journeys N`` builds the whole terminal as ``kiosk run`` does (embedded
hall over loopback HTTP, the SAM driver on a pty fed by the simulator, the ESC/POS driver to its
loopback receipt printer, the A4 queue on CUPS when a cups-pdf queue can be set up, else the
folder driver; the outbox, the sync worker, the durable print queue), offscreen, and drives the
screens the way the e2e tests do (the same buttons, the same waits). The journeys rotate:

- ``instant``: an elder's card, the zero-material elder-card item, approval, receipt + A4;
- ``materials``: an adult's card, the registration item, a photographed lease, a receipt; with
  ``--ocr`` the lease is read and checked as on a deployed terminal (``[ocr] check_materials``,
  the engine on OpenVINO where it is installed), without it the photo is kept unchecked;
- ``idle``: an adult's card, an item chosen, then the citizen walks away: the card is taken, the
  idle clock is walked past the warning (the overlay shows) and past the countdown, and the
  navigator's own idle timer wipes the session.

Every ``--every`` journeys it prints RSS, threads, open fds, Qt objects (``allWidgets()`` plus a
gc count of live ``QObject`` wrappers), glibc's malloc heap (in use, held free, arenas: RSS that
grows while "in use" stays flat is the allocator keeping freed memory, not a leak), with
``--tracemalloc`` the Python heap (tracemalloc slows the run), and the journey times of the
interval; at the end the growth per 100 journeys after warm-up (least-squares slope over the
samples after ``--warmup``). Baseline, measured in the same run: the same figures at the end of
warm-up; the report gives each later figure as a ratio to it.

A *false print failure* is a journey whose result screen said "print failed" while the job
printed after all (its print-queue row ends ``printed``): the race issue 10 found. Targets: RSS
growth <= 1 MB per 100 journeys after warm-up, no thread, fd or object growth, no false print
failure in 1,000 journeys.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "soak.json"
KINDS = ("instant", "materials", "instant", "idle")
"""The rotation: two approvals (two elder cards), one photographed material, one idle wipe."""
RSS_TARGET_MB_PER_100 = 1.0
GROWTH_FIGURES = (
    "rss_kb",
    "native_in_use_kb",
    "native_free_kb",
    "python_heap_kb",
    "os_threads",
    "py_threads",
    "fds",
    "widgets",
    "qobjects",
)
"""The figures the report gives the growth of (the ``_kb`` ones in MB per 100 journeys)."""
SCREEN_WAIT_S = 30.0
PRINT_SETTLE_S = 20.0
"""After "print failed" on screen, how long the job has to show that it printed after all."""


def _wait(app: Any, predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Run the event loop until ``predicate``; returns the perf_counter time it came true."""
    from PySide6.QtCore import QEvent, QEventLoop

    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"soak: {what} did not happen within {timeout:.0f} s")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        # processEvents() leaves deleteLater()'s deferred deletes alone; app.exec() in
        # `kiosk run` deletes them. Without this the harness itself "leaks" every rebuilt button.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return time.perf_counter()


def rss_kb() -> int:
    """Resident set size of this process now, in kB (``/proc/self/status``)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the peak instead


def open_fds() -> int:
    """File descriptors open in this process."""
    return len(os.listdir("/proc/self/fd"))


def os_threads() -> int:
    """Threads of this process as the kernel counts them (Qt's and Python's)."""
    return len(os.listdir("/proc/self/task"))


def qt_objects(app: Any) -> tuple[int, int]:
    """(widgets alive, ``QObject`` wrappers the garbage collector tracks)."""
    from PySide6.QtCore import QObject

    gc.collect()
    wrappers = sum(1 for obj in gc.get_objects() if isinstance(obj, QObject))
    return len(app.allWidgets()), wrappers


@dataclass
class Sample:
    """The process's figures after ``journeys`` journeys."""

    journeys: int
    rss_kb: int
    os_threads: int
    py_threads: int
    fds: int
    widgets: int
    qobjects: int
    journey_median_s: float
    journey_max_s: float
    native_in_use_kb: int | None = None
    """malloc's bytes in use (``kiosk.allocator.native_heap``); ``None`` off glibc."""
    native_free_kb: int | None = None
    """What malloc's arenas hold free."""
    arenas: int | None = None
    python_heap_kb: int | None = None
    """What tracemalloc traces (``--tracemalloc`` only)."""


@dataclass
class SoakReport:
    """What a soak run found."""

    journeys: int
    a4: str
    warmup: int
    ocr: bool = False
    """Whether photographed materials were read and checked."""
    samples: list[Sample] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    print_failed_shown: int = 0
    false_print_failures: list[str] = field(default_factory=list)
    """Case numbers whose screen said "print failed" while the job printed."""
    growth_per_100: dict[str, float] = field(default_factory=dict)
    threads_started_after_warmup: list[str] = field(default_factory=list)
    """Names of the Python threads alive at the end that were not alive at the end of warm-up."""

    def after_warmup(self) -> list[Sample]:
        """The samples the growth is measured over (the warm-up sample is the first)."""
        return [s for s in self.samples if s.journeys >= self.warmup]


def slope_per_100(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of ``value`` against ``journeys``, per 100 journeys (0 for < 2)."""
    if len(points) < 2:
        return 0.0
    xs = [float(x) for x, _ in points]
    ys = [float(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return 100.0 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var


class Soak:
    """Drive one built terminal through journeys; ``run`` returns the report."""

    def __init__(self, kiosk: Any, app: Any, *, a4: str, pdf_dir: Path | None) -> None:
        """Take a started ``KioskApp`` (window shown) and the running ``QApplication``."""
        self.kiosk = kiosk
        self.app = app
        self.a4 = a4
        self.pdf_dir = pdf_dir
        self._removed: list[bool] = []
        self._wiped: list[bool] = []
        kiosk.controller.services.card_watcher.card_removed.connect(
            lambda: self._removed.append(True)
        )
        kiosk.controller.session_wiped.connect(lambda: self._wiped.append(True))
        self.ids = [item.id for item in kiosk.catalog().items]
        self._started_at = time.time()

    # --- the journeys ---------------------------------------------------------------------------

    def _click(self, button: Any) -> None:
        if not (button.isVisible() and button.isEnabled()):
            raise RuntimeError(f"soak: button {button.text()!r} is not there to press")
        button.click()

    def _lay(self, card: str) -> None:
        from devices.idcard.demo_cards import demo_card

        w = self.kiosk.window
        self._removed.clear()
        self.kiosk.card_simulator.insert(demo_card(card))
        _wait(self.app, lambda: w.current_screen() is w.choose, SCREEN_WAIT_S, "choose screen")

    def _take_card(self) -> None:
        self.kiosk.card_simulator.remove()
        _wait(self.app, lambda: bool(self._removed), SCREEN_WAIT_S, "card removal")

    def _submit_and_finish(self, item: str) -> tuple[str, str]:
        """Choose ``item`` on the choose screen and see it through; (print state, case number)."""
        from kiosk.services.session import Step

        w, ctl = self.kiosk.window, self.kiosk.controller
        self._click(w.choose.reveal(item))
        self._click(w.guide.start_button)
        if ctl.session.step is Step.MATERIALS:
            self._click(w.capture.take_button)
            _wait(self.app, lambda: w.capture.has_photo, SCREEN_WAIT_S, "photo")
            self._click(w.capture.use_button)
        _wait(self.app, lambda: w.current_screen() is w.review, SCREEN_WAIT_S, "review screen")
        self._click(w.review.submit_button)
        _wait(self.app, lambda: w.current_screen() is w.result, SCREEN_WAIT_S, "result screen")
        _wait(
            self.app,
            lambda: w.result.print_state in ("done", "failed"),
            SCREEN_WAIT_S * 2,
            "print outcome",
        )
        state, case = w.result.print_state, w.result.case_number
        self._wiped.clear()
        self._click(w.result.done_button)
        if w.current_screen() is w.rate:
            self._rate()
        _wait(self.app, lambda: bool(self._wiped), SCREEN_WAIT_S, "wipe after rating")
        return state, case

    def _rate(self) -> None:
        rate = self.kiosk.window.rate
        if getattr(rate, "stage", "") == "coarse":
            self._click(rate.coarse_good)
        self._click(rate.level_buttons[5])

    def _instant(self, n: int) -> tuple[str, str]:
        self._lay(("elder", "elder2")[(n // len(KINDS)) % 2])
        result = self._submit_and_finish("elder-card")
        self._take_card()
        return result

    def _materials(self, _n: int) -> tuple[str, str]:
        self._lay("adult")
        result = self._submit_and_finish("sole-proprietor-registration")
        self._take_card()
        return result

    def _idle(self, _n: int) -> tuple[str, str]:
        w, nav = self.kiosk.window, self.kiosk.controller.navigator
        self._lay("adult")
        self._click(w.choose.reveal("sole-proprietor-registration"))
        self._wiped.clear()
        self._take_card()
        if not self._wiped:
            # The citizen walked away: the idle clock is walked forward rather than waited out
            # (at least 30 s each); the navigator's own 1 s timer warns, then wipes.
            nav.idle.last_activity -= nav.idle.warning_after_s + 1
            _wait(self.app, w.overlay.isVisible, SCREEN_WAIT_S, "idle warning")
            nav.idle.last_activity -= nav.idle.countdown_s + 1
            _wait(self.app, lambda: bool(self._wiped), SCREEN_WAIT_S, "idle wipe")
        _wait(self.app, lambda: w.current_screen() is w.attract, SCREEN_WAIT_S, "attract screen")
        return "", ""

    def _printed_after_all(self, case: str) -> bool:
        """Whether a job of ``case`` shown as failed comes out printed within the settle time."""
        from offline_cache.print_queue import PRINTED

        queue = self.kiosk.printing.queue
        deadline = time.perf_counter() + PRINT_SETTLE_S
        while time.perf_counter() < deadline:
            jobs = queue.jobs(case_number=case)
            if any(job.state == PRINTED for job in jobs):
                return True
            if jobs and all(job.state not in ("queued", "printing") for job in jobs):
                return False
            _wait(self.app, lambda: True, 1, "")
            time.sleep(0.05)
        return False

    def _tidy(self) -> None:
        """Drop what the harness itself collects (printed bytes, PDFs), so it is not counted."""
        sim = self.kiosk.receipt_simulator
        if sim is not None:
            del sim.jobs[:]
            del sim.torn_jobs[:]
        if self.pdf_dir is not None:
            for pdf in self.pdf_dir.glob("*.pdf"):
                try:
                    if pdf.stat().st_mtime >= self._started_at - 1:
                        pdf.unlink()
                except OSError:
                    pass

    # --- the run --------------------------------------------------------------------------------

    def sample(self, journeys: int, times: list[float]) -> Sample:
        """The process's figures now."""
        from kiosk.allocator import native_heap

        widgets, qobjects = qt_objects(self.app)
        heap = native_heap()
        return Sample(
            journeys=journeys,
            rss_kb=rss_kb(),
            os_threads=os_threads(),
            py_threads=threading.active_count(),
            fds=open_fds(),
            widgets=widgets,
            qobjects=qobjects,
            journey_median_s=round(statistics.median(times), 3) if times else 0.0,
            journey_max_s=round(max(times), 3) if times else 0.0,
            native_in_use_kb=None if heap is None else heap.in_use_kb,
            native_free_kb=None if heap is None else heap.free_kb,
            arenas=None if heap is None else heap.arenas,
            python_heap_kb=(
                tracemalloc.get_traced_memory()[0] // 1024 if tracemalloc.is_tracing() else None
            ),
        )

    def run(
        self,
        journeys: int,
        *,
        every: int,
        warmup: int,
        on_sample: Callable[[Sample], None] | None = None,
    ) -> SoakReport:
        """Drive ``journeys`` journeys, sampling every ``every`` and at the end of warm-up."""
        report = SoakReport(
            journeys=journeys,
            a4=self.a4,
            warmup=warmup,
            ocr=self.kiosk.settings.ocr.check_materials,
        )
        runners = {"instant": self._instant, "materials": self._materials, "idle": self._idle}
        times: list[float] = []
        at_warmup: set[int | None] = set()
        report.samples.append(self.sample(0, times))
        for n in range(journeys):
            kind = KINDS[n % len(KINDS)]
            started = time.perf_counter()
            state, case = runners[kind](n)
            times.append(time.perf_counter() - started)
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
            if state == "failed":
                report.print_failed_shown += 1
                if self._printed_after_all(case):
                    report.false_print_failures.append(case)
            self._tidy()
            done = n + 1
            if done % every == 0 or done in (warmup, journeys):
                sample = self.sample(done, times)
                times = []
                report.samples.append(sample)
                if done == warmup:
                    at_warmup = {t.ident for t in threading.enumerate()}
                if on_sample is not None:
                    on_sample(sample)
        report.threads_started_after_warmup = sorted(
            t.name for t in threading.enumerate() if t.ident not in at_warmup
        )
        after = report.after_warmup()
        for name in GROWTH_FIGURES:
            points = [(s.journeys, getattr(s, name)) for s in after]
            if any(value is None for _, value in points):
                continue
            slope = slope_per_100(points)
            report.growth_per_100[name] = round(slope / 1024 if name.endswith("_kb") else slope, 3)
        return report


def build(tmp: Path, *, cups: bool, ocr: bool = False) -> tuple[Any, Any, str, Path | None]:
    """A started terminal in an offscreen 1920x1080 window: (kiosk, app, a4 driver, pdf dir)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.allocator import apply_policy
    from kiosk.app import build_app
    from kiosk.config import load_settings

    # The malloc policy `kiosk run` sets before its threads start (kiosk/runtime.py). Its
    # variables in the environment stand: MALLOC_ARENA_MAX=16 is glibc's own limit on 2 cores.
    apply_policy()
    app = QApplication.instance() or QApplication([])
    a4, pdf_dir, queue = "folder", None, "PDF"
    if cups:
        from devices.a4.cupsd import ensure_cups_pdf_queue

        setup = ensure_cups_pdf_queue()
        if setup is not None:
            a4, pdf_dir, queue = "cups", setup.output_dir, setup.queue
    settings = load_settings(
        None,
        storage={"data_dir": tmp / "data"},
        terminal={"full_screen": False, "tap_guard_ms": 0, "decision_wait_s": 30.0},
        devices={
            "id_reader": {"poll_interval_s": 0.1},
            "document_printer": {"driver": a4, "queue": queue},
        },
        ocr={"check_materials": ocr},
        voice={"engine": "none"},
        # The night's restart would end the soak's one process: the journeys are what it measures.
        maintenance={"window": "off"},
    )
    kiosk = build_app(settings)
    kiosk.start()
    kiosk.window.resize(1920, 1080)
    kiosk.window.show()
    _wait(app, lambda: kiosk.keys() != {}, 30, "hall keys")
    if a4 == "folder":
        pdf_dir = settings.printed_folder
    return kiosk, app, a4, pdf_dir


def run(
    journeys: int,
    *,
    every: int = 50,
    warmup: int | None = None,
    cups: bool = True,
    ocr: bool = False,
    on_sample: Callable[[Sample], None] | None = None,
) -> SoakReport:
    """Build a terminal in a temporary folder, soak it, stop it; returns the report."""
    warm = warmup if warmup is not None else max(min(100, journeys // 5), 1)
    with tempfile.TemporaryDirectory() as tmp:
        kiosk, app, a4, pdf_dir = build(Path(tmp), cups=cups, ocr=ocr)
        try:
            return Soak(kiosk, app, a4=a4, pdf_dir=pdf_dir).run(
                journeys, every=every, warmup=warm, on_sample=on_sample
            )
        finally:
            kiosk.stop()


def _line(s: Sample, base: Sample | None) -> str:
    ratio = f" ({s.rss_kb / base.rss_kb:.3f}x warm-up)" if base is not None and base.rss_kb else ""
    heap = ""
    if s.native_in_use_kb is not None and s.native_free_kb is not None:
        heap = (
            f", malloc {s.native_in_use_kb / 1024:.1f} MB in use {s.native_free_kb / 1024:.1f} MB "
            f"free in {s.arenas} arenas"
        )
    if s.python_heap_kb is not None:
        heap += f", Python heap {s.python_heap_kb / 1024:.1f} MB"
    return (
        f"soak {s.journeys:5d} journeys: RSS {s.rss_kb / 1024:7.1f} MB{ratio}{heap}, threads "
        f"{s.os_threads} (py {s.py_threads}), fds {s.fds}, widgets {s.widgets}, QObjects "
        f"{s.qobjects}, journey median {s.journey_median_s} s max {s.journey_max_s} s"
    )


def main() -> None:
    """Print the samples as they come and the growth; keep the figures in results/soak.json."""
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--every", type=int, default=50, help="sample every N journeys")
    parser.add_argument("--warmup", type=int, default=None, help="journeys before growth counts")
    parser.add_argument("--no-cups", action="store_true", help="A4 to the folder driver")
    parser.add_argument("--ocr", action="store_true", help="read and check the photographed lease")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="trace the Python heap too (a slower run)"
    )
    args, _ = parser.parse_known_args()
    if args.journeys < 1 or args.every < 1:
        parser.error("--journeys and --every must be at least 1")
    warm = args.warmup if args.warmup is not None else max(min(100, args.journeys // 5), 1)
    base: list[Sample] = []
    if args.tracemalloc:
        tracemalloc.start()

    def show(sample: Sample) -> None:
        if sample.journeys == warm:
            base.append(sample)
        print(_line(sample, base[0] if base else None), flush=True)

    report = run(
        args.journeys,
        every=args.every,
        warmup=warm,
        cups=not args.no_cups,
        ocr=args.ocr,
        on_sample=show,
    )
    g = report.growth_per_100
    rss_ok = g["rss_kb"] <= RSS_TARGET_MB_PER_100
    print(
        f"soak: {report.journeys} journeys {report.kinds}, A4 via {report.a4}, OCR "
        f"{'on' if report.ocr else 'off'}; growth per 100 after {report.warmup} warm-up: RSS "
        f"{g['rss_kb']:+.3f} MB (target <= "
        f"{RSS_TARGET_MB_PER_100} MB: {'met' if rss_ok else 'MISSED'}), "
        + "".join(
            f"{label} {g[name]:+.3f} MB, "
            for name, label in (
                ("native_in_use_kb", "malloc in use"),
                ("native_free_kb", "malloc free"),
                ("python_heap_kb", "Python heap"),
            )
            if name in g
        )
        + f"threads {g['os_threads']:+.3f}, fds {g['fds']:+.3f}, widgets {g['widgets']:+.3f}, "
        f"QObjects {g['qobjects']:+.3f}; print failed shown {report.print_failed_shown}, "
        f"false print failures {len(report.false_print_failures)}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
