"""Real processes for the proofs: the hall as ``kiosk-hall serve``, and killable terminals.

``HallProcess`` runs the hall's own console script on a loopback port with its SQLite file in a
temp dir, so it can be stopped and started again on the same port and database (an outage), and
so its work runs on the other core. ``Zygote`` drives ``terminal_proc.py zygote``: each ``spawn``
forks a fresh terminal process whose pid the test may SIGKILL.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from hall.schema import HEALTH_PATH
from offline_cache.errors import CacheError
from offline_cache.identity import TerminalIdentity, enrol, load_identity

TERMINAL_PROC = Path(__file__).with_name("terminal_proc.py")
HALL_SCRIPT = Path(sys.executable).with_name("kiosk-hall")


class ProofError(AssertionError):
    """A process of the proof did not behave (did not start, stop or answer in time)."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def integrity_check(path: Path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file (``"ok"`` when sound); recovers a hot WAL."""
    conn = sqlite3.connect(path, timeout=15.0)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


def enrol_terminal(
    directory: Path, hall_url: str, database: Path, kiosk_id: str
) -> TerminalIdentity:
    """A one-time code from ``kiosk-hall enrol-code`` (the real CLI), then the enrol call.

    Idempotent for a directory already enrolled (a killed terminal restarts with its identity).
    """
    try:
        return load_identity(directory)
    except CacheError:
        pass
    code = subprocess.run(
        [
            str(HALL_SCRIPT),
            "enrol-code",
            "--kiosk-id",
            kiosk_id,
            "--database",
            f"sqlite:///{database}",
            "--ttl",
            "10m",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    return enrol(hall_url, code, directory)


class HallProcess:
    """``kiosk-hall serve`` in a child process, on ``port``, with its data in ``data_dir``."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port if port is not None else free_port()
        self.database = self.data_dir / "hall.db"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = self.data_dir / "hall.log"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        """Start the hall and return once ``/healthz`` answers."""
        env = dict(
            os.environ,
            HALL_DATA_DIR=str(self.data_dir),
            HALL_SIGNING_KEY_PATH=str(self.data_dir / "signing-key.pem"),
        )
        with open(self._log, "ab") as log:
            self._proc = subprocess.Popen(
                [
                    str(HALL_SCRIPT),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--database",
                    f"sqlite:///{self.database}",
                    "--seed-demo",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ProofError(f"the hall exited at start: {self._log.read_text()[-2000:]}")
            if self.healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise ProofError("the hall did not answer /healthz in time")

    def enrol(self, directory: Path, kiosk_id: str) -> TerminalIdentity:
        """Enrol a terminal with its key in ``directory``, the real way (``enrol_terminal``)."""
        return enrol_terminal(directory, self.base_url, self.database, kiosk_id)

    def healthy(self) -> bool:
        """Whether the hall answers its health check now."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
        try:
            conn.request("GET", HEALTH_PATH)
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Stop the hall (SIGTERM: uvicorn finishes requests in flight) and reap it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> HallProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Zygote:
    """One ``terminal_proc.py zygote`` process: forks terminals on demand."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(TERMINAL_PROC), "zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self._buffer = b""
        self._live: set[int] = set()

    def _readline(self, timeout: float) -> str:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProofError("the zygote did not answer in time")
            ready, _, _ = select.select([self._proc.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    raise ProofError("the zygote exited")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def spawn(self, argv: list[str], timeout: float = 20.0) -> int:
        """Fork a terminal running ``run`` with ``argv``; return its pid."""
        assert self._proc.stdin is not None
        self._proc.stdin.write((json.dumps(argv) + "\n").encode())
        line = self._readline(timeout)
        kind, pid = line.split()
        if kind != "PID":
            raise ProofError(f"unexpected zygote answer {line!r}")
        self._live.add(int(pid))
        return int(pid)

    def wait(self, pid: int, timeout: float) -> int:
        """Wait for the terminal ``pid`` to end; return its raw wait status."""
        line = self._readline(timeout)
        kind, ended, status = line.split()
        if kind != "EXIT" or int(ended) != pid:
            raise ProofError(f"unexpected zygote answer {line!r}")
        self._live.discard(pid)
        return int(status)

    def kill(self, pid: int, timeout: float = 10.0) -> int:
        """SIGKILL the terminal ``pid`` and wait for it; return its wait status."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return self.wait(pid, timeout)

    def close(self) -> None:
        """End the zygote (it ends when its stdin closes), and any terminal still running."""
        for pid in self._live:
            # A test that failed mid-round must not leave a terminal behind.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
