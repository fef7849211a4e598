"""The 签收单 as a spreadsheet: one sheet per notice, for the office's records and assessment.

XlsxWriter in constant-memory mode streams rows to disk: 2 000 units × 50 notices is a million
cells, which openpyxl needed 38 s for in memory and 6 s streaming; here 3.6 s
(bench/office_bench.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
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


def _sheet_title(report: Report, used: set[str]) -> str:
    base = f"#{report.notice.id}"
    title, n = base, 2
    while title in used:
        title, n = f"{base}-{n}", n + 1
    used.add(title)
    return title


def to_xlsx(reports: Iterable[Report]) -> bytes:
    """One sheet per report, written as the reports arrive (they may come from a generator)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-xlsx-") as folder:
        path = Path(folder) / "export.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
        title_format = book.add_format({"bold": True, "font_size": 13})
        bold = book.add_format({"bold": True, "align": "center"})
        fills = {s: book.add_format({"bg_color": c}) for s, c in _COLOURS.items()}
        used: set[str] = set()
        for report in reports:
            sheet = book.add_worksheet(_sheet_title(report, used))
            for i, (_, width) in enumerate(COLUMNS):
                sheet.set_column(i, i, width)
            sheet.freeze_panes(3, 0)
            sheet.autofilter(2, 0, 2 + len(report.rows), len(COLUMNS) - 1)
            sheet.write(
                0, 0, f"签收单：通知 #{report.notice.id}《{report.notice.label}》", title_format
            )
            sheet.write(1, 0, summary_line(report))
            sheet.write_row(2, 0, [name for name, _ in COLUMNS], bold)
            for r, row in enumerate(report.rows, start=3):
                values = (
                    row.unit_name,
                    row.group,
                    None,
                    row.acked_by,
                    row.acked_at,
                    None if row.seconds_late is None else row.seconds_late // 60,
                    row.reminders,
                    row.comment,
                    row.feedback,
                    row.delivered,
                    row.note,
                )
                for c, value in enumerate(values):
                    # typed writes skip XlsxWriter's per-cell type dispatch; empty cells are skipped
                    if isinstance(value, str):
                        if value:
                            sheet.write_string(r, c, value)
                    elif value is not None:
                        sheet.write_number(r, c, value)
                sheet.write_string(r, 2, row.status.value, fills.get(row.status))
        book.close()
        return path.read_bytes()
