"""一表日清: one day's work per service item and per terminal, and its CSV and XLSX exports.

Counted from the hall's own records, by the hall's local day (``HallSettings.timezone``):
submissions received that day; of them approved on the spot (即办), refused, taken with a
tolerated missing material (容缺受理: the citizen's written commitment), and handed to a clerk
(accepted but not decided on the spot, 转人工); visit time (a submission's ``visit_seconds``, or
a rating's for a journey that submitted nothing); ratings by level (by the terminal's clock);
hand-off tickets taken (取号, per item and terminal) and staff calls (呼叫工作人员, per terminal:
a call names no item) with how many staff answered.
Only counts and item and terminal ids leave here: no personal data is read, a submission's
photos never leave the database (the JSON fields are read in SQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall.db import Submission
from hall.fleet.models import Alert
from hall.ratings import LEVELS, Rating
from hall.schema import CatalogPublic
from hall.tickets import HandoffTicket

_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class DailyRow:
    """The counts of one item, one terminal, or the day as a whole."""

    key: str
    label: str
    submissions: int = 0
    approved: int = 0
    refused: int = 0
    tolerated: int = 0
    handed_off: int = 0
    tickets: int = 0
    staff_calls: int | None = 0
    """``None`` on an item's row: a staff call is the terminal's, not an item's."""
    calls_answered: int | None = 0
    visits: list[float] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def visit_avg_s(self) -> float | None:
        """Mean visit time in seconds; ``None`` with no measured visit."""
        return sum(self.visits) / len(self.visits) if self.visits else None

    @property
    def visit_p90_s(self) -> float | None:
        """90th percentile of the visit times (nearest rank); ``None`` with none."""
        if not self.visits:
            return None
        ordered = sorted(self.visits)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]

    @property
    def rated(self) -> int:
        """How many ratings."""
        return sum(self.ratings.values())

    @property
    def satisfied_share(self) -> float | None:
        """Share of ratings at 4 or 5 (满意率); ``None`` with no rating."""
        rated = self.rated
        return (self.ratings[4] + self.ratings[5]) / rated if rated else None


@dataclass
class DailyTable:
    """One local day's table: rows per item, rows per terminal, and the day's total."""

    day: dt.date
    by_item: list[DailyRow]
    by_terminal: list[DailyRow]
    total: DailyRow
    hourly: list[int]
    """Submissions per local hour, 0 to 23 (the chart)."""


def day_bounds(day: dt.date, timezone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which the local ``day`` starts and the next one starts."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=timezone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def build(
    session: Session, day: dt.date, *, timezone: ZoneInfo, catalog: CatalogPublic
) -> DailyTable:
    """Count one local day from the submissions and ratings tables."""
    start, end = day_bounds(day, timezone)
    names = {item.id: item.name.zh for item in catalog.items}
    items: dict[str, DailyRow] = {}
    terminals: dict[str, DailyRow] = {}
    total = DailyRow("", "合计 Total")
    hourly = [0] * 24

    def terminal_row(kiosk_id: str) -> DailyRow:
        if kiosk_id not in terminals:
            terminals[kiosk_id] = DailyRow(kiosk_id, kiosk_id)
        return terminals[kiosk_id]

    def rows(item_id: str | None, kiosk_id: str) -> Iterable[DailyRow]:
        key = item_id or "-"
        if key not in items:
            label = names.get(key, key if item_id else "未选事项 No item")
            items[key] = DailyRow(key, label, staff_calls=None, calls_answered=None)
        return (items[key], terminal_row(kiosk_id), total)

    submissions = session.execute(
        select(
            Submission.case_number,
            Submission.item_id,
            Submission.kiosk_id,
            Submission.status,
            Submission.received_at,
            Submission.tolerated,
            Submission.visit_seconds,
        ).where(Submission.received_at >= start, Submission.received_at < end)
    ).all()
    visited_cases: set[str] = set()
    for case_number, item_id, kiosk_id, status, received_at, tolerated, visit in submissions:
        hourly[received_at.astimezone(timezone).hour] += 1
        for row in rows(item_id, kiosk_id):
            row.submissions += 1
            row.approved += status == "approved"
            row.refused += status == "refused"
            row.handed_off += status == "accepted"
            row.tolerated += bool(tolerated)
            if visit is not None and math.isfinite(visit):
                row.visits.append(float(visit))
        if visit is not None:
            visited_cases.add(case_number)
    ratings = session.execute(
        select(
            Rating.item_id, Rating.kiosk_id, Rating.level, Rating.case_number, Rating.visit_seconds
        ).where(Rating.rated_at >= start, Rating.rated_at < end)
    ).all()
    for rated_item, rated_kiosk, level, rated_case, rated_visit in ratings:
        for row in rows(rated_item, rated_kiosk):
            if level in row.ratings:
                row.ratings[level] += 1
            # A visit that submitted is timed by its submission; the rating times the others.
            if rated_visit is not None and (rated_case is None or rated_case not in visited_cases):
                row.visits.append(float(rated_visit))
    tickets = session.execute(
        select(HandoffTicket.item_id, HandoffTicket.kiosk_id).where(
            HandoffTicket.issued_at >= start, HandoffTicket.issued_at < end
        )
    ).all()
    for ticket_item, ticket_kiosk in tickets:
        for row in rows(ticket_item, ticket_kiosk):
            row.tickets += 1
    calls = session.execute(
        select(Alert.kiosk_id, Alert.acknowledged_at).where(
            Alert.kind == "staff_called", Alert.raised_at >= start, Alert.raised_at < end
        )
    ).all()
    for call_kiosk, acknowledged_at in calls:
        for row in (terminal_row(call_kiosk), total):
            assert row.staff_calls is not None and row.calls_answered is not None
            row.staff_calls += 1
            row.calls_answered += acknowledged_at is not None
    return DailyTable(
        day=day,
        by_item=sorted(items.values(), key=lambda row: (-row.submissions, row.key)),
        by_terminal=sorted(terminals.values(), key=lambda row: (-row.submissions, row.key)),
        total=total,
        hourly=hourly,
    )


HEADERS = [
    "分组 Group",
    "编号 Id",
    "名称 Name",
    "受理 Submissions",
    "即办 Instant approvals",
    "不予通过 Refusals",
    "容缺 Tolerated",
    "转人工 Hand-offs",
    "平均用时(秒) Avg visit (s)",
    "P90用时(秒) P90 visit (s)",
    "评价数 Ratings",
    *[f"{level}星 Level {level}" for level in reversed(LEVELS)],
    "满意率 Satisfied",
    "取号 Tickets",
    "呼叫 Staff calls",
    "呼叫已应答 Calls answered",
]
"""The export's columns; later columns are appended at the end, so a sheet built on the
earlier ones still reads them where they were."""


def _cells(group: str, row: DailyRow) -> list[str | int | float | None]:
    avg, p90, share = row.visit_avg_s, row.visit_p90_s, row.satisfied_share
    return [
        group,
        row.key,
        row.label,
        row.submissions,
        row.approved,
        row.refused,
        row.tolerated,
        row.handed_off,
        None if avg is None else round(avg, 1),
        None if p90 is None else round(p90, 1),
        row.rated,
        *[row.ratings[level] for level in reversed(LEVELS)],
        None if share is None else round(share, 4),
        row.tickets,
        row.staff_calls,
        row.calls_answered,
    ]


def table_rows(table: DailyTable) -> list[list[str | int | float | None]]:
    """Every row of the export: per item, per terminal, then the day's total."""
    lines = [_cells("事项 Item", row) for row in table.by_item]
    lines += [_cells("终端 Terminal", row) for row in table.by_terminal]
    lines.append(_cells("合计 Total", table.total))
    return lines


def _safe_cell(value: str | int | float | None) -> str | int | float:
    # A text cell starting with = + - @ would be a formula in a spreadsheet (CSV injection);
    # terminal ids and item ids come from the wire, so they are quoted as text.
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: DailyTable) -> bytes:
    """The table as CSV, UTF-8 with a BOM so that Excel on a Chinese Windows reads it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"一表日清 {table.day.isoformat()}"])
    writer.writerow(HEADERS)
    for line in table_rows(table):
        writer.writerow([_safe_cell(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: DailyTable) -> bytes:
    """The table as an XLSX workbook (openpyxl), one sheet, header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.day.isoformat()
    sheet.append([f"一表日清 {table.day.isoformat()}"])
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in table_rows(table):
        sheet.append([_safe_cell(cell) for cell in line])
    sheet.freeze_panes = "D3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


XLSX_MEDIA_TYPE = _XLSX_MIME
