"""A fleet of terminals beating against one hall: open-loop heartbeats, latency from schedule.

``python -m bench fleet --terminals N --interval S --seconds T [--database postgresql|sqlite]
[--workers W] [--submissions-per-day K] [--json]``

The hall is the real ``kiosk-hall serve --workers W`` in its own processes, over a durable
PostgreSQL cluster this bench starts (``tests/fixtures/pgcluster.py``) or a temporary SQLite
file. The terminals are simulated in this process (asyncio, raw HTTP/1.1 over a bounded set of
keep-alive connections), each beat the terminal's exact wire format
(``HeartbeatCreate.model_dump_json()``, as ``offline_cache.hall_client`` sends it), signed by
that terminal's own Ed25519 key with the terminal's code (``TerminalIdentity.sign``, RFC 9421).
Every simulated terminal is enrolled: its key (derived from its index, so a run is repeatable)
is registered in bulk straight into the hall's ``terminals`` table before the run, as the
enrolment code path would have left it (``httpsig.key_id_for`` of the public key). The schedule
is open-loop: terminal ``i`` beats at ``i * S / N + k * S``, and each beat's latency is counted from
its scheduled time, so a hall that falls behind pays for every beat it delays (no coordinated
omission). Every terminal has beaten before the run (its row exists), as in a running fleet.

Baseline, in the same run and on the same cluster: ``pgbench`` with 8 clients doing a single-row
``UPDATE`` on a table of N rows (``postgres_updates_per_s``). The hall's CPU per heartbeat is the
CPU time of its processes (all workers) over the measured window divided by the beats answered.

``--json`` prints one line with the issue's fields; the detail (CPU per beat, submissions'
latency, load average) goes to stderr as a second JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall import httpsig
from hall.schema import (
    HEALTH_PATH,
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    SUBMISSIONS_PATH,
    HeartbeatCreate,
)
from offline_cache.identity import TerminalIdentity

CONNECTIONS = int(os.environ.get("FLEET_CONNECTIONS", "1000"))
"""Keep-alive connections the simulated fleet shares (a real fleet has one per terminal)."""
SUBMISSION_CONNECTIONS = 32
"""Connections the submissions share (apart from the beats')."""
WARMUP_S = 3.0
"""Seconds of the schedule run before the measured window (imports, caches, the pool filling)."""
PGBENCH_SECONDS = 6
HALL_START_TIMEOUT = 60.0
RESULTS = Path(__file__).with_name("results") / "fleet.json"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def kiosk_id(index: int) -> str:
    """The simulated terminal's id (also its case-number code)."""
    return f"FL{index:06d}"


def terminal_identity(index: int) -> TerminalIdentity:
    """The simulated terminal's identity: an Ed25519 key derived from its index (repeatable)."""
    seed = hashlib.sha256(f"fleet terminal {index}".encode()).digest()
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    return TerminalIdentity(
        kiosk_id=kiosk_id(index),
        key_id=httpsig.key_id_for(httpsig.public_key_raw(private_key)),
        private_key=private_key,
        hall_url="http://hall",
        hall_keys={},
    )


def heartbeat_body(index: int, now: dt.datetime) -> bytes:
    """The heartbeat a terminal sends, byte for byte as ``HallClient.heartbeat`` encodes it."""
    heartbeat = HeartbeatCreate(
        kiosk_id=kiosk_id(index),
        sent_at=now,
        app_version="0.1.0",
        catalog_version="2026.11",
        outbox_depth=index % 3,
        oldest_pending_age_s=None,
        last_sync_at=now,
        free_disk_bytes=12_000_000_000,
        wal_bytes=4096,
        clock_offset_s=0.01,
        devices={"idcard": "ok", "receipt": "ok", "a4": "ok", "camera": "ok"},
    )
    return heartbeat.model_dump_json().encode()


def submission_body(index: int, serial: int) -> bytes:
    """An elder-card application for a seeded demo resident, as a terminal's outbox sends it."""
    from hall.schema import ApplicantCreate, SubmissionCreate
    from hall.seed import DEMO_PEOPLE

    resident = DEMO_PEOPLE[0].resident
    submission = SubmissionCreate(
        case_number=f"{kiosk_id(index)}-20261202-{serial % 100_000:05d}",
        kiosk_id=kiosk_id(index),
        item_id="elder-card",
        created_at=dt.datetime.now(dt.UTC),
        applicant=ApplicantCreate(
            card_type="resident",
            name=resident.name,
            gender=resident.gender,
            ethnicity="汉",
            birth_date=resident.birth_date,
            address=resident.household_address,
            id_number=resident.id_number,
            issuing_authority="公安局",
            valid_from=dt.date(2018, 5, 20),
            valid_to="long-term",
        ),
    )
    return submission.model_dump_json().encode()


# --- The hall and its database ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it (the uvicorn supervisor and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _cpu_by_process(root: int | None) -> dict[int, float]:
    """CPU seconds so far of each process in ``root``'s tree (none for ``None``)."""
    found: dict[int, float] = {}
    for pid in [] if root is None else process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    return found


def _cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings; a process started in between counts from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def pgbench_updates_per_s(cluster: object, rows: int, clients: int = 8) -> float:
    """Raw single-row UPDATE rate of the cluster: pgbench, ``clients`` clients, N rows."""
    from tests.fixtures.pgcluster import PostgresCluster

    assert isinstance(cluster, PostgresCluster)
    cluster.psql("CREATE DATABASE fleet_baseline")
    cluster.psql(
        "CREATE TABLE beats (id integer PRIMARY KEY, seen timestamptz, n integer);"
        f"INSERT INTO beats SELECT g, now(), 0 FROM generate_series(1, {rows}) g;",
        database="fleet_baseline",
    )
    cluster.psql("VACUUM ANALYZE beats", database="fleet_baseline")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            f"\\set id random(1, {rows})\n"
            "UPDATE beats SET seen = now(), n = n + 1 WHERE id = :id;\n"
        )
    try:
        done = subprocess.run(
            [
                str(cluster.bin_dir / "pgbench"),
                "-n",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(PGBENCH_SECONDS),
                "-f",
                script.name,
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "fleet_baseline",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"pgbench printed no rate: {done.stdout[-400:]}")
    return float(match.group(1))


def _prefill(database_url: str, identities: list[TerminalIdentity]) -> None:
    """Enrol every simulated terminal and give it its heartbeat row: a fleet already running.

    The ``terminals`` rows are what ``IdentityService.enrol`` leaves (key, key id, enrolled
    now), written in bulk: 50,000 one-time codes spent one by one would take longer than the run.
    """
    from sqlalchemy import insert

    from hall.db import Database, Terminal, TerminalHeartbeat

    db = Database(database_url)
    try:
        now = dt.datetime.now(dt.UTC)
        body = json.loads(heartbeat_body(0, now))
        terminals = [
            {
                "kiosk_id": identity.kiosk_id,
                "site": "fleet bench",
                "public_key": httpsig.public_key_raw(identity.private_key),
                "key_id": identity.key_id,
                "enrolled_at": now,
                "revoked_at": None,
            }
            for identity in identities
        ]
        beats = [
            {"kiosk_id": kiosk_id(i), "received_at": now, "body": {**body, "kiosk_id": kiosk_id(i)}}
            for i in range(len(identities))
        ]
        with db.write() as session:
            for start in range(0, len(terminals), 5000):
                session.execute(insert(Terminal), terminals[start : start + 5000])
                session.execute(insert(TerminalHeartbeat), beats[start : start + 5000])
    finally:
        db.dispose()


@dataclass
class Hall:
    """``kiosk-hall serve`` as child processes."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_hall(database_url: str, workdir: Path, workers: int) -> Hall:
    """``kiosk-hall serve --seed-demo`` on a free port; returns once ``/healthz`` answers."""
    port = _free_port()
    log = workdir / "hall.log"
    env = dict(
        os.environ,
        HALL_DATA_DIR=str(workdir),
        HALL_SIGNING_KEY_PATH=str(workdir / "signing-key.pem"),
    )
    script = Path(sys.executable).with_name("kiosk-hall")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                str(script),
                "serve",
                "--port",
                str(port),
                "--database",
                database_url,
                "--seed-demo",
                *(("--workers", str(workers)) if workers != 1 else ()),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    hall = Hall(process, port, log)
    deadline = time.monotonic() + HALL_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hall exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(f"GET {HEALTH_PATH} HTTP/1.1\r\nHost: hall\r\n\r\n".encode())
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return hall
        except OSError:
            pass
        time.sleep(0.1)
    hall.stop()
    raise RuntimeError("the hall did not answer /healthz in time")


# --- The simulated fleet ------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies (ms) of answered requests in the measured window, and the errors."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    completed_in_window: int = 0
    """Answers (of any beat) that arrived inside the measured window: the achieved rate."""
    statuses: dict[int, int] = field(default_factory=dict)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def request(self, head: bytes, body: bytes) -> int:
        self.writer.write(head + body)
        status_line = await self.reader.readuntil(b"\r\n")
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return int(status_line[9:12])


class Fleet:
    """The open-loop schedule over a shared set of keep-alive connections."""

    def __init__(
        self,
        port: int,
        identities: list[TerminalIdentity],
        interval: float,
        submissions_per_day: float,
    ):
        self.port = port
        self.identities = identities
        terminals = len(identities)
        self.terminals = terminals
        self.interval = interval
        self.submission_every = (
            86_400.0 / (terminals * submissions_per_day) if submissions_per_day else 0.0
        )
        # Apart, so that a slow submission never holds a connection a beat waits for.
        self.idle: asyncio.LifoQueue[_Connection] = asyncio.LifoQueue()
        self.idle_for_submissions: asyncio.LifoQueue[_Connection] = asyncio.LifoQueue()
        self.beats = Tally()
        self.submissions = Tally()
        self.window: tuple[float, float] = (0.0, 0.0)

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Connection(reader, writer)

    async def _send(self, scheduled: float, head: bytes, body: bytes, tally: Tally) -> None:
        idle = self.idle if tally is self.beats else self.idle_for_submissions
        conn = await idle.get()
        if conn.reader.at_eof() or conn.writer.is_closing():
            # The hall closed this idle connection (a connection left without a request past the
            # header timeout, or idle past keep-alive): a fresh one, as a terminal's HTTP pool
            # does for a stale connection. Its connect time counts in the beat's latency.
            conn.writer.close()
            conn = await self._connect()
        counted = self.window[0] <= scheduled < self.window[1]
        try:
            status = await conn.request(head, body)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            conn.writer.close()
            if counted:
                tally.errors += 1
            idle.put_nowait(await self._connect())
            return
        idle.put_nowait(conn)
        now = time.perf_counter()
        if self.window[0] <= now < self.window[1] and status in (200, 201):
            tally.completed_in_window += 1
        if not counted:
            return
        latency = (now - scheduled) * 1000.0
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status in (200, 201):
            tally.latencies.append(latency)
        else:
            tally.errors += 1

    def _signed(self, index: int, path: str, body: bytes) -> str:
        """The signature headers of terminal ``index`` for ``POST path``, as HTTP lines."""
        signed = self.identities[index].sign("POST", path, body, time.time())
        return "".join(f"{name}: {value}\r\n" for name, value in signed.items())

    def _beat(self, index: int) -> tuple[bytes, bytes]:
        body = heartbeat_body(index, dt.datetime.now(dt.UTC))
        head = (
            f"POST {HEARTBEATS_PATH} HTTP/1.1\r\nHost: hall\r\n"
            f"Content-Type: application/json\r\n{self._signed(index, HEARTBEATS_PATH, body)}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head, body

    def _submission(self, index: int, serial: int) -> tuple[bytes, bytes]:
        body = submission_body(index, serial)
        head = (
            f"POST {SUBMISSIONS_PATH} HTTP/1.1\r\nHost: hall\r\n"
            f"Content-Type: application/json\r\n{IDEMPOTENCY_HEADER}: {uuid.uuid4()}\r\n"
            f"{self._signed(index, SUBMISSIONS_PATH, body)}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head, body

    async def run(self, seconds: float) -> None:
        for _ in range(CONNECTIONS):
            self.idle.put_nowait(await self._connect())
        for _ in range(SUBMISSION_CONNECTIONS if self.submission_every else 0):
            self.idle_for_submissions.put_nowait(await self._connect())
        rate = self.terminals / self.interval
        start = time.perf_counter() + 0.2
        self.window = (start + WARMUP_S, start + WARMUP_S + seconds)
        total = int(rate * (WARMUP_S + seconds))
        tasks: set[asyncio.Task[None]] = set()
        next_submission = start + self.submission_every if self.submission_every else None
        serial = 0
        for beat in range(total):
            scheduled = start + beat / rate
            while next_submission is not None and next_submission <= scheduled:
                serial += 1
                head, body = self._submission(serial % self.terminals, serial)
                task = asyncio.create_task(
                    self._send(next_submission, head, body, self.submissions)
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                next_submission += self.submission_every
            delay = scheduled - time.perf_counter()
            if delay > 0.001:
                await asyncio.sleep(delay)
            head, body = self._beat(beat % self.terminals)
            task = asyncio.create_task(self._send(scheduled, head, body, self.beats))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        deadline = time.perf_counter() + 30.0
        while tasks and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
            self.beats.errors += 1
        for idle in (self.idle, self.idle_for_submissions):
            while not idle.empty():
                idle.get_nowait().writer.close()


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)


def run_fleet(
    terminals: int,
    interval: float,
    seconds: float,
    *,
    database: str = "postgresql",
    workers: int = 1,
    submissions_per_day: float = 0.0,
    url: str | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Run the bench; returns the issue's report and the detail."""
    workdir = Path(tempfile.mkdtemp(prefix="fleet-"))
    cluster = None
    hall: Hall | None = None
    pg_rate = None
    identities = [terminal_identity(i) for i in range(terminals)]
    try:
        if database == "postgresql":
            from tests.fixtures.pgcluster import PostgresCluster

            cluster = PostgresCluster(durable=True, max_connections=300)
            cluster.start()
            pg_rate = pgbench_updates_per_s(cluster, terminals)
            database_url = cluster.create_database("hall")
        else:
            database_url = f"sqlite:///{workdir / 'hall.db'}"
        if url is None:
            hall = start_hall(database_url, workdir, workers)
            port = hall.port
            _prefill(database_url, identities)
        else:
            port = int(url.rsplit(":", 1)[1])
        fleet = Fleet(port, identities, interval, submissions_per_day)
        hall_root = None if hall is None else hall.process.pid
        pg_root = None if cluster is None or cluster._process is None else cluster._process.pid

        async def measured() -> tuple[float, float, float, float]:
            runner = asyncio.create_task(fleet.run(seconds))
            await asyncio.sleep(WARMUP_S + 0.2)
            cpu0, pg0, t0 = (
                _cpu_by_process(hall_root),
                _cpu_by_process(pg_root),
                time.perf_counter(),
            )
            own0 = time.process_time()
            await asyncio.sleep(seconds)
            cpu1, pg1, t1 = (
                _cpu_by_process(hall_root),
                _cpu_by_process(pg_root),
                time.perf_counter(),
            )
            own1 = time.process_time()
            await runner
            return _cpu_between(cpu0, cpu1), _cpu_between(pg0, pg1), t1 - t0, own1 - own0

        hall_cpu, pg_cpu, elapsed, generator_cpu = asyncio.run(measured())
    finally:
        if hall is not None:
            hall.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    beats = fleet.beats
    # CPU is shared by the answers that came back inside the window it was measured over.
    done = beats.completed_in_window + fleet.submissions.completed_in_window
    report: dict[str, object] = {
        "terminals": terminals,
        "interval_s": interval,
        "rate_per_s": round(terminals / interval, 1),
        "achieved_per_s": round(beats.completed_in_window / seconds, 1),
        "p50_ms": _percentile(beats.latencies, 0.50),
        "p99_ms": _percentile(beats.latencies, 0.99),
        "errors": beats.errors,
        "database": database,
        "signed": True,
        "postgres_updates_per_s": None if pg_rate is None else round(pg_rate, 1),
    }
    detail: dict[str, object] = {
        "workers": workers,
        "seconds": seconds,
        "connections": CONNECTIONS,
        "hall_cpu_s": round(hall_cpu, 2),
        "hall_cpu_ms_per_beat": round(1000 * hall_cpu / done, 3) if done else None,
        "hall_cores_busy": round(hall_cpu / elapsed, 2),
        "generator_cores_busy": round(generator_cpu / elapsed, 2),
        "postgres_cpu_ms_per_beat": round(1000 * pg_cpu / done, 3) if done else None,
        "hall_to_postgres_ratio": None if pg_rate is None else round(done / seconds / pg_rate, 3),
        "statuses": beats.statuses,
        "submissions_per_day": submissions_per_day,
        "submissions": len(fleet.submissions.latencies),
        "submission_errors": fleet.submissions.errors,
        "submission_p50_ms": _percentile(fleet.submissions.latencies, 0.50),
        "submission_p99_ms": _percentile(fleet.submissions.latencies, 0.99),
        "loadavg": os.getloadavg(),
    }
    return report, detail


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench fleet", description=__doc__)
    parser.add_argument("--terminals", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between beats")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=1, help="kiosk-hall serve --workers")
    parser.add_argument(
        "--submissions-per-day", type=float, default=0.0, help="per terminal, with the beats"
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)  # an already running hall (profiling)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(sys.argv[2:] if argv is None else argv)
    report, detail = run_fleet(
        args.terminals,
        args.interval,
        args.seconds,
        database=args.database,
        workers=args.workers,
        submissions_per_day=args.submissions_per_day,
        url=args.url,
    )
    if args.json:
        print(json.dumps(report))
        print(json.dumps(detail), file=sys.stderr)
    else:
        print(json.dumps({**report, **detail}, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({**report, **detail}, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
