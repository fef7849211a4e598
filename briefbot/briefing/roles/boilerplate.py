"""Boilerplate: navigation, share links, copyright and 来源 lines — dropped only on evidence."""

from __future__ import annotations

import re
from functools import cache

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.roles.signature import is_organ

# "[返回首页]", "【关闭窗口】", "首页 > 工作动态 > 正文"
_BRACKETED = re.compile(r"^(?:\s*[\[【][^\]】]{1,12}[\]】])+$")
_BREADCRUMB = re.compile(r"^[^。，]{1,12}(?:\s*[>»/]\s*[^。，>»/]{1,16}){2,}$")
# "（省委办公厅综合处根据…材料整理）": who compiled the item
_PROVENANCE = re.compile(
    r"^[（(][^）)]{2,80}(?:整理|供稿|提供|撰稿|执笔|摘编|编)[）)]$"  # who compiled it
    r"|^[（(][^）)]{0,40}(?:供稿|撰稿|执笔|审核|编辑)[:：]?[^）)]{0,30}[）)]$"  # and who checked it
    r"|^[（(][^）)]{0,40}(?:联系人|联系电话|电话)[:：]?[^）)]{0,40}[）)]$"  # whom to call
)
# "（通讯员 廖某某）", "本报讯（记者 魏某某）": who wrote a news item
_BYLINE = re.compile(r"^(?:本报讯|本网讯)?[（(](?:记者|通讯员|实习生|作者)[^）)]{1,30}[）)]$")
# "本报讯（记者 某某）", "湖南日报1月26日讯(记者 某某)": the dateline, naming the paper
_BYLINE_LEAD = re.compile(
    r"^(?:本报讯|本网讯|本台讯|(?P<paper>[\u4e00-\u9fff]{2,10}(?:日报|晚报|报))"
    r"(?:\d{1,2}月\d{1,2}日)?讯)\s*(?:[（(](?:记者|通讯员)[^）)]{1,30}[）)])?\s*"
)
_TRAILING_BYLINE = re.compile(r"[（(](?:记者|通讯员|实习生)[^）)]{1,30}[）)]\s*$")
# "3上一篇", "下一页": an e-paper's or a list's paging links; "页:" over "[1] [2]"
_PAGER = re.compile(
    r"^\d{0,3}\s*(?:上一篇|下一篇|上一页|下一页|上一版|下一版)|^页[:：]?$|^(?:[\[【]\d{1,2}[\]】]\s*)+$"
)
# "（某某办秘书处）" closing a web article: who wrote it (and a CMS's "endprint" stuck to it)
_AUTHOR_ORGAN = re.compile(r"^[（(](?P<organ>[^（）()]{3,30})[）)](?:endprint)?$")
# "某某思想网声明：本网站属…": a site's statement in one paragraph
_SITE_STATEMENT = re.compile(r"^\S{0,16}(?:网|网站)(?:版权|免责)?声明[:：]")
# "·某某某…" under "相关文章：": a link to another article
_LINK_ITEM = re.compile(r"^[·•◆■▪\-－]?\s*[^。；！？]{2,40}$")
# "1、未经本网许可…" under a disclaimer heading
_STATEMENT_ITEM = re.compile(r"^[-－•·]?\s*\d{1,2}[、.．]")
# "（来源：新华社）" closing an item's body
_TRAILING_SOURCE = re.compile(r"[（(]\s*(?:来源|稿源|信息来源|作者)[:：][^）)]{1,40}[）)]\s*$")


@cache
def _contains() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in cues.BOILERPLATE_CONTAINS))


# "时间：2017-12-01 17:42 来源：…", "发布日期：2025年5月22日": a web page's publication line
_PUBLISHED = re.compile(
    r"^(?:发布|发文|成文|发表|更新)?(?:时间|日期)[:：]\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"
)


def is_publication_line(text: str) -> bool:
    return _PUBLISHED.match(text.strip()) is not None


def cue_for(text: str) -> str | None:
    """The cue that makes ``text`` boilerplate, or None."""
    if _PUBLISHED.match(text.strip()):
        return "网页发布时间"
    text = re.sub(r"\s", "", text)
    if text.startswith(cues.BOILERPLATE_STARTS):
        return "网页/版式：" + next(c for c in cues.BOILERPLATE_STARTS if text.startswith(c))
    if len(text) <= 200 and (m := _contains().search(text)):
        return "网页/版式：" + m.group(0)
    if _PROVENANCE.match(text):
        return "整理/供稿说明"
    if (m := _AUTHOR_ORGAN.match(text)) and is_organ(m.group("organ")):
        return "文末署名单位"
    if _edition_note(text):
        return "文稿来源说明"
    if _BYLINE.match(text):
        return "署名（记者/通讯员）"
    if _PAGER.match(text):
        return "网页翻页链接"
    if _tools(text):
        return "网页工具按钮"
    if _SITE_STATEMENT.match(text):
        return "网站声明"
    if _BRACKETED.match(text) and any(w in text for w in cues.NAVIGATION_WORDS):
        return "网页导航链接"
    if _BREADCRUMB.match(text):
        return "网页面包屑导航"
    return None


@cache
def _edition() -> re.Pattern[str]:
    sources = "|".join(cues.EDITION_NOTE_SOURCES)
    verbs = "|".join(cues.EDITION_NOTE_VERBS)
    return re.compile(rf"^根据[^。，,]{{0,12}}(?:{sources})[^。，,]{{0,6}}(?:{verbs})。?$")


def _field_value(label: str, text: str) -> bool:
    """ "2025-05-22 10:03" under "发布时间：", "今日开鲁" under "信息来源："."""
    value = text.strip()
    if re.search("时间|日期", label):
        return (
            re.fullmatch(
                r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?", value
            )
            is not None
        )
    return len(value) <= 16 and not re.search(r"[\s，。；！？：:]", value)


@cache
def _tool_words() -> re.Pattern[str]:
    return re.compile(f"(?:{'|'.join(sorted(cues.PAGE_TOOL_WORDS, key=len, reverse=True))})+")


def _tools(text: str) -> bool:
    """ "放大", "放大缩小默认", "字号：大中小 | 打印": nothing but a page's buttons."""
    if len(text) > 40:
        return False
    words = re.sub(r"[\s|｜【】\[\]:：]", "", text)
    return bool(words) and _tool_words().fullmatch(words) is not None


def _edition_note(text: str) -> bool:
    """ "根据手稿刊印。": where a collection took the text from."""
    return text.startswith("根据") and _edition().match(text) is not None


def dateline_paper(blocks: list[Block]) -> str | None:
    """The newspaper whose dateline opens the article ("湖南日报1月26日讯")."""
    for block in blocks:
        if any(seg.cue == "电头和署名" for seg in block.segments):
            m = _BYLINE_LEAD.match(block.text)
            return m.group("paper") if m else None
    return None


def author_organ(blocks: list[Block]) -> str | None:
    """The body that wrote a web article, from "（某某办秘书处）" closing it."""
    for block in blocks:
        if block.role is Role.BOILERPLATE and block.cue == "文末署名单位":
            m = _AUTHOR_ORGAN.match(re.sub(r"\s", "", block.text))
            return m.group("organ") if m else None
    return None


def claim(blocks: list[Block]) -> None:
    statement = False  # inside a site's numbered statement under its disclaimer heading
    label = ""  # the block before: a page field's label standing without its value
    related = False  # under "相关文章：", in a list of links
    for block in blocks:
        if block.role is not None:
            label = ""
            related = related and block.role is Role.BOILERPLATE
            continue
        if statement and _STATEMENT_ITEM.match(block.text.lstrip()):
            block.assign(Role.BOILERPLATE, "网页/版式：声明条款")
            continue
        if related and _LINK_ITEM.match(block.text.strip()):
            block.assign(Role.BOILERPLATE, "网页：相关文章链接")
            continue
        if label and _field_value(label, block.text):
            block.assign(Role.BOILERPLATE, "网页字段的值")  # "发布时间：" / "2025-05-22 10:03"
            label = ""
            continue
        statement = len(block.text) <= 40 and any(h in block.text for h in cues.DISCLAIMER_HEADINGS)
        related = len(block.text) <= 12 and block.text.strip().startswith(cues.RELATED_HEADINGS)
        cue = cue_for(block.text)
        label = block.text.strip() if cue and block.text.rstrip().endswith((":", "：")) else ""
        if cue is not None:
            block.assign(Role.BOILERPLATE, cue)
        else:
            if m := _TRAILING_SOURCE.search(block.text) or _TRAILING_BYLINE.search(block.text):
                block.mark(m.start(), len(block.text), Role.BOILERPLATE, "文末来源")
            if (lead := _BYLINE_LEAD.match(block.text)) and lead.end() < len(block.text):
                block.mark(0, lead.end(), Role.BOILERPLATE, "电头和署名")
