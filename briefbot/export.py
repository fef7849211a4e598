"""The 签收单 as a spreadsheet: one sheet per notice, ready to print and to file.

Each sheet opens with a title block (the notice, 发布时间, 签收时限, 导出时间, the counts), then
the table: unit code and name, status, who signed and when (real date cells), lateness in working
minutes, delivery time (a date cell) and notes. Printed landscape, one page wide, with the header
row repeated on every page and cell borders. The sheet is named after the notice's label.

Rows are written as XML strings into the workbook's zip entry as they come (briefbot.xlsx):
2 000 units × 50 notices is a million cells, which openpyxl needed 38 s for in memory, XlsxWriter
~5 s in constant-memory mode, and this about a second (bench/office_bench.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

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
from briefbot.xlsx import DefinedName, ExcelTime, Workbook, column, inline

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
_FILLS = {  # status → its cell style in STYLES (the fill colours below)
    AckStatus.ON_TIME.value: 5,
    AckStatus.LATE.value: 6,
    AckStatus.OVERDUE.value: 7,
    AckStatus.UNREACHABLE.value: 8,
}
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_THIN = '<left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
_THIN += '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom>'
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
# cell styles: 0 plain, 1 title, 2 header, 3 date, 4 wrapped text, 5-8 the status fills;
# one differential style (dxf 0) draws the table's borders through a conditional format
STYLES = (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    f'<fonts count="3"><font>{_FONT}</font><font><b/><sz val="14"/><name val="Calibri"/>'
    f'<family val="2"/></font><font><b/>{_FONT}</font></fonts>'
    '<fills count="7"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    + "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        for colour in ("F2F2F2", "E2EFDA", "FFF2CC", "F8CBAD", "D9D9D9")
    )
    + '</fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    f"<border>{_THIN}<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    + "".join(
        f'<xf numFmtId="0" fontId="0" fillId="{fill}" borderId="0" xfId="0" applyFill="1"/>'
        for fill in (3, 4, 5, 6)
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    f'</cellStyles><dxfs count="1"><dxf><border>{_THIN}<vertical/><horizontal/></border></dxf>'
    '</dxfs><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)
_LAST = column(len(COLUMNS) - 1)
_COLS = (
    "<cols>"
    + "".join(
        f'<col min="{i}" max="{i}" width="{width + 0.7109375}" customWidth="1"/>'
        for i, (_, width) in enumerate(COLUMNS, start=1)
    )
    + "</cols>"
)


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


def _cell(ref: str, text: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr">{inline(text)}</c>'


def _rows(data: Sheet) -> Iterator[str]:
    """The sheet's rows as XML: the title block, the header, the table. The table loop runs a
    million times for a large export: one string per row, repeated texts escaped once."""
    yield f'<row r="1">{_cell("A1", data.title, 1)}</row>'
    for r, line in enumerate(data.head, start=2):
        yield f'<row r="{r}">{_cell(f"A{r}", line)}</row>'
    n = HEADER_ROW + 1
    yield (
        f'<row r="{n}">'
        + "".join(_cell(f"{column(i)}{n}", name, 2) for i, (name, _) in enumerate(COLUMNS))
        + "</row>"
    )
    known: dict[str, str] = {}

    def text(value: str) -> str:
        found = known.get(value)
        if found is None:
            found = known[value] = inline(value)
        return found

    fills = _FILLS
    for n, row in enumerate(data.rows, start=HEADER_ROW + 2):
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
            sent,
            how,
            note,
        ) = row
        line = (
            f'<row r="{n}"><c r="A{n}" t="inlineStr">{text(code)}</c>'
            f'<c r="B{n}" t="inlineStr">{text(name)}</c>'
        )
        if group:
            line += f'<c r="C{n}" t="inlineStr">{text(group)}</c>'
        fill = fills.get(status)
        line += (
            f'<c r="D{n}" s="{fill}" t="inlineStr">{text(status)}</c>'
            if fill
            else f'<c r="D{n}" t="inlineStr">{text(status)}</c>'
        )
        if who:
            line += f'<c r="E{n}" t="inlineStr">{text(who)}</c>'
        if signed is not None:
            line += f'<c r="F{n}" s="3"><v>{signed}</v></c>'
        if late is not None:
            line += f'<c r="G{n}"><v>{late}</v></c>'
        line += f'<c r="H{n}"><v>{reminders}</v></c>'
        if comment:
            line += f'<c r="I{n}" s="4" t="inlineStr">{inline(comment)}</c>'
        if feedback:
            line += f'<c r="J{n}" t="inlineStr">{text(feedback)}</c>'
        if sent is not None:
            line += f'<c r="K{n}" s="3"><v>{sent}</v></c>'
        line += f'<c r="L{n}" t="inlineStr">{text(how)}</c>'
        if note:
            line += f'<c r="M{n}" s="4" t="inlineStr">{inline(note)}</c>'
        yield line + "</row>"


def _frame(data: Sheet, first: bool) -> tuple[str, str, str]:
    """(head, tail, table range) of a sheet: frozen header, widths; filter, borders, printing."""
    end = HEADER_ROW + 1 + len(data.rows)
    table = f"A{HEADER_ROW + 1}:{_LAST}{end}"
    selected = ' tabSelected="1"' if first else ""
    head = (
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{_LAST}{end}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0">'
        f'<pane ySplit="{HEADER_ROW + 1}" topLeftCell="A{HEADER_ROW + 2}" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{_COLS}'
    )
    tail = (
        f'<autoFilter ref="{table}"/>'
        f'<conditionalFormatting sqref="{table}"><cfRule type="expression" dxfId="0" '
        'priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>'
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
        "<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
    )
    return head, tail, table


def to_xlsx(sheets: Iterable[Report | Sheet]) -> bytes:
    """One sheet per notice, written as they arrive (they may come from a generator)."""
    book = Workbook(STYLES)
    used: set[str] = set()
    times: dict[object, ExcelTime] = {}
    for index, item in enumerate(sheets):
        if isinstance(item, Report):
            item = sheet_of(item, times.setdefault(item.tz, ExcelTime(item.tz)))
        head, tail, table = _frame(item, first=index == 0)
        names = [
            DefinedName("_xlnm._FilterDatabase", _absolute(table), hidden=True),
            DefinedName("_xlnm.Print_Titles", f"${HEADER_ROW + 1}:${HEADER_ROW + 1}"),
        ]
        book.add_sheet(sheet_name(item.label, item.notice_id, used), head, _rows(item), tail, names)
    return book.close()


def _absolute(cells: str) -> str:
    """``A6:M20`` → ``$A$6:$M$20``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in cells.split(":"))
