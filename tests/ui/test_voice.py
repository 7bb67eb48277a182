"""The voice: what it says and when, and the real Qt TextToSpeech helper process."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.ui.voice import QtSpeechEngine, RecordingEngine, Voice


def test_prompts_are_said_only_while_on_and_unmuted_and_repeat_says_the_last_again(
    qtbot: QtBot,
) -> None:
    engine = RecordingEngine()
    voice = Voice(engine, 0.6)
    assert engine.volume == 0.6
    voice.prompt("请选择要办理的事项", "zh")
    assert engine.said == []  # off until elder mode (or [voice] always) turns it on
    voice.set_enabled(True)
    assert engine.texts() == ["请选择要办理的事项"]  # turning on says the current prompt
    voice.prompt("Please check,\n   then submit", "en")
    assert engine.said[-1] == ("en", "Please check, then submit")
    voice.repeat()
    assert engine.said[-2:] == [("en", "Please check, then submit")] * 2
    voice.set_muted(True)
    voice.prompt("办理成功", "zh")
    assert engine.texts()[-1] != "办理成功" and engine.stops == 1
    voice.repeat()  # repeat while muted unmutes, and says it
    assert not voice.muted and engine.texts()[-1] == "办理成功"
    voice.reset()
    voice.repeat()
    assert len(engine.said) == 4  # after a reset there is nothing to repeat


def test_the_qt_engine_runs_in_a_helper_process_and_never_waits_on_it(qtbot: QtBot) -> None:
    # Qt's own "mock" plugin stands in for speech-dispatcher; the pipe and process are real.
    engine = QtSpeechEngine(0.5, engine_name="mock")
    try:
        with qtbot.waitSignal(engine.ready_changed, timeout=20_000) as ready:
            engine.say("请将身份证放在读卡区", "zh")
            engine.say("Please place your ID card on the reader", "en")
        assert ready.args[0] is True, ready.args[1]
        engine.set_volume(0.2)
        engine.stop()
    finally:
        engine.shutdown()
    assert engine._process is None


def test_an_engine_that_cannot_start_leaves_the_terminal_silent(qtbot: QtBot) -> None:
    engine = QtSpeechEngine(0.5, engine_name="no-such-engine")
    try:
        with qtbot.waitSignal(engine.ready_changed, timeout=20_000) as ready:
            engine.say("你好", "zh")
        assert ready.args[0] is False and "no-such-engine" in ready.args[1]
        engine.say("还在吗", "zh")  # the helper has gone: nothing is written, nothing raised
    finally:
        engine.shutdown()
