"""The 签收单 as a spreadsheet: one sheet per notice, ready to print and to file.

Each sheet opens with a title block (the notice, 发布时间, 签收时限, 导出时间, the counts), then
the table: unit code and name, status, who signed and when (real date cells), lateness in working
minutes, delivery time (a date cell) and notes. Printed landscape, one page wide, with the header
row repeated on every page and cell borders. The sheet is named after the notice's label.

XlsxWriter in constant-memory mode streams rows to disk: 2 000 units × 50 notices is a million
cells, which openpyxl needed 38 s for in memory and 6 s streaming; here a few seconds
(bench/office_bench.py).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

import xlsxwriter

from briefbot.durations import format_duration
from briefbot.reports import AckStatus, Report, due_text, summary_line
from briefbot.timefmt import moment_text

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
    AckStatus.ON_TIME: "#E2EFDA",
    AckStatus.LATE: "#FFF2CC",
    AckStatus.OVERDUE: "#F8CBAD",
    AckStatus.UNREACHABLE: "#D9D9D9",
}
_DATE_FORMAT = "yyyy-mm-dd hh:mm"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# code, unit, group, status, who, signed at, working minutes late, reminders, comment, 落实反馈,
# delivered at, delivery, note (times naive, in the office's time zone: Excel has no zones)
SheetRow = tuple[
    str, str, str, str, str, datetime | None, int | None, int, str, str, datetime | None, str, str
]


@dataclass(frozen=True)
class Sheet:
    """One notice's sheet as plain values: cheap to pass between processes."""

    notice_id: int
    label: str
    title: str
    head: list[str]  # the title block under the title: 发布时间, 签收时限, 导出时间, counts
    rows: list[SheetRow]


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def sheet_of(report: Report) -> Sheet:
    tz = report.tz
    rows: list[SheetRow] = [
        (
            row.unit_code,
            row.unit_name,
            row.group,
            row.status.value,
            row.acked_by,
            _local(row.acked_time, tz),
            None if row.seconds_late is None else row.seconds_late // 60,
            row.reminders,
            row.comment,
            row.feedback,
            _local(row.sent_time, tz),
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
        [
            f"发布时间：{moment_text(notice.published_at, tz)}",
            f"签收时限：{due_text(report) or '尚未送达，无时限'}（收到后 {format_duration(notice.ack_within)} 内，按工作时间计）",
            f"导出时间：{moment_text(report.generated_at, tz)}",
            summary_line(report),
        ],
        rows,
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
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
        title_format = book.add_format({"bold": True, "font_size": 14})
        header = book.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "border": 1,
             "bg_color": "#F2F2F2", "text_wrap": True}
        )  # fmt: skip
        # every table cell's border comes from one conditional format over the table (Excel,
        # WPS and LibreOffice show and print it): empty cells need not be written one by one,
        # which kept a million-cell export as fast as before the borders
        grid = book.add_format({"border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        when = book.add_format({"num_format": _DATE_FORMAT})
        fills = {s.value: book.add_format({"bg_color": c}) for s, c in _COLOURS.items()}
        used: set[str] = set()
        last = len(COLUMNS) - 1
        for item in sheets:
            data = sheet_of(item) if isinstance(item, Report) else item
            sheet = book.add_worksheet(sheet_name(data.label, data.notice_id, used))
            for i, (_, width) in enumerate(COLUMNS):
                sheet.set_column(i, i, width)
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
            sheet.repeat_rows(HEADER_ROW)
            sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
            sheet.set_footer("&C第 &P 页，共 &N 页")
            sheet.freeze_panes(HEADER_ROW + 1, 0)
            end = HEADER_ROW + len(data.rows)
            sheet.autofilter(HEADER_ROW, 0, end, last)
            sheet.conditional_format(
                HEADER_ROW, 0, end, last, {"type": "formula", "criteria": "TRUE", "format": grid}
            )
            sheet.write_string(0, 0, data.title, title_format)
            for r, line in enumerate(data.head, start=1):
                sheet.write_string(r, 0, line)
            sheet.write_row(HEADER_ROW, 0, [name for name, _ in COLUMNS], header)
            write_string, write_number = sheet.write_string, sheet.write_number
            write_datetime = sheet.write_datetime
            # unrolled by column: each column has one type, and most comments and notes are
            # empty (skipped); this loop runs a million times for a large export
            for r, row in enumerate(data.rows, start=HEADER_ROW + 1):
                (
                    code,
                    name,
                    group,
                    status,
                    who,
                    signed,
                    late,
                    reminders,
                    comment,
                    feedback,
                    delivered_at,
                    delivery,
                    note,
                ) = row
                write_string(r, 0, code)
                write_string(r, 1, name)
                if group:
                    write_string(r, 2, group)
                write_string(r, 3, status, fills.get(status))
                if who:
                    write_string(r, 4, who)
                if signed is not None:
                    write_datetime(r, 5, signed, when)
                if late is not None:
                    write_number(r, 6, late)
                write_number(r, 7, reminders)
                if comment:
                    write_string(r, 8, comment, wrap)
                if feedback:
                    write_string(r, 9, feedback)
                if delivered_at is not None:
                    write_datetime(r, 10, delivered_at, when)
                write_string(r, 11, delivery)
                if note:
                    write_string(r, 12, note, wrap)
        book.close()
        return path.read_bytes()
