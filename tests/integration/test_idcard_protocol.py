"""The whole SAM protocol over a real pty: every command, every layout, every fault, replugging."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.errors import DeviceError, ProtocolError
from devices.idcard.card import CardType, IdCard
from devices.idcard.codes import SamCommand
from devices.idcard.demo_cards import demo_card, layout_card
from devices.idcard.errors import (
    CardDataError,
    ReaderTimeoutError,
    ReaderUnavailableError,
    SamSelfTestError,
)
from devices.idcard.serial_reader import ReaderInfo, SamSerialReader
from devices.idcard.simulator import Fault, SamSimulator

READ_TIMEOUT = 1.0
IO_TIMEOUT = 0.4
SLACK = 0.5  # scheduling slack on a loaded CI machine; the bound under test is the timeout

FIELDS = (
    "card_type",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "address",
    "id_number",
    "issuing_authority",
    "valid_from",
    "valid_to",
    "extra",
    "photo",
)


def fields(card: IdCard) -> dict[str, object]:
    return {name: getattr(card, name) for name in FIELDS}


def read_after_a_late_reply(reader: SamSerialReader) -> IdCard | None:
    """Read once the module is free again. A module still sitting on a late reply answers
    nothing else until it has sent it, so on a loaded machine the first read may time out;
    only timeouts are retried: any other error, or a wrong card, fails the test.
    """
    for _ in range(3):
        try:
            return reader.read(3.0)
        except ReaderTimeoutError:
            continue
    return reader.read(3.0)


@pytest.fixture
def reader(sam_simulator: SamSimulator) -> Iterator[SamSerialReader]:
    device = SamSerialReader(sam_simulator.port, 115200, io_timeout=IO_TIMEOUT)
    yield device
    device.close()


@pytest.mark.parametrize("kind", list(CardType), ids=lambda k: k.value)
def test_every_layout_reads_back_every_field(
    sam_simulator: SamSimulator, reader: SamSerialReader, kind: CardType
) -> None:
    sam_simulator.insert(layout_card(kind))
    card = reader.read(READ_TIMEOUT)
    assert card is not None
    assert card.card_type is kind
    assert fields(card) == fields(layout_card(kind))
    assert card.trusted and card.defects == []


def test_fingerprint_read_uses_30_10_and_keeps_the_templates_opaque(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    inserted = demo_card("elder")
    inserted.fingerprint = bytearray(b"\x43" * 1024)
    sam_simulator.insert(inserted)
    card = reader.read_card(READ_TIMEOUT, fingerprint=True)
    assert card is not None
    assert card.fingerprint == bytearray(b"\x43" * 1024)
    assert fields(card) == fields(demo_card("elder"))
    assert sam_simulator.commands_received()[-1] == SamCommand.READ_TEXT_PHOTO_FINGERPRINT.value
    card.wipe()
    assert card.fingerprint == bytearray()


def test_appended_address_when_present_and_when_not(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    inserted = demo_card("adult")
    inserted.appended_address = "北京市海淀区学院路30号"
    sam_simulator.insert(inserted)
    card = reader.read_card(READ_TIMEOUT, appended_address=True)
    assert card is not None
    assert card.appended_address == "北京市海淀区学院路30号"
    assert sam_simulator.commands_received()[-1] == SamCommand.READ_APPENDED_ADDRESS.value
    sam_simulator.insert(demo_card("adult"))
    card = reader.read_card(READ_TIMEOUT, appended_address=True)
    assert card is not None
    assert card.appended_address == ""  # status 91: the field is empty, not an error


def test_reset_status_and_sam_id(sam_simulator: SamSimulator, sam_reader: SamSerialReader) -> None:
    sam_reader.reset()
    assert sam_reader.sam_status() == 0x90
    assert sam_reader.sam_id() == "05.01-20101207-0000123456-0001234567"
    assert sam_simulator.commands_received() == [
        SamCommand.RESET.value,
        SamCommand.STATUS.value,
        SamCommand.READ_SAM_ID.value,
    ]


def test_probe_finds_the_rate_and_names_the_module() -> None:
    with SamSimulator(baudrate=19200) as simulator:
        device = SamSerialReader(simulator.port, io_timeout=IO_TIMEOUT, probe_timeout=0.15)
        try:
            info = device.probe(timeout=3.0)
        finally:
            device.close()
    assert info == ReaderInfo(
        port=simulator.port,
        baudrate=19200,
        sam_id="05.01-20101207-0000123456-0001234567",
        status="0x90 SUCCESS",
    )


def test_probe_reports_a_failed_self_test(sam_simulator: SamSimulator) -> None:
    device = SamSerialReader(sam_simulator.port, io_timeout=IO_TIMEOUT)
    try:
        sam_simulator.inject(Fault.SAM_FAILURE, times=2)
        with pytest.raises(SamSelfTestError) as caught:
            device.probe()
        # The self-test failure still proved the rate right.
        assert device.baudrate == 115200
        assert "工作人员" in caught.value.message_zh
        assert "staff" in caught.value.message_en
    finally:
        device.close()


def test_switching_the_baud_rate(sam_simulator: SamSimulator, reader: SamSerialReader) -> None:
    reader.set_baudrate(9600)
    assert sam_simulator.baudrate == 9600
    assert reader.baudrate == 9600
    sam_simulator.insert(demo_card("elder2"))
    card = reader.read(3.0)
    assert card is not None and card.name == "赵德明"


def test_a_late_answer_within_the_timeout_is_fine(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    sam_simulator.insert(demo_card("elder"))
    sam_simulator.inject(Fault.LATE, on=SamCommand.SELECT_CARD, delay=0.1)
    card = reader.read(READ_TIMEOUT)
    assert card is not None and card.name == "王秀英"


def test_a_late_answer_after_the_timeout_is_dropped_as_stale(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    sam_simulator.insert(demo_card("elder"))
    sam_simulator.inject(Fault.LATE, on=SamCommand.SELECT_CARD, delay=IO_TIMEOUT + 0.15)
    started = time.monotonic()
    with pytest.raises(ReaderTimeoutError) as caught:
        reader.read(READ_TIMEOUT)
    assert time.monotonic() - started < READ_TIMEOUT + SLACK
    assert "请将身份证拿起" in caught.value.message_zh
    # The late select reply lands in the middle of the next read; it must not be taken for
    # the answer to another command.
    card = read_after_a_late_reply(reader)
    assert card is not None
    assert fields(card) == fields(demo_card("elder"))


@pytest.mark.parametrize("on", [None, SamCommand.READ_TEXT_PHOTO])
def test_dropped_bytes_give_a_typed_error_in_time_then_recover(
    sam_simulator: SamSimulator, reader: SamSerialReader, on: SamCommand | None
) -> None:
    sam_simulator.insert(demo_card("uninsured"))
    sam_simulator.inject(Fault.DROP_BYTES, on=on)
    started = time.monotonic()
    with pytest.raises((ReaderTimeoutError, ProtocolError)):
        reader.read(READ_TIMEOUT)
    assert time.monotonic() - started < READ_TIMEOUT + SLACK
    card = reader.read(READ_TIMEOUT)
    assert card is not None and card.name == "陈美玲"


def test_bad_data_is_reported_not_trusted(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    bad = demo_card("adult")
    bad.id_number = bad.id_number[:17] + "X"
    sam_simulator.insert(bad)
    with pytest.raises(CardDataError) as caught:
        reader.read(READ_TIMEOUT)
    assert caught.value.defects == ["ID number check character does not match (GB 11643)"]
    assert caught.value.message_zh == "此证件信息无法核验，请联系工作人员。"
    card = reader.read_card(READ_TIMEOUT, strict=False)
    assert card is not None
    assert not card.trusted
    assert card.defects == ["ID number check character does not match (GB 11643)"]
    assert card.name == "李建国"


def test_a_number_that_disagrees_with_the_birth_date_is_a_defect(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    bad = demo_card("adult")
    bad.birth_date = bad.birth_date.replace(year=1991)
    sam_simulator.insert(bad)
    card = reader.read_card(READ_TIMEOUT, strict=False)
    assert card is not None
    assert card.defects == ["birth date differs from the one the ID number encodes"]


def test_modules_that_lose_the_card_after_a_read() -> None:
    with SamSimulator(find_misses_after_read=2) as simulator:
        device = SamSerialReader(simulator.port, 115200, io_timeout=IO_TIMEOUT)
        try:
            simulator.insert(demo_card("elder"))
            assert device.read(READ_TIMEOUT) is not None
            assert device.read(READ_TIMEOUT) is None
            assert device.read(READ_TIMEOUT) is None
            assert device.read(READ_TIMEOUT) is not None
        finally:
            device.close()


def test_unplug_and_replug_recover_without_a_new_reader(tmp_path: Path) -> None:
    link = tmp_path / "usb-SAM-if00"
    simulator = SamSimulator(link=link, baudrate=57600).start()
    device = SamSerialReader(str(link), io_timeout=IO_TIMEOUT, probe_timeout=0.15)
    try:
        simulator.insert(demo_card("elder"))
        assert device.read(3.0) is not None
        assert device.baudrate == 57600
        simulator.unplug()
        assert not link.exists()
        with pytest.raises(ReaderUnavailableError) as caught:
            device.read(READ_TIMEOUT)
        assert "读卡器" in caught.value.message_zh
        with pytest.raises(ReaderUnavailableError):
            device.read(READ_TIMEOUT)  # the path is gone: opening fails the same typed way
        simulator.replug()
        card = device.read(3.0)
        assert card is not None and card.name == "王秀英"
        # The rate was probed again on the new port.
        assert simulator.commands_received().count(SamCommand.STATUS.value) == 2
    finally:
        device.close()
        simulator.stop()


@pytest.mark.parametrize(
    "fault",
    [f for f in Fault],
    ids=lambda f: f.value,
)
def test_no_fault_hangs_the_driver(
    sam_simulator: SamSimulator, reader: SamSerialReader, fault: Fault
) -> None:
    sam_simulator.insert(layout_card(CardType.GAT_PERMIT))
    sam_simulator.inject(fault, on=SamCommand.READ_TEXT_PHOTO, delay=IO_TIMEOUT + 0.2)
    started = time.monotonic()
    with pytest.raises(DeviceError) as caught:
        reader.read(READ_TIMEOUT)
    assert time.monotonic() - started < READ_TIMEOUT + SLACK
    assert caught.value.message_zh and caught.value.message_en
    assert "陈大文" not in str(caught.value)
    assert sam_simulator.pending_faults() == 0
    card = read_after_a_late_reply(reader)
    assert card is not None and card.name == "陈大文"
