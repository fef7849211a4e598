"""Turn the bytes of an uploaded, dropped or fetched file into pages of lines.

The format is recognised from the bytes, never from the file name.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from io import BytesIO

from briefbot.briefing.errors import UnreadableDocument


class Format(StrEnum):
    TEXT = "txt"
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"


@dataclass(frozen=True)
class Extracted:
    format: Format
    pages: list[list[str]]
    meta: dict[str, str] = field(default_factory=dict)  # a web page's title, h1 and date

    @property
    def text(self) -> str:
        return "\f".join("\n".join(page) for page in self.pages)


_HTML_START = re.compile(
    rb"^\s*(<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<head|<body|<meta)", re.IGNORECASE
)
_HTML_TAGS = re.compile(rb"<(p|div|br|table|span|body)[\s>/]", re.IGNORECASE)


def sniff(data: bytes) -> Format:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadableDocument("文件是空的，没有可读取的内容。")
    if data.startswith(b"%PDF"):
        return Format.PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise UnreadableDocument("压缩文件已损坏，无法打开。") from None
        if "word/document.xml" in names:
            return Format.DOCX
        raise UnreadableDocument("不支持这种压缩文件，请上传 Word（.docx）、PDF、网页或文本文件。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableDocument("暂不支持旧版 Word（.doc）格式，请另存为 .docx 后再上传。")
    if data.startswith(b"{\\rtf"):
        raise UnreadableDocument("暂不支持 RTF 格式，请另存为 .docx 后再上传。")
    if data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        raise UnreadableDocument("这是图片文件，无法识别文字。请上传 Word、PDF、网页或文本文件。")
    head = data[:2048]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument("这不是文本文件（可能是图片或其他二进制文件）。")
    if (
        _HTML_START.match(head.lstrip(b"\xef\xbb\xbf"))
        or len(_HTML_TAGS.findall(data[:20000])) >= 3
    ):
        return Format.HTML
    return Format.TEXT


def extract(data: bytes) -> Extracted:
    kind = sniff(data)
    if kind is Format.PDF:
        from briefbot.briefing.formats.pdf import pdf_pages

        return Extracted(kind, pdf_pages(data))
    if kind is Format.DOCX:
        from briefbot.briefing.formats.docx import docx_pages

        return Extracted(kind, docx_pages(data))
    if kind is Format.HTML:
        from briefbot.briefing.formats.html import html_document

        pages, meta = html_document(data)
        return Extracted(kind, pages, meta)
    from briefbot.briefing.formats.text import text_pages

    return Extracted(kind, text_pages(data))


def extract_text(data: bytes) -> str:
    """All pages as one string, pages separated by form feeds."""
    return extract(data).text
