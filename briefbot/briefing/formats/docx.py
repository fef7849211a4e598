"""Word .docx: paragraphs and tables in document order, text boxes included (mastheads sit there).

A paragraph that is bold throughout, short and without closing punctuation is a heading; it is
returned as 【heading】 so that the parser sees the same marker as in plain-text briefings.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from briefbot.briefing.errors import UnreadableDocument

_TXBX = qn("w:txbxContent")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL = qn("w:p"), qn("w:tbl")


def _textbox_paragraphs(element: etree._Element) -> list[etree._Element]:
    """Paragraphs inside text boxes anchored in ``element``, skipping VML fallback copies."""
    found = []
    for box in element.iter(_TXBX):
        parent = box.getparent()
        inside_fallback = False
        while parent is not None and parent is not element:
            if parent.tag == _FALLBACK:
                inside_fallback = True
                break
            parent = parent.getparent()
        if not inside_fallback:
            found.extend(box.iter(_P))
    return found


def _is_heading(paragraph: Paragraph, text: str) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs or len(text) > 24 or text[-1] in "。！？；，,.":
        return False
    return all(r.bold for r in runs) and not text.startswith("【")


# a bold lead that begins a list item stays in its paragraph: "一是…。" "（一）…。"
_ORDINAL_LEAD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[是、]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])"
)


def _bold_lead(paragraph: Paragraph) -> str | None:
    """A headline set in bold at the start of a paragraph, its text in regular type after it."""
    runs = [r for r in paragraph.runs if r.text]
    lead = ""
    for k, run in enumerate(runs):
        if not run.bold:
            rest = "".join(r.text for r in runs[k:]).strip()
            head = lead.strip()
            label = head.endswith(("：", ":"))  # "编者按：" is a label, not a headline
            if (
                4 <= len(head) <= 40
                and len(rest) >= 10
                and not label
                and not _ORDINAL_LEAD.match(head)
            ):
                return head
            return None
        lead += run.text
    return None


def _paragraph_lines(paragraph: Paragraph) -> list[str]:
    text = paragraph.text.strip()
    if text and _is_heading(paragraph, text):
        return [f"【{text}】"]
    head = _bold_lead(paragraph) if text else None
    if head is not None:  # "高新区完成…评估。" in bold, then the item's text
        return [f"【{head}】", text[len(head) :].strip()]
    return [paragraph.text]


def docx_pages(data: bytes) -> list[list[str]]:
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        raise UnreadableDocument("Word 文件已损坏，无法打开。") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _P:
            for inner in _textbox_paragraphs(child):
                lines.append(Paragraph(inner, document).text)
            lines.extend(_paragraph_lines(Paragraph(child, document)))
        elif child.tag == _TBL:
            table = Table(child, document)
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                if cells:
                    lines.append(" | ".join(cells))
    return [lines]
