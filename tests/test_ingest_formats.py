"""Every synthetic briefing in every supported format, with the artifacts real files carry,
must parse to the same fields."""

from __future__ import annotations

import re

import pytest

from briefbot.briefing import Format, extract, parse_briefing
from briefbot.briefing.extract import sniff
from tests.fixtures.builders import ALL_FORMATS
from tests.fixtures.synthetic import ALL, Synthetic

CASES = [(s, fmt) for s in ALL for fmt in ALL_FORMATS]
_ARTIFACTS = re.compile(
    r"—\s*\d+\s*—|－\d+－|^-\s*\d+\s*-$|第\d+页|\*\*|[\u2e80-\u2eff\u2f00-\u2fdf]"
)


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(s: Synthetic, fmt: str):
        if (s.name, fmt) not in cache:
            data = ALL_FORMATS[fmt](s)
            cache[(s.name, fmt)] = (extract(data), parse_briefing(extract(data).pages))
        return cache[(s.name, fmt)]

    return get


@pytest.mark.parametrize(("s", "fmt"), CASES, ids=[f"{s.name}-{f}" for s, f in CASES])
def test_masthead(parsed, s, fmt):
    extracted, b = parsed(s, fmt)
    assert extracted.format is Format(fmt.split("-")[0])
    e = s.expect
    assert b.title == e["title"]
    assert b.issue is not None and b.issue.number == e["number"] and b.issue.year == e["year"]
    if "cumulative" in e:
        assert b.issue.cumulative == e["cumulative"]
    assert b.date == e["date"]
    assert b.issuer == e["issuer"]
    assert b.classification == e["classification"]


@pytest.mark.parametrize(("s", "fmt"), CASES, ids=[f"{s.name}-{f}" for s, f in CASES])
def test_directives_verbatim(parsed, s, fmt):
    _, b = parsed(s, fmt)
    got = [(d.leader, d.title, d.date, d.document, d.text) for d in b.directives]
    assert got == s.expect["directives"]


@pytest.mark.parametrize(("s", "fmt"), CASES, ids=[f"{s.name}-{f}" for s, f in CASES])
def test_sections_tasks_problems_headlines(parsed, s, fmt):
    _, b = parsed(s, fmt)
    assert b.sections == s.expect["sections"]
    assert [t.heading for t in b.tasks] == s.expect["tasks"]
    assert list(b.problems) == s.expect["problems"]
    assert [n.headline for n in b.news if n.headline] == s.expect["headlines"]


@pytest.mark.parametrize(("s", "fmt"), CASES, ids=[f"{s.name}-{f}" for s, f in CASES])
def test_deadlines(parsed, s, fmt):
    _, b = parsed(s, fmt)
    got = [(d.date, d.owner, d.what, d.to, d.approximate, d.recurring) for d in b.deadlines]
    assert got == s.expect["deadlines"]


@pytest.mark.parametrize(("s", "fmt"), CASES, ids=[f"{s.name}-{f}" for s, f in CASES])
def test_colophon_stays_out_and_artifacts_are_gone(parsed, s, fmt):
    _, b = parsed(s, fmt)
    for key, value in s.expect["colophon"].items():
        assert getattr(b.colophon, key) == value, key
    body = "\n".join(b.paragraphs)
    assert "共印" not in body and "印发" not in body and "抄送" not in body
    assert not _ARTIFACTS.search(body), _ARTIFACTS.search(body)
    if s.running_head:
        assert s.running_head not in body
    # the split paragraph is whole again: every source paragraph appears in one piece
    normalised = body.replace(",", "，")
    for paragraph in s.body:
        if not paragraph.startswith("【"):
            assert paragraph.replace(",", "，") in normalised, paragraph[:20]


def test_docx_table_rows_and_textbox_masthead():
    from tests.fixtures.builders import docx
    from tests.fixtures.synthetic import RURAL

    pages = extract(docx(RURAL)).pages
    assert "乡村振兴工作简报" in pages[0]
    assert "清溪镇 | 12 | 310" in pages[0]


def test_html_navigation_is_left_out():
    from tests.fixtures.builders import html
    from tests.fixtures.synthetic import BUSINESS

    text = extract(html(BUSINESS, "gb2312")).text
    assert "首页" not in text and "版权所有" not in text and "统计代码" not in text
    assert "营商环境就是生产力" in text


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7", Format.PDF),
        (b"<!DOCTYPE html><html>", Format.HTML),
        (b"  <html><body><p>x</p>", Format.HTML),
        ("简报".encode("gb18030"), Format.TEXT),
        ("<p>一</p><p>二</p><div>三</div>".encode(), Format.HTML),
    ],
)
def test_format_is_sniffed_from_bytes(data, kind):
    assert sniff(data) is kind


def test_scanned_pdf_is_refused():
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.rect(50, 50, 400, 600, fill=1)  # an "image", no text layer
    c.showPage()
    c.save()
    from briefbot.briefing import UnreadableDocument

    with pytest.raises(UnreadableDocument, match="扫描件"):
        extract(buffer.getvalue())


def test_corrupt_files_are_refused_without_traceback():
    from briefbot.briefing import UnreadableDocument

    with pytest.raises(UnreadableDocument, match="PDF 文件已损坏"):
        extract(b"%PDF-1.4\n garbage")
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<not-xml")
    with pytest.raises(UnreadableDocument, match="Word 文件已损坏"):
        extract(buffer.getvalue())
