"""Reading a feed of briefings: RSS/Atom, or a listing page that links to briefing files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml import etree

from briefbot.briefing.formats.html import decode_html

_DOCUMENT_LINK = re.compile(r"\.(pdf|docx|txt|html?|shtml)(\?|#|$)", re.IGNORECASE)
_BRIEFING_WORDS = re.compile(r"简报|快报|专报|通报|工作动态|第\s*[0-9一二三四五六七八九十]+\s*期")


@dataclass(frozen=True)
class FeedItem:
    key: str  # stable identity: the entry id, else the link
    link: str
    title: str


def _looks_like_feed(content: bytes, content_type: str) -> bool:
    if any(t in content_type for t in ("rss", "atom", "xml")):
        return True
    head = content[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


def parse_listing(content: bytes, base_url: str, content_type: str = "") -> list[FeedItem]:
    """Items in document order. Unparseable content gives an empty list."""
    if _looks_like_feed(content, content_type):
        parsed = feedparser.parse(content)
        items = []
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            link = urljoin(base_url, link)
            items.append(
                FeedItem(
                    key=entry.get("id") or link, link=link, title=(entry.get("title") or "").strip()
                )
            )
        return items
    try:
        root = lxml.html.fromstring(decode_html(content))
    except (etree.ParserError, ValueError):
        return []
    seen: set[str] = set()
    items = []
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = anchor.text_content().strip()
        if not (_DOCUMENT_LINK.search(href) and _BRIEFING_WORDS.search(title + href)):
            continue
        link = urljoin(base_url, href)
        if link not in seen:
            seen.add(link)
            items.append(FeedItem(key=link, link=link, title=title))
    return items
