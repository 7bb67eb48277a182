"""The terminal's one validated settings model, read from a TOML file plus ``KIOSK_`` variables.

Where the file comes from: ``--config PATH``, else ``$KIOSK_CONFIG``, else ``kiosk.toml`` in the
platform's config directory when it exists, else the embedded defaults (simulated devices, the
embedded hall on SQLite). Environment variables override the file, nested keys joined by ``__``:
``KIOSK_HALL__URL=http://hall:8765``. An invalid file stops start-up with ``ConfigError``, whose
message names each bad key and what is wrong with it.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "gov-kiosk"
CONFIG_ENV = "KIOSK_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TerminalSettings(_Section):
    """Who this terminal is and how it treats its citizens."""

    id: str = Field(default="DEMO01", pattern=r"^[A-Z0-9]{2,12}$")
    """Upper-case code, the first part of every case number this terminal makes."""
    location_zh: str = "区政务服务中心 24小时自助区"
    location_en: str = "District Service Centre, 24-hour self-service area"
    language: Literal["zh", "en"] = "zh"
    full_screen: bool = True
    idle_warning_s: int = Field(default=60, ge=10, le=600)
    """Seconds without a touch before the countdown warning appears."""
    idle_countdown_s: int = Field(default=30, ge=20, le=120)
    """Seconds the warning counts down before the session is wiped (at least 20)."""
    decision_wait_s: float = Field(default=8.0, gt=0, le=60)
    """How long the screen waits for the hall's instant decision before handing a receipt."""
    staff_phone: str = "12345"
    languages: list[str] = Field(default_factory=lambda: ["zh", "en"], min_length=1, max_length=8)
    """The languages the header's language button cycles through, in order: ``zh``, ``en`` and
    any other with a ``kiosk/ui/i18n/kiosk_<code>.ts`` (``zh_TW``); a session starts in
    ``language``."""
    tap_guard_ms: int = Field(default=300, ge=0, le=2000)
    """Taps on buttons are ignored this long after a screen changes: a double tap on "Start"
    must not land on the next screen's "Submit", which stands in the same place."""

    @model_validator(mode="after")
    def _known_languages(self) -> TerminalSettings:
        i18n = Path(__file__).with_name("ui") / "i18n"
        for code in self.languages:
            suffix = "zh_CN" if code == "zh" else code
            if (
                not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", code)
                or not (i18n / f"kiosk_{suffix}.ts").is_file()
            ):
                known = sorted(
                    "zh" if p.stem == "kiosk_zh_CN" else p.stem.removeprefix("kiosk_")
                    for p in i18n.glob("kiosk_*.ts")
                )
                raise ValueError(f"languages: {code!r} is not one of {', '.join(known)}")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages: each language once")
        return self


class HallSettings(_Section):
    """Where the central hall is; with ``embedded`` the terminal starts one on loopback."""

    embedded: bool = True
    url: str | None = None
    connect_timeout_s: float = Field(default=3.0, gt=0, le=60)
    read_timeout_s: float = Field(default=10.0, gt=0, le=120)
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    """Where phones reach the hall (its ``/verify`` page): receipts' QR codes point there.
    Unset: the hall's ``url`` (the embedded hall's loopback address in the demo)."""

    @model_validator(mode="after")
    def _url_when_remote(self) -> HallSettings:
        if not self.embedded and not self.url:
            raise ValueError("url is required when embedded = false")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {self.url!r}")
        return self


class StorageSettings(_Section):
    """Where the outbox, the key file and logs live."""

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    key_file: Path | None = None
    """The at-rest encryption key, created 0600 on first start; default ``<data_dir>/field.key``.
    """
    retention_days: int = Field(default=30, ge=0, le=3650)
    """Personal data of a delivered case is purged this many days after delivery."""
    reprint_limit: int = Field(default=2, ge=0, le=10)
    """How many times a citizen may reprint a certificate from the receipt's QR code."""
    print_retry_base_s: float = Field(default=5.0, gt=0, le=600)
    print_retry_max_s: float = Field(default=300.0, gt=0, le=3600)
    """A print job that did not come out (printer offline, out of paper) is retried with capped
    exponential backoff between these bounds until the printer is back."""
    heartbeat_interval_s: float = Field(default=60.0, ge=5, le=3600)
    catalog_refresh_s: float = Field(default=300.0, ge=10, le=86400)
    decision_poll_s: float = Field(default=60.0, ge=1, le=86400)
    """How often the hall is asked for the decision of a case it accepted without deciding."""

    @property
    def resolved_key_file(self) -> Path:
        """The key file to use."""
        return self.key_file or self.data_dir / "field.key"


class IdReaderSettings(_Section):
    """The ID card reader. ``simulated`` serves a demo card reader on a pty to the real driver."""

    driver: Literal["sam-serial", "simulated"] = "simulated"
    port: str | None = None
    baud: int | None = Field(
        default=None, description='"auto" (or none): probe 115200, 57600, 38400, 19200, 9600'
    )
    poll_interval_s: float = Field(default=0.5, gt=0, le=10)
    read_timeout_s: float = Field(default=3.0, gt=0, le=30)
    removal_misses: int = Field(default=3, ge=1, le=20)
    """Polls in a row that must find no card before it counts as removed: real modules answer
    "no card" right after a read while the card still lies there."""
    wlt_library: Path | None = None
    """The reader vendor's WLT photo decoder (e.g. ``/opt/vendor/lib/libwlt2bmp.so``); without
    one a real card's photo cannot be decoded and face match hands the citizen to staff."""
    wlt_function: str = Field(default="unpack", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """Its function, ``int f(char *wlt, char *out, int mode)`` returning 1 on success."""
    wlt_mode: int = 602
    """The third argument: the vendor's in-memory code (602 for Huashi's libwlt2019, often 0)."""
    wlt_channels: Literal["bgr", "rgb"] = "bgr"
    """Channel order of the library's raw pixels (a BMP it writes is read from its header)."""
    wlt_bottom_up: bool = False
    """Whether the library's raw rows start at the bottom of the photo."""
    simulated_photo: Literal["jpeg", "wlt"] = "jpeg"
    """``simulated`` driver: the demo cards carry a JPEG photo of a face (so face match runs in
    the demo) or 1024 opaque bytes like a real card without a vendor decoder."""

    @model_validator(mode="before")
    @classmethod
    def _auto_baud(cls, data: Any) -> Any:
        # ``baud = "auto"`` is how a technician writes "probe"; the model keeps None for it.
        if isinstance(data, dict) and str(data.get("baud", "")).lower() == "auto":
            data = {**data, "baud": None}
        return data

    @model_validator(mode="after")
    def _port_for_serial(self) -> IdReaderSettings:
        if self.driver == "sam-serial" and not self.port:
            raise ValueError("port is required for driver 'sam-serial', e.g. /dev/ttyUSB0")
        if self.baud is not None and self.baud not in (115200, 57600, 38400, 19200, 9600):
            raise ValueError(
                f'baud must be one of 115200, 57600, 38400, 19200, 9600 or "auto": {self.baud}'
            )
        return self

    @property
    def baudrate(self) -> int | None:
        """The fixed rate to open the port at, or ``None`` to probe."""
        return self.baud


class ReceiptPrinterSettings(_Section):
    """The ESC/POS receipt printer. ``simulated`` is a loopback listener fed by the real driver.

    The link: ``escpos-network`` (``host``/``port``), ``escpos-serial`` (``serial_port``/``baud``)
    or ``escpos-usb`` (``usb_vendor_id``/``usb_product_id``, e.g. ``0x0416``). The printer model's
    profile: ``qr`` (``native`` GS ( k, or ``raster`` GS v 0, which every printer prints),
    ``paper_width_mm`` (58: 32 characters a line, 80: 48; else ``width_chars``) and ``cut``.
    """

    driver: Literal["escpos-network", "escpos-serial", "escpos-usb", "simulated"] = "simulated"
    host: str = "127.0.0.1"
    port: int = Field(default=9100, ge=1, le=65535)
    serial_port: str | None = None
    """e.g. ``/dev/ttyS0`` or ``/dev/ttyUSB0``."""
    baud: int = 9600
    usb_vendor_id: int | None = Field(default=None, ge=1, le=0xFFFF)
    usb_product_id: int | None = Field(default=None, ge=1, le=0xFFFF)
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    status_timeout_s: float = Field(default=1.0, gt=0, le=10)
    """How long a status request waits for the printer's answer; no answer is "unknown"."""
    qr: Literal["native", "raster"] | None = None
    """``None``: follow the older ``native_qr`` key."""
    native_qr: bool = False
    paper_width_mm: Literal[58, 80] | None = None
    """When set, decides the characters per line (58: 32, 80: 48) over ``width_chars``."""
    width_chars: int = Field(default=32, ge=24, le=64)
    cut: Literal["partial", "full", "none"] = "partial"

    @model_validator(mode="after")
    def _link_details(self) -> ReceiptPrinterSettings:
        if self.driver == "escpos-serial" and not self.serial_port:
            raise ValueError("serial_port is required for driver 'escpos-serial', e.g. /dev/ttyS0")
        if self.driver == "escpos-usb" and not (self.usb_vendor_id and self.usb_product_id):
            raise ValueError(
                "usb_vendor_id and usb_product_id are required for driver 'escpos-usb' "
                "(see lsusb, e.g. 0x0416 and 0x5011)"
            )
        if self.baud not in (115200, 57600, 38400, 19200, 9600):
            raise ValueError(f"baud must be one of 115200, 57600, 38400, 19200, 9600: {self.baud}")
        return self

    @property
    def qr_mode(self) -> Literal["native", "raster"]:
        """The QR mode, from ``qr`` or the older ``native_qr``."""
        if self.qr is not None:
            return self.qr
        return "native" if self.native_qr else "raster"

    @property
    def chars_per_line(self) -> int:
        """Characters per line, from ``paper_width_mm`` or ``width_chars``."""
        if self.paper_width_mm is not None:
            return 48 if self.paper_width_mm == 80 else 32
        return self.width_chars


class DocumentPrinterSettings(_Section):
    """The A4 printer: a CUPS queue, with a folder as the fallback when CUPS is unusable."""

    driver: Literal["cups", "folder"] = "cups"
    queue: str = "PDF"
    folder: Path | None = None
    """Fallback (and ``folder`` driver) output; default ``<data_dir>/printed``."""
    keep_output_s: float = Field(default=600.0, ge=0, le=30 * 86400)
    """PDFs left in the folder printer's folder and the cups-pdf queue's output folder are
    deleted this many seconds after they were written (a certificate names its holder)."""
    output_folder: Path | None = None
    """The queue's own output folder to sweep (cups-pdf); default: cups-pdf's, from its conf."""


class CameraSettings(_Section):
    """The document camera, also used to scan QR codes held up to it."""

    driver: Literal["opencv", "simulated"] = "simulated"
    source: str = "0"
    """Device index, device path, file or stream URL for ``opencv``."""
    width: int | None = Field(default=1920, ge=160, le=8192)
    """Resolution asked of a device (a file or stream keeps its own)."""
    height: int | None = Field(default=1080, ge=120, le=8192)
    autofocus: bool | None = None
    """``None`` leaves the device's own setting; a fixed-focus document stand wants ``False``."""
    focus: float | None = Field(default=None, ge=0)
    """Manual focus value (device units, see ``v4l2-ctl -L``) when ``autofocus`` is off."""
    preview_fps: float = Field(default=12.0, ge=2.0, le=30.0)
    """Live preview rate on the capture screen; each frame is also judged for auto-capture."""
    auto_capture: bool = True
    """Take the photo by itself once the document lies still and sharp."""
    still_frames: int = Field(default=5, ge=2, le=60)
    """Preview frames in a row the document must lie still and sharp before auto-capture."""


class FaceCameraSettings(_Section):
    """The citizen-facing camera for face match (人证核验), apart from the document camera."""

    driver: Literal["opencv", "simulated", "none"] = "simulated"
    """``none``: the terminal has no such camera; face match is then off (items that require it
    hand the citizen to staff when ``[face] mode = "on"``)."""
    source: str = "1"
    """Device index, device path, file or stream URL for ``opencv``."""
    width: int | None = Field(default=1280, ge=160, le=8192)
    height: int | None = Field(default=720, ge=120, le=8192)


DecoderName = Literal["zxing-cpp", "pyzbar", "opencv"]
_DEFAULT_DECODERS: tuple[DecoderName, ...] = ("zxing-cpp", "pyzbar")


class ScannerSettings(_Section):
    """What scans citizens' QR codes (receipts, certificates).

    ``camera``: the document camera, through the decoder chain; ``serial``: a USB-CDC scanner
    sending one code per line; ``hid-wedge``: a scanner that types like a keyboard; ``simulated``:
    the camera driver on the simulated camera (the demo).
    """

    driver: Literal["camera", "serial", "hid-wedge", "simulated"] = "simulated"
    port: str | None = None
    """Serial device for ``serial``, e.g. ``/dev/serial/by-id/usb-Newland_...-if00``."""
    baud: int = Field(default=9600, ge=1200, le=921600)
    """Line speed for ``serial`` (USB-CDC scanners ignore it; RS-232 ones do not)."""
    suffix: str = "\r\n"
    """What ends each code for ``serial``: the characters, or ``crlf``, ``cr``, ``lf``, ``tab``."""
    decoders: list[DecoderName] = Field(
        default_factory=lambda: list(_DEFAULT_DECODERS), min_length=1
    )
    """Camera decoders in the order tried (measured by ``python -m bench qr``)."""
    roi: tuple[float, float, float, float] | None = None
    """Camera region of interest as fractions (left, top, width, height); ``None``: whole frame."""
    dedupe_window_s: float = Field(default=3.0, ge=0.0, le=60.0)
    """The same code is not reported again until it has been away this long."""
    interval_s: float = Field(default=0.2, ge=0.02, le=5.0)
    """Camera: pause between frames looked at."""
    wedge_max_gap_ms: float = Field(default=35.0, ge=5.0, le=200.0)
    """``hid-wedge``: keys closer than this are the scanner's, not a person's."""

    @model_validator(mode="after")
    def _check(self) -> ScannerSettings:
        if self.driver == "serial" and not self.port:
            raise ValueError("port is required for driver 'serial', e.g. /dev/ttyACM0")
        if not self.suffix:
            raise ValueError("suffix cannot be empty (CR LF is the usual factory setting)")
        if self.roi is not None:
            left, top, width, height = self.roi
            if min(self.roi) < 0 or width <= 0 or height <= 0:
                raise ValueError("roi is (left, top, width, height), fractions of the frame, > 0")
            if left + width > 1.0 or top + height > 1.0:
                raise ValueError("roi leaves the frame: left + width and top + height must be <= 1")
        return self


class DevicesSettings(_Section):
    """Every device the terminal carries."""

    id_reader: IdReaderSettings = Field(default_factory=IdReaderSettings)
    receipt_printer: ReceiptPrinterSettings = Field(default_factory=ReceiptPrinterSettings)
    document_printer: DocumentPrinterSettings = Field(default_factory=DocumentPrinterSettings)
    camera: CameraSettings = Field(default_factory=CameraSettings)
    scanner: ScannerSettings = Field(default_factory=ScannerSettings)
    face_camera: FaceCameraSettings = Field(default_factory=FaceCameraSettings)


DeviceName = Literal[
    "id_reader",
    "scanner",
    "camera",
    "receipt_printer",
    "document_printer",
    "hall",
    "disk",
    "outbox",
    "face_camera",
]
"""The parts ``kiosk doctor`` checks, by the name its table shows (``voice`` is never required)."""


_REQUIRED_BY_DEFAULT: tuple[DeviceName, ...] = ("id_reader", "receipt_printer", "camera", "disk")


class MaintenanceSettings(_Section):
    """The technician's maintenance mode, and which parts ``kiosk doctor`` insists on."""

    pin_hash: str | None = Field(default=None, pattern=r"^(scrypt|pbkdf2_sha256)\$\S+$")
    """Set with ``kiosk maintenance set-pin``; without it maintenance mode cannot be opened."""
    max_failures: int = Field(default=5, ge=1, le=20)
    """Wrong PINs in a row before the PIN pad locks."""
    lockout_s: int = Field(default=300, ge=10, le=86400)
    """First lockout; each further lockout in a row lasts twice as long (at most a day)."""
    idle_timeout_s: int = Field(default=180, ge=30, le=3600)
    """Untouched maintenance screen closes itself after this long."""
    required_devices: list[DeviceName] = Field(default_factory=lambda: list(_REQUIRED_BY_DEFAULT))
    """Parts whose failure makes ``kiosk doctor`` exit non-zero."""
    min_free_mb: int = Field(default=500, ge=1)
    """Free space the data folder needs; less fails the ``disk`` check."""
    window: str = Field(default="03:00", pattern=r"^(off|([01][0-9]|2[0-3]):[0-5][0-9])$")
    """The nightly maintenance window opens at this local time (``HH:MM``), or ``off``."""
    window_minutes: int = Field(default=60, ge=10, le=720)
    """How long the window stays open: a citizen at the terminal past its end skips the night."""
    restart_after_hours: float = Field(default=168.0, ge=0, le=8760)
    """The window restarts the app once it has run this long (0: never for uptime)."""
    restart_above_mb: int = Field(default=1024, ge=0)
    """The window restarts the app when its resident memory is above this (0: never)."""
    vacuum_free_percent: int = Field(default=20, ge=1, le=100)
    """The window rebuilds the store file when this share of its pages is free."""


class OcrSettings(_Section):
    """The OCR engine that reads the citizen's documents; nothing is downloaded at run time."""

    engine: Literal["rapid", "paddle", "tesseract"] = "rapid"
    """``rapid``: PP-OCRv4 on onnxruntime with the model files of the rapidocr-onnxruntime wheel
    (the default, measured fastest); ``paddle``: paddleocr on paddle CPU (the ``paddle`` extra);
    ``tesseract``: Debian's tesseract-ocr with chi_sim, the baseline."""
    threads: int = Field(default=2, ge=1, le=64)
    """CPU threads for one recognition (a 2-core terminal uses both)."""
    det_side: int = Field(default=1280, ge=320, le=4096)
    """Long side in pixels the text detector sees of a card-sized photo (enlarged up to this);
    recognition uses the full photo."""
    det_page_side: int = Field(default=960, ge=320, le=4096)
    """Long side in pixels the text detector sees of a photo larger than ``det_side`` (an A4
    page, shrunk to this)."""
    rec_min_width: int = Field(default=320, ge=16, le=2048)
    """``rapid``: each line is recognised at its own width, padded to no less than this."""
    use_cls: bool = True
    """Run the 0/180 text-line classifier."""
    runtime: Literal["onnxruntime", "openvino", "auto"] = "auto"
    """``rapid``: what runs the models: onnxruntime, OpenVINO's CPU plugin (the ``openvino``
    extra), or ``auto`` (OpenVINO where installed, else onnxruntime)."""
    precision: Literal["f32", "bf16"] = "bf16"
    """``rapid`` on OpenVINO: ``bf16`` where the CPU has bfloat16 arithmetic (f32 elsewhere)."""
    rec_width_step: int = Field(default=0, ge=0, le=512)
    """``rapid``: recognition widths rounded up to a multiple of this (0: 64 on OpenVINO, none
    on onnxruntime)."""
    det_model: Path | None = None
    """Detection model: an ONNX file for ``rapid``, a model directory for ``paddle``; ``None``
    uses the files the installed wheel carries."""
    rec_model: Path | None = None
    """Recognition model, as ``det_model``."""
    cls_model: Path | None = None
    """Text-line orientation model (``rapid`` only), as ``det_model``."""
    check_materials: bool = True
    """Read and check photographed materials on the terminal (the engine is built and warmed up
    at start-up); off, photos are kept unchecked and staff check them."""
    check_timeout_s: float = Field(default=60.0, gt=0, le=600)
    """How long the citizen waits for a photo's check before it is kept unchecked (staff
    check it instead)."""

    @model_validator(mode="after")
    def _models_exist(self) -> OcrSettings:
        for key in ("det_model", "rec_model", "cls_model"):
            path = getattr(self, key)
            if path is not None and not path.exists():
                raise ValueError(f"{key} {path} does not exist")
        return self


class VoiceSettings(_Section):
    """Spoken prompts (Qt TextToSpeech on speech-dispatcher with espeak-ng's Mandarin voice)."""

    volume: float = Field(default=0.8, ge=0.0, le=1.0)
    """0.0 silent to 1.0 loudest; a quiet hall at night wants less than a busy one by day."""
    always: bool = False
    """Speak every screen's prompt for everyone; off, only in elder mode (长辈版)."""
    engine: Literal["speechd", "none"] = "speechd"
    """``none``: never start a speech engine (the terminal is silent, ``kiosk doctor`` says so)."""


class FaceSettings(_Section):
    """Face match (人证核验) before items whose catalog entry asks for it (``face_match``)."""

    mode: Literal["auto", "on", "off"] = "auto"
    """``auto``: on when a face camera is configured (``[devices.face_camera]``), off without
    one (so the demo on a machine with no camera runs without it); ``on``: items that require
    it hand the citizen to staff when there is no camera; ``off``: never."""
    threshold: float = Field(default=0.6, gt=0.2, lt=1.2)
    """Same person below this distance: dlib's published 0.6 (``python -m bench face``)."""
    attempts: int = Field(default=3, ge=1, le=10)
    """Tries before a mismatch hands the citizen to staff."""
    attempt_timeout_s: float = Field(default=15.0, ge=3.0, le=120.0)
    """How long one try looks at the camera."""
    frame_interval_s: float = Field(default=0.25, ge=0.05, le=2.0)
    """Pause between the frames judged (each takes about 0.2 s on the face worker)."""
    liveness: bool = True
    """Ask for a head turn (a held-up photo cannot turn), and a blink where ``blink_model`` is
    set."""
    blink_model: Path | None = None
    """A 68-point dlib landmark model: a blink then counts as well as a turn. None by default:
    dlib's own (``shape_predictor_68_face_landmarks.dat``) was trained on iBUG 300-W, whose
    licence excludes commercial use; name it only where the operator has the right to use it."""


class ElderSettings(_Section):
    """Elder mode (长辈版): larger type, fewer choices a screen, more time, spoken prompts."""

    idle_factor: float = Field(default=2.0, ge=1.0, le=5.0)
    """Elder mode waits this many times longer before the idle warning and in its countdown."""


class KioskSettings(BaseSettings):
    """The whole configuration of one terminal."""

    model_config = SettingsConfigDict(
        env_prefix="KIOSK_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    schema_version: Literal[1] = 1
    terminal: TerminalSettings = Field(default_factory=TerminalSettings)
    hall: HallSettings = Field(default_factory=HallSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    devices: DevicesSettings = Field(default_factory=DevicesSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    elder: ElderSettings = Field(default_factory=ElderSettings)
    face: FaceSettings = Field(default_factory=FaceSettings)
    _source_path: Path | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> Path | None:
        """The TOML file these settings were read from; ``None`` for the embedded defaults."""
        return self._source_path

    @property
    def face_match_available(self) -> bool:
        """Whether face match runs on this terminal (``[face] mode`` and a face camera)."""
        if self.face.mode == "off":
            return False
        return self.face.mode == "on" or self.devices.face_camera.driver != "none"

    @property
    def printed_folder(self) -> Path:
        """Where the folder printer writes."""
        return self.devices.document_printer.folder or self.storage.data_dir / "printed"


def default_config_path() -> Path:
    """The platform's place for the terminal's configuration file."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"


def _format_errors(err: ValidationError, source: str) -> str:
    lines = [f"invalid configuration in {source}:"]
    for item in err.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and its section)"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def load_settings(path: Path | None = None, **overrides: Any) -> KioskSettings:
    """Read and validate the configuration; ``overrides`` win over everything (tests, CLI flags)."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and default_config_path().is_file():
        path = default_config_path()
    source = str(path) if path else "the embedded defaults"
    # A bad value may come from the environment rather than the file: name those variables too.
    env_names = sorted(
        name for name in os.environ if name.upper().startswith("KIOSK_") and name != CONFIG_ENV
    )
    if env_names:
        source += f" with the environment variables {', '.join(env_names)}"
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"configuration file {path} does not exist")
        try:
            with path.open("rb") as handle:
                tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"configuration file {path} is not valid TOML: {err}") from err

    toml_path = path

    class _FromFile(KioskSettings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if toml_path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
            return tuple(sources)

    try:
        loaded = _FromFile(**overrides)
    except ValidationError as err:
        raise ConfigError(_format_errors(err, source)) from err
    settings = KioskSettings.model_validate(loaded.model_dump())
    settings._source_path = path  # the maintenance screen saves its edits back to this file
    return settings
