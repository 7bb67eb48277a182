"""Frame sources: any camera OpenCV can open, and a stand-in that serves image files."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from devices.errors import DeviceUnavailableError

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]


def _to_bgr(image: npt.NDArray[Any]) -> Frame:
    """Return a 3-channel 8-bit BGR frame whatever the source delivered (grey, BGRA, 16-bit)."""
    if image.dtype != np.uint8:
        # 16-bit PNGs and scanners' deep frames: stretch to 8 bits rather than clip.
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(1.0, float(image.max())))
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image, dtype=np.uint8)


def _is_stream(source: int | str) -> bool:
    return isinstance(source, str) and "://" in source


def is_live_source(source: int | str) -> bool:
    """Whether ``source`` is a device or a stream (reopened on failure) rather than a file."""
    return isinstance(source, int) or source.startswith("/dev/") or _is_stream(source)


def parse_source(text: str) -> int | str:
    """A configured source: a bare number is a device index, anything else a path or URL."""
    text = text.strip()
    return int(text) if text.isdigit() else text


class OpenCvCamera:
    """``Camera`` over ``cv2.VideoCapture``.

    ``source`` is a device index (``0``), a device path (``/dev/video0``), a video file, an image
    sequence pattern (``frames/img_%03d.png``) or a stream URL. A live device that stops
    delivering frames raises ``DeviceUnavailableError``; a file source returns ``None`` at its end.
    """

    def __init__(
        self,
        source: int | str,
        *,
        width: int | None = None,
        height: int | None = None,
        autofocus: bool | None = None,
        focus: float | None = None,
    ) -> None:
        """Open the source; raises ``DeviceUnavailableError`` when OpenCV cannot.

        ``width``/``height``, ``autofocus`` and ``focus`` are asked of a device only; a device
        that does not support one keeps its own value (``settings()`` says what it runs at).
        """
        self.source = source
        self._live = is_live_source(source)
        self._lock = threading.Lock()
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise DeviceUnavailableError(f"camera source {source!r} cannot be opened")
        if self._live and not _is_stream(source):
            # USB document cameras deliver full resolution only as MJPG; YUYV at 1080p drops to
            # a few frames per second on USB 2.
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            if width:
                capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            if height:
                capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            if autofocus is not None:
                capture.set(cv2.CAP_PROP_AUTOFOCUS, 1 if autofocus else 0)
            if focus is not None:
                capture.set(cv2.CAP_PROP_FOCUS, focus)
        if self._live:
            # A preview wants the newest frame, not one queued a second ago.
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture: cv2.VideoCapture | None = capture

    def settings(self) -> dict[str, float]:
        """What the source reports it runs at (width, height, fps, autofocus, focus)."""
        with self._lock:
            if self._capture is None:
                return {}
            props = {
                "width": cv2.CAP_PROP_FRAME_WIDTH,
                "height": cv2.CAP_PROP_FRAME_HEIGHT,
                "fps": cv2.CAP_PROP_FPS,
                "autofocus": cv2.CAP_PROP_AUTOFOCUS,
                "focus": cv2.CAP_PROP_FOCUS,
            }
            return {name: float(self._capture.get(prop)) for name, prop in props.items()}

    def grab(self) -> Frame | None:
        """Return the next BGR frame, or ``None`` at the end of a file source."""
        with self._lock:
            if self._capture is None:
                raise DeviceUnavailableError(f"camera source {self.source!r} is closed")
            ok, frame = self._capture.read()
        if not ok or frame is None:
            if self._live:
                raise DeviceUnavailableError(f"camera {self.source!r} stopped delivering frames")
            return None
        return _to_bgr(frame)

    def close(self) -> None:
        """Release the device; further ``grab`` calls raise."""
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None

    def __enter__(self) -> OpenCvCamera:
        """Use as a context manager that closes the camera."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close on leaving the block."""
        self.close()


class FileCamera:
    """``Camera`` stand-in that returns image files as frames, in order.

    The demo "shows" a document or a QR code to the terminal with it. ``loop=True`` starts over
    after the last file, as a document held still under a real camera keeps being seen.
    """

    def __init__(self, paths: Sequence[Path], *, loop: bool = False) -> None:
        """Check the files exist; raises ``DeviceUnavailableError`` for a missing one."""
        self.paths = [Path(path) for path in paths]
        for path in self.paths:
            if not path.is_file():
                raise DeviceUnavailableError(f"camera stand-in image {path.name} does not exist")
        self.loop = loop
        self._index = 0
        self._closed = False
        self._lock = threading.Lock()

    def grab(self) -> Frame | None:
        """Return the next image as a BGR frame, or ``None`` when they ran out (no loop)."""
        with self._lock:
            if self._closed:
                raise DeviceUnavailableError("camera stand-in is closed")
            if not self.paths or (self._index >= len(self.paths) and not self.loop):
                return None
            path = self.paths[self._index % len(self.paths)]
            self._index += 1
        # imdecode over bytes: imread cannot open paths with non-ASCII names on every platform.
        try:
            data = np.fromfile(path, dtype=np.uint8)
        except OSError as err:
            raise DeviceUnavailableError(f"camera stand-in image {path.name} unreadable") from err
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        if image is None:
            raise DeviceUnavailableError(f"camera stand-in image {path.name} is not an image")
        return _to_bgr(image)

    def close(self) -> None:
        """Stop serving frames."""
        with self._lock:
            self._closed = True

    def __enter__(self) -> FileCamera:
        """Use as a context manager that closes the camera."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close on leaving the block."""
        self.close()


class ReopeningCamera:
    """An ``OpenCvCamera`` opened at first use and reopened after it fails.

    A terminal must start, and serve the ID-card items, with its camera unplugged; when the
    camera is plugged back in, the next grab after ``retry_interval`` seconds opens it again.
    """

    def __init__(
        self,
        source: int | str,
        *,
        retry_interval: float = 5.0,
        width: int | None = None,
        height: int | None = None,
        autofocus: bool | None = None,
        focus: float | None = None,
    ) -> None:
        """Remember the source; nothing is opened yet."""
        self.source = source
        self._retry_interval = retry_interval
        self._size = (width, height)
        self._focus = (autofocus, focus)
        self._lock = threading.Lock()
        self._camera: OpenCvCamera | None = None
        self._last_attempt: float | None = None

    def grab(self) -> Frame | None:
        """The next frame; ``DeviceUnavailableError`` while the camera cannot be opened."""
        with self._lock:
            if self._camera is None:
                now = time.monotonic()
                if (
                    self._last_attempt is not None
                    and now - self._last_attempt < self._retry_interval
                ):
                    raise DeviceUnavailableError(f"camera source {self.source!r} is not available")
                self._last_attempt = now
                width, height = self._size
                autofocus, focus = self._focus
                self._camera = OpenCvCamera(
                    self.source, width=width, height=height, autofocus=autofocus, focus=focus
                )
            camera = self._camera
        try:
            return camera.grab()
        except DeviceUnavailableError:
            with self._lock:
                camera.close()
                self._camera = None
            raise

    def close(self) -> None:
        """Release the device if it is open."""
        with self._lock:
            if self._camera is not None:
                self._camera.close()
                self._camera = None
