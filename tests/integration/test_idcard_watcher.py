"""The card watcher over a real pty: placed and removed events, modules that lose the card after a
read, a reader unplugged and plugged in again, and a card left behind after a session wipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.errors import DeviceError
from devices.idcard.card import CardType, IdCard
from devices.idcard.codes import SamCommand
from devices.idcard.demo_cards import demo_card, layout_card
from devices.idcard.errors import CardDataError, ReaderUnavailableError
from devices.idcard.serial_reader import SamSerialReader
from devices.idcard.simulator import SamSimulator
from kiosk.app import KioskApp, build_app
from kiosk.config import load_settings
from kiosk.services.session import Step
from kiosk.ui.workers import CardWatcher

WAIT = 10_000
POLL = 0.02
MISSES = 3


class Events:
    """What a watcher said, in order, as seen on the GUI thread."""

    def __init__(self, watcher: CardWatcher) -> None:
        self.log: list[str] = []
        self.cards: list[IdCard] = []
        self.errors: list[DeviceError] = []
        watcher.card_placed.connect(self._placed)
        watcher.card_removed.connect(lambda: self.log.append("removed"))
        watcher.read_failed.connect(self._failed)
        watcher.reader_ready.connect(lambda: self.log.append("ready"))

    def _placed(self, card: IdCard) -> None:
        self.log.append(f"placed {card.name}")
        self.cards.append(card)

    def _failed(self, error: DeviceError) -> None:
        self.log.append(f"failed {type(error).__name__}")
        self.errors.append(error)


def reads(simulator: SamSimulator) -> int:
    return simulator.commands_received().count(SamCommand.READ_TEXT_PHOTO.value)


def finds(simulator: SamSimulator) -> int:
    return simulator.commands_received().count(SamCommand.FIND_CARD.value)


@pytest.fixture
def simulator(sam_simulator_linked: SamSimulator) -> SamSimulator:
    return sam_simulator_linked


@pytest.fixture
def watcher(simulator: SamSimulator) -> Iterator[CardWatcher]:
    reader = SamSerialReader(simulator.port, io_timeout=0.3, probe_timeout=0.1)
    card_watcher = CardWatcher(reader, poll_interval=POLL, read_timeout=1.0, removal_misses=MISSES)
    yield card_watcher
    card_watcher.stop()
    reader.close()


def test_placed_once_then_removed_after_several_misses(
    qtbot: QtBot, simulator: SamSimulator, watcher: CardWatcher
) -> None:
    events = Events(watcher)
    watcher.start()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("elder"))
    assert events.cards[0].id_number == "110105195203141221"
    # Lying there, the card is read again and again but placed only once.
    start = reads(simulator)
    qtbot.waitUntil(lambda: reads(simulator) >= start + 3, timeout=WAIT)
    with qtbot.waitSignal(watcher.card_removed, timeout=WAIT):
        simulator.remove()
    assert events.log == ["placed 王秀英", "removed"]


def test_a_module_that_loses_the_card_after_each_read_does_not_place_it_twice(
    qtbot: QtBot, simulator: SamSimulator, watcher: CardWatcher
) -> None:
    simulator.find_misses_after_read = MISSES - 1
    events = Events(watcher)
    watcher.start()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("adult"))
    # Each read is followed by MISSES - 1 "no card" answers while the card still lies there:
    # without the removal rule every cycle would be a removal and a new card.
    start = reads(simulator)
    qtbot.waitUntil(lambda: reads(simulator) >= start + 4, timeout=WAIT)
    assert events.log == ["placed 李建国"]
    with qtbot.waitSignal(watcher.card_removed, timeout=WAIT):
        simulator.remove()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("adult"))
    assert events.log == ["placed 李建国", "removed", "placed 李建国"]


def test_a_different_card_laid_down_at_once_is_a_new_card(
    qtbot: QtBot, simulator: SamSimulator, watcher: CardWatcher
) -> None:
    events = Events(watcher)
    watcher.start()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("elder"))
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("elder2"))  # swapped within one poll: no miss seen
    assert events.log == ["placed 王秀英", "placed 赵德明"]


def test_unplugging_and_replugging_the_reader_recovers(
    qtbot: QtBot, simulator: SamSimulator, watcher: CardWatcher
) -> None:
    events = Events(watcher)
    watcher.start()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("elder"))
    with qtbot.waitSignal(watcher.read_failed, timeout=WAIT) as failed:
        simulator.unplug()
    assert isinstance(failed.args[0], ReaderUnavailableError)
    with qtbot.waitSignal(watcher.reader_ready, timeout=WAIT):
        simulator.replug()
    # The card stayed on the reader through the outage: it is the same card, not a new one.
    start = reads(simulator)
    qtbot.waitUntil(lambda: reads(simulator) >= start + 2, timeout=WAIT)
    with qtbot.waitSignal(watcher.card_removed, timeout=WAIT):
        simulator.remove()
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("uninsured"))
    # One report for the whole outage, however many polls failed during it.
    assert events.log == [
        "placed 王秀英",
        "failed ReaderUnavailableError",
        "ready",
        "removed",
        "placed 陈美玲",
    ]


def test_a_bad_card_is_reported_once_and_never_placed(
    qtbot: QtBot, simulator: SamSimulator, watcher: CardWatcher
) -> None:
    events = Events(watcher)
    watcher.start()
    bad = demo_card("adult")
    bad.id_number = bad.id_number[:17] + "X"
    with qtbot.waitSignal(watcher.read_failed, timeout=WAIT) as failed:
        simulator.insert(bad)
    assert isinstance(failed.args[0], CardDataError)
    start = reads(simulator)
    qtbot.waitUntil(lambda: reads(simulator) >= start + 3, timeout=WAIT)
    simulator.remove()
    start = finds(simulator)
    qtbot.waitUntil(lambda: finds(simulator) >= start + MISSES, timeout=WAIT)
    with qtbot.waitSignal(watcher.card_placed, timeout=WAIT):
        simulator.insert(demo_card("adult"))
    assert events.log == ["failed CardDataError", "placed 李建国"]


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        terminal={"full_screen": False},
        devices={
            "id_reader": {"poll_interval_s": 0.05, "removal_misses": MISSES},
            "document_printer": {"driver": "folder"},
        },
        maintenance={"window": "off"},  # not the night's restart mid-test, whatever the hour
    )
    app = build_app(settings)
    qtbot.addWidget(app.window)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def test_a_card_left_behind_after_a_wipe_starts_no_new_session(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    simulator = kiosk.card_simulator
    assert simulator is not None
    simulator.find_misses_after_read = 1  # as real modules do
    controller = kiosk.controller
    simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: controller.session.card is not None, timeout=WAIT)
    first_session = controller.session.id
    controller.wipe()  # what the idle timeout does when the citizen walks away
    assert controller.session.step is Step.ATTRACT
    reminder = kiosk.window.attract.error
    assert not reminder.isHidden() and reminder.text() == "请取走您的身份证。"
    # The card still lies there and is read again, yet no session takes it.
    start = reads(simulator)
    qtbot.waitUntil(lambda: reads(simulator) >= start + 4, timeout=WAIT)
    assert controller.session.card is None
    assert controller.session.step is Step.ATTRACT
    # Lifted and laid down again: now it is a new citizen's session.
    with qtbot.waitSignal(controller.services.card_watcher.card_removed, timeout=WAIT):
        simulator.remove()
    assert reminder.isHidden()
    simulator.insert(demo_card("elder"))
    qtbot.waitUntil(lambda: controller.session.card is not None, timeout=WAIT)
    assert controller.session.id != first_session


def test_every_layout_starts_a_session(qtbot: QtBot, kiosk: KioskApp) -> None:
    simulator = kiosk.card_simulator
    assert simulator is not None
    controller = kiosk.controller
    watcher = controller.services.card_watcher
    for kind in CardType:
        simulator.insert(layout_card(kind))
        qtbot.waitUntil(lambda: controller.session.card is not None, timeout=WAIT)
        card = controller.session.card
        assert card is not None
        assert (card.card_type, card.id_number) == (kind, layout_card(kind).id_number)
        assert kiosk.window.current_screen() is kiosk.window.choose
        controller.wipe()
        with qtbot.waitSignal(watcher.card_removed, timeout=WAIT):
            simulator.remove()
