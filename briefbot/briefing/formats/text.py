"""Plain text in the encodings offices produce: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030."""

from __future__ import annotations

import codecs

from briefbot.briefing.errors import UnreadableDocument


def decode_text(data: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode(data, encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode(data, "gb18030")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableDocument(
            "无法识别文件的文字编码（支持 UTF-8、UTF-16、GB18030）。"
        ) from None


def text_pages(data: bytes) -> list[list[str]]:
    """Form feeds mark page breaks when a converter left them; otherwise one page."""
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    return [page.split("\n") for page in text.split("\f")]
