"""The SAM's command and status codes, and the code tables printed on the card (sex, nation).

``raise_for_status`` is the one place where a status byte becomes a typed error, so the journeys
above see ``NoCardError`` / ``CardReadError`` / ``DeviceError`` subclasses and never a number.
"""

from __future__ import annotations

from enum import Enum, IntEnum

from devices.errors import DeviceError, NoCardError
from devices.idcard.errors import (
    CardAuthenticationError,
    CardStatusError,
    SamCommandError,
    SamError,
    SamNotAuthorisedError,
    SamSelfTestError,
    UnsupportedCardError,
)


class SamCommand(Enum):
    """The host's commands as (CMD, PARA) pairs."""

    RESET = (0x10, 0xFF)
    STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_APPENDED_ADDRESS = (0x30, 0x03)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)
    SET_BAUDRATE = (0x60, 0x00)
    """PARA is the rate index (see ``BAUDRATE_CODES``); 0x00 is 115200."""

    @property
    def cmd(self) -> int:
        """The CMD byte."""
        return self.value[0]

    @property
    def para(self) -> int:
        """The PARA byte."""
        return self.value[1]


BAUDRATE_CODES: dict[int, int] = {115200: 0x00, 57600: 0x01, 38400: 0x02, 19200: 0x03, 9600: 0x04}
"""PARA of command ``60 nn`` per rate; also the order in which unknown readers are probed."""

PROBE_BAUDRATES: tuple[int, ...] = tuple(BAUDRATE_CODES)


class Status(IntEnum):
    """SW3, the SAM's status byte."""

    SUCCESS = 0x90
    FIELD_EMPTY = 0x91
    CARD_FOUND = 0x9F
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    UNAUTHORISED_OPERATION = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_TO_SAM_AUTH_FAILED = 0x31
    SAM_TO_CARD_AUTH_FAILED = 0x32
    VERIFICATION_FAILED = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_NUMBER_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_CARD_FAILED = 0x80
    SELECT_CARD_FAILED = 0x81


SUCCESS_STATUSES = frozenset({Status.SUCCESS, Status.FIELD_EMPTY, Status.CARD_FOUND})
"""Statuses that mean the command did what was asked (91: the optional field is simply empty)."""


def describe_status(sw3: int) -> str:
    """Name a status byte for the technician, e.g. ``"0x41 READ_FAILED"``."""
    try:
        return f"0x{sw3:02X} {Status(sw3).name}"
    except ValueError:
        return f"0x{sw3:02X} UNKNOWN"


def error_for_status(sw3: int, command: SamCommand) -> DeviceError | None:
    """Return the typed error for ``sw3`` in answer to ``command`` (``None`` on success)."""
    if sw3 in SUCCESS_STATUSES:
        return None
    detail = f"SAM answered {describe_status(sw3)} to {command.name}"
    if sw3 in (Status.FIND_CARD_FAILED, Status.SELECT_CARD_FAILED):
        return NoCardError(detail)
    if sw3 == Status.SAM_SELF_TEST_FAILED:
        return SamSelfTestError(detail, sw3)
    if sw3 == Status.SAM_NOT_AUTHORISED:
        return SamNotAuthorisedError(detail, sw3)
    if sw3 in (
        Status.CARD_TO_SAM_AUTH_FAILED,
        Status.SAM_TO_CARD_AUTH_FAILED,
        Status.VERIFICATION_FAILED,
    ):
        return CardAuthenticationError(detail, sw3)
    if sw3 == Status.UNKNOWN_CARD_TYPE:
        return UnsupportedCardError(detail, sw3)
    if sw3 in (Status.READ_FAILED, Status.RANDOM_NUMBER_FAILED):
        return CardStatusError(detail, sw3)
    if sw3 in (
        Status.CHECKSUM_ERROR,
        Status.LENGTH_ERROR,
        Status.BAD_COMMAND,
        Status.UNAUTHORISED_OPERATION,
    ):
        return SamCommandError(detail, sw3)
    # 24 "unknown error" and codes outside the table: the module is misbehaving.
    return SamError(detail, sw3)


def raise_for_status(sw3: int, command: SamCommand) -> None:
    """Raise the typed error for ``sw3`` in answer to ``command``; return on success."""
    error = error_for_status(sw3, command)
    if error is not None:
        raise error


SAM_ID_SIZE = 16
"""Bytes of a ``12 FF`` reply's data."""


def format_sam_id(data: bytes) -> str:
    """Print a SAM module's 16-byte id the way vendor tools and the module's label do.

    Two little-endian 16-bit fields, then three little-endian 32-bit ones:
    ``05.01-20101207-0000123456-0001234567``. Raises ``ValueError`` for a reply of another size.
    """
    if len(data) != SAM_ID_SIZE:
        raise ValueError(f"SAM id is {len(data)} bytes, expected {SAM_ID_SIZE}")
    major, minor = (int.from_bytes(data[i : i + 2], "little") for i in (0, 2))
    a, b, c = (int.from_bytes(data[i : i + 4], "little") for i in (4, 8, 12))
    return f"{major:02d}.{minor:02d}-{a:08d}-{b:010d}-{c:010d}"


SEX_CODES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
"""GB/T 2261.1 sex codes as stored on the card -> as printed."""

# fmt: off
_GB3304_ORDER = [
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
]
# fmt: on

NATION_CODES: dict[str, str] = {
    code: name
    for code, name in zip(
        (f"{n:02d}" for n in range(1, 57)),
        _GB3304_ORDER,
        strict=True,
    )
} | {"97": "其他", "98": "外国血统中国籍人士"}
"""GB 3304 nation codes as stored on the card -> the name printed (without 族)."""

SEX_BY_NAME: dict[str, str] = {name: code for code, name in SEX_CODES.items()}
"""Inverse of ``SEX_CODES``, for encoding a card."""

NATION_BY_NAME: dict[str, str] = {name: code for code, name in NATION_CODES.items()}
"""Inverse of ``NATION_CODES``, for encoding a card."""
