"""Web pages: the article body as lines, navigation and scripts left out."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from briefbot.briefing import pagefields
from briefbot.briefing.errors import UnreadableDocument
from briefbot.briefing.formats.text import decode_text

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_BLOCK = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "section",
    "article",
    "table",
    "blockquote",
    "pre",
    "hr",
    "ul",
    "ol",
    "dd",
    "dt",
    "center",
}
_DROP = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select")
# ids and classes Chinese government CMSs give the article body
_CONTENT_HINT = re.compile(r"TRS_Editor|article|content|zoom|main|detail|zw|text", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def decode_html(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk"):
            name = "gb18030"
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _lines(element: etree._Element) -> list[str]:
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK:
            parts.append("\n")
        if tag in ("td", "th"):
            parts.append(" | ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    text = "".join(parts)
    return [re.sub(r"^\s*\|\s*", "", line).rstrip(" |") for line in text.split("\n")]


# <meta> names CMSs give the publication date
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "date",
              "dc.date", "dcterms.created", "publish_date", "releasedate", "created")  # fmt: skip


def _meta(root: etree._Element) -> dict[str, str]:
    """What the page says about itself: its <title>, first <h1> and publication date."""
    found: dict[str, str] = {}
    if (title := root.find(".//title")) is not None and title.text_content().strip():
        found["title"] = title.text_content().strip()
    for h1 in root.iter("h1"):
        text = h1.text_content().strip()
        if text:
            found["h1"] = text
            break
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if name in _DATE_META and content and "date" not in found:
            found["date"] = content
        elif name in ("sitename", "og:site_name") and content:
            found["site"] = content
    return found


def html_document(data: bytes) -> tuple[list[list[str]], dict[str, str]]:
    """The article's lines and the page's own metadata (``title``, ``h1``, ``date``)."""
    text = decode_html(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError):
        raise UnreadableDocument("网页内容为空或已损坏，无法读取。") from None
    meta = _meta(root)
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP)):
        bad.drop_tree()
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    # what the page prints about the article, wherever on the page (a disclosure table, a
    # 发布时间/来源 bar) — often outside the element that holds the article's text
    for key, value in pagefields.read([ln.strip() for ln in _lines(root)]).as_meta().items():
        meta.setdefault(key, value)
    candidates = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and _CONTENT_HINT.search(f"{el.get('id', '')} {el.get('class', '')}")
    ]
    best = root.body if root.find("body") is not None else root
    best_score = len(_CJK.findall(best.text_content())) * 0.6
    for el in candidates:
        score = len(_CJK.findall(el.text_content()))
        if score > best_score:
            best, best_score = el, score
    return [_lines(best)], meta
