"""Dates as briefings write them: ``2024年4月5日``, ``二〇二四年四月五日``, ``11月19日``."""

from __future__ import annotations

import re
from datetime import date

from briefbot.briefing.numerals import parse_number, to_ascii_digits

DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
CN_DATE = re.compile(
    r"(?P<y>[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
ISO_DATE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
MONTH_DAY = re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
CN_MONTH_DAY = re.compile(
    r"(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})日"
)
# a line that is only a month and a day: "（10月18日）", "九月十日"
SHORT_DATE = re.compile(
    r"^[（(]?\s*(?:\d{4}年)?(?:\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)\s*[）)]?$"
)


def month_day(text: str) -> str | None:
    """ "11月19日" or "十一月十九日" as "11月19日"."""
    if m := MONTH_DAY.search(to_ascii_digits(text)):
        return m.group(0)
    if m := CN_MONTH_DAY.search(text):
        month, day = parse_number(m.group("m")), parse_number(m.group("d"))
        if month and day:
            return f"{month}月{day}日"
    return None


# a line that is only a date ("2024年4月5日", "二〇二四年四月五日", "（2024年4月5日）")
DATE_ONLY = re.compile(
    r"^[（(〔\[]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"
    r"[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日|"
    r"\d{4}-\d{1,2}-\d{1,2})\s*[）)〕\]]?$"
)


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(text: str, *, iso: bool = False) -> tuple[date | None, str | None]:
    """The first full date in ``text`` and the words it was read from."""
    ascii_text = to_ascii_digits(text)
    # full-width digits map one to one, so positions in ``ascii_text`` hold in ``text``
    if d := DATE.search(ascii_text):
        when = safe_date(int(d.group("y")), int(d.group("m")), int(d.group("d")))
        return when, text[d.start() : d.end()]
    if d := CN_DATE.search(text):
        y, m, dd = (parse_number(d.group(k)) for k in ("y", "m", "d"))
        if y and m and dd:
            return safe_date(y, m, dd), d.group(0)
    if iso and (d := ISO_DATE.search(ascii_text)):
        when = safe_date(int(d.group("y")), int(d.group("m")), int(d.group("d")))
        return when, text[d.start() : d.end()]
    return None, None


def is_date_only(line: str) -> bool:
    return bool(DATE_ONLY.match(to_ascii_digits(line.replace(" ", ""))))


def resolve_month_day(raw: str, reference: date | None, *, forward: bool) -> date | None:
    """Resolve "11月19日" against the briefing date; roll the year over when it must.

    A past event (a directive) lies before the reference; a deadline lies after it.
    """
    m = MONTH_DAY.search(to_ascii_digits(raw))
    if m is None or reference is None:
        return None
    candidate = safe_date(reference.year, int(m.group("m")), int(m.group("d")))
    if candidate is None:
        return None
    if forward and (reference - candidate).days > 60:
        return safe_date(reference.year + 1, candidate.month, candidate.day)
    if not forward and (candidate - reference).days > 60:
        return safe_date(reference.year - 1, candidate.month, candidate.day)
    return candidate
