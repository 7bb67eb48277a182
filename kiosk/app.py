"""The composition root: the one place that reads the configuration and builds every part.

Drivers, stores, the sync worker and the screens are created here and passed to each other as
constructor arguments; nothing else in the terminal picks a driver or opens a file by itself.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

import assets
import kiosk
from devices.a4.cups_printer import USABLE_QUEUE_STATES, CupsDocumentPrinter, FolderDocumentPrinter
from devices.a4.retention import OutputRetention
from devices.a4.retention import printed_output_retention as _printed_output_retention
from devices.camera.autocapture import AutoCaptureSettings
from devices.camera.opencv_camera import ReopeningCamera, parse_source
from devices.camera.qr import DecoderChain, Roi, RoiDecoder
from devices.camera.still import StillCamera
from devices.errors import DeviceUnavailableError
from devices.idcard.serial_reader import SamSerialReader
from devices.idcard.simulator import SamSimulator
from devices.ports import Camera, DocumentPrinter
from devices.receipt.simulator import LoopbackReceiptPrinter
from hall.schema import CatalogPublic, CommandPublic, SubmissionPublic, TerminalLogCreate
from kiosk.config import KioskSettings, ScannerSettings
from kiosk.doctor import run_checks
from kiosk.printers import build_receipt_printer, print_receipt_test_page
from kiosk.services.enrolment import Enroller
from kiosk.services.face import FaceCheck, build_wlt_decoder
from kiosk.services.fleet import OfferedCatalog
from kiosk.services.handoff import Ticketing, local_number_from
from kiosk.services.heartbeat import TerminalReport
from kiosk.services.journey import Journey
from kiosk.services.materials import build_ocr_engine
from kiosk.services.nightly import (
    Limits,
    MaintenanceWindow,
    NightlyMaintenance,
    self_test_lines,
    update_line,
)
from kiosk.services.print_jobs import CertificateReprints, QueuedPrinting
from kiosk.services.staff_call import StaffCaller
from kiosk.services.watchdog import UiLiveness
from kiosk.ui.controller import KioskController, Services
from kiosk.ui.fleet import FleetBridge
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.maintenance.mode import IN_APP_PROBE_TIMEOUT_S, MaintenanceMode, app_probes
from kiosk.ui.nightly import NightlyScheduler
from kiosk.ui.preview import CameraPreview
from kiosk.ui.voice import build_speech_engine
from kiosk.ui.wedge import KeyboardWedge
from kiosk.ui.workers import CardWatcher, CodeScanner, CodeSource, LineScanner
from offline_cache.catalog import CatalogStore
from offline_cache.collect import CollectClient
from offline_cache.crypto import FieldCipher, rotation_leftovers
from offline_cache.errors import CacheError
from offline_cache.events import EventQueue
from offline_cache.hall_client import HallClient
from offline_cache.identity import TerminalIdentity, enrol, identity_dir, load_identity
from offline_cache.outbox import Outbox
from offline_cache.print_queue import QUEUED, PrintQueue
from offline_cache.shadow import RecentLog, ShadowAgent
from offline_cache.store import Store
from offline_cache.sync import Housekeeping, SyncWorker
from offline_cache.tickets import TicketClient
from offline_cache.updates import UPDATES_DIR, Updater

if TYPE_CHECKING:
    from devices.face.engine import DlibFaceEngine
    from devices.face.simulator import SimulatedFaceCamera
    from hall.embedded import EmbeddedHall

log = logging.getLogger(__name__)


class _ResultBridge(QObject):
    """Carries the sync worker's callbacks (its own thread) to the GUI thread as queued signals."""

    result_arrived = Signal(str, object)


class CatalogCache:
    """The last good catalog: the hall's when it answered, else the saved one, else the shipped one.

    Kept on disk so a terminal that starts offline still shows what it showed last.
    """

    def __init__(self, path: Path) -> None:
        """Keep the saved copy at ``path``."""
        self._path = path
        self._catalog = self._load_saved() or assets.load_catalog()

    def _load_saved(self) -> CatalogPublic | None:
        try:
            return CatalogPublic.model_validate_json(self._path.read_bytes())
        except (OSError, ValueError):
            return None

    def __call__(self) -> CatalogPublic:
        """The catalog to show now."""
        return self._catalog

    def refresh(self, client: HallClient) -> None:
        """Ask the hall for its catalog and keep it when it is good (blocking: worker thread)."""
        fresh = client.catalog()
        if fresh != self._catalog:
            _atomic_write(self._path, fresh.model_dump_json().encode())
        self._catalog = fresh


class KeyCache:
    """The hall's certificate keys, kept on disk so certificates verify offline."""

    def __init__(self, path: Path, initial: Mapping[str, bytes] | None = None) -> None:
        """Load the saved keys, if any."""
        self._path = path
        self._keys: dict[str, bytes] = dict(initial or {})
        try:
            saved = json.loads(path.read_text())
            self._keys.update({kid: bytes.fromhex(raw) for kid, raw in saved.items()})
        except (OSError, ValueError):
            pass

    def __call__(self) -> Mapping[str, bytes]:
        """The known keys by key id."""
        return dict(self._keys)

    def pin(self, keys: Mapping[str, bytes]) -> None:
        """Add keys the hall gave at enrolment (blocking: worker thread)."""
        self._add(dict(keys))

    def refresh(self, client: HallClient) -> None:
        """Add the hall's current keys (blocking: worker thread)."""
        self._add(client.keys())

    def _add(self, fresh: dict[str, bytes]) -> None:
        if all(self._keys.get(kid) == raw for kid, raw in fresh.items()):
            return  # nothing new: no write, no fsync
        self._keys.update(fresh)
        _atomic_write(self._path, json.dumps({k: v.hex() for k, v in self._keys.items()}).encode())


def build_face_camera(
    settings: KioskSettings,
) -> tuple[Camera | None, SimulatedFaceCamera | None]:
    """The citizen-facing camera (and, simulated, the still it shows), or none."""
    cam = settings.devices.face_camera
    if cam.driver == "none":
        return None, None
    if cam.driver == "simulated":
        from devices.face.simulator import SimulatedFaceCamera

        # Nobody stands in front of it until the sim panel or a test puts a face there.
        still = SimulatedFaceCamera()
        return still, still
    return ReopeningCamera(parse_source(cam.source), width=cam.width, height=cam.height), None


class FaceCheckFactory:
    """Makes one session's face match; the engine is built at the first call, then shared.

    The first call happens on the face worker: at start (``FaceFlow.warm_up``, 0.5 s of model
    loading) or, failing that, at the first citizen's check.
    """

    def __init__(self, settings: KioskSettings) -> None:
        """Keep the face settings and the card-photo decoder; load nothing yet."""
        self._decoder = build_wlt_decoder(settings)
        self._face = settings.face
        self._engine: DlibFaceEngine | None = None

    @property
    def loaded(self) -> bool:
        """Whether the engine (its models) is in memory."""
        return self._engine is not None

    def __call__(self) -> FaceCheck:
        """A new check for one session (call on the face worker)."""
        if self._engine is None:
            from devices.face.engine import DlibFaceEngine

            engine = DlibFaceEngine(landmarks68_model=self._face.blink_model)
            if self._face.liveness:
                engine.load_landmarks68()  # 100 MB if named: not in the middle of the first try
            self._engine = engine
        face = self._face
        return FaceCheck(
            self._engine,
            self._decoder,
            threshold=face.threshold,
            attempts=face.attempts,
            liveness=face.liveness,
        )


def build_face_check(settings: KioskSettings) -> FaceCheckFactory:
    """The factory of one session's face match (:class:`FaceCheckFactory`)."""
    return FaceCheckFactory(settings)


def build_code_source(scanner: ScannerSettings, camera: Camera) -> CodeSource:
    """The code source ``[devices.scanner]`` asks for: camera, serial scanner or keyboard wedge.

    ``simulated`` scans with the camera driver on the simulated camera (the demo shows a code
    to it). Maintenance mode's "scan a code" test builds one the same way, ``start()``s it,
    ``enable(True)``s it and waits for ``code_scanned``; ``stop()`` releases it.
    """
    if scanner.driver == "serial":
        from devices.scanner.serial_scanner import SerialCodeScanner, parse_suffix

        assert scanner.port is not None  # the settings model insists on it
        serial_scanner = SerialCodeScanner(
            scanner.port, scanner.baud, suffix=parse_suffix(scanner.suffix)
        )
        return LineScanner(serial_scanner, repeat_window=scanner.dedupe_window_s)
    if scanner.driver == "hid-wedge":
        return KeyboardWedge(
            max_gap=scanner.wedge_max_gap_ms / 1000, repeat_window=scanner.dedupe_window_s
        )
    chain = DecoderChain.from_names(list(scanner.decoders), gated=True)
    decoder = RoiDecoder(chain, Roi(*scanner.roi)) if scanner.roi else chain
    return CodeScanner(
        camera, decoder, interval=scanner.interval_s, repeat_window=scanner.dedupe_window_s
    )


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass
class KioskApp:
    """Everything one running terminal is made of, with a clean ``stop``."""

    settings: KioskSettings
    window: KioskWindow
    controller: KioskController
    outbox: Outbox
    store: Store
    sync: SyncWorker
    client: HallClient
    catalog: CatalogStore
    keys: KeyCache
    hall: Any | None = None
    """The embedded hall, when the configuration asks for one."""
    card_simulator: SamSimulator | None = None
    receipt_simulator: LoopbackReceiptPrinter | None = None
    still_camera: StillCamera | None = None
    face_still: SimulatedFaceCamera | None = None
    """The simulated face camera: what "stands" in front of the terminal (the sim panel's and
    the tests' to set)."""
    document_printer: DocumentPrinter | None = None
    closers: list[Any] = field(default_factory=list)
    printing: QueuedPrinting | None = None
    """The durable print queue and its two workers (receipt, certificate)."""
    maintenance: MaintenanceMode | None = None
    liveness: UiLiveness = field(default_factory=UiLiveness)
    """When the UI thread's event loop last ticked (the watchdog timer ticks it)."""
    nightly: NightlyScheduler | None = None
    """The nightly maintenance window (``None``: ``[maintenance] window = "off"``)."""
    updater: Updater | None = None
    """Signed updates from the hall (``None`` until the terminal is enrolled)."""

    def start(self) -> None:
        """Start the workers and fetch the hall's catalog and keys in the background."""
        started = dt.datetime.now(dt.UTC)
        if self.printing is not None:
            self.printing.start()
        self.sync.start()
        self.controller.workers.refresh.run(
            lambda: self.outbox.unshown(before=started), _report_unshown, None
        )
        self.controller.start()
        self.controller.workers.refresh.run(self._refresh_from_hall, None, self._on_refresh_failed)
        if self.updater is not None:
            # How the last install went (installed, failed, rolled back), without waiting a night.
            self.controller.workers.refresh.run(self.updater.report_outcomes, None, None)
        if self.nightly is not None:
            self.nightly.start()

    def _refresh_from_hall(self) -> None:
        self.catalog.refresh(self.client)
        self.keys.refresh(self.client)

    @staticmethod
    def _on_refresh_failed(error: BaseException) -> None:
        log.warning(
            "hall not reachable at start (%s): working from the saved catalog", type(error).__name__
        )

    def stop(self) -> None:
        """Stop every thread and release every device; bounded, for a shutdown under 2 s."""
        # Cut a hall query in flight first, and stop the sync worker before the controller so
        # no result arrives after the final wipe.
        self.client.abort()
        if self.nightly is not None:
            self.nightly.stop()
        self.sync.stop()
        if self.printing is not None:
            self.printing.stop()
        if self.maintenance is not None:
            self.maintenance.stop()
        self.controller.stop()
        self.client.close()
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception as err:
                log.warning("shutdown: %s", type(err).__name__)
        self.store.close()


def _terminal_identity(
    settings: KioskSettings, hall: EmbeddedHall | None
) -> TerminalIdentity | None:
    """The terminal's enrolled identity; the embedded hall's terminal is enrolled the real way.

    Against a real hall an unenrolled terminal still starts: the hall refuses its requests (401),
    the outbox keeps every submission, and ``kiosk enrol`` (or maintenance mode) fixes it.
    """
    directory = identity_dir(settings.storage.resolved_key_file)
    if hall is not None:
        # A one-time code from the hall itself, then the same enrol call as `kiosk enrol`.
        code = hall.enrolment_code(settings.terminal.id, site="embedded demo hall")
        return enrol(hall.base_url, code, directory)
    try:
        identity = load_identity(directory)
    except CacheError as err:
        log.error("terminal identity: %s; run `kiosk enrol --hall URL --code CODE`", err)
        return None
    if identity.kiosk_id != settings.terminal.id:
        log.warning(
            "enrolled as terminal %s but configured as %s: the hall will refuse the mismatch",
            identity.kiosk_id,
            settings.terminal.id,
        )
    return identity


def printed_output_retention(settings: KioskSettings) -> OutputRetention:
    """The sweep of printed PDFs left on this disk: the folder printer's and the PDF queue's."""
    dp = settings.devices.document_printer
    return _printed_output_retention(
        driver=dp.driver,
        printed_folder=settings.printed_folder,
        output_folder=dp.output_folder,
        keep_s=dp.keep_output_s,
    )


def build_app(settings: KioskSettings) -> KioskApp:
    """Build the terminal from its configuration (the QApplication must exist already)."""
    started = time.monotonic()
    data_dir = settings.storage.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    closers: list[Any] = []

    hall = None
    hall_url = settings.hall.url
    if settings.hall.embedded:
        # The embedded hall is the demo's stand-in for the central hall; the import-linter contract
        # names this one exception to "only hall.schema outside hall/".
        from hall.embedded import EmbeddedHall
        from hall.settings import HallSettings

        # Everything of the embedded hall stays in the terminal's data folder: its data keys and
        # its texts' file gateway once defaulted to the user's home, shared by every demo and test.
        hall_dir = data_dir / "hall"
        hall_dir.mkdir(mode=0o700, exist_ok=True)
        hall = EmbeddedHall(
            HallSettings(
                data_dir=hall_dir,
                database_url=f"sqlite:///{data_dir / 'hall.db'}",
                signing_key_path=data_dir / "hall-signing.key",
                port=0,
                seed_demo_data=True,
            )
        )
        hall.start()
        closers.append(hall.stop)
        hall_url = hall.base_url
    assert hall_url is not None
    identity = _terminal_identity(settings, hall)

    store = Store(data_dir / "outbox.db")
    # The leftovers of an interrupted `kiosk queue rotate-key` are loaded to open old rows.
    key_file = settings.storage.resolved_key_file
    cipher = FieldCipher.from_key_file(key_file, old_key_files=rotation_leftovers(key_file))
    outbox = Outbox(store, cipher)
    events = EventQueue(store, cipher)
    print_queue = PrintQueue(store, cipher)
    # The last good catalog lives in the store; a catalog.json of an older version seeds it.
    # With the hall keys pinned at enrolment, catalogs must come with the hall's signed metadata.
    catalog = CatalogStore(
        store,
        CatalogCache(data_dir / "catalog.json")(),
        keys=None if identity is None else (lambda: identity.hall_keys),
    )

    def hall_client() -> HallClient:
        return HallClient(
            hall_url or "",
            connect_timeout=settings.hall.connect_timeout_s,
            read_timeout=settings.hall.read_timeout_s,
            identity=identity,
        )

    # The worker gets a client of its own: stopping it aborts its sockets, and that must not cut
    # a citizen's progress query short.
    client = hall_client()
    sync_client = hall_client()
    closers.append(sync_client.close)
    bridge = _ResultBridge()
    storage = settings.storage
    liveness = UiLiveness()
    retention = printed_output_retention(settings)
    sync = SyncWorker(
        outbox,
        sync_client,
        on_result=bridge.result_arrived.emit,
        housekeeping=Housekeeping(
            decision_poll_s=storage.decision_poll_s,
            retention=dt.timedelta(days=storage.retention_days),
            catalog_every_s=storage.catalog_refresh_s,
            heartbeat_every_s=storage.heartbeat_interval_s,
            extra_purges=(print_queue.purge_stale, events.purge_failed, retention.sweep),
        ),
        catalog=catalog,
        events=events,
        heartbeat=TerminalReport(
            kiosk_id=settings.terminal.id,
            app_version=kiosk.__version__,
            outbox=outbox,
            print_queue=print_queue,
            catalog_version=lambda: catalog.version,
            last_sync=lambda: sync.last_sync,
            clock_offset=lambda: sync_client.clock_offset,
            heartbeat_every_s=storage.heartbeat_interval_s,
            min_free_disk_bytes=settings.maintenance.min_free_mb * 1024 * 1024,
            catalog_state=lambda: (catalog.release, catalog.problem),
            shadow=lambda: shadow.report(),
            ui_status=liveness.status,
            nightly=lambda: nightly.last_report,
        ),
        on_heartbeat_answer=lambda sent, answer: shadow.on_answer(sent, answer),
    )
    keys = KeyCache(data_dir / "hall-keys.json")

    devices = settings.devices
    card_simulator = None
    if devices.id_reader.driver == "simulated":
        card_simulator = SamSimulator(jpeg_photos=devices.id_reader.simulated_photo == "jpeg")
        card_simulator.start()
        closers.append(card_simulator.stop)
        reader = SamSerialReader(card_simulator.port, 115200)
    else:
        assert devices.id_reader.port is not None
        reader = SamSerialReader(devices.id_reader.port, devices.id_reader.baudrate)
    closers.append(reader.close)

    receipt_simulator = None
    rp = devices.receipt_printer
    if rp.driver == "simulated":
        receipt_simulator = LoopbackReceiptPrinter()
        receipt_simulator.start()
        closers.append(receipt_simulator.stop)
    receipt_printer = build_receipt_printer(
        rp, simulator_port=receipt_simulator.port if receipt_simulator else None
    )

    dp = devices.document_printer
    document_printer: DocumentPrinter
    if dp.driver == "folder":
        document_printer = FolderDocumentPrinter(settings.printed_folder)
    else:
        # No silent fallback on a terminal: a certificate written to a folder is one the citizen
        # never gets. A queue that cannot print fails the job, and the citizen is told.
        cups = CupsDocumentPrinter(dp.queue)
        state = cups.queue_state()
        if state not in USABLE_QUEUE_STATES:
            log.warning("A4 queue %s is %s: certificates cannot be printed", dp.queue, state)
        document_printer = cups

    still_camera = None
    camera: Camera
    if devices.camera.driver == "simulated":
        still_camera = StillCamera()
        still_camera.show_file(assets.SAMPLES_DIR / "lease-contract.jpg")
        camera = still_camera
    else:
        cam = devices.camera
        camera = ReopeningCamera(
            parse_source(cam.source),
            width=cam.width,
            height=cam.height,
            autofocus=cam.autofocus,
            focus=cam.focus,
        )
    closers.append(camera.close)
    face_camera, face_still = build_face_camera(settings)
    if face_camera is not None:
        closers.append(face_camera.close)

    events.set_wake(sync.wake)
    journey = Journey(kiosk_id=settings.terminal.id, outbox=outbox, wake=sync.wake)

    def local_case(case_number: str) -> dt.datetime | None:
        try:
            entry = outbox.get(case_number)
        except CacheError:
            return None
        return entry.created_at if entry is not None else None

    window = KioskWindow((settings.terminal.location_zh, settings.terminal.location_en))
    printing = QueuedPrinting(
        print_queue,
        receipt_printer,
        document_printer,
        reprint_limit=storage.reprint_limit,
        base_delay=storage.print_retry_base_s,
        max_delay=storage.print_retry_max_s,
        after_certificate=retention.sweep,
    )
    offered = OfferedCatalog(catalog)
    services = Services(
        settings=settings,
        catalog=offered,
        journey=journey,
        progress_lookup=client.progress,
        local_case=local_case,
        public_keys=keys,
        camera=camera,
        receipt_printer=receipt_printer,
        document_printer=document_printer,
        print_jobs=printing,
        reprints=CertificateReprints(printing, outbox.result, client.get_submission),
        collect=CollectClient(client, settings.terminal.id),
        ticketing=Ticketing(
            TicketClient(client),
            lambda day: local_number_from(
                outbox.next_case_number(settings.terminal.id[:11] + "Q", day), settings.terminal.id
            ),
            events,
        ),
        events=events,
        public_url=settings.hall.public_url or hall_url,
        card_watcher=CardWatcher(
            reader,
            poll_interval=devices.id_reader.poll_interval_s,
            read_timeout=devices.id_reader.read_timeout_s,
            removal_misses=devices.id_reader.removal_misses,
        ),
        code_scanner=build_code_source(devices.scanner, camera),
        camera_preview=CameraPreview(
            camera,
            fps=devices.camera.preview_fps,
            auto_capture=devices.camera.auto_capture,
            settings=AutoCaptureSettings(still_frames=devices.camera.still_frames),
        ),
        # One OCR engine for the terminal, built and warmed up on the OCR worker at start-up.
        ocr_engine=(
            partial(build_ocr_engine, settings.ocr) if settings.ocr.check_materials else None
        ),
        staff_caller=StaffCaller(settings.terminal.id, client.call_staff, client.staff_call),
        speech_engine=build_speech_engine(settings.voice),
        face_camera=face_camera,
        face_check=build_face_check(settings) if settings.face_match_available else None,
    )
    controller = KioskController(window, services)
    # The device shadow: desired configuration and commands from the hall's heartbeat answers.
    fleet = FleetBridge(controller.navigator, offered)
    recent_log = RecentLog()
    logging.getLogger().addHandler(recent_log)
    closers.append(lambda: logging.getLogger().removeHandler(recent_log))

    def print_test_page(_command: CommandPublic) -> str:
        job = partial(print_receipt_test_page, receipt_printer, settings.terminal.id)
        outcome = controller.workers.receipt.run(job).result(timeout=60)
        if not outcome.ok:
            raise DeviceUnavailableError("the receipt printer did not print the test page")
        return "receipt test page printed"

    def refresh_catalog(_command: CommandPublic) -> str:
        catalog.refresh(sync_client)
        return f"catalog {catalog.version} in use"

    def upload_log(command: CommandPublic) -> str:
        lines = recent_log.lines()
        sync_client.upload_log(
            TerminalLogCreate(
                kiosk_id=settings.terminal.id, command_id=command.command_id, lines=lines
            )
        )
        return f"{len(lines)} lines uploaded"

    shadow = ShadowAgent(
        store,
        apply_config=fleet.apply_config,
        handlers={
            "restart": fleet.restart,
            "lock": fleet.lock,
            "unlock": fleet.lock,
            "print_test_page": print_test_page,
            "refresh_catalog": refresh_catalog,
            "upload_log": upload_log,
        },
        on_staff_calls=fleet.staff_calls,
        locked=lambda: controller.navigator.locked,
        updating=lambda: updating_release(),
    )
    bridge.setParent(controller)
    bridge.result_arrived.connect(controller.on_result)

    def mark_shown(_status: str) -> None:
        # The citizen now has the case number on screen: the row is no longer "lost". The
        # fsync runs on the outbox's worker, never on the GUI thread.
        case = controller.session.case_number
        if case is not None:
            controller.workers.outbox.run(lambda: outbox.mark_shown(case), None, _shown_failed)

    controller.result_shown.connect(mark_shown)
    # Maintenance mode asks the reader, camera and receipt printer through the drivers the app
    # holds open (a second handle on a serial port or a camera would fight the first).
    # Maintenance mode can enrol the running terminal: the new identity signs at once.
    enroller = Enroller(
        hall_url=hall_url,
        directory=identity_dir(settings.storage.resolved_key_file),
        configured_id=settings.terminal.id,
        install=(
            client.set_identity,
            sync_client.set_identity,
            lambda identity: keys.pin(identity.hall_keys),
        ),
        timeout=settings.hall.read_timeout_s,
    )
    maintenance = MaintenanceMode(
        window,
        controller,
        probes=app_probes(
            reader=reader,
            camera=camera,
            receipt_printer=receipt_printer,
            # A real face camera is held open by the app; the simulated one shows nobody.
            face_camera=face_camera if face_still is None else None,
        ),
        enroller=enroller,
    )
    ms = settings.maintenance

    def refresh_catalog_tonight() -> str:
        changed = catalog.refresh(client)
        return f"ok: catalog {catalog.version} ({'new' if changed else 'unchanged'})"

    updater = (
        None
        if identity is None
        else Updater(
            data_dir / UPDATES_DIR,
            client,
            kiosk_id=settings.terminal.id,
            keys=lambda: identity.hall_keys,
            running_version=kiosk.__version__,
        )
    )

    def updating_release() -> str:
        # Called on the sync thread for each beat: the staged release while the installer has it.
        if updater is None or not controller.navigator.updating:
            return ""
        staged = updater.staged
        return staged.version if staged is not None else "unknown"

    nightly = NightlyMaintenance(
        store,
        limits=Limits(
            max_uptime_s=ms.restart_after_hours * 3600,
            max_rss_bytes=ms.restart_above_mb * 1024 * 1024,
            vacuum_free_ratio=ms.vacuum_free_percent / 100,
        ),
        purge=sync.purge_now,
        refresh_catalog=refresh_catalog_tonight,
        # The checks maintenance mode shows, through the drivers the app holds open.
        self_test=lambda: self_test_lines(
            run_checks(settings, overrides=maintenance.probes, timeout=IN_APP_PROBE_TIMEOUT_S)
        ),
        pending_prints=lambda: print_queue.counts()[QUEUED],
        started_monotonic=started,
        extra_steps=(
            {} if updater is None else {"update": lambda: update_line(updater.check_and_stage())}
        ),
    )
    window_hours = MaintenanceWindow.parse(ms.window, ms.window_minutes)
    scheduler = (
        None
        if window_hours is None
        else NightlyScheduler(
            controller.navigator,
            nightly,
            window_hours,
            controller.workers.refresh,
            # Checked at rest on the GUI thread just before; the installer restarts the app.
            apply_update=None if updater is None else updater.apply,
            handover_state=(lambda: "none") if updater is None else updater.handover_state,
            withdraw_update=(lambda: None) if updater is None else updater.withdraw,
        )
    )
    if scheduler is not None and updater is not None:
        # Back in service without a restart: tell the hall what became of the update now.
        scheduler.update_returned.connect(
            lambda _why: controller.workers.refresh.run(updater.report_outcomes, None, None)
        )
    return KioskApp(
        settings=settings,
        window=window,
        controller=controller,
        outbox=outbox,
        store=store,
        sync=sync,
        client=client,
        catalog=catalog,
        keys=keys,
        hall=hall,
        card_simulator=card_simulator,
        receipt_simulator=receipt_simulator,
        still_camera=still_camera,
        face_still=face_still,
        document_printer=document_printer,
        closers=closers,
        printing=printing,
        maintenance=maintenance,
        liveness=liveness,
        nightly=scheduler,
        updater=updater,
    )


def _report_unshown(entries: list[Any]) -> None:
    """Rows queued before this start whose receipt nobody saw: delivered anyway, listed for staff.

    The terminal died between the durable enqueue and the result screen. The hall still gets each
    exactly once (same idempotency key); the citizen may have left thinking nothing was sent.
    """
    if entries:
        log.warning(
            "%d cases were queued but their receipt was never shown: %s",
            len(entries),
            ", ".join(e.case_number for e in entries),
        )


def _shown_failed(error: BaseException) -> None:
    log.warning("could not record a shown receipt: %s", type(error).__name__)


__all__ = ["KioskApp", "SubmissionPublic", "build_app"]
