"""Deadlines: "请各乡镇于12月10日前…报送…", "3月底前完成…", "每月25日前报送…"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import resolve_month_day, safe_date
from briefbot.briefing.model import Deadline
from briefbot.briefing.numerals import parse_number
from briefbot.briefing.roles import deadline_table

_OWNER = r"(?:请|由|要求)?(?P<owner>各[^于在。，,；]{0,15}?|[^于在。，,；请]{2,15}?(?:单位|部门|市|县|区|乡镇|办|局|厅|委))?"
_DEADLINE = re.compile(
    rf"(?P<raw>(?:请|务必|须|并|要求)?{_OWNER}\s*(?:务必|须|要)?(?:于|在)?\s*(?:(?P<y>\d{{4}})年)?"
    r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\s*[（(](?:星期|周)[一二三四五六日天][）)])?"
    r"(?:\s*\d{1,2}[时点](?:\d{1,2}分)?)?(?:上午|下午|中午|晚上)?(?:下班)?(?:前|之前|以前)(?P<rest>[^。；，,|]*))"
    # "截止12月5日", "报名截止时间为2025年3月5日" (截止 is the end; 截至 is "as of")
    r"|(?P<closing>截止(?:时间|日期)?(?:为|到|至|于)?[:：]?\s*(?:(?P<cy>\d{4})年)?"
    r"(?P<cm>\d{1,2})月(?P<cd>\d{1,2})日)"
)
_CN = "一二三四五六七八九十"
_WEEKDAYS = "一二三四五六日"
_WEEKDAY_INDEX = {**{d: i for i, d in enumerate(_WEEKDAYS)}, "天": 6}


def _fuzzy() -> re.Pattern[str]:
    cue = "|".join(sorted(cues.DEADLINE_IMPERATIVES, key=len, reverse=True))
    return re.compile(
        rf"(?P<raw>(?:(?P<cue>{cue})(?P<owner>各[^于在。，,；]{{0,15}}?)?[^。；，,|]{{0,12}}?)?"
        rf"(?:今年|本年)?(?P<what>本月底|月底|年底|本年底|本月(?P<thisday>\d{{1,2}})日"
        rf"|(?P<month>\d{{1,2}}|[{_CN}]{{1,3}})月(?:底|上旬|中旬|下旬)|每月(?P<day>\d{{1,2}})日"
        rf"|每周[一二三四五]|(?P<week>本周|下周)(?:星期)?(?P<weekday>[{_WEEKDAYS}天]))"
        r"(?:前|之前|以前)(?P<rest>[^。；，,|]*))"
    )


# a vague deadline counts only with an imperative cue: "部署年底前重点工作" is no deadline
_DEADLINE_FUZZY = _fuzzy()
# "自12月起，…每月10日前": a recurring deadline's first day
_FROM_MONTH = re.compile(r"(?:自|从)(?P<month>\d{1,2})月(?:份)?(?:起|开始)")
# without an imperative cue, the phrase must go on to say what is due: "3月底前报送整改方案"
_DUE_VERB = re.compile(r"^(?:将|把)?[^，,。；]{0,20}?(?:" + "|".join(cues.DUE_VERBS) + ")")
_SUBMIT = re.compile(
    r"^[，,]?\s*(?:将|把)?(?P<what>[^，,。；]*?)(?:以[^，,。；]{1,10})?(?:报送|报|送|提交|上报|反馈|报告)"
    r"(?:至|给|到)?(?P<to>[^，,。；]*)"
)
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")


def _submission(rest: str) -> tuple[str | None, str | None]:
    """What is due and to whom, from the words after the time phrase."""
    clause = re.split(r"[，,]", rest.lstrip("，, "), maxsplit=1)[0]
    m = _SUBMIT.match(clause)
    if m is None:
        return (clause.strip() or None), None
    what = (m.group("what") or "").strip() or None
    to = (m.group("to") or "").strip() or None
    if what is None:  # "报送当月进展": the verb comes first, its object is what is due
        return to, None
    return what, to


def _clause(raw: str, rest: str) -> str:
    """The deadline phrase up to the end of its own clause."""
    tail = re.split(r"[，,]", rest.lstrip("，, "), maxsplit=1)
    return raw[: len(raw) - len(rest)] + rest[: len(rest) - len(rest.lstrip("，, "))] + tail[0]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _fuzzy_date(m: re.Match[str], issued: date | None) -> date | None:
    """The latest day an approximate deadline allows; 本月28日, 本周五 counted from ``issued``."""
    if issued is None:
        return None
    what = m.group("what")
    if what in ("本月底", "月底"):
        return _month_end(issued.year, issued.month)
    if what in ("年底", "本年底"):
        return date(issued.year, 12, 31)
    if m.group("thisday"):
        return safe_date(issued.year, issued.month, int(m.group("thisday")))
    if m.group("week"):
        monday = issued.toordinal() - issued.weekday() + (7 if m.group("week") == "下周" else 0)
        return date.fromordinal(monday + _WEEKDAY_INDEX[m.group("weekday")])
    if m.group("month"):
        month = parse_number(m.group("month")) or 0
        year = issued.year + (1 if month < issued.month - 2 else 0)
        if what.endswith("底") or what.endswith("下旬"):
            return _month_end(year, month)
        return safe_date(year, month, 10 if what.endswith("上旬") else 20)
    return None


def _first_due(text: str, m: re.Match[str], issued: date | None) -> date | None:
    """ "自4月起每月5日前": the first of the recurring days, when the start month is given."""
    sentence_start = max(text.rfind(ch, 0, m.start()) for ch in "。！？；") + 1
    start = _FROM_MONTH.search(text, sentence_start, m.start())
    if start is None or issued is None or not m.group("day"):
        return None
    return resolve_month_day(f"{start.group('month')}月{m.group('day')}日", issued, forward=True)


def _in(text: str, issued: date | None) -> Iterator[tuple[re.Match[str], Deadline]]:
    for m in _DEADLINE.finditer(text):
        if m.group("closing"):
            year, month, day, raw, rest = (
                m.group("cy"),
                m.group("cm"),
                m.group("cd"),
                m.group(0),
                "",
            )
        else:
            year, month, day = m.group("y"), m.group("m"), m.group("d")
            raw, rest = m.group("raw"), m.group("rest")
        if year:
            when = safe_date(int(year), int(month), int(day))
        else:
            when = resolve_month_day(f"{month}月{day}日", issued, forward=True)
        what, to = _submission(rest)
        yield (
            m,
            Deadline(
                raw=_clause(raw, rest).strip(),
                date=when,
                owner=m.group("owner"),
                what=what,
                to=to,
            ),
        )
    for m in _DEADLINE_FUZZY.finditer(text):
        starts = bool(m.group("day")) and _FROM_MONTH.search(text, 0, m.start()) is not None
        if not m.group("cue") and not _DUE_VERB.match(m.group("rest")) and not starts:
            continue
        recurring = m.group("what").startswith("每")
        exact = bool(m.group("thisday") or m.group("week"))
        what, to = _submission(m.group("rest"))
        yield (
            m,
            Deadline(
                raw=_clause(m.group("raw"), m.group("rest")).strip(),
                date=_first_due(text, m, issued) if recurring else _fuzzy_date(m, issued),
                approximate=not recurring and not exact,
                recurring=recurring,
                owner=m.group("owner"),
                what=what,
                to=to,
            ),
        )


_CONTENT = (Role.BODY, Role.NEWS, Role.TASK, Role.DIRECTIVE, None)


def claim(blocks: list[Block], issued: date | None) -> list[Deadline]:
    """Deadlines in body text (directives keep their own role; their deadlines still count)."""
    found: list[Deadline] = []
    for block in blocks:
        if block.role not in _CONTENT:
            continue
        for m, deadline in _in(block.text, issued):
            found.append(deadline)
            if block.role is Role.DIRECTIVE:
                continue
            # the whole sentence that carries the deadline
            start = max(block.text.rfind(ch, 0, m.start()) for ch in "。！？；") + 1
            end_match = re.search("[。！？；]", block.text[m.end() :])
            end = m.end() + end_match.end() if end_match else len(block.text)
            if not any(s.start < end and start < s.end for s in block.segments):
                block.mark(start, end, Role.DEADLINE, "时限：" + deadline.raw[:12])
    content = [b for b in blocks if b.role in _CONTENT]
    return found + deadline_table.claim(content, issued, lambda cell: any(_in(cell, issued)))
