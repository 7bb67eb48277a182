"""Spoken prompts: each screen's title and next step, read aloud off the UI thread.

The real engine is Qt TextToSpeech (PySide6-Addons) on Debian's speech-dispatcher with espeak-ng's
Mandarin voice. It runs in a helper process: ``say`` on the GUI thread only writes a line to a
pipe, so a slow or hung speech-dispatcher never freezes the screen. When no engine can start (no
audio device, no speech-dispatcher, as in CI), the terminal runs on silently and ``kiosk doctor``
says why (``probe``).

Tests give the ``Voice`` a ``RecordingEngine``, which keeps what was said.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QProcess, Signal

if TYPE_CHECKING:
    from kiosk.config import VoiceSettings

log = logging.getLogger(__name__)

QT_ENGINE = "speechd"
"""Qt's speech-dispatcher plugin; Qt's own ``mock`` plugin is never used for citizens."""

LOCALES = {"zh": "zh_CN", "en": "en_GB"}


class SpeechEngine(Protocol):
    """What ``Voice`` drives: speak a text in a language, stop, set the volume."""

    def say(self, text: str, language: str) -> None:
        """Speak ``text`` (interrupting what is being said); returns at once."""

    def stop(self) -> None:
        """Stop speaking now."""

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) to 1.0 (loudest)."""

    def shutdown(self) -> None:
        """Release the engine (on exit)."""


@dataclass
class RecordingEngine:
    """The tests' engine: remembers every utterance, in order, with its language."""

    said: list[tuple[str, str]] = field(default_factory=list)
    stops: int = 0
    volume: float = 1.0

    def say(self, text: str, language: str) -> None:
        """Keep ``text``."""
        self.said.append((language, text))

    def stop(self) -> None:
        """Count the stop."""
        self.stops += 1

    def set_volume(self, volume: float) -> None:
        """Keep the volume."""
        self.volume = volume

    def shutdown(self) -> None:
        """Nothing to release."""

    def texts(self) -> list[str]:
        """What was said, without the languages."""
        return [text for _, text in self.said]


class SilentEngine:
    """No engine could start: nothing is spoken, and ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        """Remember why the terminal is silent."""
        self.reason = reason

    def say(self, text: str, language: str) -> None:
        """Say nothing."""

    def stop(self) -> None:
        """Nothing to stop."""

    def set_volume(self, volume: float) -> None:
        """Nothing to set."""

    def shutdown(self) -> None:
        """Nothing to release."""


class QtSpeechEngine(QObject):
    """Qt TextToSpeech in a helper process the terminal writes one JSON line to per command.

    speech-dispatcher can hang when it has no audio output: ``QTextToSpeech("speechd")`` then
    never returns, and in-process (even on its own thread) it holds Python's lock, freezing the
    screen. In a child process (``python -m kiosk.ui.voice``) a hang costs nothing: ``QProcess``
    writes are buffered and never wait, and the terminal simply stays silent.
    """

    ready_changed = Signal(bool, str)

    def __init__(self, volume: float, engine_name: str = QT_ENGINE) -> None:
        """Prepare the helper; it starts with the first utterance."""
        super().__init__()
        self.ready = False
        self.reason = "the speech engine has not been needed yet"
        self._engine_name = engine_name
        self._volume_now = volume
        self._process: QProcess | None = None
        self._buffer = b""

    def _ensure_started(self) -> None:
        if self._process is not None:
            return
        self.reason = "the speech engine is starting"
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._on_output)
        process.finished.connect(self._on_finished)
        process.start(sys.executable, ["-m", "kiosk.ui.voice", self._engine_name])
        self._process = process
        self._send({"volume": self._volume_now})

    def _send(self, command: dict[str, object]) -> None:
        process = self._process
        # A helper that has ended (no engine) gets nothing: the terminal stays silent.
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.write(json.dumps(command).encode() + b"\n")

    def _on_output(self) -> None:
        process = self._process
        if process is None:
            return
        self._buffer += bytes(process.readAllStandardOutput().data())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            status, _, reason = line.decode(errors="replace").partition(" ")
            self.ready = status == "ready"
            self.reason = reason
            if not self.ready:
                log.warning("spoken prompts are off: %s", reason)
            self.ready_changed.emit(self.ready, reason)

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self.ready = False
        if code:
            self.reason = self.reason if "start" not in self.reason else f"helper exited ({code})"

    def say(self, text: str, language: str) -> None:
        """Queue ``text`` for the helper (started on the first call)."""
        self._ensure_started()
        self._send({"say": text, "language": language})

    def stop(self) -> None:
        """Stop speaking."""
        self._send({"stop": True})

    def set_volume(self, volume: float) -> None:
        """Change the volume."""
        self._volume_now = volume
        self._send({"volume": volume})

    def shutdown(self) -> None:
        """End the helper (bounded: it is killed if it does not end at once)."""
        process = self._process
        self._process = None
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.closeWriteChannel()
            if not process.waitForFinished(300):
                process.kill()
                process.waitForFinished(1000)


def serve(engine_name: str) -> int:
    """The helper process: one ``QTextToSpeech``, commands as JSON lines on stdin.

    Prints ``ready <voice>`` or ``error <reason>`` once, on stdout. Ends when stdin closes.
    """
    import threading

    from PySide6.QtCore import QCoreApplication, QLocale
    from PySide6.QtTextToSpeech import QTextToSpeech

    app = QCoreApplication([])

    class Lines(QObject):
        line = Signal(str)

    lines = Lines()

    def answer(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def read() -> None:
        for raw in sys.stdin:
            lines.line.emit(raw)
        lines.line.emit("")

    if engine_name not in QTextToSpeech.availableEngines():
        answer(f"error no {engine_name!r} speech engine in Qt")
        return 1
    tts = QTextToSpeech(engine_name)
    if tts.state() == QTextToSpeech.State.Error:
        answer(f"error the speech engine failed: {tts.errorString()}")
        return 1
    chinese = [loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Chinese]
    answer("ready " + (chinese[0].name() if chinese else "no Mandarin voice"))

    def on_line(raw: str) -> None:
        if not raw:
            app.quit()
            return
        try:
            command = json.loads(raw)
        except ValueError:
            return
        if "volume" in command:
            tts.setVolume(float(command["volume"]))
        if command.get("stop"):
            tts.stop()
        if "say" in command:
            locale = QLocale(LOCALES.get(str(command.get("language")), "zh_CN"))
            if locale in tts.availableLocales() and tts.locale() != locale:
                tts.setLocale(locale)
            tts.stop()
            tts.say(str(command["say"]))

    lines.line.connect(on_line)
    threading.Thread(target=read, daemon=True).start()
    return app.exec()


class Voice(QObject):
    """What the screens say: the current prompt, spoken when on and not muted; repeat, mute."""

    muted_changed = Signal(bool)

    def __init__(self, engine: SpeechEngine, volume: float, parent: QObject | None = None) -> None:
        """Speak through ``engine`` at ``volume`` (0..1); off until ``set_enabled(True)``."""
        super().__init__(parent)
        self.engine = engine
        self.enabled = False
        """Spoken prompts on (elder mode, or ``[voice] always``)."""
        self.muted = False
        self._prompt: tuple[str, str] | None = None
        engine.set_volume(volume)

    def set_enabled(self, on: bool) -> None:
        """Turn spoken prompts on or off (off also stops what is being said)."""
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self._speak()
        else:
            self.engine.stop()

    def prompt(self, text: str, language: str) -> None:
        """The screen changed: this is what it asks; said now if prompts are on."""
        text = " ".join(text.split())
        if not text:
            return
        self._prompt = (text, language)
        self._speak()

    def repeat(self) -> None:
        """Say the current prompt again (the 重听 button); unmutes."""
        if self.muted:
            self.set_muted(False)
            return  # unmuting says it
        self._speak()

    def set_muted(self, muted: bool) -> None:
        """Mute (stops at once) or unmute (says the current prompt again)."""
        if muted == self.muted:
            return
        self.muted = muted
        self.muted_changed.emit(muted)
        if muted:
            self.engine.stop()
        else:
            self._speak()

    def reset(self) -> None:
        """A new session: unmuted, no prompt, nothing being said."""
        self.engine.stop()
        self._prompt = None
        if self.muted:
            self.muted = False
            self.muted_changed.emit(False)

    def _speak(self) -> None:
        if self.enabled and not self.muted and self._prompt is not None:
            text, language = self._prompt
            self.engine.say(text, language)


def build_speech_engine(settings: VoiceSettings) -> SpeechEngine:
    """The engine the configuration asks for (``[voice] engine``)."""
    if settings.engine == "none":
        return SilentEngine("spoken prompts are turned off ([voice] engine = none)")
    return build_engine(settings.volume)


def build_engine(volume: float) -> SpeechEngine:
    """The real engine (in its helper process), or a silent one if Qt has no TextToSpeech.

    The module is looked for, not imported: importing it loads Qt Multimedia into the terminal,
    which warns about the sound servers it cannot find; only the helper needs it.
    """
    import importlib.util

    if importlib.util.find_spec("PySide6.QtTextToSpeech") is None:
        return SilentEngine("Qt TextToSpeech is not installed (PySide6-Addons)")
    return QtSpeechEngine(volume)


def probe(timeout_s: float = 8.0) -> tuple[bool, str]:
    """For ``kiosk doctor``: whether the real engine starts here, else why not (blocking)."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("PySide6.QtTextToSpeech") is None:
        return False, "Qt TextToSpeech is not installed (PySide6-Addons)"
    command = [sys.executable, "-m", "kiosk.ui.voice", QT_ENGINE]
    try:
        done = subprocess.run(
            command, input=b"", capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return (
            False,
            f"speech-dispatcher did not answer within {timeout_s:.0f} s (no audio device?)",
        )
    first = done.stdout.decode(errors="replace").strip().splitlines()
    status, _, detail = (first[0] if first else "error the helper said nothing").partition(" ")
    if status != "ready":
        return False, detail
    if detail == "no Mandarin voice":
        return False, "speech-dispatcher has no Mandarin voice (install espeak-ng)"
    return True, f"speech-dispatcher ready, Mandarin voice {detail}"


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1] if len(sys.argv) > 1 else QT_ENGINE))
