"""The card reader's own failures, each a subclass of the device package's errors.

The SAM's status byte says which step failed and why; these classes keep that distinction for the
technician (``str(err)`` and ``sw3``) while the citizen sees the inherited plain-words message.
No personal data goes into any message.
"""

from __future__ import annotations

from devices.errors import (
    CardReadError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnavailableError,
    ProtocolError,
)


class FrameError(ProtocolError):
    """A frame from the wire is corrupt: bad checksum or an impossible length."""


class FrameChecksumError(FrameError):
    """A frame's CHK does not match its bytes (the SAM's own status for this is 10)."""


class FrameLengthError(FrameError):
    """A frame's LEN is impossible, or its body does not add up (the SAM's status 11)."""


class ReaderUnavailableError(DeviceUnavailableError):
    """The card reader's port cannot be opened or failed: unplugged, wrong path, no SAM on it."""

    message_zh = "身份证读卡器暂时无法使用，请联系工作人员，或改用扫码办理。"
    message_en = "The ID card reader is not available. Please ask staff, or use a QR code instead."


class ReaderTimeoutError(DeviceTimeoutError):
    """The SAM stopped answering within the deadline (a card lifted mid-read, a stalled line)."""

    message_zh = "读卡超时，请将身份证拿起，再平放在读卡区。"
    message_en = (
        "Reading took too long. Please lift your ID card and place it flat on the reader again."
    )


class SamError(DeviceError):
    """The SAM module itself failed (not the card): the terminal needs a technician."""

    message_zh = "身份证读卡器故障，请联系工作人员或改用扫码办理。"
    message_en = (
        "The ID card reader has a fault. Please ask staff for help or use a QR code instead."
    )

    def __init__(self, detail: str, sw3: int | None = None) -> None:
        """Keep the SAM status byte for diagnostics."""
        super().__init__(detail)
        self.sw3 = sw3


class SamSelfTestError(SamError):
    """The SAM reported that its self-test failed (status 60)."""


class SamNotAuthorisedError(SamError):
    """The SAM is not authorised (status 66): it was never activated or has been revoked."""


class SamCommandError(ProtocolError):
    """The SAM rejected our command (status 10, 11, 21, 23 or 24): a host-side or line fault."""

    def __init__(self, detail: str, sw3: int | None = None) -> None:
        """Keep the SAM status byte for diagnostics."""
        super().__init__(detail)
        self.sw3 = sw3


class CardStatusError(CardReadError):
    """The SAM could not read the card on it (status 41, 47 and the like)."""

    def __init__(self, detail: str, sw3: int | None = None) -> None:
        """Keep the SAM status byte for diagnostics."""
        super().__init__(detail)
        self.sw3 = sw3


class CardAuthenticationError(CardStatusError):
    """Mutual authentication between card and SAM failed (status 31, 32, 33)."""

    message_zh = "身份证校验未通过，请重新放置身份证；如仍失败，请联系工作人员。"
    message_en = (
        "The ID card could not be verified. Please place it on the reader again; "
        "if it still fails, ask staff for help."
    )


class UnsupportedCardError(CardStatusError):
    """The card is of a type this reader cannot read (status 40, or an unknown layout flag)."""

    message_zh = "暂不支持此类证件，请使用居民身份证或联系工作人员。"
    message_en = "This kind of card is not supported. Please use a resident ID card or ask staff."


class CardDataError(CardReadError):
    """The card's data is malformed or fails its check character: the card is reported, not trusted.

    The message names the field and the rule, never the value.
    """

    message_zh = "此证件信息无法核验，请联系工作人员。"
    message_en = "This card cannot be read. Please ask staff for help."

    def __init__(self, detail: str, defects: list[str] | None = None) -> None:
        """Keep the list of failed checks (field and rule only) for the technician."""
        super().__init__(detail)
        self.defects = list(defects or [detail])
