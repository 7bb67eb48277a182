"""The terminal under test, as a process the proofs kill with SIGKILL: the real Store, Outbox,
SyncWorker and HallClient, and nothing else (no Qt, no OCR), so it starts fast.

``run`` opens the outbox at ``--store``, starts the sync worker against ``--hall`` (which first
resumes rows a previous kill left ``sending``), then queues submissions in a loop. Before each
enqueue it writes ``TRY <nonce>`` to ``--log``, and after ``Outbox.enqueue`` returns it writes
``ACK <case_number> <idempotency_key> <nonce>``: the acknowledgement the citizen sees (the case
number on the receipt). Each line is one ``write`` on an ``O_APPEND`` descriptor, so a kill never
tears one, and the kernel keeps what was written when the process dies. With ``--drain`` it stops
queueing after ``--count`` and waits until nothing is pending or sending, then writes ``DRAINED``.

``zygote`` imports everything once and then forks one ``run`` per request read from stdin (a JSON
list of ``run`` arguments per line), printing ``PID <pid>`` and, when that child ends, ``EXIT <pid>
<status>``. The forked child is the real terminal process (it opens the store and starts its
threads after the fork); the zygote only saves the interpreter start, so a test can kill a few
hundred terminals in a minute. The zygote itself never starts a thread.

Run with the project's venv python: ``python tests/proof/terminal_proc.py run --store ...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from hall.schema import ApplicantCreate, SubmissionCreate
from offline_cache.crypto import FieldCipher
from offline_cache.hall_client import HallClient
from offline_cache.identity import load_identity
from offline_cache.outbox import Outbox, utc_now
from offline_cache.store import Store
from offline_cache.sync import SyncWorker

PLAIN_ITEM = "sole-proprietor-registration"
"""Accepted by the hall without a decision and without an applicant."""

INSTANT_ITEM = "elder-card"
"""Decided on the spot against the hall's residents (approved or refused)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="terminal_proc")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="queue and sync until killed (or --count and --drain)")
    run.add_argument("--store", required=True, help="outbox SQLite file")
    run.add_argument("--key", required=True, help="field key file (made when missing)")
    run.add_argument("--hall", required=True, help="hall base URL")
    run.add_argument("--log", required=True, help="append TRY/ACK lines here")
    run.add_argument("--kiosk", default="PROOF01", help="kiosk code for case numbers")
    run.add_argument("--count", type=int, default=0, help="queue this many, 0: until killed")
    run.add_argument("--pause-ms", type=float, default=2.0, help="mean pause between enqueues")
    run.add_argument("--applicant", help="JSON ApplicantCreate file: every 4th is instant")
    run.add_argument("--clock-offset-s", type=float, default=0.0, help="terminal clock skew")
    run.add_argument("--seed", type=int, default=0, help="seed for pauses and jitter")
    run.add_argument("--drain", action="store_true", help="wait until the outbox is empty")
    run.add_argument("--drain-timeout", type=float, default=60.0)
    run.add_argument("--read-timeout", type=float, default=3.0)
    commands.add_parser("zygote", help="fork one run per JSON argument list read from stdin")
    return parser


class _Log:
    """Whole-line appends that survive the process's death (the kernel has them at write)."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        data = (text + "\n").encode()
        with self._lock:
            os.write(self._fd, data)


def run(args: argparse.Namespace) -> int:
    """Queue and sync as a terminal does; see the module docstring."""
    offset = dt.timedelta(seconds=args.clock_offset_s)

    def clock() -> dt.datetime:
        return utc_now() + offset

    rng = random.Random(args.seed)
    applicant = None
    if args.applicant:
        with open(args.applicant, encoding="utf-8") as f:
            applicant = ApplicantCreate.model_validate_json(f.read())
    log = _Log(args.log)
    store = Store(args.store)
    outbox = Outbox(store, FieldCipher.from_key_file(args.key), clock=clock)
    # Enrolled beforehand (tests.proof.harness.enrol_terminal): the key pair beside the field key.
    client = HallClient(
        args.hall,
        connect_timeout=1.0,
        read_timeout=args.read_timeout,
        identity=load_identity(Path(args.key).parent),
        wall_clock=lambda: time.time() + args.clock_offset_s,
    )
    worker = SyncWorker(
        outbox,
        client,
        base_delay=0.05,
        max_delay=0.5,
        idle_interval=0.2,
        clock=clock,
        rng=random.Random(args.seed + 1),
    )
    worker.start()
    log.line(f"START {os.getpid()}")
    number = 0
    while args.count == 0 or number < args.count:
        number += 1
        nonce = uuid.uuid4().hex
        log.line(f"TRY {nonce}")
        now = clock()
        instant = applicant is not None and number % 4 == 0
        submission = SubmissionCreate(
            case_number=outbox.next_case_number(args.kiosk, now.date()),
            kiosk_id=args.kiosk,
            item_id=INSTANT_ITEM if instant else PLAIN_ITEM,
            created_at=now,
            applicant=applicant if instant else None,
            form={"nonce": nonce},
        )
        entry = outbox.enqueue(submission)
        log.line(f"ACK {entry.case_number} {entry.idempotency_key} {nonce}")
        worker.wake()
        if args.pause_ms > 0:
            time.sleep(rng.expovariate(1000.0 / args.pause_ms))
    status = 0
    if args.drain:
        status = 0 if _drain(outbox, args.drain_timeout) else 3
        log.line("DRAINED" if status == 0 else "NOT-DRAINED")
    worker.stop()
    client.close()
    store.close()
    return status


def _drain(outbox: Outbox, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = outbox.counts()
        if counts["pending"] == 0 and counts["sending"] == 0:
            return True
        time.sleep(0.05)
    return False


def zygote(run_child: Callable[[Sequence[str]], int]) -> int:
    """Fork one child per stdin line (a JSON argument list); report its pid and exit status."""
    for line in sys.stdin:
        if not line.strip():
            continue
        argv = json.loads(line)
        pid = os.fork()
        if pid == 0:
            # The child: never return into the zygote's loop, never flush its buffers.
            code = 70
            try:
                os.close(0)
                code = run_child(argv)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        print(f"PID {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {status}", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``run`` or ``zygote``."""
    args = _parser().parse_args(argv)
    if args.command == "zygote":
        return zygote(lambda child_argv: main(["run", *child_argv]))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
