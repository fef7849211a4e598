"""Reading a feed of briefings: RSS/Atom, or a listing page that links to briefing files."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

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


class UnsafeUrl(ValueError):
    """A feed or item address the bot refuses to fetch (SSRF): not http(s), or pointing into
    the bot's own network. ``str()`` says why, for the log."""


def is_public_address(text: str) -> bool:
    """Globally routable unicast: not loopback, private, link-local (cloud metadata at
    169.254.169.254), CGNAT, reserved, multicast or unspecified."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise ``UnsafeUrl`` unless ``url`` is http(s) and, unless ``allow_private``, every address
    its host resolves to is public. A name that does not resolve passes: the request itself
    then fails as a network error, and is retried later like any other."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeUrl(f"scheme {scheme or '(none)'!r} refused: only http and https are fetched")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("no host in the address")
    if allow_private:
        return
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("invalid port") from None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise UnsafeUrl(
                f"{host} resolves to {address}, a loopback or private address"
                " (set sources.allow_private_feeds to fetch from the internal network)"
            )
