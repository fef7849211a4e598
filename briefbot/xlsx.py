"""A small streaming XLSX (Office Open XML) package writer.

What the 签收单 needs and no more: worksheets whose rows arrive as ready XML (inline strings,
numbers, dates as serial numbers), a fixed style sheet given by the caller, defined names for
print titles and the autofilter. Each worksheet streams into its zip entry as it is written, so a
million cells take little memory; a sheet's XML is a pure function of its rows, so it can be made
in another process (briefbot.bulk_export) while this one compresses.

The parts and their element order follow what Excel writes (and XlsxWriter, which the 签收单 used
before: it spent ~10 µs per cell in per-cell calls; here a row is one string).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

_UNIX_DAY = 25569.0  # 1970-01-01 as an Excel serial day (1900 date system, past 1900-03-01)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
MAX_CELL_TEXT = 32767  # characters Excel keeps in one cell
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_HIDDEN = ' hidden="1"'


def column(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class ExcelTime:
    """Aware datetimes as Excel serial day numbers in one time zone (Excel has no zones).

    The zone's offset is looked up once per hour of UTC and kept: converting each of a million
    moments with ``astimezone`` would cost more than writing it."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[int, float] = {}

    def __call__(self, moment: datetime) -> float:
        stamp = moment.timestamp()
        hour = int(stamp // 3600)
        offset = self._offsets.get(hour)
        if offset is None:
            delta = moment.astimezone(self.tz).utcoffset()
            offset = self._offsets[hour] = delta.total_seconds() if delta else 0.0
        return (stamp + offset) / 86400 + _UNIX_DAY


def text_xml(text: str) -> str:
    """Cell text as XML: ``& < >`` escaped, control characters as Excel's ``_xHHHH_`` (and a
    literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``), cut to what a cell holds."""
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT]
    if not _NEEDS_WORK.search(text):
        return text
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(text: str) -> str:
    """The ``<is>`` of an inline string cell (``t="inlineStr"``)."""
    body = text_xml(text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def quote_sheet(name: str) -> str:
    """A sheet name as formulas and defined names refer to it: ``'名称'`` (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class DefinedName:
    name: str  # _xlnm.Print_Titles, _xlnm._FilterDatabase
    reference: str  # without the sheet: $6:$6, $A$6:$M$20
    hidden: bool = False


class Workbook:
    """Sheets written one after another into an in-memory zip; ``close`` returns the file."""

    def __init__(self, styles_xml: str, compresslevel: int = 1) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(
            self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._styles = styles_xml
        self._sheets: list[tuple[str, Sequence[DefinedName]]] = []

    def add_sheet(
        self,
        name: str,
        head: str,
        rows: Iterable[str],
        tail: str,
        names: Sequence[DefinedName] = (),
        chunk: int = 2000,
    ) -> None:
        """One worksheet: ``head`` is the XML before ``<sheetData>`` (sheetPr … cols), ``rows``
        the ``<row>`` elements in order, ``tail`` what follows ``</sheetData>``."""
        index = len(self._sheets) + 1
        self._sheets.append((name, names))
        with self._zip.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as part:
            part.write(
                f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{head}<sheetData>'.encode()
            )
            batch: list[str] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= chunk:
                    part.write("".join(batch).encode("utf-8", "replace"))
                    batch.clear()
            part.write(
                ("".join(batch) + f"</sheetData>{tail}</worksheet>").encode("utf-8", "replace")
            )

    def close(self) -> bytes:
        if not self._sheets:  # a workbook has at least one sheet
            self.add_sheet("Sheet1", "", (), "")
        count = len(self._sheets)
        sheets = "".join(
            f'<sheet name="{_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(self._sheets, start=1)
        )
        # sorted by name, then sheet, as Excel writes them
        defined = "".join(
            f'<definedName name="{d.name}" localSheetId="{i}"{_HIDDEN if d.hidden else ""}>'
            f"{_attr(quote_sheet(name))}!{d.reference}</definedName>"
            for d, i, name in sorted(
                ((d, i, name) for i, (name, names) in enumerate(self._sheets) for d in names),
                key=lambda found: (found[0].name.lower().removeprefix("_xlnm."), found[1]),
            )
        )
        parts = {
            "[Content_Types].xml": _content_types(count),
            "_rels/.rels": (
                f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/_rels/workbook.xml.rels": _workbook_rels(count),
            "xl/workbook.xml": (
                f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews>'
                '<workbookView xWindow="240" yWindow="15" windowWidth="16095" '
                f'windowHeight="9660"/></bookViews><sheets>{sheets}</sheets>'
                + (f"<definedNames>{defined}</definedNames>" if defined else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
            ),
            "xl/styles.xml": _HEAD + self._styles,
        }
        for path, xml in parts.items():
            self._zip.writestr(path, xml.encode())
        self._zip.close()
        return self._buffer.getvalue()


def _content_types(sheets: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{kind}.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
