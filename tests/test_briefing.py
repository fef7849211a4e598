"""Parsing: the real sample (when ../shared is present), the shipped synthetic briefing, and
fixtures for encodings and layout artifacts."""

from datetime import date

import pytest

from briefbot.briefing import UnreadableDocument, extract_text, parse_briefing
from briefbot.briefing.numerals import parse_number
from briefbot.briefing.repair import clean_line
from tests.conftest import SAMPLE, SHIPPED, needs_sample


@pytest.fixture(scope="module")
def sample():
    return parse_briefing(extract_text(SAMPLE.read_bytes()))


@needs_sample
def test_sample_masthead(sample):
    assert sample.title == "“五型”政府建设简报"
    assert sample.issue is not None and sample.issue.number == 13 and sample.issue.year == 2018
    assert sample.date == date(2018, 11, 23)
    assert sample.issuer == "省“五型”政府建设领导小组办公室"
    assert sample.sections == ("领导批示", "本期要闻")


@needs_sample
def test_sample_directive_is_verbatim_without_page_break_debris(sample):
    [directive] = sample.directives
    assert (directive.leader, directive.title) == ("易炼红", "省长")
    assert directive.date == date(2018, 11, 19)
    assert directive.text.startswith("全省‘五型’政府建设启动以来")
    assert directive.text.endswith("作出新的更大贡献。")
    assert "献。" not in directive.text[:-4] and "”" not in directive.text
    # words from the middle, nested quotes intact
    assert "紧紧扭住省委十四届六次全会提出的‘高质量跨越式发展’首要战略" in directive.text


@needs_sample
def test_sample_tasks_and_problems(sample):
    headings = [t.heading for t in sample.tasks]
    assert len(headings) == 5
    assert headings[0].startswith("务必提高政治站位")
    assert [h[:4] for h in headings] == ["务必提高", "务必聚焦", "务必做好", "务必深化", "务必强化"]
    assert sample.problems == ("有快有慢、进展不一", "有漏有缺、实度不够", "照搬照套、结合不紧")


@needs_sample
def test_sample_meeting_is_not_a_directive_and_page_breaks_are_joined(sample):
    # "传达学习易炼红省长11月19日批示精神" and "出席会议并讲话" are not directives
    assert len(sample.directives) == 1
    joined = "\n".join(sample.paragraphs)
    assert "推进政府治理体系" in joined and "常抓不懈" in joined and "营造重商" in joined
    assert "**" not in joined
    assert sample.colophon.lines == ("省“五型”政府建设领导小组办公室编", "电话:0791—88919536")
    assert sample.colophon.printed_by == "省“五型”政府建设领导小组办公室"
    assert sample.colophon.contacts == ("电话:0791—88919536",)


def test_shipped_briefing():
    b = parse_briefing(extract_text(SHIPPED.read_bytes()))
    assert b.title == "“清风惠企”行动简报"
    assert b.issue is not None
    assert (b.issue.number, b.issue.year, b.issue.cumulative) == (7, 2026, 31)
    assert b.date == date(2026, 11, 20)
    [d] = b.directives
    assert (d.leader, d.title, d.date) == ("林振华", "省长", date(2026, 11, 16))
    assert d.document == "关于“清风惠企”行动第三季度进展情况的报告"
    assert d.text.startswith("‘清风惠企’行动开展以来") and d.text.endswith("确保年底前见到实效。")
    assert [t.heading[:6] for t in b.tasks] == ["抓好诉求清零", "抓好政策直达", "抓好督查问效"]
    assert len(b.problems) == 3
    exact = [x for x in b.deadlines if not x.approximate]
    assert [(x.date, x.raw[:6]) for x in exact] == [(date(2026, 12, 5), "请各单位于1")]
    # the page number "— 2 —" is gone and the split sentence is joined
    text = "\n".join(b.paragraphs)
    assert "— 2 —" not in text and "逐项落实" in text
    # the colophon stays out of the body
    assert "共印" not in text and b.colophon.copies == 60
    assert b.colophon.report_to == ("省委办公厅", "省人大常委会办公厅", "省政协办公厅")
    assert b.colophon.issue_to == ("各设区市人民政府", "省政府各部门")
    assert [n.lead[:6] for n in b.news] == ["11月18日", "11月19日"]


SYNTHETIC = """\
青山县政务简报
第十二期
青山县人民政府办公室　　２０２５年１月６日
【领导批示】
1月3日,县委书记陈立新在《关于冬季安全生产检查情况的报告》上批示:“请各乡镇、各部门对照问题清单，
逐项整改到位。对整改不力的，要严肃追责。”
【工作动态】
1月4日,县政府召开安全生产工作会议。会议要求各乡镇于1月15日前完成自查，并于每月25日前报送整改进展。
- 1 -
报:市政府办公室
共印 30 份
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_encodings_are_detected_from_bytes(encoding):
    b = parse_briefing(extract_text(SYNTHETIC.encode(encoding)))
    assert b.title == "青山县政务简报"
    assert b.issue is not None and b.issue.number == 12
    assert b.date == date(2025, 1, 6)  # full-width digits
    [d] = b.directives
    assert (d.title, d.leader, d.date) == ("县委书记", "陈立新", date(2025, 1, 3))  # title first
    assert d.text == "请各乡镇、各部门对照问题清单，逐项整改到位。对整改不力的，要严肃追责。"
    deadline = next(x for x in b.deadlines if not x.recurring)
    assert deadline.date == date(2025, 1, 15)
    recurring = [x for x in b.deadlines if x.recurring]
    assert len(recurring) == 1 and "每月25日前" in recurring[0].raw
    assert b.issuer == "青山县人民政府办公室"
    assert b.colophon.report_to == ("市政府办公室",) and b.colophon.copies == 30


def test_deadline_rolls_over_the_year():
    text = "某某简报\n第1期\n某某办公室\n2025年12月20日\n【通知】\n请各单位于1月10日前报送材料。\n"
    [deadline] = parse_briefing(text).deadlines
    assert deadline.date == date(2026, 1, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"   \n", "空"),
        (b"%PDF-1.7 binary", "PDF 文件已损坏"),
        (b"PK\x03\x04docx", "压缩文件已损坏"),
        (b"\x89PNG\x00\x00\x00\x00", "图片文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Word"),
        (b"{\\rtf1\\ansi", "RTF"),
        (b"\x00\x01\x02binary", "不是文本文件"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(data, message):
    with pytest.raises(UnreadableDocument, match=message):
        extract_text(data)


def test_clean_line_artifacts():
    assert clean_line("**一是 加强 领导**") == "一是加强领导"
    assert clean_line("2018 年 11 月 23 日") == "2018年11月23日"
    assert clean_line("\u2f08民群众") == "人民群众"  # Kangxi radical 人 from a PDF font
    assert clean_line("“五型”，政府。") == "“五型”，政府。"  # Chinese punctuation untouched


@pytest.mark.parametrize(
    ("text", "n"),
    [("13", 13), ("１３", 13), ("十三", 13), ("一百零二", 102), ("二〇一八", 2018), ("十", 10)],
)
def test_numbers(text, n):
    assert parse_number(text) == n
