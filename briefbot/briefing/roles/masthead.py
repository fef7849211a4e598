"""The masthead: title, issue, issuer, date and classification — from wherever they are.

The head of the document is read first (a block is masthead only when a cue says so: an issue
number, a date line, an issuer line, a classification, a short title line above them). Missing
fields are then taken from the signature, the colophon's 印发 line, or the web page's
``<title>``/``<h1>``/``<meta>``. A date inside the title is an event date and never the
document's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import find_date, is_date_only
from briefbot.briefing.designation import bare_name
from briefbot.briefing.model import Issue
from briefbot.briefing.numerals import parse_number, to_ascii_digits
from briefbot.briefing.repair import (
    DOC_NUMBER,
    as_section_heading,
    is_addressee,
    is_doc_title,
    is_salutation,
)
from briefbot.briefing.roles import boilerplate
from briefbot.briefing.roles.signature import is_organ

_N = "0-9一二三四五六七八九十百零〇○两"
_ISSUE = re.compile(
    rf"(?:(?P<year>\d{{4}})\s*年\s*)?[（(〔\[]?\s*第\s*(?P<num>[{_N}]+)\s*[期号][）)〕\]]?"
    rf"(?:\s*[（(]?\s*总第\s*(?P<cum>[{_N}]+)\s*期\s*[)）]?)?"
    rf"|[（(]\s*总第\s*(?P<cumonly>[{_N}]+)\s*期\s*[)）]"
    # "天津史志2014年1期": a year and a number without 第
    rf"|(?P<yearonly>\d{{4}})\s*年\s*(?P<numonly>\d{{1,3}})\s*期"
)
_BARE_NUMBER = re.compile(rf"^[（(〔\[]?\s*(?P<num>[0-9]{{1,4}}|[{_N}]{{1,5}})\s*[）)〕\]]?$")
_SENTENCE_END = re.compile(r"[。！？；]$")
_HEAD_LIMIT = 10  # blocks a masthead can span


@dataclass(frozen=True)
class Masthead:
    title: str
    issue: Issue | None
    date: date | None
    issuer: str | None
    classification: str | None
    title_source: str  # "head", "html", "first line"
    site: str | None = None  # the web site that published the page
    subtitle: str | None = None  # "关于…的通报" under a masthead title


def _issue(text: str) -> tuple[Issue, str] | None:
    m = _ISSUE.search(to_ascii_digits(text))
    if m is None:
        return None
    if m.group("cumonly"):
        return Issue(m.group(0).strip(), None, None, parse_number(m.group("cumonly"))), m.group(0)
    if m.group("numonly"):
        number, year = int(m.group("numonly")), int(m.group("yearonly"))
        return Issue(m.group(0).strip(), number, year), m.group(0)
    return (
        Issue(
            raw=m.group(0).strip(),
            number=parse_number(m.group("num")),
            year=int(m.group("year")) if m.group("year") else None,
            cumulative=parse_number(m.group("cum")) if m.group("cum") else None,
        ),
        m.group(0),
    )


def _classification(text: str) -> str | None:
    """ "内部资料", "秘密★1年"; or a series name with its mark, "街道快报　内部交流"."""
    compact = re.sub(r"\s", "", text)
    for c in sorted(cues.CLASSIFICATIONS, key=len, reverse=True):
        if compact.startswith(c) and len(compact) <= len(c) + 8:
            return c
    for c in cues.CLASSIFICATION_LABELS:
        if compact.endswith(c) and len(compact) <= len(c) + 10:
            return c
    return None


def title_organ(title: str) -> str | None:
    """ "昆明市人民政府办公厅关于印发…的通知": the body a document's own title names."""
    m = re.match(r"^(?P<organ>[^《“（(在对]{3,40}?)关于", title)
    if m is None:
        return None
    organ = m.group("organ")
    if relay := re.search("转发|印发|批转", organ):
        # "某某市人民政府办公厅转发省某某办公室关于…": the body that relays it, before the verb
        organ = organ[: relay.start()]
    return organ if len(organ) >= 3 and is_organ(organ) else None


def _titleish(text: str) -> bool:
    if is_doc_title(text):
        return True
    return (
        len(text) <= 40
        and not _SENTENCE_END.search(text)
        and "。" not in text
        and as_section_heading(text) is None
        and not text.startswith("【")
    )


def _continues_title(previous: str, text: str) -> bool:
    """A title broken over lines: an organ over "关于…", or an open 《 or “ on the line before."""
    compact = re.sub(r"\s", "", text.strip("【】"))
    if is_organ(previous) and compact.startswith(("关于", "转发", "印发")):
        return True
    # "…关于转发某某" over "《…》的通知": a document title goes on until its type
    if (
        "关于" in previous
        and not previous.endswith(cues.DOC_TYPES)
        and compact.endswith(cues.DOC_TYPES)
    ):
        return True
    unclosed = previous.count("《") > previous.count("》") or previous.count("“") > previous.count(
        "”"
    )
    return unclosed and len(compact) <= 60 and not re.search("[。；！？]", compact)


def _issue_follows(blocks: list[Block], index: int) -> bool:
    following = next((b for b in blocks[index + 1 :] if b.role is not Role.BOILERPLATE), None)
    return following is not None and _issue(re.sub(r"\s", "", following.text)) is not None


def _named_like_title(text: str) -> bool:
    return any(w in text for w in cues.TITLE_WORDS) and "批示" not in text


def late_title(blocks: list[Block]) -> str:
    """No title in the head (a signed note on top, say): the first document title or headline
    among the first blocks the head and the notes above it left, before any section."""
    for block in blocks[: _HEAD_LIMIT + 6]:
        if block.role is Role.HEADING or (block.role is None and as_section_heading(block.text)):
            break
        text = block.text
        titled = is_doc_title(text) or _titleish(text)
        if block.role is None and titled and len(text) >= 6 and not is_date_only(text):
            block.assign(Role.MASTHEAD, "报头：标题（正文前的批示之后）")
            return text
    return ""


def claim(blocks: list[Block], meta: dict[str, str]) -> Masthead:
    title_lines: list[str] = []
    issue: Issue | None = None
    issued: date | None = None
    issuer: str | None = None
    classification: str | None = None
    subtitle: str | None = None
    seen_field = False  # an issue, date or issuer line has been seen
    issuer_line = False  # the issuer stood on a line of its own
    considered = 0
    for block in blocks:
        if block.role is Role.BOILERPLATE:
            continue
        if block.role is not None or considered >= _HEAD_LIMIT:
            break
        considered += 1
        text = block.text
        compact = re.sub(r"\s", "", text)
        first = not title_lines and not seen_field and considered <= 2
        if first and as_section_heading(text) and _named_like_title(text):
            title_lines.append(text.strip("【】"))  # "情况通报" atop a 通报 is its title
            block.assign(Role.MASTHEAD, "报头：标题")
            continue
        if DOC_NUMBER.match(compact):
            block.assign(Role.MASTHEAD, "报头：文号")
            seen_field = seen_field or bool(title_lines)
            continue
        if compact.endswith(cues.DOC_HEADER_ENDINGS) and len(text) <= 30:
            block.assign(Role.MASTHEAD, "报头：文件头")
            continue
        label = compact.strip("【】")
        named_label = label.endswith(cues.SPECIAL_ISSUES) and label not in cues.SPECIAL_ISSUES
        if title_lines and named_label and len(label) <= 12:
            subtitle = subtitle or label  # "经验交流专刊" under "乡村振兴简报"
            block.assign(Role.MASTHEAD, "报头：专刊名")
            continue
        if title_lines and _continues_title(title_lines[-1], text):
            if (
                issuer_line
                and issuer
                and compact.startswith("关于")
                and all(map(is_organ, title_lines))
            ):
                # bodies issuing together stand one over the other above "关于…的通知"
                issuer, title_lines = "、".join([*title_lines, issuer]), [compact]
                block.assign(Role.MASTHEAD, "报头：标题（联合发文）")
                continue
            title_lines.append(re.sub(r"\s", "", text.strip("【】")))
            block.assign(Role.MASTHEAD, "报头：标题（续行）")
            continue
        if title_lines and is_doc_title(text) and not is_doc_title(title_lines[-1]):
            # "情况通报" over "关于…的通报": the masthead's name is the title, this its subject
            subtitle = subtitle or re.sub(r"\s", "", text)
            block.assign(Role.MASTHEAD, "报头：文件标题")
            continue
        if text.startswith("【") and text.endswith("】") and not seen_field:
            # a bold line at the very top (docx) is the title, unless it names a section
            inner = text[1:-1]
            if inner.endswith(cues.DOC_HEADER_ENDINGS):
                block.assign(Role.MASTHEAD, "报头：文件头")
                continue
            if as_section_heading(inner) is None and "批示" not in inner and _titleish(inner):
                title_lines.append(re.sub(r"\s", "", inner) if title_lines else inner)
                block.assign(Role.MASTHEAD, "报头：标题（粗体）")
                continue
        if c := _classification(text):
            # "内部资料" / "注意保存" on two lines are one mark
            if classification is None:
                classification = c
            elif c not in classification:  # "内部交流" and "内部刊物" are two marks
                classification += c if c == "注意保存" else f"、{c}"
            block.assign(Role.MASTHEAD, "报头：密级")
            continue
        found = _issue(compact) if len(compact) <= 60 else None
        if found is not None and issue is None:
            issue, raw = found
            rest = compact.replace(raw, "")
            when, raw_date = find_date(rest)
            if when is not None and raw_date is not None:
                issued, rest = when, rest.replace(raw_date, "")
            rest = _edited_by(rest)  # "发展研究中心编 第1期 2004年3月19日"
            if is_organ(rest):
                issuer = rest
                if len(title_lines) >= 2 and not title_lines[-1].endswith(cues.TITLE_WORDS):
                    # "现代高教信息" / "某某大学" / "发展研究中心编 第1期": the body over two lines
                    issuer = title_lines.pop() + rest
            block.assign(Role.MASTHEAD, "报头：期号")
            seen_field = True
            continue
        if issue is None and (m := _BARE_NUMBER.match(compact)) and considered <= 4:
            issue = Issue(m.group(0), parse_number(m.group("num")))
            block.assign(Role.MASTHEAD, "报头：序号")
            seen_field = True
            continue
        if is_date_only(compact) and issued is None:
            issued = find_date(compact, iso=True)[0]
            block.assign(Role.MASTHEAD, "报头：日期")
            seen_field = True
            continue
        when, raw_date = find_date(compact)
        organ = _edited_by(compact.replace(raw_date, "")) if raw_date else ""
        if when is not None and organ and is_organ(organ):
            issued, issuer = issued or when, issuer or organ
            block.assign(Role.MASTHEAD, "报头：单位和日期")
            seen_field = True
            continue
        edited = re.match(r"^(?P<by>.{2,40}?)(?:编印|编发|主办|编)$", compact)
        if edited and is_organ(edited.group("by")) and issuer is None:
            issuer = edited.group("by")
            block.assign(Role.MASTHEAD, "报头：编印单位")
            seen_field = True
            continue
        if is_salutation(compact):
            break  # "陈云同志：" opens a note: the note's own words begin
        if is_addressee(compact):
            block.assign(Role.MASTHEAD, "主送单位")
            break
        if is_organ(compact) and issuer is None and (title_lines or seen_field):
            issuer, issuer_line = compact, True
            block.assign(Role.MASTHEAD, "报头：单位")
            seen_field = True
            continue
        if title_lines and compact == re.sub(r"\s", "", title_lines[-1]):
            block.assign(Role.MASTHEAD, "报头：重复的标题（页眉）")
            continue
        if as_section_heading(text) is not None:
            if title_lines and not seen_field and _issue_follows(blocks, block.index):
                title_lines.append(compact)  # "岚州纪检监察" / "工作动态" / "第6期"
                block.assign(Role.MASTHEAD, "报头：标题（续行）")
                continue
            break  # the body begins
        if (
            title_lines
            and not seen_field
            and bare_name(compact)
            and not any(w in compact for w in (*cues.TITLE_WORDS, "刊", "报", "讯"))
            and not _continues_title(title_lines[-1], text)
        ):
            block.assign(Role.MASTHEAD, "报头：署名")  # "毛泽东" under a 批语's title
            continue
        if _titleish(text) and not seen_field and len(title_lines) < 3:
            title_lines.append(compact if len(title_lines) else text)
            block.assign(Role.MASTHEAD, "报头：标题")
            continue
        break
    squeezed = [re.sub(r"\s", "", t) for t in title_lines]
    if (
        len(squeezed) >= 2
        and squeezed[0] != squeezed[1]
        and squeezed[0].endswith("".join(squeezed[1:]))
    ):
        # a running head ("某某指挥部重点项目建设快报") above the title set on one or two lines
        title_lines = title_lines[1:]
    title = re.sub(r"^(?:标题|名称|题名)[:：]\s*", "", "".join(title_lines))  # disclosure pages
    if (
        special := re.search(r"[（(](" + "|".join(cues.SPECIAL_ISSUES) + r")[）)]$", title)
    ) is not None:
        subtitle = subtitle or special.group(1)  # "某某简报（增刊）"
        title = title[: special.start()]
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1]  # a site's way of printing a document's name
    source = "head"
    html_title = _html_title(meta)
    if html_title and (not title or not seen_field):
        # a web page: its <h1>/<title> names the article; head lines were the article's own
        if title and title != html_title:
            _unclaim_title(blocks)
        title, source = html_title, "html"
    if (found := _issue(title)) is not None and len(title) > len(found[1]) + 2:
        # "某某工作简报第27期", "第13期——工作简报": the number belongs to the issue field
        issue = issue or found[0]
        title = title.replace(found[1], "").strip(" -—－_|·")
    if (named := title_organ(title)) and (issuer is None or issuer.endswith(named)):
        issuer = named  # as the title names it, not "云南省昆明市人民政府办公厅" of a site's table
    # a web page's own date: 成文日期 in its disclosure table, else its <meta>
    for key in ("written", "date"):
        if issued is None and meta.get(key):
            issued = find_date(meta[key], iso=True)[0]
    if issue is None and (numbered := _issue(meta.get("number", ""))) is not None:
        issue = numbered[0]  # "文号：督察通报第十七期" (a 文号 proper has no 第N期)
    if issue is not None and issue.year is None and issued is not None:
        issue = Issue(issue.raw, issue.number, issued.year, issue.cumulative)
    return Masthead(title, issue, issued, issuer, classification, source, _site(meta), subtitle)


def _site(meta: dict[str, str]) -> str | None:
    """The publishing body of a web page: its SiteName, or the organ ending its <title>."""
    candidates = [meta.get("site", "")]
    candidates += re.split(r"\s*[-_|–—]\s*", meta.get("title", ""))[1:][-1:]
    for candidate in candidates:
        name = re.sub(r"(门户网站|政府网站|网站|网)$", "", re.sub(r"\s", "", candidate))
        if name and is_organ(name):
            return name
    return None


def _edited_by(text: str) -> str:
    """ "某某办公室编" → "某某办公室"."""
    for suffix in sorted(cues.EDITED_BY, key=len, reverse=True):
        if text.endswith(suffix) and is_organ(text[: -len(suffix)]):
            return text[: -len(suffix)]
    return text


def _unclaim_title(blocks: list[Block]) -> None:
    for block in blocks:
        if block.role is Role.MASTHEAD and block.cue == "报头：标题":
            block.role, block.cue = None, ""


def _names_site(part: str, meta: dict[str, str]) -> bool:
    name = re.sub(r"\s", "", part)
    return name == re.sub(r"\s", "", meta.get("site", "")) or name.endswith(
        ("网", "网站", "门户", "人民政府", "政府")
    )


def _html_title(meta: dict[str, str]) -> str:
    for key in ("h1", "title"):
        value = re.sub(r"\s+", " ", meta.get(key, "")).strip()
        if not value:
            continue
        # "文章标题 - 某某市人民政府网站": the longest part is the article's own title; an <h1>
        # is the article's heading, cut only where a part names a site ("公园街道 | 一周工作播报")
        parts = [p.strip() for p in re.split(r"\s[-_|–—]\s|[_|]", value) if p.strip()]
        if key == "h1" and not any(_names_site(p, meta) for p in parts[1:]):
            parts = [value]
        parts = [p for p in parts if not _names_site(p, meta)] or parts
        best = max(parts, key=len) if parts else value
        if boilerplate.cue_for(best) is None:
            return best
    return ""
