"""Deadlines: "请各乡镇于12月10日前…报送…", "3月底前完成…", "每月25日前报送…"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import resolve_month_day, safe_date
from briefbot.briefing.model import Deadline

_OWNER = r"(?:请|由|要求)?(?P<owner>各[^于在。，,；]{0,15}?|[^于在。，,；请]{2,15}?(?:单位|部门|市|县|区|乡镇|办|局|厅|委))?"
_DEADLINE = re.compile(
    rf"(?P<raw>(?:请|务必|须|并|要求)?{_OWNER}\s*(?:务必|须|要)?(?:于|在)?\s*(?:(?P<y>\d{{4}})年)?"
    r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\s*[（(](?:星期|周)[一二三四五六日天][）)])?"
    r"(?:\s*\d{1,2}[时点](?:\d{1,2}分)?)?(?:上午|下午|中午|晚上)?(?:下班)?(?:前|之前|以前)(?P<rest>[^。；，,]*))"
)
# a vague deadline counts only with an imperative cue: "部署年底前重点工作" is no deadline
_DEADLINE_FUZZY = re.compile(
    r"(?P<raw>(?:(?P<cue>请|务必|须|确保|要在|应在|并于|要求|要于|应于)(?P<owner>各[^于在。，,；]{0,15}?)?[^。；，,]{0,12}?)?"
    r"(?P<what>本月底|月底|年底|本年底|(?P<month>\d{1,2})月(?:底|上旬|中旬|下旬)|每月(?P<day>\d{1,2})日|每周[一二三四五])前(?P<rest>[^。；，,]*))"
)
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
    """The latest day an approximate deadline allows."""
    if issued is None:
        return None
    what = m.group("what")
    if what in ("本月底", "月底"):
        return _month_end(issued.year, issued.month)
    if what in ("年底", "本年底"):
        return date(issued.year, 12, 31)
    if m.group("month"):
        month = int(m.group("month"))
        year = issued.year + (1 if month < issued.month - 2 else 0)
        if what.endswith("底") or what.endswith("下旬"):
            return _month_end(year, month)
        return safe_date(year, month, 10 if what.endswith("上旬") else 20)
    return None


def _in(text: str, issued: date | None) -> Iterator[tuple[re.Match[str], Deadline]]:
    for m in _DEADLINE.finditer(text):
        if m.group("y"):
            when = safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        else:
            when = resolve_month_day(f"{m.group('m')}月{m.group('d')}日", issued, forward=True)
        what, to = _submission(m.group("rest"))
        yield (
            m,
            Deadline(
                raw=_clause(m.group("raw"), m.group("rest")).strip(),
                date=when,
                owner=m.group("owner"),
                what=what,
                to=to,
            ),
        )
    for m in _DEADLINE_FUZZY.finditer(text):
        if not m.group("cue") and not _DUE_VERB.match(m.group("rest")):
            continue
        recurring = m.group("what").startswith("每")
        what, to = _submission(m.group("rest"))
        yield (
            m,
            Deadline(
                raw=_clause(m.group("raw"), m.group("rest")).strip(),
                date=None if recurring else _fuzzy_date(m, issued),
                approximate=not recurring,
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
    return found
