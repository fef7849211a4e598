"""Turn the bytes of an uploaded or dropped file into text.

This first version reads plain text in the encodings offices actually produce. The format is
recognised from the bytes, never from the file name.
"""

from __future__ import annotations

import codecs


class UnreadableDocument(ValueError):
    """The file cannot be read as a briefing. ``str()`` is a Chinese message for the office."""


def extract_text(data: bytes) -> str:
    if not data.strip():
        raise UnreadableDocument("文件是空的，没有可读取的内容。")
    if data.startswith(b"%PDF"):
        raise UnreadableDocument("暂不支持 PDF 文件，请上传 .txt 文本文件。")
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableDocument("暂不支持 Word（.docx）文件，请上传 .txt 文本文件。")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode(data, encoding)
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("这不是文本文件（可能是图片或其他二进制文件）。")
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
