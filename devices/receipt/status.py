"""The receipt printer's status as the ``DLE EOT`` real-time replies tell it, best effort."""

from __future__ import annotations

from enum import StrEnum

DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
"""``DLE EOT 2``: bit 2 cover open, bit 5 stopped at paper end, bit 6 error."""
DLE_EOT_PAPER = b"\x10\x04\x04"
"""``DLE EOT 4``: bits 2-3 paper near end, bits 5-6 paper out."""


class ReceiptPrinterStatus(StrEnum):
    """What ``status()`` reports. ``unknown`` is an empty or invalid reply, never "ok"."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


def _valid(reply: int) -> bool:
    # Bits 1 and 4 are always set and bits 0 and 7 clear in a DLE EOT 2/4 reply.
    return reply & 0x93 == 0x12


def paper_status_from_byte(reply: int) -> ReceiptPrinterStatus:
    """Interpret the ``DLE EOT 4`` (paper roll sensor) reply byte."""
    if not _valid(reply):
        return ReceiptPrinterStatus.UNKNOWN
    if reply & 0x60:
        return ReceiptPrinterStatus.PAPER_OUT
    if reply & 0x0C:
        return ReceiptPrinterStatus.PAPER_NEAR_END
    return ReceiptPrinterStatus.OK


def offline_cause_from_byte(reply: int) -> ReceiptPrinterStatus:
    """Interpret the ``DLE EOT 2`` (offline cause) reply byte."""
    if not _valid(reply):
        return ReceiptPrinterStatus.UNKNOWN
    if reply & 0x04:
        return ReceiptPrinterStatus.COVER_OPEN
    if reply & 0x20:
        return ReceiptPrinterStatus.PAPER_OUT
    return ReceiptPrinterStatus.OK


def combine(cause: ReceiptPrinterStatus, paper: ReceiptPrinterStatus) -> ReceiptPrinterStatus:
    """One status from both replies: cover open, then paper out, near end, then the paper's own."""
    order = (
        ReceiptPrinterStatus.OFFLINE,
        ReceiptPrinterStatus.COVER_OPEN,
        ReceiptPrinterStatus.PAPER_OUT,
        ReceiptPrinterStatus.PAPER_NEAR_END,
    )
    for status in order:
        if status in (cause, paper):
            return status
    # Some printers answer only DLE EOT 4: the paper sensor decides; no paper reply is unknown.
    return paper
