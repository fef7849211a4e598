"""Repair the artifacts that page layout leaves in briefing text.

Input is pages of lines (a plain-text file is one page unless it has form feeds). Output is
paragraphs, each with the page it starts on, and the list of what repair removed and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from briefbot.briefing import cues
from briefbot.briefing.blocks import Dropped
from briefbot.briefing.dates import is_date_only

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
_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。；]{1,24}$"
)
_PUNCT_CLASS = "，。、；：！？“”‘’（）《》"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}{_PUNCT_CLASS}])[ \u3000\t]+(?=[{CJK}{_PUNCT_CLASS}])")
# "11 月 19 日", "第 13 期": spaces between a digit and a CJK character are layout, not text
_SPACE_DIGIT_CJK = re.compile(
    f"(?<=[0-9０-９])[ \u3000]+(?=[{CJK}])|(?<=[{CJK}])[ \u3000]+(?=[0-9０-９])"
)
_RULE = re.compile(r"^[─━—\-_=＿·.。 ]{3,}$|^\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?)?\s*$")
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


# two or more spaces (or a tab) between words: a column gap in a plain-text table
_GAP = re.compile(r"(?:[ \u3000]{2,}|\t+)")
TABLE_CELLS = " | "


def _table_row(line: str) -> str | None:
    """A plain-text table row ("１  城区改造  县住建局  8月底") as cells joined by " | ".

    Three or more cells; a line spaced out letter by letter ("工  作  动  态") is no table.
    """
    if "  " not in line and "\u3000\u3000" not in line and "\t" not in line:
        return None
    if re.search("[|│┃]", line):
        return None  # drawn with rules already
    cells = [c for c in _GAP.split(line) if c]
    if len(cells) < 3 or all(len(c) == 1 and _CJK_CHAR.match(c) for c in cells):
        return None
    return TABLE_CELLS.join(cells)


# corner brackets quote as “ ” do (「…」, and 『…』 used alone): one quoting for every rule after
_CORNER_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "“", "』": "”"})


def clean_line(line: str) -> str:
    line = "".join(_map_compat(c) for c in line).translate(_RADICALS).translate(_CORNER_QUOTES)
    line = line.replace("**", "").replace("\ufeff", "").replace("\u00a0", " ")
    line = line.strip(" \t\u3000\r")
    line = _table_row(line) or line
    line = _SPACE_BETWEEN_CJK.sub("", line)
    return _SPACE_DIGIT_CJK.sub("", line)


def as_section_heading(line: str) -> str | None:
    """The section name if ``line`` is a section heading in any of the genre's forms."""
    if _SECTION.match(line):
        inner = line[1:-1]
        # a long bracketed line that does not end like a section is a bold headline (docx)
        short_section = len(inner) <= 10 and inner.endswith(cues.SECTION_ENDINGS)
        if len(inner) <= 8 or short_section or inner in cues.SECTION_NAMES:
            return inner
        return None
    if line in cues.SECTION_NAMES:
        return line
    return None


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
        return [_first_page(page, None) for page in _drop_repeated_lines(pages)]
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_signature(_text(ln)) for ln in _edges(page) if len(ln) <= 40})
    needed = max(2, (len(pages) + 2) // 3)
    running = {sig for sig, n in counts.items() if n >= needed}
    # the title (first lines of page 1, past a classification mark) repeated atop later pages
    titles = [_text(ln) for ln in pages[0] if len(_text(ln)) >= 6][:2]
    # page 1 keeps a running line at its top (the masthead) but not at its foot
    feet = {ln for ln in _edges(pages[0])[-2:] if ln not in _edges(pages[0], 3)[:3]}
    first = [
        "" if ln in feet and len(_text(ln)) <= 40 and _signature(_text(ln)) in running else ln
        for ln in pages[0]
    ]
    out = [_first_page(first, running)]
    for page in pages[1:]:
        edges = set(_edges(page))
        top = set(_edges(page, 1)[:1])
        kept = []
        for ln in page:
            text = _text(ln)
            head = len(text) <= 40 and (
                (ln in edges and _signature(text) in running)
                or (ln in top and any(t in text for t in titles))
            )
            kept.append("" if head else ln)
        out.append(kept)
    return out


def _first_page(page: list[str], running: set[str] | None) -> list[str]:
    """Page 1 keeps its masthead, but not a running head printed above it: a running line at the
    very top whose text the masthead repeats just below ("某某简报 第8期" over "某某简报")."""
    lines = [i for i, ln in enumerate(page) if _text(ln) and not _PAGE_NUMBER.match(_text(ln))]
    if len(lines) < 3:
        return page
    top = _text(page[lines[0]])
    below = [re.sub(r"\s", "", _text(page[i])) for i in lines[1:6]]
    compact = re.sub(r"\s", "", top)
    # one page only: nothing to compare with, the top line just repeats and extends the title
    if running is None:
        # one page: a running head says which issue it is ("今日要情 第112期 秘密")
        is_running = re.search(r"第\s*[0-9０-９一二三四五六七八九十百]+\s*[期号]", top) is not None
    else:
        is_running = _signature(top) in running
    if is_running and any(b and len(b) >= 4 and b in compact for b in below):
        return ["" if i == lines[0] else ln for i, ln in enumerate(page)]
    return page


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


# a notice stored on one line: "…关于…的通知各县人民政府：现将…。二〇〇五年十一月二十一日"
_NOTICE_TITLE_END = re.compile(r"的(?:通知|通报|意见|决定|批复|函)")
_TRAILING_DATE = re.compile(
    r"(?<=[。！）)])\s*((?:\d{4}|[〇零○一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月"
    r"[\d一二三四五六七八九十]{1,3}日)$"
)


def _run_on_notice(line: str) -> list[str]:
    """A notice's title, its addressees, its text and its date run into one line, split apart;
    any other line as it is."""
    for end in reversed([m.end() for m in _NOTICE_TITLE_END.finditer(line, 0, 150)]):
        colon = re.search("[:：]", line[end:])
        if colon is None or not is_addressee(line[end : end + colon.end()]):
            continue
        body = line[end + colon.end() :].strip()
        dated = _TRAILING_DATE.search(body)
        tail = [body[: dated.start()].rstrip(), dated.group(1)] if dated else [body]
        return [line[:end], line[end : end + colon.end()], *tail]
    return [line]


def lay_out(pages: list[list[str]]) -> tuple[list[str], list[Dropped]]:
    """Clean lines and drop print furniture (page numbers, rules, running heads).

    Returns the lines, pages joined with :data:`PAGE_BREAK`, and what was dropped and why. Nothing
    is split off by position: the roles decide what the masthead and the colophon are.
    """
    dropped: list[Dropped] = []
    cleaned: list[list[str]] = []
    for number, page in enumerate(pages):
        lines = []
        seen = 0
        for raw in page:
            line = clean_line(raw)
            seen += bool(line)
            masthead_number = number == 0 and seen <= 4 and line.isdigit() and len(page) > 8
            if _PAGE_NUMBER.match(line) and not masthead_number:
                dropped.append(Dropped(line, "page number"))
                # at the foot of a page it is where the text breaks; at the head it breaks nothing
                line = "" if seen <= 2 else PAGE_BREAK
            elif _RULE.match(line):
                dropped.append(Dropped(line, "rule"))
                line = ""
            elif line and raw[:1] in (" ", "\u3000", "\t"):
                line = PARA + line
            elif len(line) >= 80:
                *head, line = _run_on_notice(line)
                lines.extend(head)
            lines.append(line)
        cleaned.append(lines)
    kept = _drop_running_heads(cleaned)
    for before, after in zip(cleaned, kept, strict=True):  # what the heads and feet took
        for a, b in zip(before, after, strict=True):
            if a and not b and a != PAGE_BREAK:
                dropped.append(Dropped(_text(a), "running head"))
    lines = []
    for i, page in enumerate(kept):
        if i:
            lines.append(PAGE_BREAK)
        lines.extend(page)
    return lines, dropped


def _merge_fragment(previous: str, fragment: str) -> tuple[str, str] | None:
    """A page break sometimes repeats the tail of a paragraph ("…贡献”" then "献。”").

    Return the merged paragraph and what the merge removed when ``fragment`` is such a repeat.
    """
    if len(fragment) > 8 or fragment[-1] not in _TERMINAL or not _CJK_CHAR.match(fragment[0]):
        return None
    stem = previous.rstrip(_CLOSERS + "。")
    for k in range(min(len(fragment) - 1, len(stem)), 0, -1):
        if stem.endswith(fragment[:k]):
            return stem + fragment[k:], previous[len(stem) :] + fragment[:k]
    return None


def wrap_width(lines: list[str]) -> int | None:
    """If the text is hard-wrapped (PDF lines), the usual full line length; else None."""
    lengths = [len(_text(ln)) for ln in lines if ln and ln != PAGE_BREAK and len(_text(ln)) >= 10]
    if len(lengths) < 6:
        return None
    # full lines cluster near the width; digits and Latin letters are narrower, so a full line
    # with them holds a few more characters, and an indented first line a few fewer
    long = [n for n in lengths if n >= 16] or lengths
    common, _ = Counter(long).most_common(1)[0]
    near = sum(1 for n in long if abs(n - common) <= 3)
    if common >= 12 and near >= max(4, 0.5 * len(long)) and max(lengths) <= common + 8:
        return common
    return None


_SLACK = 3  # how much shorter than the width a full line can be


def looks_like_heading(line: str) -> bool:
    return bool(as_section_heading(line) or _NUMBERED_HEADING.match(line))


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int


# a line ending like this cannot end a paragraph: "要于3月" / "31日前报送"
_OPEN_END = re.compile(r"(?:[0-9０-９]|[于在至到和及与或的、，,（(《“]|[一二三四五六七八九十]月)$")
_NUMBER_START = re.compile(r"^[0-9０-９日号时点]")


DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d{1,4}\s*号")


def balanced(text: str) -> bool:
    """No 《 or “ left open (a title or a quotation that goes on past the line)."""
    return text.count("《") <= text.count("》") and text.count("“") <= text.count("”")


def is_doc_title(line: str) -> bool:
    """ "某某关于印发…的通知": a document's own title line (complete: nothing left open)."""
    compact = re.sub(r"\s", "", line)
    return (
        "关于" in compact[:40]
        and compact.endswith(cues.DOC_TYPES)
        and not re.search("[。；！？]", compact)
        and len(compact) <= 100
        and balanced(compact)
    )


@lru_cache(maxsize=4096)  # a line is asked about as itself and again as the paragraph before
def _stands_alone(line: str) -> bool:
    """Colophon, web furniture, date lines, document numbers and titles stand on their own, and
    so does a table row."""
    from briefbot.briefing.roles.boilerplate import is_publication_line  # roles build on layout

    compact = re.sub(r"\s", "", line)
    return (
        compact.startswith(cues.COLOPHON_STARTS + cues.BOILERPLATE_STARTS)
        or is_date_only(compact)
        or DOC_NUMBER.match(compact) is not None
        or is_doc_title(compact)
        or compact.endswith(cues.DOC_HEADER_ENDINGS)
        or (compact.startswith("【") and compact.endswith("】"))
        or compact.startswith("——")  # "——县委书记某某 7月8日": who said the quotation above
        or TABLE_CELLS in line
        or is_publication_line(line)  # "时间：2017-12-01 来源：…" over the headline
    )


def is_addressee(line: str) -> bool:
    """The salutation of a notice or a note: "各市、县人民政府，省政府各部门：",
    "五华区、盘龙区人民政府，市政府有关委、办、局：", "小平、文元同志：" — bodies or people, then a
    colon, and nothing else."""
    if not line.rstrip().endswith(cues.ADDRESSEE_ENDINGS):
        return False
    compact = re.sub(r"\s", "", line)
    if len(compact) > 100:
        return False
    named = compact[:-1]
    if re.search("[。；！？“”]", named) or not named:
        return False
    if compact.startswith(cues.ADDRESSEE_STARTS):
        return True
    last = re.split("[，,、]", named)[-1]
    return last.endswith(cues.ADDRESSEE_NAMES) and len(named) >= 3


def is_salutation(line: str) -> bool:
    """ "陈云同志：", "小平、文元同志：", "各同志：": a note addressed to people opens like this, and
    the salutation is part of the note (a notice's 主送 bodies are not)."""
    compact = re.sub(r"\s", "", line)
    return len(compact) <= 30 and is_addressee(compact) and compact[:-1].endswith(cues.COMRADES)


def _before_date(line: str, following: str) -> bool:
    """An organ's name over a date line is a signature: it never runs into the line above."""
    from briefbot.briefing.roles.signature import is_organ

    return bool(following) and is_date_only(following) and is_organ(line)


# a wrapped mail box or web address: "…@163." / "com"
_ADDRESS_END = re.compile(r"[A-Za-z0-9][./@]$")
_ADDRESS_TAIL = re.compile(r"^[A-Za-z0-9.\-/]{2,30}$")


def _headline_after_sentence(previous: str, line: str, width: int) -> bool:
    """In typeset text a short line without closing punctuation after a finished sentence is a
    headline: a paragraph's last line ends its sentence, any other line is full width."""
    return (
        previous[-1:] in _TERMINAL
        and line[-1:] not in _TERMINAL
        and len(line) < width - _SLACK
        and balanced(previous)
    )


# "南河区：", "青石县：" leading a headline
_LABEL = re.compile(r"^[^，。；：:,、“”]{2,10}[：:](?=[^，。；,、]*$)")


def _unlabelled(line: str) -> str:
    return _LABEL.sub("", line, count=1)


def reflow(lines: list[str]) -> tuple[list[Paragraph], list[Dropped]]:
    """Join lines broken inside sentences, across blank lines and page breaks, into paragraphs.

    A line that does not end a sentence continues on the next line when the break is a page break,
    when the text is hard-wrapped and the line is full width, when the line is long (a paragraph,
    not a headline), or when the break falls inside a number or a date. Short headline-like lines
    stay on their own.
    """
    width = wrap_width(lines)
    # in typeset (wrapped, indented) text only an indented line starts a paragraph
    by_indent = width is not None and sum(ln.startswith(PARA) for ln in lines) >= 2
    paragraphs: list[Paragraph] = []
    dropped: list[Dropped] = []
    last_line = ""  # the previous physical line
    last_indented = False
    page_break = False
    page = 0

    def extend(line: str) -> None:
        paragraphs[-1] = Paragraph(paragraphs[-1].text + line, paragraphs[-1].page)

    texts = [_text(ln) if ln != PAGE_BREAK else "" for ln in lines]
    for at, raw in enumerate(lines):
        if raw == PAGE_BREAK:
            page_break = True
            page += 1
            continue
        indented = raw.startswith(PARA)
        line = _text(raw)
        if not line:
            continue
        previous = paragraphs[-1].text if paragraphs else ""
        if previous and _ADDRESS_END.search(last_line) and _ADDRESS_TAIL.match(line):
            extend(line)  # "…@163." / "com": an address wrapped, whatever the line stands for
            last_line, last_indented, page_break = line, indented, False
            continue
        following = next((t for t in texts[at + 1 :] if t), "")
        joinable = (
            bool(previous)
            and not looks_like_heading(previous)
            and not looks_like_heading(line)
            and not is_addressee(previous)
            and not _stands_alone(previous)
            and not _stands_alone(line)
            and not _before_date(line, following)
            and not line.startswith(tuple(cues.BULLET_MARKS))  # "◆全县…": an item starts
        )
        if (
            joinable
            and by_indent
            and not indented
            and width is not None
            and len(last_line) + 2 * last_indented >= width - _SLACK
            and not _headline_after_sentence(previous, line, width)
        ):
            extend(line)
            last_line, last_indented, page_break = line, indented, False
            continue
        if joinable:
            repaired = _merge_fragment(previous, line)
            if repaired is not None:
                merged, removed = repaired
                dropped.append(Dropped(removed, "repeated fragment"))
                paragraphs[-1] = Paragraph(merged, paragraphs[-1].page)
                last_line, last_indented, page_break = line, indented, False
                continue
            # inside an open quotation or title nothing ends: a quoted directive stays one paragraph
            unfinished = (
                previous[-1] not in _TERMINAL
                or previous.count("“") > previous.count("”")
                or previous.count("《") > previous.count("》")
            )
            full_width = width is not None and len(last_line) + 2 * last_indented >= width - _SLACK
            continues = (
                line[0] in "，、。；：”’）)》"
                or previous.count("《") > previous.count("》")
                # an address or a mail box wrapped: "…@163." / "com"
                or (last_line[-1:] in "./@" and line[:1].isascii() and line[:1].isalnum())
                or len(last_line) >= 40
                # a line with clause punctuation inside is a sentence, not a headline (the colon
                # after a place that leads a headline, "南河区：…", is not such punctuation)
                or (len(last_line) >= 15 and re.search("[，,、：:]", _unlabelled(last_line)))
                # the break falls inside a number or a date phrase
                or (
                    _OPEN_END.search(last_line) is not None
                    and _NUMBER_START.match(line) is not None
                )
            )
            if unfinished and (page_break or full_width or continues):
                extend(line)
                last_line, last_indented, page_break = line, indented, False
                continue
        paragraphs.append(Paragraph(line, page))
        last_line, last_indented, page_break = line, indented, False
    return paragraphs, dropped
