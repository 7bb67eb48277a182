"""The device package's exceptions: one root, each with a citizen-facing message.

Drivers translate vendor errors (serial, socket, CUPS) into these at the boundary so that the
journeys above deal with one family of errors. ``message_zh`` / ``message_en`` are plain words a
citizen can act on; ``str(err)`` is for the technician's log and never holds personal data.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Root of every device failure."""

    message_zh = "设备暂时无法使用，请联系工作人员。"
    message_en = "This device is not available right now. Please ask staff for help."


class DeviceUnavailableError(DeviceError):
    """The device cannot be reached: unplugged, port missing, connection refused."""


class DeviceTimeoutError(DeviceError):
    """The device did not answer in time."""

    message_zh = "设备没有响应，请稍后再试。"
    message_en = "The device did not respond. Please try again."


class ProtocolError(DeviceError):
    """The device answered with bytes that do not follow its protocol (corrupt or torn frame)."""

    message_zh = "读取出错，请重试。"
    message_en = "The read went wrong. Please try again."


class CardReadError(DeviceError):
    """The card reader reported a status other than success."""

    message_zh = "无法读取身份证，请将身份证平放在读卡区后重试。"
    message_en = "The ID card could not be read. Please place it flat on the reader and try again."


class NoCardError(CardReadError):
    """No card lies on the reader."""

    message_zh = "请将身份证平放在读卡区。"
    message_en = "Please place your ID card flat on the reader."


class PrinterError(DeviceError):
    """A printer refused, is out of paper, or failed the job."""

    message_zh = "打印机暂时无法打印，您的办件已保存，可稍后凭回执补打。"
    message_en = "The printer cannot print right now. Your case is saved; you can reprint later."
