"""Telegram's HTML parse mode: validate the markup and recover the visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class HtmlError(ValueError):
    pass


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            raise HtmlError(f'Unsupported start tag "{tag}"')
        if tag == "span" and ("class", "tg-spoiler") not in attrs:
            raise HtmlError('Unsupported start tag "span"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise HtmlError(f'Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(markup: str) -> str:
    """Validate Telegram HTML; return the text the user sees. Raises HtmlError like Telegram."""
    position = 0
    while True:
        lt = markup.find("<", position)
        if lt < 0:
            break
        if not _TAG_START.match(markup, lt):
            raise HtmlError(f"Unexpected character at byte offset {len(markup[:lt].encode())}")
        position = lt + 1
    position = 0
    while True:
        amp = markup.find("&", position)
        if amp < 0:
            break
        if not _ENTITY.match(markup, amp):
            raise HtmlError(
                f"Character entity expected at byte offset {len(markup[:amp].encode())}"
            )
        position = amp + 1
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
