"""Parse a briefing's pages into a :class:`Briefing`.

The structure comes from the genre's own markers: the masthead (title, 第N期, issuer, date),
【…】 or plain section headings, "X月X日，某某省长…作出批示：“…”" directives, 一是…二是… lists,
"请…于…前…报送…" deadlines and the 报/送/发 colophon.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from briefbot.briefing.model import (
    Briefing,
    Colophon,
    Deadline,
    Directive,
    Issue,
    NewsItem,
    Task,
)
from briefbot.briefing.numerals import parse_number, to_ascii_digits
from briefbot.briefing.repair import (
    PAGE_BREAK,
    as_section_heading,
    looks_like_heading,
    reflow,
    split_layout,
)

_CN_NUM = "0-9０-９一二三四五六七八九十百零〇○两"
_ISSUE = re.compile(
    rf"(?:(?P<year>\d{{4}})\s*年\s*)?第\s*(?P<num>[{_CN_NUM}]+)\s*期"
    rf"(?:\s*[（(]?\s*总第\s*(?P<cum>[{_CN_NUM}]+)\s*期\s*[)）]?)?"
)
_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_CN_DATE = re.compile(
    r"(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日"
)
_CLASSIFICATION = re.compile(r"^(内部资料|内部刊物|内部参阅|绝密|机密|秘密|内部)")
_ISSUER_TAIL = re.compile(r"(办公室|领导小组|委员会|人民政府|政府|厅|局|委|办|中心|部|秘书处|编)$")

_TITLES = (
    "常务副省长|副省长|省长|省委书记|省委副书记|副书记|书记|常务副市长|副市长|市长|市委书记|"
    "县委书记|副县长|县长|区长|副区长|秘书长|副主任|主任|副部长|部长|副厅长|厅长|副局长|局长|"
    "主席|副主席|州长|副州长|旗长"
)
_NAME = r"[\u4e00-\u9fff·]{2,4}?"
# what follows a name written after its title ("县委书记陈立新在《…》上批示")
_AFTER_NAME = r"(?:同志|在|对|于|就|作出|做出|批示|[，,、:：])"
_DIRECTIVE = re.compile(
    r"(?:(?P<date>\d{1,2}月\d{1,2}日)[，,、]?\s*)?"
    rf"(?:(?P<title2>{_TITLES})(?P<name2>{_NAME})(?={_AFTER_NAME})|(?P<name1>{_NAME})(?P<title1>{_TITLES}))"
    r"(?:同志)?"
    r"(?P<middle>[^。]{0,80}?)(?:作出|做出)?(?:重要)?批示[，,]?\s*(?:指出|强调|要求)?[:：]\s*“"
)
_DOCUMENT = re.compile(r"《(?P<doc>[^》]{1,80})》")
_ORDINALS = "一二三四五六七八九十"
_ORDINAL_AT = re.compile(rf"(?:^|(?<=[。；;，,：:！]))(?P<ord>[{_ORDINALS}]{{1,2}})是")
_PROBLEM_CUES = ("不足", "问题", "差距", "短板", "薄弱", "困难", "不够", "不到位", "短处")
_OWNER = r"(?:请|由|要求)?(?P<owner>各[^于在。，,；]{0,15}?|[^于在。，,；请]{2,15}?(?:单位|部门|市|县|区|乡镇|办|局|厅|委))?"
_DEADLINE = re.compile(
    rf"(?P<raw>(?:请|务必|须|并|要求)?{_OWNER}\s*(?:务必|须|要)?(?:于|在)?\s*(?:(?P<y>\d{{4}})年)?"
    r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:\s*\d{1,2}[时点](?:\d{1,2}分)?)?(?:前|之前|以前)(?P<rest>[^。；]*))"
)
# a vague deadline counts only with an imperative cue: "部署年底前重点工作" is no deadline
_DEADLINE_FUZZY = re.compile(
    r"(?P<raw>(?:(?P<cue>请|务必|须|确保|要在|应在|并于|要求)(?P<owner>各[^于在。，,；]{0,15}?)?[^。；，,]{0,12}?)?"
    r"(?P<what>本月底|月底|年底|本年底|(?P<month>\d{1,2})月(?:底|上旬|中旬|下旬)|每月(?P<day>\d{1,2})日|每周[一二三四五])前(?P<rest>[^。；]*))"
)
# without an imperative cue, the phrase must go on to say what is due: "3月底前报送整改方案"
_DUE_VERB = re.compile(r"^(?:将|把)?[^，,。；]{0,20}?(?:报送|提交|上报|完成|反馈|报告|报)")
_SUBMIT = re.compile(
    r"^[，,]?\s*(?:将|把)?(?P<what>[^，,。；]*?)(?:以[^，,。；]{1,10})?(?:报送|报|送|提交|上报|反馈|报告)"
    r"(?:至|给|到)?(?P<to>[^，,。；]*)"
)


def parse_briefing(source: str | list[list[str]]) -> Briefing:
    pages = (
        [page.split("\n") for page in source.split(PAGE_BREAK)]
        if isinstance(source, str)
        else source
    )
    layout = split_layout(pages)
    title, issue, issued, issuer, classification = _masthead(layout.masthead)
    paragraphs = reflow(layout.body)
    sections, grouped = _sections(paragraphs)
    directives = tuple(d for p in paragraphs for d in _directives(p, issued))
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
        colophon=_colophon(layout.colophon),
        paragraphs=tuple(paragraphs),
        content_hash=digest,
    )


def _date_in(text: str) -> tuple[date | None, str | None]:
    ascii_text = to_ascii_digits(text)
    if d := _DATE.search(ascii_text):
        return _safe_date(int(d.group("y")), int(d.group("m")), int(d.group("d"))), d.group(0)
    if d := _CN_DATE.search(text):
        y, m, dd = (parse_number(d.group(k)) for k in ("y", "m", "d"))
        if y and m and dd:
            return _safe_date(y, m, dd), d.group(0)
    return None, None


def _masthead(
    lines: list[str],
) -> tuple[str, Issue | None, date | None, str | None, str | None]:
    title = ""
    issue: Issue | None = None
    issued: date | None = None
    issuer: str | None = None
    classification: str | None = None
    for line in lines:
        rest = to_ascii_digits(line)
        if classification is None and (c := _CLASSIFICATION.match(line)):
            classification = c.group(1)
            continue
        matched = False
        if issue is None and (m := _ISSUE.search(rest)):
            issue = Issue(
                raw=m.group(0).strip(),
                number=parse_number(m.group("num")),
                year=int(m.group("year")) if m.group("year") else None,
                cumulative=parse_number(m.group("cum")) if m.group("cum") else None,
            )
            rest = rest.replace(m.group(0), " ").strip()
            matched = True
        if issued is None:
            found, raw = _date_in(rest)
            if found is not None and raw is not None:
                issued = found
                rest = rest.replace(raw, " ").strip()
                matched = True
        if matched:
            if rest and issuer is None and _ISSUER_TAIL.search(rest):
                issuer = rest  # "某某办公室  2025年1月6日" on one line
            continue
        if not title:
            title = line
        elif issuer is None and _ISSUER_TAIL.search(line):
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


_NUMBERED_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、)(?P<name>[^。；]{1,24})$")


def _sections(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    names: list[str] = []
    grouped: list[tuple[str, list[str]]] = []
    for paragraph in paragraphs:
        name = as_section_heading(paragraph)
        if name is None and _NUMBERED_SECTION.match(paragraph):
            name = paragraph
        if name is not None:
            names.append(name)
            grouped.append((name, []))
            continue
        if not grouped:
            grouped.append(("正文", []))
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


def _directives(paragraph: str, issued: date | None) -> list[Directive]:
    found = []
    position = 0
    while m := _DIRECTIVE.search(paragraph, position):
        leader = m.group("name1") or m.group("name2") or ""
        title = m.group("title1") or m.group("title2") or ""
        date_raw = m.group("date") or ""
        doc = _DOCUMENT.search(m.group("middle") or "")
        text = _quoted(paragraph, m.end()).strip()
        found.append(
            Directive(
                leader=leader,
                title=title,
                date=resolve_month_day(date_raw, issued, forward=False) if date_raw else None,
                date_raw=date_raw,
                text=text,
                document=doc.group("doc") if doc else None,
            )
        )
        position = m.end() + len(text) + 1
    return found


def first_sentence(text: str) -> str:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        elif ch in "。！？" and depth == 0:
            return text[: i + 1]
    return text


_NEWS_START = re.compile(r"^\d{1,2}月\d{1,2}日|^近日|^日前|^近期|^\d{1,2}月(?:上|中|下)旬")


def _is_headline(paragraph: str) -> bool:
    return (
        len(paragraph) <= 40
        and paragraph[-1] not in "。！？；：:"
        and " | " not in paragraph  # a table row
        and not looks_like_heading(paragraph)
    )


def _news(grouped: list[tuple[str, list[str]]]) -> list[NewsItem]:
    items: list[NewsItem] = []
    for section, paragraphs in grouped:
        if "批示" in section or "编者按" in section:
            continue
        current: list[str] = []
        headline: str | None = None
        for paragraph in paragraphs:
            if _is_headline(paragraph):
                if current:
                    items.append(_item(section, current, headline))
                    current = []
                headline = paragraph
                continue
            if current and _NEWS_START.match(paragraph):
                items.append(_item(section, current, headline))
                current, headline = [], None
            current.append(paragraph)
        if current:
            items.append(_item(section, current, headline))
    return items


def _item(section: str, paragraphs: list[str], headline: str | None) -> NewsItem:
    lead = headline or first_sentence(paragraphs[0])
    return NewsItem(section=section, lead=lead, body="\n".join(paragraphs), headline=headline)


def _lists(paragraphs: list[str]) -> tuple[tuple[Task, ...], tuple[str, ...]]:
    """Find 一是…二是… sequences; a sequence introduced by talk of shortcomings lists problems."""
    tasks: list[Task] = []
    problems: list[str] = []
    for paragraph in paragraphs:
        sequences: list[list[re.Match[str]]] = []
        for hit in _ORDINAL_AT.finditer(paragraph):
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
                    problems.append(re.split(r"[。，,；]", chunk, maxsplit=1)[0])
                    continue
                heading = first_sentence(chunk)
                tasks.append(
                    Task(
                        ordinal=idx + 1,
                        heading=heading.rstrip("。；"),
                        body=chunk[len(heading) :].strip(),
                    )
                )
    return tuple(tasks), tuple(problems)


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


def _deadlines(paragraphs: list[str], issued: date | None) -> list[Deadline]:
    found: list[Deadline] = []
    for paragraph in paragraphs:
        for m in _DEADLINE.finditer(paragraph):
            if m.group("y"):
                when = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            else:
                when = resolve_month_day(f"{m.group('m')}月{m.group('d')}日", issued, forward=True)
            what, to = _submission(m.group("rest"))
            found.append(
                Deadline(
                    raw=_clause(m.group("raw"), m.group("rest")).strip(),
                    date=when,
                    owner=m.group("owner"),
                    what=what,
                    to=to,
                )
            )
        for m in _DEADLINE_FUZZY.finditer(paragraph):
            if not m.group("cue") and not _DUE_VERB.match(m.group("rest")):
                continue
            what_phrase = m.group("what")
            recurring = what_phrase.startswith("每")
            what, to = _submission(m.group("rest"))
            found.append(
                Deadline(
                    raw=_clause(m.group("raw"), m.group("rest")).strip(),
                    date=None if recurring else _fuzzy_date(m, issued),
                    approximate=not recurring,
                    recurring=recurring,
                    owner=m.group("owner"),
                    what=what,
                    to=to,
                )
            )
    return found


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
        return _safe_date(year, month, 10 if what.endswith("上旬") else 20)
    return None


# not on 、: "各县（市、区）" and "省委、省政府领导同志" are single addressees
_LIST_SPLIT = re.compile(r"[，,；;]\s*")
_COPIES = re.compile(r"共印\s*(\d+)\s*份")


def _colophon(lines: list[str]) -> Colophon:
    fields: dict[str, list[str]] = {"报": [], "送": [], "发": [], "抄送": []}
    printed_by = None
    printed_on = None
    copies = None
    contacts: list[str] = []
    for line in lines:
        if m := re.match(r"^(抄\s*送|抄\s*报|主\s*送|[报送发])\s*[:：]\s*(.*)$", line):
            key = re.sub(r"\s", "", m.group(1))
            key = {"抄报": "抄送", "主送": "送"}.get(key, key)
            fields[key].extend(x for x in _LIST_SPLIT.split(m.group(2)) if x)
            continue
        if c := _COPIES.search(line):
            copies = int(c.group(1))
            line = line.replace(c.group(0), "").strip()
            if not line:
                continue
        if "印发" in line or line.endswith("编"):
            on, raw = _date_in(line)
            if on is not None and raw is not None:
                printed_on = on
                line = line.replace(raw, "")
            printed_by = re.sub(r"(印发|编)$", "", line).strip() or printed_by
            continue
        if re.match(r"^(联系人|联系电话|电\s*话|传\s*真|责任编辑|审\s*核|签\s*发)", line):
            contacts.append(line)
    return Colophon(
        report_to=tuple(fields["报"]),
        send_to=tuple(fields["送"]),
        issue_to=tuple(fields["发"]),
        copy_to=tuple(fields["抄送"]),
        printed_by=printed_by,
        printed_on=printed_on,
        copies=copies,
        contacts=tuple(contacts),
        lines=tuple(lines),
    )
