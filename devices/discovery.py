"""Find the devices plugged into this machine, to help a technician fill the configuration.

Every function reads the device and sysfs trees under ``root`` (default ``/``), so tests build a
fake ``/dev`` and ``/sys`` in a temporary folder. Nothing here opens a serial port or talks to a
device; only ``scan_cameras(try_open=True)`` opens cameras, each in a child process that is killed
at its timeout (a V4L2 open can hang in the kernel, and a thread cannot be stopped).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from devices.a4.cups_printer import c_locale_env

SERIAL_PATTERNS = ("ttyS*", "ttyUSB*", "ttyACM*")
USB_PRINTER_CLASS = "07"
"""USB interface class 07: printer (USB-IF class codes)."""

CUPS_NOT_RUNNING = "CUPS not running"
CUPS_NOT_INSTALLED = "CUPS not installed"

_OPEN_SCRIPT = (
    "import sys, cv2\n"
    "cap = cv2.VideoCapture(sys.argv[1])\n"
    "ok = cap.isOpened() and cap.read()[0]\n"
    "cap.release()\n"
    "sys.exit(0 if ok else 3)\n"
)


@dataclass(frozen=True)
class SerialPortInfo:
    """One serial port: its device node and, for USB adapters, who made it."""

    device: str
    kind: str
    """``usb-serial`` (ttyUSB), ``usb-acm`` (ttyACM, CDC), ``uart`` (ttyS) or ``other``."""
    vid_pid: str = ""
    """``vvvv:pppp`` in hex for USB adapters, empty otherwise."""
    description: str = ""
    serial_number: str = ""


@dataclass(frozen=True)
class CameraInfo:
    """One V4L2 video node."""

    device: str
    name: str = ""
    opens: bool | None = None
    """Whether OpenCV gave a frame from it; ``None`` when not tried."""
    reason: str = ""


@dataclass(frozen=True)
class UsbPrinterInfo:
    """A USB device with a printer interface: what the ESC/POS USB driver needs (vid:pid)."""

    vid_pid: str
    device: str = ""
    """``/dev/usb/lpN`` when the kernel's usblp driver holds it, else empty."""
    description: str = ""
    bus_id: str = ""
    """The sysfs name of the USB device (``1-1.4``)."""
    serial_number: str = ""


@dataclass(frozen=True)
class CupsQueueInfo:
    """One CUPS queue as ``lpstat`` reports it."""

    name: str
    uri: str = ""
    state: str = ""
    """``idle``, ``printing``, ``disabled`` or ``unknown``."""


@dataclass
class CupsReport:
    """The CUPS queues, or why there are none to show."""

    queues: list[CupsQueueInfo] = field(default_factory=list)
    note: str = ""
    """Empty when CUPS answered; else ``CUPS not running``, ``CUPS not installed``, or a reason."""


@dataclass
class DeviceScan:
    """Everything ``kiosk devices scan`` found."""

    serial_ports: list[SerialPortInfo]
    cameras: list[CameraInfo]
    usb_printers: list[UsbPrinterInfo]
    cups: CupsReport

    def as_json(self) -> dict[str, list[dict[str, Any]]]:
        """The fixed JSON shape: four lists of objects."""
        return {
            "serial_ports": [asdict(p) for p in self.serial_ports],
            "cameras": [asdict(c) for c in self.cameras],
            "usb_printers": [asdict(p) for p in self.usb_printers],
            "cups_queues": [asdict(q) for q in self.cups.queues],
        }


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _usb_device_dir(start: Path, sys_root: Path) -> Path | None:
    """Walk up from a sysfs node to the USB device directory (the one with ``idVendor``)."""
    here = start
    for _ in range(8):  # interface -> device is one or two steps; stop well before /sys
        if (here / "idVendor").is_file():
            return here
        if here == sys_root or here.parent == here:
            return None
        here = here.parent
    return None


def _usb_identity(device_dir: Path) -> tuple[str, str, str]:
    vid, pid = _read(device_dir / "idVendor"), _read(device_dir / "idProduct")
    words = [_read(device_dir / "manufacturer"), _read(device_dir / "product")]
    description = " ".join(word for word in words if word)
    return (
        (f"{vid}:{pid}".lower() if vid and pid else ""),
        description,
        _read(device_dir / "serial"),
    )


def scan_serial_ports(root: str | Path = "/") -> list[SerialPortInfo]:
    """List ``/dev/ttyS*``, ``ttyUSB*`` and ``ttyACM*`` with their USB vid:pid when known.

    ``ttyS`` nodes without a UART behind them (sysfs ``type`` 0, which every PC has 4 to 32 of)
    are left out. On the real root, pyserial's own list adds any other port it knows.
    """
    base = Path(root)
    sys_root = base / "sys"
    found: dict[str, SerialPortInfo] = {}
    for pattern in SERIAL_PATTERNS:
        for node in sorted((base / "dev").glob(pattern), key=_natural):
            name = node.name
            sysfs = sys_root / "class" / "tty" / name
            if name.startswith("ttyS") and _read(sysfs / "type") == "0":
                continue
            kind = (
                "usb-serial"
                if name.startswith("ttyUSB")
                else "usb-acm"
                if name.startswith("ttyACM")
                else "uart"
            )
            vid_pid = description = serial_number = ""
            device_link = sysfs / "device"
            if device_link.exists():
                usb = _usb_device_dir(Path(os.path.realpath(device_link)), sys_root)
                if usb is not None:
                    vid_pid, description, serial_number = _usb_identity(usb)
            device = "/" + str(node.relative_to(base))
            found[device] = SerialPortInfo(device, kind, vid_pid, description, serial_number)
    if Path(root).resolve() == Path("/"):
        for port in _pyserial_ports():
            known = found.get(port.device)
            if known is None:
                found[port.device] = port
            elif not known.description and port.description:
                found[port.device] = SerialPortInfo(
                    known.device,
                    known.kind,
                    known.vid_pid or port.vid_pid,
                    port.description,
                    known.serial_number or port.serial_number,
                )
    return sorted(found.values(), key=lambda p: _natural(Path(p.device)))


def _pyserial_ports() -> list[SerialPortInfo]:
    from serial.tools import list_ports

    ports = []
    for info in list_ports.comports():
        vid_pid = f"{info.vid:04x}:{info.pid:04x}" if info.vid is not None else ""
        description = "" if info.description in (None, "n/a") else str(info.description)
        kind = "other"
        for prefix, named in (("ttyUSB", "usb-serial"), ("ttyACM", "usb-acm"), ("ttyS", "uart")):
            if Path(info.device).name.startswith(prefix):
                kind = named
        ports.append(
            SerialPortInfo(info.device, kind, vid_pid, description, info.serial_number or "")
        )
    return ports


def scan_cameras(
    root: str | Path = "/", *, try_open: bool = False, open_timeout: float = 3.0
) -> list[CameraInfo]:
    """List ``/dev/video*`` with the driver's name for each; optionally try to grab a frame."""
    base = Path(root)
    cameras = []
    for node in sorted((base / "dev").glob("video*"), key=_natural):
        if not node.name[len("video") :].isdigit():
            continue
        name = _read(base / "sys" / "class" / "video4linux" / node.name / "name")
        device = "/" + str(node.relative_to(base))
        opens: bool | None = None
        reason = ""
        if try_open:
            opens, reason = _try_open(str(node), open_timeout)
        cameras.append(CameraInfo(device, name, opens, reason))
    return cameras


def _try_open(path: str, timeout: float) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _OPEN_SCRIPT, path],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"no frame within {timeout:g} s"
    except OSError as err:
        return False, f"could not try: {err.strerror}"
    if done.returncode == 0:
        return True, ""
    return False, "OpenCV could not read a frame"


def scan_usb_printers(root: str | Path = "/") -> list[UsbPrinterInfo]:
    """USB printers: ``/dev/usb/lp*`` nodes and every USB interface of class 07 (printer).

    Receipt printers often sit on a vendor interface with no usblp node at all, which is why the
    class-07 interfaces are listed too; the ESC/POS USB driver opens them by vid:pid.
    """
    base = Path(root)
    sys_root = base / "sys"
    by_device: dict[Path, UsbPrinterInfo] = {}
    nodes: dict[Path, str] = {}
    for node in sorted((base / "dev" / "usb").glob("lp*"), key=_natural):
        link = sys_root / "class" / "usbmisc" / node.name / "device"
        device = "/" + str(node.relative_to(base))
        usb = _usb_device_dir(Path(os.path.realpath(link)), sys_root) if link.exists() else None
        if usb is None:
            by_device[Path(device)] = UsbPrinterInfo(vid_pid="", device=device)
        else:
            nodes[usb] = device
    usb_devices = sys_root / "bus" / "usb" / "devices"
    for entry in sorted(usb_devices.glob("*"), key=_natural):
        if _read(entry / "bInterfaceClass").lower() != USB_PRINTER_CLASS:
            continue
        usb = _usb_device_dir(Path(os.path.realpath(entry)), sys_root)
        if usb is None or usb in by_device:
            continue
        vid_pid, description, serial_number = _usb_identity(usb)
        by_device[usb] = UsbPrinterInfo(
            vid_pid, nodes.pop(usb, ""), description, usb.name, serial_number
        )
    for usb, device in nodes.items():  # a usblp node whose interface did not say class 07
        vid_pid, description, serial_number = _usb_identity(usb)
        by_device[usb] = UsbPrinterInfo(vid_pid, device, description, usb.name, serial_number)
    return sorted(by_device.values(), key=lambda p: (p.device == "", p.device, p.bus_id))


_DEVICE_FOR = re.compile(r"^device for (\S+): (.+)$")
_PRINTER = re.compile(r"^printer (\S+) (.*)$")


def scan_cups(*, server: str | None = None, timeout: float = 3.0) -> CupsReport:
    """The CUPS queues from ``lpstat -v`` and ``lpstat -p``, each call bounded by ``timeout``."""
    binary = shutil.which("lpstat")
    if binary is None:
        return CupsReport(note=CUPS_NOT_INSTALLED)
    where = ["-h", server] if server else []
    outputs = []
    for flag in ("-v", "-p"):
        try:
            done = subprocess.run(
                [binary, *where, flag],
                capture_output=True,
                text=True,
                input="",
                timeout=timeout,
                env=c_locale_env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return CupsReport(note=f"lpstat did not answer within {timeout:g} s")
        except OSError as err:
            return CupsReport(note=f"lpstat could not run: {err.strerror}")
        said = done.stdout + done.stderr
        if "not running" in said or "Unable to connect" in said:
            return CupsReport(note=CUPS_NOT_RUNNING)
        outputs.append(done.stdout)
    uris: dict[str, str] = {}
    for line in outputs[0].splitlines():
        match = _DEVICE_FOR.match(line.strip())
        if match:
            uris[match.group(1)] = match.group(2).strip()
    states: dict[str, str] = {}
    for line in outputs[1].splitlines():
        match = _PRINTER.match(line.strip())
        if match:
            rest = match.group(2)
            state = (
                "disabled"
                if "disabled" in rest
                else "printing"
                if "now printing" in rest
                else "idle"
                if "is idle" in rest
                else "unknown"
            )
            states[match.group(1)] = state
    names = list(dict.fromkeys([*uris, *states]))
    queues = [
        CupsQueueInfo(name, uris.get(name, ""), states.get(name, "unknown")) for name in names
    ]
    return CupsReport(queues=queues)


def scan_all(
    root: str | Path = "/",
    *,
    try_open_cameras: bool = False,
    cups_server: str | None = None,
    cups_timeout: float = 3.0,
) -> DeviceScan:
    """Everything at once, for ``kiosk devices scan``."""
    return DeviceScan(
        serial_ports=scan_serial_ports(root),
        cameras=scan_cameras(root, try_open=try_open_cameras),
        usb_printers=scan_usb_printers(root),
        cups=scan_cups(server=cups_server, timeout=cups_timeout),
    )


def _natural(path: Path) -> tuple[str, int]:
    """Sort ``ttyUSB10`` after ``ttyUSB9``."""
    match = re.match(r"^(.*?)(\d+)$", path.name)
    if match is None:
        return path.name, -1
    return match.group(1), int(match.group(2))
