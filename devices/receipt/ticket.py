"""The hand-off ticket's layout (无声叫号): the number big at the top, then the case so far.

Kept apart from the case receipt's layout: a ticket is read across a hall by its number first,
and by the window clerk for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from devices.receipt.layout import Receipt


def ticket_receipt(
    *,
    number: str,
    window: str,
    waiting_ahead: int | None,
    item: str,
    checks: Sequence[tuple[str, str]],
    bring: Sequence[str],
    qr_data: str,
    issued_at: str,
    location: str,
    offline: bool,
) -> Receipt:
    """A ticket: ``number`` and ``window`` first, what was read and checked, what to bring.

    ``waiting_ahead`` is ``None`` offline (the hall's queue is not known here); ``qr_data`` is
    what the window scans to continue the case.
    """
    rows: list[tuple[str, str]] = [("窗口", window)]
    if waiting_ahead is not None:
        rows.append(("前面等候", f"{waiting_ahead} 人"))
    if item:
        rows.append(("事项", item))
    rows.extend(checks)
    footer = []
    if bring:
        footer.append("请携带：" + "；".join(bring))
    if offline:
        footer.append("网络暂时不通，此号为本机临时号，窗口会按此号叫号。")
    footer.append("请留意叫号屏；到窗口出示本票，工作人员扫码接续办理，无需重新填写。")
    footer.append(f"{location}  {issued_at}")
    return Receipt(title=f"排队号 {number}", rows=rows, qr_data=qr_data, footer=footer)
