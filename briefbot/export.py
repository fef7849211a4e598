"""The 签收单 as a spreadsheet: one sheet per notice, ready to print and to file.

Each sheet opens with a title block (the notice, 发布时间, 签收时限, 导出时间, the counts), then
the table: unit code and name, status, who signed and when (real date cells), lateness in working
minutes, delivery time (a date cell) and notes. Printed landscape, one page wide, with the header
row repeated on every page and cell borders. The sheet is named after the notice's label.

XlsxWriter in constant-memory mode streams rows to disk as they come, one ``write_row`` per table
row with the formats made once (date and wrapped columns carry their format, so a row needs no
per-cell lookups): 2 000 units × 50 notices is a million cells, which openpyxl needed 38 s for in
memory (bench/office_bench.py has today's figure).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from briefbot.causes import describe
from briefbot.durations import format_duration
from briefbot.ledger import DeliveryState, NoticeInfo
from briefbot.reports import (
    AckStatus,
    Report,
    ack_status,
    delivery_words,
    due_span_text,
    due_text,
    feedback_words,
    seconds_late,
    summary_line,
    summary_text,
)
from briefbot.store.feedbacks import FeedbackState
from briefbot.store.ledger import SheetSource, UnitInfo
from briefbot.timefmt import moment_text
from briefbot.workcal import WorkingTime

if TYPE_CHECKING:
    from briefbot.store import Store

COLUMNS = [
    ("单位代码", 12),
    ("单位", 18),
    ("分组", 10),
    ("状态", 12),
    ("签收人", 12),
    ("签收时间", 17),
    ("逾期分钟（工作时间）", 12),
    ("提醒次数", 9),
    ("签收备注", 30),
    ("落实反馈", 12),
    ("送达时间", 17),
    ("投递", 12),
    ("备注", 30),
]
HEADER_ROW = 5  # 0-based: title, 发布时间, 签收时限, 导出时间, counts, then the header
_COLOURS = {
    AckStatus.ON_TIME.value: "#E2EFDA",
    AckStatus.LATE.value: "#FFF2CC",
    AckStatus.OVERDUE.value: "#F8CBAD",
    AckStatus.UNREACHABLE.value: "#D9D9D9",
}
_DATE_FORMAT = "yyyy-mm-dd hh:mm"
_DATE_COLUMNS = (5, 10)  # 签收时间, 送达时间
_WRAPPED_COLUMNS = (8, 12)  # 签收备注, 备注
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_UNIX_DAY = 25569.0  # 1970-01-01 as an Excel serial day (1900 date system, past 1900-03-01)
_OPTIONS = {
    "constant_memory": True,  # rows stream to a temporary file as they are written
    "strings_to_numbers": False,
    "strings_to_formulas": False,  # a unit's comment starting with = stays text
    "strings_to_urls": False,
}


class ExcelTime:
    """Aware datetimes as Excel serial day numbers in one time zone (Excel has no zones): what
    XlsxWriter's ``write_datetime`` stores, written as a number under the date format.

    The zone's offset is looked up once per hour of UTC and kept: converting each of a million
    moments with ``astimezone`` would cost more than writing it."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[int, float] = {}

    def __call__(self, moment: datetime) -> float:
        stamp = moment.timestamp()
        hour = int(stamp // 3600)
        offset = self._offsets.get(hour)
        if offset is None:
            delta = moment.astimezone(self.tz).utcoffset()
            offset = self._offsets[hour] = delta.total_seconds() if delta else 0.0
        return (stamp + offset) / 86400 + _UNIX_DAY


# code, unit, group, status, who, signed at, working minutes late, reminders, comment, 落实反馈,
# delivered at, delivery, note (times as Excel serial days in the office's time zone: Excel has
# no zones)
SheetRow = tuple[
    str, str, str, str, str, float | None, int | None, int, str, str, float | None, str, str
]


@dataclass(frozen=True)
class Sheet:
    """One notice's sheet as plain values: cheap to pass between processes."""

    notice_id: int
    label: str
    title: str
    head: list[str]  # the title block under the title: 发布时间, 签收时限, 导出时间, counts
    rows: list[SheetRow]


def sheet_of(report: Report, excel_time: ExcelTime | None = None) -> Sheet:
    tz = report.tz
    to_serial = excel_time or ExcelTime(tz)
    rows: list[SheetRow] = [
        (
            row.unit_code,
            row.unit_name,
            row.group,
            row.status.value,
            row.acked_by,
            None if row.acked_time is None else to_serial(row.acked_time),
            None if row.seconds_late is None else row.seconds_late // 60,
            row.reminders,
            row.comment,
            row.feedback,
            None if row.sent_time is None else to_serial(row.sent_time),
            "已送达" if row.sent_time is not None else row.delivered,
            row.note,
        )
        for row in report.rows
    ]
    notice = report.notice
    return Sheet(
        notice.id,
        notice.label,
        f"签收单：通知 #{notice.id}《{notice.label}》",
        _head(notice, due_text(report), report.generated_at, summary_line(report), tz),
        rows,
    )


def _head(
    notice: NoticeInfo, due: str | None, generated_at: datetime, summary: str, tz: tzinfo
) -> list[str]:
    """The title block under the title: 发布时间, 签收时限, 导出时间, the counts."""
    within = format_duration(notice.ack_within)
    return [
        f"发布时间：{moment_text(notice.published_at, tz)}",
        f"签收时限：{due or '尚未送达，无时限'}（收到后 {within} 内，按工作时间计）",
        f"导出时间：{moment_text(generated_at, tz)}",
        summary,
    ]


def sheets_of(
    store: Store, notice_ids: Sequence[int], now: datetime, clock: WorkingTime, batch: int = 5
) -> Iterator[Sheet]:
    """The sheets of many notices straight from the store, ``batch`` notices per query: the same
    values as ``sheet_of(notice_report(…))`` (tests/test_cli.py compares them), without a ledger
    object and a report row per unit (a third of the time of a 2 000 × 50 export)."""
    roster = store.ledger.units_now()
    to_serial = ExcelTime(clock.tz)
    ids = list(notice_ids)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        found = store.ledger.sheet_rows(chunk)
        for notice_id in chunk:
            notice = store.notices.notice(notice_id)
            if notice is not None:
                feedback = store.feedback_view(notice_id)
                yield _sheet(notice, found[notice_id], roster, feedback, now, clock, to_serial)


_STATES = {s.value: s for s in DeliveryState}


def _sheet(
    notice: NoticeInfo,
    sources: list[SheetSource],
    roster: Mapping[str, UnitInfo],
    feedback: Mapping[str, FeedbackState] | None,
    now: datetime,
    clock: WorkingTime,
    to_serial: ExcelTime,
) -> Sheet:
    counts: Counter[AckStatus] = Counter()
    dues: list[datetime] = []
    keyed: list[tuple[tuple[str, str], SheetRow]] = []
    within = notice.ack_within
    sent_state, unreachable = DeliveryState.SENT, AckStatus.UNREACHABLE
    for code, state, sent_at, last_error, who, acked_at, comment, reminders in sources:
        unit = roster.get(code)
        name, group = (unit.name, unit.group) if unit else (code, "")
        delivery = _STATES[state]
        due = None if sent_at is None else clock.add(sent_at, within)
        if due is not None:
            dues.append(due)
        status = ack_status(delivery, acked_at, due, now)
        counts[status] += 1
        late = seconds_late(status, acked_at, due, now, clock)
        sent = sent_at if delivery is sent_state else None
        keyed.append(
            (
                (group, code),
                (
                    code,
                    name,
                    group,
                    status.value,
                    (who or "") if acked_at is not None else "",
                    None if acked_at is None else to_serial(acked_at),
                    None if late is None else late // 60,
                    reminders,
                    (comment or "") if acked_at is not None else "",
                    feedback_words(feedback, code),
                    None if sent is None else to_serial(sent),
                    "已送达" if sent is not None else delivery_words(delivery),
                    describe(last_error) if status is unreachable else "",
                ),
            )
        )
    keyed.sort(key=lambda pair: pair[0])
    span = (min(dues), max(dues)) if dues else None
    tz = clock.tz
    return Sheet(
        notice.id,
        notice.label,
        f"签收单：通知 #{notice.id}《{notice.label}》",
        _head(notice, due_span_text(span, tz), now, summary_text(counts, len(keyed)), tz),
        [row for _, row in keyed],
    )


def sheet_name(label: str, notice_id: int, used: set[str]) -> str:
    """The notice's label as a sheet name Excel accepts: at most 31 characters, none of
    ``[ ] : * ? / \\``, not starting or ending with an apostrophe, unique in the workbook
    (case-insensitively); a label used twice (a correction) gets its number."""
    base = _FORBIDDEN.sub("_", label).strip().strip("'").strip() or f"通知{notice_id}"
    if base.lower() == "history":
        base = f"{base}_{notice_id}"
    name = base[:31]
    if name.lower() in used:
        suffix = f"（#{notice_id}）"
        name = base[: 31 - len(suffix)] + suffix
        n = 2
        while name.lower() in used:
            tail = f"（#{notice_id}-{n}）"
            name, n = base[: 31 - len(tail)] + tail, n + 1
    used.add(name.lower())
    return name


def to_xlsx(sheets: Iterable[Report | Sheet]) -> bytes:
    """One sheet per notice, written as they arrive (they may come from a generator)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-xlsx-") as folder:
        path = Path(folder) / "export.xlsx"
        book = xlsxwriter.Workbook(str(path), {**_OPTIONS, "tmpdir": folder})
        title_format = book.add_format({"bold": True, "font_size": 14})
        header = book.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "border": 1,
             "bg_color": "#F2F2F2", "text_wrap": True}
        )  # fmt: skip
        # every table cell's border comes from one conditional format over the table (Excel,
        # WPS and LibreOffice show and print it): empty cells need not be written one by one
        grid = book.add_format({"border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        when = book.add_format({"num_format": _DATE_FORMAT})
        fills = {status: book.add_format({"bg_color": c}) for status, c in _COLOURS.items()}
        column_formats = {
            **{i: when for i in _DATE_COLUMNS},
            **{i: wrap for i in _WRAPPED_COLUMNS},
        }
        names = [name for name, _ in COLUMNS]
        used: set[str] = set()
        times: dict[object, ExcelTime] = {}
        last = len(COLUMNS) - 1
        for item in sheets:
            if isinstance(item, Report):
                item = sheet_of(item, times.setdefault(item.tz, ExcelTime(item.tz)))
            sheet = book.add_worksheet(sheet_name(item.label, item.notice_id, used))
            # a cell written without a format takes its column's: the dates and the wrapped
            # notes get theirs without a per-cell format
            for i, (_, width) in enumerate(COLUMNS):
                sheet.set_column(i, i, width, column_formats.get(i))
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
            sheet.repeat_rows(HEADER_ROW)
            sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
            sheet.set_footer("&C第 &P 页，共 &N 页")
            sheet.freeze_panes(HEADER_ROW + 1, 0)
            end = HEADER_ROW + len(item.rows)
            sheet.autofilter(HEADER_ROW, 0, end, last)
            sheet.conditional_format(
                HEADER_ROW, 0, end, last, {"type": "formula", "criteria": "TRUE", "format": grid}
            )
            sheet.write_string(0, 0, item.title, title_format)
            for r, line in enumerate(item.head, start=1):
                sheet.write_string(r, 0, line)
            sheet.write_row(HEADER_ROW, 0, names, header)
            write_row, write_string, fill_of = sheet.write_row, sheet.write_string, fills.get
            # this loop runs a million cells' worth for a large export: one write_row per row
            # (empty texts and missing times are left out by XlsxWriter), then the status cell
            # again with its fill
            for r, row in enumerate(item.rows, start=HEADER_ROW + 1):
                write_row(r, 0, row)
                fill = fill_of(row[3])
                if fill is not None:
                    write_string(r, 3, row[3], fill)
        book.close()
        return path.read_bytes()
