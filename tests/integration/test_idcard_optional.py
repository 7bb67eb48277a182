"""Modules in the field lack optional commands (30 03, 30 10, 60 nn): the card reads anyway.

Each lacking command is answered 21 (bad command), 23 (not allowed) or not at all, in any
combination, by the simulator on a real pty; the driver remembers what the module lacks, reads
the card without it, and never asks again.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.idcard.codes import SamCommand
from devices.idcard.demo_cards import demo_card
from devices.idcard.serial_reader import OPTIONAL_COMMANDS, SamSerialReader
from devices.idcard.simulator import Lacking, SamSimulator

BEHAVIOURS: list[Lacking] = ["bad_command", "not_allowed", "silent"]
lacks_strategy = st.dictionaries(
    st.sampled_from(sorted(OPTIONAL_COMMANDS)), st.sampled_from(BEHAVIOURS), max_size=3
)
FINGERPRINT = SamCommand.READ_TEXT_PHOTO_FINGERPRINT.value
APPENDED = SamCommand.READ_APPENDED_ADDRESS.value


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lacks=lacks_strategy)
def test_a_card_reads_whatever_optional_commands_the_module_lacks(
    lacks: Mapping[str, Lacking],
) -> None:
    with SamSimulator(lacks=lacks) as simulator:
        reader = SamSerialReader(simulator.port, 115200, io_timeout=0.3)
        try:
            simulator.insert(demo_card("elder"))
            card = reader.read_card(6.0, appended_address=True, fingerprint=True)
            assert card is not None
            assert card.name == "王秀英"
            assert card.id_number == "110105195203141221"
            asked = {"appended_address", "fingerprint"}
            assert set(reader.lacking) == asked & set(lacks)
            assert (len(card.fingerprint) > 0) == ("fingerprint" not in lacks)
            # A second read asks the lacking commands no more.
            before = simulator.commands_received()
            again = reader.read_card(6.0, appended_address=True, fingerprint=True)
            assert again is not None and again.name == "王秀英"
            sent = simulator.commands_received()[len(before) :]
            assert (FINGERPRINT in sent) == ("fingerprint" not in lacks)
            assert (APPENDED in sent) == ("appended_address" not in lacks)

            switched = reader.set_baudrate(57600)
            assert switched == ("baud_switch" not in lacks)
            assert reader.baudrate == (115200 if "baud_switch" in lacks else 57600)
            # The simulator switches its own line just after its reply is out: the reader may
            # read that reply first.
            assert simulator.wait_for_baudrate(reader.baudrate, timeout=2.0)
            assert simulator.baudrate == reader.baudrate
            third = reader.read_card(6.0)
            assert third is not None and third.name == "王秀英"
        finally:
            reader.close()


def test_a_module_that_lacks_the_switch_is_not_asked_twice() -> None:
    with SamSimulator(lacks={"baud_switch": "not_allowed"}) as simulator:
        reader = SamSerialReader(simulator.port, 115200, io_timeout=0.3)
        try:
            assert reader.set_baudrate(38400) is False
            assert reader.set_baudrate(19200) is False
            switches = [c for c in simulator.commands_received() if c[0] == 0x60]
            assert len(switches) == 1
            assert reader.lacking == ("baud_switch",)
        finally:
            reader.close()


def test_the_simulator_refuses_a_command_that_is_not_optional() -> None:
    with pytest.raises(ValueError, match="not optional"):
        SamSimulator(lacks={"find_card": "silent"})  # type: ignore[dict-item]
