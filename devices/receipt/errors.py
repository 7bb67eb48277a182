"""Receipt printer failures, split by what a print queue must know: did anything print.

``ReceiptNotPrintedError`` and its subclasses mean nothing reached the paper (the printer was
offline, out of paper or open before a single byte of the job was sent): the job is safe to send
again. ``ReceiptMaybePrintedError`` means the job was (partly) sent and the connection was lost
before the printer confirmed it: the receipt may be in the citizen's hand, cut short, or not at
all. Sending it again automatically could print it twice, so a queue must not; it asks a person
(reprint from the result screen, or staff). Every class carries ``retry_safe`` so the queue does
not need to know the hierarchy.
"""

from __future__ import annotations

from devices.errors import DeviceUnavailableError, PrinterError


class ReceiptPrinterError(PrinterError):
    """Root of the receipt printer's failures."""

    retry_safe = False
    """True when nothing was printed and the same job may be sent again without a duplicate."""


class ReceiptNotPrintedError(ReceiptPrinterError):
    """Nothing of the job reached the printer: safe to retry."""

    retry_safe = True


class ReceiptPrinterOfflineError(ReceiptNotPrintedError, DeviceUnavailableError):
    """The printer cannot be reached: unplugged, port missing, connection refused or dropped."""

    message_zh = "回执打印机未连接，您的办件已保存，请联系工作人员或稍后补打回执。"
    message_en = (
        "The receipt printer is not connected. Your case is saved; ask staff or reprint later."
    )


class ReceiptPaperOutError(ReceiptNotPrintedError):
    """The printer reported its paper roll empty before the job was sent."""

    message_zh = "回执打印纸已用完，您的办件已保存，请联系工作人员换纸后补打。"
    message_en = "The receipt printer is out of paper. Your case is saved; ask staff to refill it."


class ReceiptCoverOpenError(ReceiptNotPrintedError):
    """The printer reported its cover open before the job was sent."""

    message_zh = "回执打印机盖未关好，您的办件已保存，请联系工作人员。"
    message_en = "The receipt printer's cover is open. Your case is saved; please ask staff."


class ReceiptMaybePrintedError(ReceiptPrinterError):
    """The job was sent (wholly or in part) but the printer never confirmed it: outcome unknown.

    Never retried automatically: the receipt may already be printed.
    """

    retry_safe = False
    message_zh = "回执可能未打印完整，请查看出纸口；如没有回执，请点“重新打印”或联系工作人员。"
    message_en = (
        "The receipt may not have printed completely. Check the slot; if there is none, "
        "tap Print again or ask staff."
    )
