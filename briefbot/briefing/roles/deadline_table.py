"""Deadlines in a table's time-limit column: "序号 | 事项 | 责任单位 | 完成时限" over
"1 | 村道硬化 | 县交通局 | 9月底". A cell says only the date ("9月底", "10月15日"), so the column
header is the cue; a cell that reads like a deadline sentence is left to
:mod:`briefbot.briefing.roles.deadlines`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block
from briefbot.briefing.dates import resolve_month_day, safe_date
from briefbot.briefing.model import Deadline
from briefbot.briefing.numerals import parse_number, to_ascii_digits

_CELLS = re.compile(r"\s*[|│┃]\s*")
_CELL_DATE = re.compile(
    r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})月"
    r"(?:(?P<d>\d{1,2})日|(?P<part>底|上旬|中旬|下旬))?(?:[（(][^）)]*[）)])?(?:前|之前|以前)?$"
)


def cells(text: str) -> list[str]:
    return [c for c in _CELLS.split(text.strip()) if c]


def _is_row(text: str) -> bool:
    return len(cells(text)) >= 2 and _CELLS.search(text) is not None


def _month_end(year: int, month: int) -> date | None:
    nxt = safe_date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1) if nxt else None


def cell_date(cell: str, issued: date | None) -> tuple[date | None, bool] | None:
    """The date a time-limit cell names, and whether it is approximate (月底, 中旬)."""
    compact = to_ascii_digits(re.sub(r"\s", "", cell))
    if compact in ("年底", "年底前", "本年底"):
        return (date(issued.year, 12, 31) if issued else None), True
    m = _CELL_DATE.match(compact)
    if m is None:
        return None
    month = parse_number(m.group("m")) or 0
    if m.group("d"):
        if m.group("y"):
            return safe_date(int(m.group("y")), month, int(m.group("d"))), False
        return resolve_month_day(f"{month}月{m.group('d')}日", issued, forward=True), False
    if issued is None and not m.group("y"):
        return None, True
    year = int(m.group("y")) if m.group("y") else issued.year if issued else 0
    if not m.group("y") and issued is not None and month < issued.month - 2:
        year += 1
    part = m.group("part") or "底"
    if part in ("底", "下旬"):
        return _month_end(year, month), True
    return safe_date(year, month, 10 if part == "上旬" else 20), True


def claim(blocks: list[Block], issued: date | None, read: Callable[[str], bool]) -> list[Deadline]:
    """Deadlines from the time-limit column of each table (``read``: whether a cell was already
    read as a deadline sentence)."""
    found: list[Deadline] = []
    column: int | None = None  # counted from the right: rows may have a cell fewer on the left
    for block in blocks:
        if not _is_row(block.text):
            column = None
            continue
        row = cells(block.text)
        header = [i for i, c in enumerate(row) if c.endswith(cues.DEADLINE_COLUMNS)]
        if header:
            column = len(row) - header[0]
            continue
        if column is None or column > len(row):
            continue
        cell = row[-column]
        if read(cell) or (when := cell_date(cell, issued)) is None:
            continue
        named = [c for c in row if not re.fullmatch(r"[0-9０-９.、]+", c)]
        found.append(
            Deadline(
                raw=" ".join(named),  # "城区老旧小区改造 县住建局 8月底"
                date=when[0],
                approximate=when[1],
                what=named[0] if named[0] != cell else None,
            )
        )
    return found
