"""Limits on what one document may cost before and after its text is extracted.

A .docx is a zip: 180 KB can inflate to 60 MB of XML and take a minute and a gigabyte to parse.
The cheap checks here run before any parsing (the zip's entry count and declared uncompressed
size, which Python's zipfile never reads past; a PDF's page count) and after extraction (pages,
characters). Time and memory are bounded by the worker process that runs the parse
(``briefbot.documents``).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO

from briefbot.briefing.errors import UnreadableDocument

MB = 1024 * 1024
TOO_LARGE = "文件过大或格式异常"
_XML_PARTS = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class DocumentLimits:
    max_unzipped_bytes: int = 100 * MB  # a .docx's entries together, uncompressed (images too)
    max_xml_bytes: int = 16 * MB  # its XML parts, uncompressed: what the parser has to read
    max_zip_entries: int = 2000
    max_pages: int = 300
    max_chars: int = 1_000_000  # extracted text; a 4-page briefing has about 6 000
    timeout_seconds: float = 30.0  # per document, in the worker process
    memory_bytes: int = 1024 * MB  # the worker process's address space (RLIMIT_AS)


class DocumentTooLarge(UnreadableDocument):
    """Over a limit, or built to look like one (a zip bomb). ``str()`` is Chinese and begins
    with "文件过大或格式异常"."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{TOO_LARGE}（{detail}），请检查文件，或精简、拆分后重新上传。")


def _mb(n: int) -> str:
    return f"{n / MB:.0f}MB" if n >= MB else f"{n // 1024}KB"


def check_zip(data: bytes, limits: DocumentLimits) -> None:
    """Entry count and total uncompressed size, from the central directory, before inflating."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not readable as a zip: the format check reports it
    if len(entries) > limits.max_zip_entries:
        raise DocumentTooLarge(f"压缩包内有 {len(entries)} 个文件，上限 {limits.max_zip_entries}")
    total = sum(max(e.file_size, 0) for e in entries)
    if total > limits.max_unzipped_bytes:
        raise DocumentTooLarge(f"解压后 {_mb(total)}，上限 {_mb(limits.max_unzipped_bytes)}")
    xml = sum(max(e.file_size, 0) for e in entries if e.filename.lower().endswith(_XML_PARTS))
    if xml > limits.max_xml_bytes:
        raise DocumentTooLarge(f"文档内容解压后 {_mb(xml)}，上限 {_mb(limits.max_xml_bytes)}")


def check_pdf_pages(data: bytes, limits: DocumentLimits) -> None:
    """The page count, read from the PDF's page tree without rendering or extracting text."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return  # damaged or encrypted: the PDF reader reports it
    try:
        pages = len(document)
    finally:
        document.close()
    if pages > limits.max_pages:
        raise DocumentTooLarge(f"共 {pages} 页，上限 {limits.max_pages} 页")


def check_before(data: bytes, limits: DocumentLimits) -> None:
    if data.startswith(b"PK\x03\x04"):
        check_zip(data, limits)
    elif data.startswith(b"%PDF"):
        check_pdf_pages(data, limits)


def check_extracted(pages: list[list[str]], limits: DocumentLimits) -> None:
    if len(pages) > limits.max_pages:
        raise DocumentTooLarge(f"共 {len(pages)} 页，上限 {limits.max_pages} 页")
    chars = sum(len(line) for page in pages for line in page)
    if chars > limits.max_chars:
        raise DocumentTooLarge(f"正文 {chars} 字，上限 {limits.max_chars} 字")
