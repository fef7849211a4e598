"""Repair the artifacts that page layout leaves in briefing text.

Input is pages of lines (a plain-text file is one page unless it has form feeds). Output is the
masthead, the body as paragraphs, and the colophon. The masthead and the colophon are never joined:
only the body between them is re-flowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_CJK_CHAR = re.compile(f"[{CJK}]")
# a line ending with one of these is complete; anything else may continue on the next line
_TERMINAL = "。！？；…”’」』）)!?;"
_CLOSERS = "”’」』"
_PAGE_NUMBER = re.compile(
    r"^(?:[—－\-–~～]\s*[0-9０-９]{1,3}\s*[—－\-–~～]"
    r"|第\s*[0-9０-９]{1,3}\s*页(?:\s*[，,/]?\s*共\s*[0-9０-９]{1,3}\s*页)?"
    r"|[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3}"
    r"|[0-9０-９]{1,3})$"
)
_SECTION = re.compile(r"^【[^】]{1,20}】$")
_KNOWN_SECTIONS = re.compile(
    r"^(?:领导批示|本期要闻|要闻|工作动态|工作进展|基层动态|地方动态|部门动态|经验交流|典型经验|"
    r"督查通报|通报|简讯|信息|通知公告|工作要求|下步工作|下一步工作|重点工作|专题|编者按)$"
)
_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。；]{1,24}$"
)
_PUNCT_CLASS = "，。、；：！？“”‘’（）《》"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}{_PUNCT_CLASS}])[ \u3000\t]+(?=[{CJK}{_PUNCT_CLASS}])")
# "11 月 19 日", "第 13 期": spaces between a digit and a CJK character are layout, not text
_SPACE_DIGIT_CJK = re.compile(
    f"(?<=[0-9０-９])[ \u3000]+(?=[{CJK}])|(?<=[{CJK}])[ \u3000]+(?=[0-9０-９])"
)
_COLOPHON = re.compile(
    r"^(?:[报送发]\s*[:：]|抄\s*[送报]|主\s*送|分\s*送|印\s*发|共印\s*\d+\s*份|联系人|联系电话|电\s*话|传\s*真|"
    r"责任编辑|审\s*核|编\s*辑\s*[:：]|签\s*发|"
    r"(?:.*(?:办公室|领导小组|委员会|秘书处))?\s*编\s*$|.*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发)"
)
_RULE = re.compile(r"^[─━—\-_=＿·.。 ]{3,}$")
PAGE_BREAK = "\f"
# marks a body line that was indented in the source: in typeset text, a paragraph start
PARA = "\u2029"

# CJK Radicals Supplement look-alikes that NFKC leaves alone
_RADICALS = str.maketrans(
    {
        "⺠": "民", "⻅": "见", "⻓": "长", "⻔": "门", "⻢": "马", "⻛": "风", "⻜": "飞", "⻝": "食",
        "⻋": "车", "⻉": "贝", "⻄": "西", "⻚": "页", "⻣": "骨", "⻘": "青", "⻨": "麦", "⻩": "黄",
        "⻬": "齐", "⻰": "龙", "⻆": "角", "⺟": "母", "⻊": "足", "⻥": "鱼", "⻦": "鸟",
    }
)  # fmt: skip


def _map_compat(ch: str) -> str:
    code = ord(ch)
    # Kangxi radicals and CJK compatibility ideographs: look-alikes from PDF fonts
    if 0x2F00 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF:
        mapped = unicodedata.normalize("NFKC", ch)
        return mapped if len(mapped) == 1 else ch
    return ch


def clean_line(line: str) -> str:
    line = "".join(_map_compat(c) for c in line).translate(_RADICALS)
    line = line.replace("**", "").replace("\ufeff", "").replace("\u00a0", " ")
    line = line.strip(" \t\u3000\r")
    line = _SPACE_BETWEEN_CJK.sub("", line)
    return _SPACE_DIGIT_CJK.sub("", line)


def is_section_heading(line: str) -> bool:
    return bool(_SECTION.match(line))


def as_section_heading(line: str) -> str | None:
    """The section name if ``line`` is a section heading in any of the genre's forms."""
    if _SECTION.match(line):
        return line.strip("【】")
    if _KNOWN_SECTIONS.match(line):
        return line
    return None


@dataclass(frozen=True)
class Layout:
    masthead: list[str]
    body: list[str]  # lines; "" is a blank line, PAGE_BREAK a page break
    colophon: list[str]


def _edges(page: list[str], n: int = 2) -> list[str]:
    lines = [ln for ln in page if ln]
    return lines[:n] + lines[-n:]


def _signature(line: str) -> str:
    return re.sub(r"[0-9０-９一二三四五六七八九十]+", "#", line)


def _drop_running_heads(pages: list[list[str]]) -> list[list[str]]:
    """Lines repeated at the top or bottom of several pages are running heads or feet, and so is
    a line at the top of a later page that repeats the masthead's title.

    The first page keeps its copy (there it is the masthead); the others lose it.
    """
    if len(pages) < 2:
        return _drop_repeated_lines(pages)
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_signature(_text(ln)) for ln in _edges(page) if len(ln) <= 40})
    needed = max(2, (len(pages) + 2) // 3)
    running = {sig for sig, n in counts.items() if n >= needed}
    # the title (first lines of page 1, past a classification mark) repeated atop later pages
    titles = [_text(ln) for ln in pages[0] if len(_text(ln)) >= 6][:2]
    out = [pages[0]]
    for page in pages[1:]:
        edges = set(_edges(page))
        top = set(_edges(page, 1)[:1])
        kept = []
        for ln in page:
            text = _text(ln)
            head = len(text) <= 40 and (
                (ln in edges and _signature(text) in running)
                or (ln in top and any(text.startswith(t) for t in titles))
            )
            kept.append("" if head else ln)
        out.append(kept)
    return out


def _text(line: str) -> str:
    return line.lstrip(PARA)


def _drop_repeated_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without page information: a short non-sentence line seen three or more times."""
    counts = Counter(
        ln for page in pages for ln in page if ln and len(ln) <= 30 and not ln.endswith("。")
    )
    repeated = {ln for ln, n in counts.items() if n >= 3 and not as_section_heading(ln)}
    seen: set[str] = set()
    out = []
    for page in pages:
        kept = []
        for ln in page:
            if ln in repeated:
                if ln in seen:
                    kept.append("")
                    continue
                seen.add(ln)
            kept.append(ln)
        out.append(kept)
    return out


def split_layout(pages: list[list[str]]) -> Layout:
    """Clean lines, drop page numbers, rules and running heads; split masthead, body, colophon."""
    cleaned: list[list[str]] = []
    for page in pages:
        lines = []
        for raw in page:
            line = clean_line(raw)
            if _PAGE_NUMBER.match(line) or _RULE.match(line):
                line = PAGE_BREAK if _PAGE_NUMBER.match(line) else ""
            elif line and raw[:1] in (" ", "\u3000", "\t"):
                line = PARA + line
            lines.append(line)
        cleaned.append(lines)
    cleaned = _drop_running_heads(cleaned)
    lines = []
    for i, page in enumerate(cleaned):
        if i:
            lines.append(PAGE_BREAK)
        lines.extend(page)
    # masthead: up to the first section heading or the first full sentence
    start = len(lines)
    for i, raw in enumerate(lines):
        line = _text(raw)
        if not line or line == PAGE_BREAK:
            continue
        if as_section_heading(line) or (len(line) > 40 and "。" in line) or line.endswith("。"):
            start = i
            break
    end = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        line = _text(lines[i])
        if not line or line == PAGE_BREAK:
            continue
        if _COLOPHON.match(line):
            end = i
            continue
        break
    masthead = [_text(ln) for ln in lines[:start] if ln and ln != PAGE_BREAK]
    colophon = [_text(ln) for ln in lines[end:] if ln and ln != PAGE_BREAK]
    return Layout(masthead=masthead, body=lines[start:end], colophon=colophon)


def _merge_fragment(previous: str, fragment: str) -> str | None:
    """A page break sometimes repeats the tail of a paragraph ("…贡献”" then "献。”").

    Return the merged paragraph when ``fragment`` is such a repeat, else None.
    """
    if len(fragment) > 8 or fragment[-1] not in _TERMINAL or not _CJK_CHAR.match(fragment[0]):
        return None
    stem = previous.rstrip(_CLOSERS + "。")
    for k in range(min(len(fragment) - 1, len(stem)), 0, -1):
        if stem.endswith(fragment[:k]):
            return stem + fragment[k:]
    return None


def wrap_width(lines: list[str]) -> int | None:
    """If the text is hard-wrapped (PDF lines), the usual full line length; else None."""
    lengths = [len(_text(ln)) for ln in lines if ln and ln != PAGE_BREAK and len(_text(ln)) >= 10]
    if len(lengths) < 6:
        return None
    common, _ = Counter(lengths).most_common(1)[0]
    near = sum(1 for n in lengths if abs(n - common) <= 2)
    if common >= 12 and near >= 0.5 * len(lengths) and max(lengths) <= common + 6:
        return common
    return None


def looks_like_heading(line: str) -> bool:
    return bool(as_section_heading(line) or _NUMBERED_HEADING.match(line))


def reflow(body: list[str]) -> list[str]:
    """Join lines broken inside sentences, across blank lines and page breaks, into paragraphs.

    A line that does not end a sentence continues on the next line when the break is a page break,
    when the text is hard-wrapped and the line is full width, or when the line is long (a
    paragraph, not a headline). Short headline-like lines stay on their own.
    """
    width = wrap_width(body)
    # in typeset (wrapped, indented) text only an indented line starts a paragraph
    by_indent = width is not None and sum(ln.startswith(PARA) for ln in body) >= 2
    paragraphs: list[str] = []
    last_line = ""  # the previous physical line
    page_break = False
    for raw in body:
        if raw == PAGE_BREAK:
            page_break = True
            continue
        indented = raw.startswith(PARA)
        line = _text(raw)
        if not line:
            continue
        if (
            by_indent
            and paragraphs
            and not indented
            and not looks_like_heading(paragraphs[-1])
            and not looks_like_heading(line)
            and width is not None
            and len(last_line) >= width - 2
        ):
            paragraphs[-1] += line
            last_line, page_break = line, False
            continue
        if paragraphs and not looks_like_heading(paragraphs[-1]) and not looks_like_heading(line):
            previous = paragraphs[-1]
            merged = _merge_fragment(previous, line)
            if merged is not None:
                paragraphs[-1] = merged
                last_line, page_break = line, False
                continue
            # inside an open quotation nothing ends: a quoted directive stays one paragraph
            unfinished = previous[-1] not in _TERMINAL or previous.count("“") > previous.count("”")
            full_width = width is not None and len(last_line) >= width - 2
            continues = (
                line[0] in "，、。；：”’）)》"
                or len(last_line) >= 40
                # a line with clause punctuation inside is a sentence, not a headline
                or (len(last_line) >= 15 and re.search("[，,、：:]", last_line) is not None)
            )
            if unfinished and (page_break or full_width or continues):
                paragraphs[-1] = previous + line
                last_line, page_break = line, False
                continue
        paragraphs.append(line)
        last_line, page_break = line, False
    return paragraphs
