"""The 签收单 as a spreadsheet: one sheet per notice, for the office's records and assessment.

XlsxWriter in constant-memory mode streams rows to disk: 2 000 units × 50 notices is a million
cells, which openpyxl needed 38 s for in memory and 6 s streaming; here 3.6 s
(bench/office_bench.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from briefbot.reports import AckStatus, Report, summary_line

COLUMNS = [
    ("单位", 18),
    ("分组", 10),
    ("状态", 12),
    ("签收人", 12),
    ("签收时间", 20),
    ("逾期分钟", 10),
    ("提醒次数", 9),
    ("签收备注", 30),
    ("落实反馈", 12),
    ("投递", 22),
    ("备注", 30),
]
_COLOURS = {
    AckStatus.ON_TIME: "#E2EFDA",
    AckStatus.LATE: "#FFF2CC",
    AckStatus.OVERDUE: "#F8CBAD",
    AckStatus.UNREACHABLE: "#D9D9D9",
}


# unit, group, status, who, when, minutes late, reminders, comment, 落实反馈, delivery, note
SheetRow = tuple[str, str, str, str, str, int | None, int, str, str, str, str]


@dataclass(frozen=True)
class Sheet:
    """One notice's sheet as plain values: cheap to pass between processes."""

    notice_id: int
    title: str
    summary: str
    rows: list[SheetRow]


def sheet_of(report: Report) -> Sheet:
    rows: list[SheetRow] = [
        (
            row.unit_name,
            row.group,
            row.status.value,
            row.acked_by,
            row.acked_at,
            None if row.seconds_late is None else row.seconds_late // 60,
            row.reminders,
            row.comment,
            row.feedback,
            row.delivered,
            row.note,
        )
        for row in report.rows
    ]
    return Sheet(
        report.notice.id,
        f"签收单：通知 #{report.notice.id}《{report.notice.label}》",
        summary_line(report),
        rows,
    )


def _sheet_name(notice_id: int, used: set[str]) -> str:
    base = f"#{notice_id}"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


def to_xlsx(sheets: Iterable[Report | Sheet]) -> bytes:
    """One sheet per notice, written as they arrive (they may come from a generator)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-xlsx-") as folder:
        path = Path(folder) / "export.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
        title_format = book.add_format({"bold": True, "font_size": 13})
        bold = book.add_format({"bold": True, "align": "center"})
        fills = {s.value: book.add_format({"bg_color": c}) for s, c in _COLOURS.items()}
        used: set[str] = set()
        for item in sheets:
            data = sheet_of(item) if isinstance(item, Report) else item
            sheet = book.add_worksheet(_sheet_name(data.notice_id, used))
            for i, (_, width) in enumerate(COLUMNS):
                sheet.set_column(i, i, width)
            sheet.freeze_panes(3, 0)
            sheet.autofilter(2, 0, 2 + len(data.rows), len(COLUMNS) - 1)
            sheet.write(0, 0, data.title, title_format)
            sheet.write(1, 0, data.summary)
            sheet.write_row(2, 0, [name for name, _ in COLUMNS], bold)
            write_string, write_number = sheet.write_string, sheet.write_number
            # unrolled by column: each column has one type, and most comments and notes are
            # empty (skipped); this loop runs a million times for a large export
            for r, row in enumerate(data.rows, start=3):
                (
                    name,
                    group,
                    status,
                    who,
                    when,
                    late,
                    reminders,
                    comment,
                    feedback,
                    delivered,
                    note,
                ) = row
                write_string(r, 0, name)
                if group:
                    write_string(r, 1, group)
                write_string(r, 2, status, fills.get(status))
                if who:
                    write_string(r, 3, who)
                    write_string(r, 4, when)
                if late is not None:
                    write_number(r, 5, late)
                write_number(r, 6, reminders)
                if comment:
                    write_string(r, 7, comment)
                if feedback:
                    write_string(r, 8, feedback)
                write_string(r, 9, delivered)
                if note:
                    write_string(r, 10, note)
        book.close()
        return path.read_bytes()
