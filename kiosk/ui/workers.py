"""Background work for the UI: executors whose results come back as main-thread callbacks.

Rules (STYLE.md, Qt threads): QObjects live on the GUI thread; blocking work runs on executors
owned by the composition root; results return through queued signals on a main-thread QObject as
success/failure callbacks; nothing here ever waits on the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from devices.camera.qr import decode_text
from devices.errors import CardReadError, DeviceError, NoCardError
from devices.idcard.card import IdCard
from devices.ports import Camera, CodeDecoder, IdCardReader
from devices.scanner.repeats import RepeatFilter
from devices.scanner.serial_scanner import SerialCodeScanner

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call to the GUI thread."""

    done = Signal(object)


class TaskRunner(QObject):
    """A named single-thread executor whose callbacks run on the GUI thread.

    One per device (serialising its calls, as Electrum does for hardware wallets) and one for the
    outbox writer. ``run(fn).success(cb).failure(cb)`` in the spirit of Anki's CollectionOp.
    """

    def __init__(
        self, name: str, parent: QObject | None = None, *, native_grace_s: float = 0.0
    ) -> None:
        """Create the executor; its thread starts with the first task.

        ``native_grace_s``: how much longer a shutdown waits for a task still running past its
        deadline, for work in native code that cannot be interrupted (an engine loading its
        models); left running into the interpreter's teardown it may crash the exit.
        """
        super().__init__(parent)
        self._name = name
        self.native_grace_s = native_grace_s
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._relay = _Relay()
        self._relay.done.connect(self._on_relay_done)
        self._closed = False
        self._futures: set[Future[Any]] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Future[Any]:
        """Run ``fn`` on the worker thread; the callback matching its outcome runs on the GUI."""
        future = self._pool.submit(fn)
        self._futures.add(future)

        def _finished(fut: Future[Any]) -> None:
            self._futures.discard(fut)
            if not self._closed:
                self._relay.done.emit((fut, on_success, on_failure))

        future.add_done_callback(_finished)
        return future

    @Slot(object)
    def _on_relay_done(self, packed: tuple[Future[Any], Any, Any]) -> None:
        future, on_success, on_failure = packed
        if future.cancelled():
            return
        error = future.exception()
        try:
            if error is None:
                if on_success is not None:
                    on_success(future.result())
            elif on_failure is not None:
                on_failure(error)
            else:
                log.error("%s task failed: %s", self._name, type(error).__name__)
        except Exception:
            # A faulty callback must not escape into Qt's event loop; log it and carry on.
            log.exception("%s: callback failed", self._name)

    def shutdown(self, timeout: float = 1.0) -> bool:
        """Stop taking work, drop queued tasks and give the running one ``timeout`` seconds.

        Returns whether the worker ended in time; a task still running ends by its own
        timeout (every device and network call has one) and its result is ignored.
        """
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        _, running = wait(list(self._futures), timeout=timeout)
        if running:
            log.warning("%s: a task is still running at shutdown", self._name)
            return False
        self._pool.shutdown(wait=True)
        return True


class CardWatcher(QObject):
    """Polls the ID card reader on its own thread; card placed and removed become signals.

    A card counts as removed only after ``removal_misses`` polls in a row found no card: real SAM
    modules answer "no card" for a poll or more right after a successful read while the card
    still lies there. The card on the reader is known by a digest of its number (never the number
    itself), so the same card lying there is never placed twice: a card left behind after a
    session was wiped starts no new session until it has been lifted and laid down again.
    Failures are reported once per kind, and polling goes on, so a replugged reader recovers
    without a restart; ``reader_ready`` says when it answers again.
    """

    card_placed = Signal(object)
    card_removed = Signal()
    read_failed = Signal(object)
    reader_ready = Signal()

    def __init__(
        self,
        reader: IdCardReader,
        *,
        poll_interval: float = 0.5,
        read_timeout: float = 3.0,
        removal_misses: int = 3,
        parent: QObject | None = None,
    ) -> None:
        """Watch ``reader``; call ``start()`` to begin."""
        super().__init__(parent)
        if removal_misses < 1:
            raise ValueError("removal_misses must be at least 1")
        self._reader = reader
        self._poll_interval = poll_interval
        self._read_timeout = read_timeout
        self._removal_misses = removal_misses
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the polling thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="card-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and join the thread (bounded by one read's timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._read_timeout + 1.0)
            self._thread = None

    def _loop(self) -> None:
        present: bytes | None = None
        misses = 0
        reader_fault: type[BaseException] | None = None
        card_fault: type[BaseException] | None = None
        while not self._stop.is_set():
            card: IdCard | None
            try:
                card = self._reader.read(self._read_timeout)
            except NoCardError:
                card = None
            except DeviceError as err:
                # Neither a hit nor a miss: what lies on the reader is unknown until it answers.
                # Each failure is reported once, not on every poll: a bad card until it is
                # lifted, a reader fault until the reader answers again.
                if isinstance(err, CardReadError):
                    new = type(err) is not card_fault
                    card_fault = type(err)
                else:
                    new = type(err) is not reader_fault
                    reader_fault = type(err)
                if new:
                    log.warning("card reader: %s", type(err).__name__)
                    self.read_failed.emit(err)
                self._stop.wait(self._poll_interval)
                continue
            if reader_fault is not None:
                reader_fault = None
                self.reader_ready.emit()
            if card is None:
                misses += 1
                if misses >= self._removal_misses:
                    card_fault = None
                    if present is not None:
                        present = None
                        self.card_removed.emit()
            else:
                misses = 0
                card_fault = None
                digest = hashlib.sha256(f"{card.card_type}:{card.id_number}".encode()).digest()
                if digest != present:
                    present = digest
                    self.card_placed.emit(card)
                else:
                    card.wipe()  # the same card still lying there: this copy is not needed
            self._stop.wait(self._poll_interval)


class CodeSource(QObject):
    """What the controller scans codes with: the camera, a serial scanner or a keyboard wedge.

    ``code_scanned(text)`` fires on the GUI thread for each new code while enabled;
    ``scan_failed(DeviceError)`` when the device fails. ``start``/``stop`` bracket its life.
    """

    code_scanned = Signal(str)
    scan_failed = Signal(object)

    def start(self) -> None:
        """Begin (idle until enabled)."""
        raise NotImplementedError

    def enable(self, on: bool, *, forget: bool = True) -> None:
        """Report codes (on the screens that accept one) or drop them.

        ``forget``: turning on forgets the codes just reported, so one still in view is
        reported again; ``False`` keeps them (a citizen leaving a screen with the code in hand
        is not sent straight back to it).
        """
        raise NotImplementedError

    def stop(self) -> None:
        """Stop; no thread or filter is left behind."""
        raise NotImplementedError

    @property
    def enabled(self) -> bool:
        """Whether codes are reported now."""
        raise NotImplementedError


class _ThreadedCodeSource(CodeSource):
    """A code source whose device is read by one thread of its own, with a repeat filter."""

    thread_name = "code-source"

    def __init__(
        self,
        *,
        repeat_window: float,
        clock: Callable[[], float],
        parent: QObject | None,
    ) -> None:
        """Idle until ``start()``; codes are reported once ``enable(True)``."""
        super().__init__(parent)
        self._repeats = RepeatFilter(repeat_window, clock)
        self._enabled = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the reading thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def enable(self, on: bool, *, forget: bool = True) -> None:
        """Report codes or drop them; see ``CodeSource``."""
        if on:
            if forget:
                self._repeats.reset()
            self._enabled.set()
        else:
            self._enabled.clear()

    @property
    def enabled(self) -> bool:
        """Whether codes are reported now."""
        return self._enabled.is_set()

    def stop(self) -> None:
        """Stop and join the thread (waking it if it waits to be enabled)."""
        self._stop.set()
        self._enabled.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def _loop(self) -> None:
        raise NotImplementedError


class CodeScanner(_ThreadedCodeSource):
    """Grabs camera frames on its own thread while enabled and decodes QR codes in them.

    The same payload is not reported twice within ``repeat_window`` seconds of its last
    sighting (``RepeatFilter``), so a code held in front of the camera counts once.
    """

    def __init__(
        self,
        camera: Camera,
        decoder: CodeDecoder,
        *,
        interval: float = 0.2,
        repeat_window: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        """Scan ``camera`` with ``decoder``; call ``start()``, then ``enable(True)`` to look."""
        super().__init__(repeat_window=repeat_window, clock=clock, parent=parent)
        self._camera = camera
        self._decoder = decoder
        self._interval = interval

    thread_name = "code-scanner"

    def _look(self) -> list[bytes]:
        # The frame goes when this returns: kept in the loop, the last one (a picture of
        # whatever lay in view) would stay in memory while the scanner waits to be enabled.
        frame = self._camera.grab()
        return self._decoder.decode(frame) if frame is not None else []

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._enabled.wait()
            if self._stop.is_set():
                return
            try:
                payloads = self._look()
            except DeviceError as err:
                self.scan_failed.emit(err)
                self._stop.wait(1.0)
                continue
            for raw in payloads:
                text = decode_text(raw)
                if self._repeats.accept(text) and self._enabled.is_set():
                    self.code_scanned.emit(text)
            self._stop.wait(self._interval)


class LineScanner(_ThreadedCodeSource):
    """Reads a serial (USB-CDC) code scanner on its own thread and reports each new payload.

    The port is read all the time, enabled or not, and payloads that arrive while disabled are
    dropped: a code scanned on a screen that takes none must not pop up on the next one.
    """

    def __init__(
        self,
        scanner: SerialCodeScanner,
        *,
        repeat_window: float = 3.0,
        read_timeout: float = 0.2,
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        """Read ``scanner``; call ``start()``, then ``enable(True)`` to report codes."""
        super().__init__(repeat_window=repeat_window, clock=clock, parent=parent)
        self._scanner = scanner
        self.dropped = 0
        """Payloads read while disabled, and dropped (for tests and the technician)."""
        self._read_timeout = read_timeout
        self._retry_interval = retry_interval

    thread_name = "line-scanner"

    def stop(self) -> None:
        """Stop and join the thread, then close the port."""
        super().stop()
        self._scanner.close()

    def _loop(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                raw = self._scanner.read(self._read_timeout)
            except DeviceError as err:
                if not failing:  # one report per outage, not one per retry
                    self.scan_failed.emit(err)
                failing = True
                self._stop.wait(self._retry_interval)
                continue
            failing = False
            if raw is None:
                continue
            text = decode_text(raw)
            if not self._enabled.is_set():
                self.dropped += 1
            elif self._repeats.accept(text):
                self.code_scanned.emit(text)
