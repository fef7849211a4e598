"""The 签收单 as a spreadsheet: one sheet per notice, for the office's records and assessment."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

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
    ("投递", 22),
    ("备注", 30),
]
_FILL = {
    AckStatus.ON_TIME: "E2EFDA",
    AckStatus.LATE: "FFF2CC",
    AckStatus.OVERDUE: "F8CBAD",
    AckStatus.PENDING: "FFFFFF",
    AckStatus.UNREACHABLE: "D9D9D9",
    AckStatus.QUEUED: "FFFFFF",
}


def _sheet_title(report: Report, used: set[str]) -> str:
    base = f"#{report.notice.id}"
    title, n = base, 2
    while title in used:
        title, n = f"{base}-{n}", n + 1
    used.add(title)
    return title


def to_xlsx(reports: Sequence[Report]) -> bytes:
    book = Workbook(write_only=False)
    book.remove(book.active)
    used: set[str] = set()
    for report in reports:
        sheet = book.create_sheet(_sheet_title(report, used))
        sheet.append([f"签收单：通知 #{report.notice.id}《{report.notice.label}》"])
        sheet.append([summary_line(report)])
        sheet.append([name for name, _ in COLUMNS])
        sheet["A1"].font = Font(bold=True, size=13)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for i, (_, width) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[sheet.cell(row=3, column=i).column_letter].width = width
        for row in report.rows:
            minutes = None if row.seconds_late is None else row.seconds_late // 60
            sheet.append(
                [
                    row.unit_name,
                    row.group,
                    row.status.value,
                    row.acked_by,
                    row.acked_at,
                    minutes,
                    row.reminders,
                    row.comment,
                    row.delivered,
                    row.note,
                ]
            )
            fill = _FILL[row.status]
            if fill != "FFFFFF":
                sheet.cell(row=sheet.max_row, column=3).fill = PatternFill("solid", fgColor=fill)
        sheet.freeze_panes = "A4"
        sheet.auto_filter.ref = (
            f"A3:{sheet.cell(row=3, column=len(COLUMNS)).column_letter}{sheet.max_row}"
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
