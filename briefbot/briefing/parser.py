"""Parse repaired briefing text into a :class:`Briefing`.

The structure comes from the genre's own markers: the masthead (title, 第N期, issuer, date),
【…】 section headings, "X月X日，某某省长…作出批示：“…”" directives, 一是…二是… lists and
"请于…前" deadlines. Full parsing depth (every format and artifact) is tracked separately.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from briefbot.briefing.model import Briefing, Deadline, Directive, Issue, NewsItem, Task
from briefbot.briefing.numerals import parse_number, to_ascii_digits
from briefbot.briefing.repair import is_section_heading, reflow, split_layout

_CN_NUM = "0-9０-９一二三四五六七八九十百零〇○两"
_ISSUE = re.compile(
    rf"(?:(?P<year>\d{{4}})\s*年\s*)?第\s*(?P<num>[{_CN_NUM}]+)\s*期(?:\s*[（(]?\s*总第\s*(?P<cum>[{_CN_NUM}]+)\s*期\s*[)）]?)?"
)
_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_CLASSIFICATION = re.compile(r"^(内部资料|内部刊物|机密|秘密|绝密|内部|注意保存)[^，。]{0,10}$")
_ISSUER_TAIL = re.compile(r"(办公室|领导小组|委员会|人民政府|政府|厅|局|委|办|中心|部|编)$")

_TITLES = (
    "常务副省长|副省长|省长|省委书记|省委副书记|副书记|书记|常务副市长|副市长|市长|市委书记|"
    "县委书记|副县长|县长|区长|副区长|秘书长|副主任|主任|副部长|部长|副厅长|厅长|副局长|局长|主席|副主席"
)
_NAME = r"[\u4e00-\u9fff·]{2,4}?"
# what follows a name written after its title ("县委书记陈立新在《…》上批示")
_AFTER_NAME = r"(?:同志|在|对|于|就|作出|做出|批示|[，,、:：])"
_DIRECTIVE = re.compile(
    r"(?:(?P<date>\d{1,2}月\d{1,2}日)[，,、]?\s*)?"
    rf"(?:(?P<title2>{_TITLES})(?P<name2>{_NAME})(?={_AFTER_NAME})|(?P<name1>{_NAME})(?P<title1>{_TITLES}))"
    r"(?:同志)?"
    r"(?P<middle>[^。]{0,80}?)(?:作出|做出)?(?:重要)?批示(?:指出|强调|要求)?[:：]\s*“"
)
_DOCUMENT = re.compile(r"《(?P<doc>[^》]{1,80})》")
_ORDINALS = "一二三四五六七八九十"
_ORDINAL_AT = re.compile(rf"(?:^|(?<=[。；;，,：:！]))(?P<ord>[{_ORDINALS}]{{1,2}})是")
_PROBLEM_CUES = ("不足", "问题", "差距", "短板", "薄弱", "困难", "不够", "不到位")
_DEADLINE = re.compile(
    r"(?P<raw>(?:(?:请|务必|须|并)[^。；，,]{0,12}?)?于?\s*(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
    r"(?:\s*\d{1,2}[时点](?:\d{1,2}分)?)?(?:前|之前)[^。；]*)"
)
# a vague deadline counts only with an imperative cue: "部署年底前重点工作" is no deadline
_DEADLINE_FUZZY = re.compile(
    r"(?P<raw>(?:请|务必|须|确保|要在|应在|并于)[^。；，,]{0,12}?(?P<what>本月底|月底|年底|每月\d{1,2}日)前[^。；]*)"
)


def parse_briefing(text: str) -> Briefing:
    layout = split_layout(text)
    title, issue, issued, issuer, classification = _masthead(layout.masthead)
    paragraphs = reflow(layout.body)
    sections, grouped = _sections(paragraphs)
    directives = tuple(d for p in paragraphs if (d := _directive(p, issued)) is not None)
    news = tuple(_news(grouped))
    tasks, problems = _lists(paragraphs)
    deadlines = tuple(_deadlines(paragraphs, issued))
    digest = hashlib.sha256("\n".join(layout.masthead + paragraphs).encode()).hexdigest()
    return Briefing(
        title=title,
        issue=issue,
        date=issued,
        issuer=issuer,
        classification=classification,
        sections=tuple(sections),
        directives=directives,
        news=news,
        tasks=tasks,
        problems=problems,
        deadlines=deadlines,
        colophon=tuple(layout.colophon),
        paragraphs=tuple(paragraphs),
        content_hash=digest,
    )


def _masthead(
    lines: list[str],
) -> tuple[str, Issue | None, date | None, str | None, str | None]:
    title = ""
    issue: Issue | None = None
    issued: date | None = None
    issuer: str | None = None
    classification: str | None = None
    for line in lines:
        ascii_line = to_ascii_digits(line)
        if classification is None and _CLASSIFICATION.match(line):
            classification = line
            continue
        if issue is None and (m := _ISSUE.search(ascii_line)):
            issue = Issue(
                raw=m.group(0).strip(),
                number=parse_number(m.group("num")),
                year=int(m.group("year")) if m.group("year") else None,
                cumulative=parse_number(m.group("cum")) if m.group("cum") else None,
            )
            rest = ascii_line.replace(m.group(0), " ").strip()
            if rest and (d := _DATE.search(rest)):
                issued = _safe_date(int(d.group("y")), int(d.group("m")), int(d.group("d")))
                rest = rest.replace(d.group(0), " ").strip()
            if rest and issuer is None and _ISSUER_TAIL.search(rest):
                issuer = rest
            continue
        if issued is None and (d := _DATE.search(ascii_line)):
            issued = _safe_date(int(d.group("y")), int(d.group("m")), int(d.group("d")))
            rest = ascii_line.replace(d.group(0), " ").strip()
            if rest and issuer is None and _ISSUER_TAIL.search(rest):
                issuer = rest  # "某某办公室  2025年1月6日" on one line
            continue
        if not title:
            title = line
            continue
        if issuer is None and _ISSUER_TAIL.search(line):
            issuer = line
    if issue is not None and issue.year is None and issued is not None:
        issue = Issue(issue.raw, issue.number, issued.year, issue.cumulative)
    return title, issue, issued, issuer, classification


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_month_day(raw: str, reference: date | None, *, forward: bool) -> date | None:
    """Resolve "11月19日" against the briefing date; roll the year over when it must.

    A past event (a directive) lies before the reference; a deadline lies after it.
    """
    m = re.search(r"(\d{1,2})月(\d{1,2})日", raw)
    if m is None or reference is None:
        return None
    candidate = _safe_date(reference.year, int(m.group(1)), int(m.group(2)))
    if candidate is None:
        return None
    if forward and (reference - candidate).days > 60:
        return _safe_date(reference.year + 1, candidate.month, candidate.day)
    if not forward and (candidate - reference).days > 60:
        return _safe_date(reference.year - 1, candidate.month, candidate.day)
    return candidate


def _sections(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    names: list[str] = []
    grouped: list[tuple[str, list[str]]] = []
    current = "正文"
    for paragraph in paragraphs:
        if is_section_heading(paragraph):
            current = paragraph.strip("【】")
            names.append(current)
            grouped.append((current, []))
            continue
        if not grouped:
            grouped.append((current, []))
        grouped[-1][1].append(paragraph)
    return names, grouped


def _quoted(text: str, start: int) -> str:
    """Text from just after an opening “ at ``start - 1`` to its matching ”, nesting respected."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "“":
            depth += 1
        elif text[i] == "”":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:].rstrip("”")


def _directive(paragraph: str, issued: date | None) -> Directive | None:
    m = _DIRECTIVE.search(paragraph)
    if m is None:
        return None
    leader = m.group("name1") or m.group("name2") or ""
    title = m.group("title1") or m.group("title2") or ""
    date_raw = m.group("date") or ""
    doc = _DOCUMENT.search(m.group("middle") or "")
    return Directive(
        leader=leader,
        title=title,
        date=resolve_month_day(date_raw, issued, forward=False) if date_raw else None,
        date_raw=date_raw,
        text=_quoted(paragraph, m.end()).strip(),
        document=doc.group("doc") if doc else None,
    )


def _first_sentence(text: str) -> str:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        elif ch in "。！？" and depth == 0:
            return text[: i + 1]
    return text


_NEWS_START = re.compile(r"^\d{1,2}月\d{1,2}日")


def _news(grouped: list[tuple[str, list[str]]]) -> list[NewsItem]:
    items: list[NewsItem] = []
    for section, paragraphs in grouped:
        if "批示" in section:
            continue
        current: list[str] = []
        for paragraph in paragraphs:
            if current and _NEWS_START.match(paragraph):
                items.append(_item(section, current))
                current = []
            current.append(paragraph)
        if current:
            items.append(_item(section, current))
    return items


def _item(section: str, paragraphs: list[str]) -> NewsItem:
    body = "\n".join(paragraphs)
    return NewsItem(section=section, lead=_first_sentence(paragraphs[0]), body=body)


def _lists(paragraphs: list[str]) -> tuple[tuple[Task, ...], tuple[str, ...]]:
    """Find 一是…二是… sequences; a sequence introduced by talk of shortcomings lists problems."""
    tasks: list[Task] = []
    problems: list[str] = []
    for paragraph in paragraphs:
        hits = [m for m in _ORDINAL_AT.finditer(paragraph)]
        sequences: list[list[re.Match[str]]] = []
        for hit in hits:
            n = parse_number(hit.group("ord"))
            if n == 1:
                sequences.append([hit])
            elif sequences and n == len(sequences[-1]) + 1:
                sequences[-1].append(hit)
        for seq in sequences:
            if len(seq) < 2:
                continue
            intro_start = max(0, paragraph.rfind("。", 0, max(0, seq[0].start() - 1)) + 1)
            intro = paragraph[intro_start : seq[0].start()]
            is_problem = any(cue in intro for cue in _PROBLEM_CUES)
            for idx, hit in enumerate(seq):
                end = seq[idx + 1].start() if idx + 1 < len(seq) else len(paragraph)
                chunk = paragraph[hit.end() : end]
                if is_problem:
                    tail = re.split(r"[。，,；]", chunk, maxsplit=1)[0]
                    problems.append(tail)
                    continue
                heading = _first_sentence(chunk)
                tasks.append(
                    Task(
                        ordinal=idx + 1,
                        heading=heading.rstrip("。；"),
                        body=chunk[len(heading) :].strip(),
                    )
                )
    return tuple(tasks), tuple(problems)


def _deadlines(paragraphs: list[str], issued: date | None) -> list[Deadline]:
    found: list[Deadline] = []
    for paragraph in paragraphs:
        for m in _DEADLINE.finditer(paragraph):
            raw = m.group("raw").strip()
            if m.group("y"):
                when = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            else:
                when = resolve_month_day(f"{m.group('m')}月{m.group('d')}日", issued, forward=True)
            found.append(Deadline(raw=raw, date=when))
        for m in _DEADLINE_FUZZY.finditer(paragraph):
            what = m.group("what")
            found.append(
                Deadline(
                    raw=m.group("raw").strip(),
                    date=_fuzzy_date(what, issued),
                    approximate=not what.startswith("每月"),
                    recurring=what.startswith("每月"),
                )
            )
    return found


def _fuzzy_date(what: str, issued: date | None) -> date | None:
    if issued is None:
        return None
    if what in ("本月底", "月底"):
        nxt = date(issued.year + issued.month // 12, issued.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    if what == "年底":
        return date(issued.year, 12, 31)
    return None
