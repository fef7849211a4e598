"""News items: what remains under the section headings, cut at headlines and at dated leads.

A headline is a short line without closing punctuation; bullets (◆■★…) are stripped from it.
A bare outline marker, a date or a body's name on its own line is never an item.
"""

from __future__ import annotations

import re

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import is_date_only
from briefbot.briefing.model import NewsItem
from briefbot.briefing.repair import as_section_heading, is_doc_title
from briefbot.briefing.roles.signature import is_organ
from briefbot.briefing.roles.tasks import first_sentence

_NEWS_START = re.compile(
    r"^\d{1,2}月\d{1,2}日|^\d{1,2}月(?:上|中|下)旬|^(?:" + "|".join(cues.NEWS_STARTS) + ")"
)
_OUTLINE_ONLY = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．])$"
)
_OUTLINE_MARK = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))\s*"
)


def strip_marks(text: str) -> str:
    """ "◆本期要闻◆" → "本期要闻"."""
    return text.lstrip(cues.BULLET_MARKS + " \u3000").rstrip(cues.BULLET_MARKS.strip("·•"))


_FOOTNOTE = re.compile(r"^[〔［\[]\d{1,2}[〕］\]]\s*\S")
# "第三章 法律责任", "第十二条", "1.3 适用范围", "注释": the outline of a rule, a plan or a
# collection's notes — headings inside a relayed text, not news
_OUTLINE_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]{1,4}[章节条部分]\S{0,16}|\d{1,2}\.\d{1,2}(?:\.\d{1,2})?\S{0,16}"
    r"|注释|注解|附注)$"
)


def _is_headline(text: str) -> bool:
    return (
        len(text) <= 40
        and text[-1] not in "。！？；：:，,"
        and not re.search("[|│┃]", text)  # a table row
        and as_section_heading(text) is None
    )


SECOND_LINE = "要闻标题（续行）"


def _subtitle_follows(blocks: list[Block], i: int) -> bool:
    following = blocks[i + 1] if i + 1 < len(blocks) else None
    return following is not None and following.role is None and following.text.startswith("——")


def _second_line(blocks: list[Block], i: int, first: str, text: str) -> bool:
    """A headline's second line: right under the first, no mark or number of its own, not a
    sentence, and body text (not another headline) under it."""
    following = blocks[i + 1] if i + 1 < len(blocks) else None
    raw = blocks[i].text
    return (
        blocks[i - 1].role is Role.NEWS
        and (i < 2 or blocks[i - 2].cue != "要闻标题")  # not a list of headlines
        and not is_doc_title(first)
        and not raw.startswith((*cues.BULLET_MARKS, "【"))
        and _OUTLINE_MARK.match(text) is None
        and not re.match(r"[0-9０-９第（(]", text)
        and not re.search("[，。；！？|│〔〕]", text)
        and len(first) + len(text) <= 60
        and following is not None
        and following.role is None
        and not _is_headline(strip_marks(following.text))
    )


# "一、镇召开汛期安全工作部署会。6月30日，…": a numbered paragraph led by its headline
_NUMBERED_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))[^。！？；，]{8,40}[。！？]"
)


def _numbered_lead(text: str) -> bool:
    return _NUMBERED_LEAD.match(text) is not None and len(text) > 40


def claim(
    blocks: list[Block], directive_sections: dict[int, int]
) -> tuple[tuple[str, ...], tuple[NewsItem, ...]]:
    sections: list[str] = []
    items: list[NewsItem] = []
    section = "正文"
    skip_until = -1  # inside a directive section up to this block
    current: list[Block] = []
    headline: str | None = None

    def close() -> None:
        nonlocal current, headline
        if current or headline:
            paragraphs = [b.text_outside(Role.BOILERPLATE) for b in current]
            # a directive quoted in the item is shown as a directive, not again as its lead
            opening = next(
                (
                    t
                    for b in current
                    if (t := b.text_outside(Role.DIRECTIVE, Role.BOILERPLATE).strip())
                ),
                "",
            )
            lead = headline or first_sentence(strip_marks(opening))
            lead = _OUTLINE_MARK.sub("", lead)
            items.append(
                NewsItem(section=section, lead=lead, body="\n".join(paragraphs), headline=headline)
            )
            role = Role.NEWS if headline or section != "正文" else Role.BODY
            for b in current:
                if b.role is None:
                    b.assign(role, "要闻正文" if role is Role.NEWS else "正文")
        current, headline = [], None

    for i, block in enumerate(blocks):
        if i in directive_sections:
            close()
            section, skip_until = strip_marks(block.text).strip("【】"), directive_sections[i]
            sections.append(section)
            continue
        if block.role is not None:
            continue
        text = strip_marks(block.text_outside(Role.BOILERPLATE))
        name = as_section_heading(text)
        if name is not None and _subtitle_follows(blocks, i):
            name = None  # "【盘活资源抱团发展】" / "——某某村的做法": an article's headline
        if name is None and text.startswith("【") and text.endswith("】"):
            text = text[1:-1]  # a bold headline (docx) rather than a section
        if name is not None:
            close()
            section = name
            sections.append(name)
            block.assign(Role.HEADING, "栏目标题")
            continue
        if i < skip_until:
            block.assign(Role.BODY, "批示栏目内其他文字")
            continue
        numbered = _OUTLINE_MARK.sub("", text)
        if numbered != text and as_section_heading(numbered) is not None:
            close()  # "一、工作动态": a numbered section
            section = as_section_heading(numbered) or numbered
            sections.append(section)
            block.assign(Role.HEADING, "栏目标题（序号）")
            continue
        if _OUTLINE_ONLY.match(text):
            block.assign(Role.HEADING, "提纲序号")
            continue
        if _OUTLINE_HEADING.match(text) or (
            numbered != text and len(numbered) <= 10 and numbered.endswith(cues.OUTLINE_SECTIONS)
        ):
            close()  # "第三章法律责任", "一、存在问题": the document's outline, not a headline
            block.assign(Role.HEADING, "提纲标题")
            continue
        if text.startswith(("附件", "附：", "附:")):
            block.assign(Role.BODY, "附件说明")  # what is attached is no news
            continue
        if _FOOTNOTE.match(text):
            block.assign(Role.BODY, "注释条目")  # "〔1〕 小平，即邓小平…": an editor's footnote
            continue
        if is_date_only(text) or (is_organ(text) and len(text) <= 24):
            block.assign(Role.BODY, "孤立日期或单位名称")
            continue
        bold = block.text.startswith("【") and block.text.endswith("】")
        if _is_headline(text) or (bold and len(text) <= 40 and " | " not in text):
            if headline is not None and not current and _second_line(blocks, i, headline, text):
                headline += text  # a headline set on two lines
                block.assign(Role.NEWS, SECOND_LINE)
                continue
            close()
            headline = _OUTLINE_MARK.sub("", text)
            block.assign(Role.NEWS, "要闻标题")
            continue
        starts_item = (
            _NEWS_START.match(text)
            or block.text.startswith(tuple(cues.BULLET_MARKS))
            or _numbered_lead(text)
        )
        if current and starts_item:
            close()  # a dated lead, an item mark (◆■) or a number starts the next item
        current.append(block)
    close()
    # an item whose lead is only punctuation (the "。" after a quoted directive) carries no news
    return tuple(sections), tuple(it for it in items if re.search(r"\w", it.lead))
