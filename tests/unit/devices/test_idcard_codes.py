"""SAM status bytes become the right typed errors, with citizen-facing words."""

from __future__ import annotations

import pytest

from devices.errors import CardReadError, DeviceError, NoCardError, ProtocolError
from devices.idcard.codes import SamCommand, Status, describe_status, error_for_status
from devices.idcard.errors import (
    CardAuthenticationError,
    CardStatusError,
    SamCommandError,
    SamError,
    SamNotAuthorisedError,
    SamSelfTestError,
    UnsupportedCardError,
)


@pytest.mark.parametrize("sw3", [0x90, 0x91, 0x9F])
def test_success_statuses_are_not_errors(sw3: int) -> None:
    assert error_for_status(sw3, SamCommand.FIND_CARD) is None


@pytest.mark.parametrize(
    ("sw3", "command", "kind"),
    [
        (0x80, SamCommand.FIND_CARD, NoCardError),
        (0x81, SamCommand.SELECT_CARD, NoCardError),
        (0x41, SamCommand.READ_TEXT_PHOTO, CardStatusError),
        (0x47, SamCommand.READ_TEXT_PHOTO, CardStatusError),
        (0x31, SamCommand.READ_TEXT_PHOTO, CardAuthenticationError),
        (0x32, SamCommand.READ_TEXT_PHOTO, CardAuthenticationError),
        (0x33, SamCommand.READ_TEXT_PHOTO, CardAuthenticationError),
        (0x40, SamCommand.READ_TEXT_PHOTO, UnsupportedCardError),
        (0x60, SamCommand.STATUS, SamSelfTestError),
        (0x66, SamCommand.FIND_CARD, SamNotAuthorisedError),
        (0x10, SamCommand.FIND_CARD, SamCommandError),
        (0x11, SamCommand.FIND_CARD, SamCommandError),
        (0x21, SamCommand.FIND_CARD, SamCommandError),
        (0x23, SamCommand.FIND_CARD, SamCommandError),
        (0x24, SamCommand.FIND_CARD, SamError),
        (0x55, SamCommand.FIND_CARD, SamError),
    ],
)
def test_failure_statuses_map_to_typed_errors(
    sw3: int, command: SamCommand, kind: type[DeviceError]
) -> None:
    error = error_for_status(sw3, command)
    assert type(error) is kind
    assert isinstance(error, DeviceError)
    assert f"0x{sw3:02X}" in str(error)
    assert command.name in str(error)
    assert error.message_zh
    assert error.message_en


def test_card_errors_are_card_read_errors_and_sam_errors_are_not() -> None:
    card_side = error_for_status(Status.READ_FAILED, SamCommand.READ_TEXT_PHOTO)
    sam_side = error_for_status(Status.SAM_SELF_TEST_FAILED, SamCommand.STATUS)
    assert isinstance(card_side, CardReadError)
    assert not isinstance(sam_side, CardReadError)
    assert isinstance(error_for_status(0x10, SamCommand.STATUS), ProtocolError)
    # A SAM fault must not tell the citizen to re-place the card.
    assert sam_side is not None
    assert sam_side.message_zh != CardReadError.message_zh
    assert getattr(sam_side, "sw3", None) == 0x60


def test_describe_status() -> None:
    assert describe_status(0x9F) == "0x9F CARD_FOUND"
    assert describe_status(0x01) == "0x01 UNKNOWN"


def test_command_codes() -> None:
    assert (SamCommand.FIND_CARD.cmd, SamCommand.FIND_CARD.para) == (0x20, 0x01)
    assert SamCommand.STATUS.value == (0x11, 0xFF)
