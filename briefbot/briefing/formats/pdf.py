"""PDF, page by page through PDFium, so that page breaks, running headers and numbers are known."""

from __future__ import annotations

import pypdfium2 as pdfium

from briefbot.briefing.errors import UnreadableDocument


def pdf_pages(data: bytes) -> list[list[str]]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableDocument("PDF 文件已加密，请上传未加密的文件。") from None
        raise UnreadableDocument("PDF 文件已损坏，无法打开。") from None
    pages: list[list[str]] = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            page.close()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    finally:
        document.close()
    if not any(line.strip() for page in pages for line in page):
        raise UnreadableDocument(
            "这是扫描件（PDF 中没有文字层），无法识别文字。请上传可复制文字的 PDF、Word 或文本文件。"
        )
    return pages
