"""The real SamSerialReader over a real pty, against the SAM simulator on the other end."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from devices.errors import (
    CardReadError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnavailableError,
    ProtocolError,
)
from devices.idcard.card import LONG_TERM, IdCard
from devices.idcard.codes import SamCommand
from devices.idcard.demo_cards import demo_card
from devices.idcard.errors import (
    CardDataError,
    FrameChecksumError,
    FrameLengthError,
    SamSelfTestError,
)
from devices.idcard.serial_reader import SamSerialReader
from devices.idcard.simulator import Fault, SamSimulator
from devices.ports import IdCardReader

READ_TIMEOUT = 1.0
IO_TIMEOUT = 0.4
# Scheduling slack on a loaded 2-core CI machine; the bound under test is the timeout itself.
SLACK = 0.5

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


@pytest.fixture
def reader(sam_simulator: SamSimulator) -> Iterator[SamSerialReader]:
    device = SamSerialReader(sam_simulator.port, 115200, io_timeout=IO_TIMEOUT)
    yield device
    device.close()


def test_reader_implements_the_port(reader: SamSerialReader) -> None:
    assert isinstance(reader, IdCardReader)


def test_no_card_reads_none(sam_simulator: SamSimulator, reader: SamSerialReader) -> None:
    assert reader.read(READ_TIMEOUT) is None
    assert sam_simulator.commands_received() == [SamCommand.FIND_CARD.value]


def test_elder_card_reads_back_every_field(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    sam_simulator.insert(demo_card("elder"))
    card = reader.read(READ_TIMEOUT)
    assert card is not None
    assert fields(card) == fields(demo_card("elder"))
    assert card.valid_to == LONG_TERM
    assert len(card.photo) == 1024
    assert sam_simulator.commands_received() == [
        SamCommand.FIND_CARD.value,
        SamCommand.SELECT_CARD.value,
        SamCommand.READ_TEXT_PHOTO.value,
    ]


def test_remove_reads_none_again(sam_simulator: SamSimulator, reader: SamSerialReader) -> None:
    sam_simulator.insert(demo_card("adult"))
    first = reader.read(READ_TIMEOUT)
    assert first is not None
    assert first.name == "李建国"
    sam_simulator.remove()
    assert reader.read(READ_TIMEOUT) is None
    sam_simulator.insert(demo_card("uninsured"))
    again = reader.read(READ_TIMEOUT)
    assert again is not None
    assert fields(again) == fields(demo_card("uninsured"))


def test_wiping_the_inserted_card_does_not_change_the_card_on_the_reader(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    card = demo_card("elder2")
    sam_simulator.insert(card)
    card.wipe()
    read = reader.read(READ_TIMEOUT)
    assert read is not None
    assert fields(read) == fields(demo_card("elder2"))


@pytest.mark.parametrize(
    ("fault", "on", "error"),
    [
        (Fault.CORRUPT_CHECKSUM, None, FrameChecksumError),
        (Fault.CORRUPT_CHECKSUM, SamCommand.READ_TEXT_PHOTO, FrameChecksumError),
        (Fault.BAD_LENGTH, None, FrameLengthError),
        (Fault.TRUNCATE, None, DeviceTimeoutError),
        (Fault.TRUNCATE, SamCommand.READ_TEXT_PHOTO, DeviceTimeoutError),
        (Fault.SILENT, None, DeviceTimeoutError),
        (Fault.SILENT, SamCommand.SELECT_CARD, DeviceTimeoutError),
        (Fault.SAM_FAILURE, None, SamSelfTestError),
        (Fault.READ_FAILURE, None, CardReadError),
    ],
)
def test_fault_raises_typed_error_in_time_then_recovers(
    sam_simulator: SamSimulator,
    reader: SamSerialReader,
    fault: Fault,
    on: SamCommand | None,
    error: type[DeviceError],
) -> None:
    sam_simulator.insert(demo_card("elder"))
    sam_simulator.inject(fault, on=on)
    started = time.monotonic()
    with pytest.raises(error) as caught:
        reader.read(READ_TIMEOUT)
    assert time.monotonic() - started < READ_TIMEOUT + SLACK
    assert sam_simulator.pending_faults() == 0
    # Citizen-facing words come with every failure, and no personal data in the technician's.
    assert caught.value.message_zh
    assert "王秀英" not in str(caught.value)
    assert "110105" not in str(caught.value)
    card = reader.read(READ_TIMEOUT)
    assert card is not None
    assert fields(card) == fields(demo_card("elder"))


def test_corrupt_frame_is_a_protocol_error(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    sam_simulator.inject("corrupt_checksum")
    with pytest.raises(ProtocolError):
        reader.read(READ_TIMEOUT)
    assert reader.read(READ_TIMEOUT) is None


def test_overall_timeout_bounds_a_silent_device(sam_simulator: SamSimulator) -> None:
    # io_timeout alone would wait 5 s; the caller's timeout must win.
    device = SamSerialReader(sam_simulator.port, 115200, io_timeout=5.0)
    try:
        sam_simulator.inject(Fault.SILENT)
        started = time.monotonic()
        with pytest.raises(DeviceTimeoutError):
            device.read(0.3)
        assert time.monotonic() - started < 0.3 + SLACK
    finally:
        device.close()


def test_sam_status(sam_simulator: SamSimulator, reader: SamSerialReader) -> None:
    assert reader.sam_status() == 0x90
    sam_simulator.inject(Fault.SAM_FAILURE)
    with pytest.raises(SamSelfTestError) as caught:
        reader.sam_status()
    assert "0x60" in str(caught.value)
    assert reader.sam_status() == 0x90


def test_baud_probe_finds_the_module() -> None:
    with SamSimulator(baudrate=38400) as simulator:
        device = SamSerialReader(simulator.port, io_timeout=IO_TIMEOUT, probe_timeout=0.2)
        try:
            assert device.baudrate is None
            simulator.insert(demo_card("adult"))
            card = device.read(3.0)
            assert card is not None
            assert card.id_number == demo_card("adult").id_number
            assert device.baudrate == 38400
            # Only the probe at the right rate was understood.
            assert simulator.commands_received()[0] == SamCommand.STATUS.value
            # The rate found is kept: no second probe.
            assert device.read(1.0) is not None
            assert SamCommand.STATUS.value not in simulator.commands_received()[1:]
        finally:
            device.close()


def test_baud_probe_keeps_115200_first(sam_simulator: SamSimulator) -> None:
    device = SamSerialReader(sam_simulator.port, io_timeout=IO_TIMEOUT)
    try:
        assert device.sam_status() == 0x90
        assert device.baudrate == 115200
    finally:
        device.close()


def test_wrong_fixed_rate_times_out(sam_simulator: SamSimulator) -> None:
    device = SamSerialReader(sam_simulator.port, 9600, io_timeout=IO_TIMEOUT)
    try:
        with pytest.raises(DeviceTimeoutError):
            device.read(READ_TIMEOUT)
        assert sam_simulator.commands_received() == []
    finally:
        device.close()


def test_probe_with_nothing_answering_is_unavailable(sam_simulator: SamSimulator) -> None:
    sam_simulator.inject(Fault.SILENT, times=5)
    device = SamSerialReader(sam_simulator.port, io_timeout=IO_TIMEOUT, probe_timeout=0.05)
    try:
        with pytest.raises(DeviceUnavailableError, match="any baud rate"):
            device.read(3.0)
        assert device.baudrate is None
    finally:
        device.close()


def test_missing_port_is_unavailable(tmp_path: pytest.TempPathFactory) -> None:
    device = SamSerialReader(f"{tmp_path}/no-such-tty", 115200)
    with pytest.raises(DeviceUnavailableError):
        device.read(READ_TIMEOUT)
    device.close()


def test_device_gone_is_unavailable() -> None:
    simulator = SamSimulator().start()
    device = SamSerialReader(simulator.port, 115200, io_timeout=IO_TIMEOUT)
    try:
        assert device.read(READ_TIMEOUT) is None
        simulator.stop()
        with pytest.raises(DeviceUnavailableError):
            device.read(READ_TIMEOUT)
        # The handle was dropped; the next call tries to reopen and fails the same typed way.
        with pytest.raises(DeviceUnavailableError):
            device.read(READ_TIMEOUT)
    finally:
        device.close()
        simulator.stop()


def test_bad_check_character_is_card_data_error(
    sam_simulator: SamSimulator, reader: SamSerialReader
) -> None:
    card = demo_card("adult")
    card.id_number = card.id_number[:17] + "X"
    sam_simulator.insert(card)
    with pytest.raises(CardDataError) as caught:
        reader.read(READ_TIMEOUT)
    assert card.id_number not in str(caught.value)


def test_no_personal_data_in_logs(
    sam_simulator: SamSimulator, reader: SamSerialReader, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="devices")
    sam_simulator.insert(demo_card("elder"))
    assert reader.read(READ_TIMEOUT) is not None
    sam_simulator.inject(Fault.CORRUPT_CHECKSUM, on=SamCommand.READ_TEXT_PHOTO)
    with pytest.raises(FrameChecksumError):
        reader.read(READ_TIMEOUT)
    text = caplog.text
    assert "READ_TEXT_PHOTO" in text
    card = demo_card("elder")
    for value in (card.name, card.id_number, card.address, card.issuing_authority, "19520314"):
        assert value not in text


def test_reads_from_a_worker_thread(sam_simulator: SamSimulator, reader: SamSerialReader) -> None:
    sam_simulator.insert(demo_card("elder"))
    results: list[IdCard | None] = []
    done = threading.Event()

    def work() -> None:
        for _ in range(5):
            results.append(reader.read(READ_TIMEOUT))
        done.set()

    worker = threading.Thread(target=work, name="card-worker")
    worker.start()
    assert done.wait(10)
    worker.join()
    assert len(results) == 5
    assert all(r is not None and r.name == "王秀英" for r in results)


def test_a_module_without_the_appended_address_command_still_reads_the_card() -> None:
    with SamSimulator(appended_address_command=False) as simulator:
        reader = SamSerialReader(simulator.port, 115200, io_timeout=0.5)
        try:
            simulator.insert(demo_card("adult"))
            assert reader.appended_address_supported is None
            card = reader.read_card(3.0, appended_address=True)
            assert card is not None
            assert card.name == "李建国"
            assert card.appended_address == ""
            assert reader.appended_address_supported is False
            # The next read does not ask again: the module said it has no such command.
            before = simulator.commands_received().count(SamCommand.READ_APPENDED_ADDRESS.value)
            assert reader.read_card(3.0, appended_address=True) is not None
            after = simulator.commands_received().count(SamCommand.READ_APPENDED_ADDRESS.value)
            assert before == after == 1
        finally:
            reader.close()


def test_a_module_silent_to_the_appended_address_read_still_gives_the_card(
    sam_simulator: SamSimulator,
) -> None:
    reader = SamSerialReader(sam_simulator.port, 115200, io_timeout=0.5)
    try:
        sam_simulator.insert(demo_card("elder"))
        sam_simulator.inject(Fault.SILENT, on=SamCommand.READ_APPENDED_ADDRESS)
        card = reader.read_card(5.0, appended_address=True)
        assert card is not None
        assert card.id_number == "110105195203141221"
        assert reader.appended_address_supported is False
    finally:
        reader.close()


def test_jpeg_photo_card_reads_back_over_the_pty(sam_simulator: SamSimulator) -> None:
    from devices.idcard.photo import PHOTO_SHAPE, JpegPhotoDecoder, decode_photo

    reader = SamSerialReader(sam_simulator.port, 115200, io_timeout=IO_TIMEOUT)
    try:
        sam_simulator.jpeg_photos = True
        sam_simulator.insert(sam_simulator.demo_card("adult"))
        card = reader.read(READ_TIMEOUT)
    finally:
        reader.close()
    assert card is not None
    assert bytes(card.photo) == bytes(demo_card("adult", jpeg_photo=True).photo)
    assert len(card.photo) > 1024
    assert decode_photo(card.photo, JpegPhotoDecoder()).shape == PHOTO_SHAPE


def test_simulator_refuses_a_photo_neither_wlt_nor_jpeg(sam_simulator: SamSimulator) -> None:
    card = demo_card("adult")
    card.photo = bytearray(2048)
    with pytest.raises(ValueError, match="JPEG"):
        sam_simulator.insert(card)
