import pytest

from briefbot.briefing import extract_text, parse_briefing
from briefbot.briefing.model import Briefing, Directive, Issue, NewsItem
from briefbot.render import MessageTooLong, render_notice, visible_length
from tests.conftest import SAMPLE, SHIPPED, needs_sample
from tgemu.htmltext import visible_text


def _briefing(**overrides) -> Briefing:
    values = dict(
        title="测试简报",
        issue=Issue("第1期", 1),
        date=None,
        issuer="测试办公室",
        classification=None,
        sections=(),
        directives=(),
        news=(),
        tasks=(),
        problems=(),
        deadlines=(),
        colophon=(),
        paragraphs=("正文。",),
        content_hash="x",
    )
    values.update(overrides)
    return Briefing(**values)


def test_document_text_is_escaped_and_markup_is_valid_telegram_html():
    b = _briefing(
        title="<script>alert(1)</script> & 简报",
        directives=(Directive("张三", "省长", None, "", "要 <b>认真</b> 落实 & 推进。"),),
        news=(NewsItem("要闻", "A<B 的会议召开。", "A<B 的会议召开。"),),
    )
    html_text = render_notice(b)
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    plain = visible_text(html_text)  # raises on anything Telegram would reject
    assert "要 <b>认真</b> 落实 & 推进。" in plain
    assert "A<B 的会议召开。" in plain


def test_long_news_is_shortened_but_directive_kept_whole():
    directive = Directive("张三", "省长", None, "", "落" * 3000 + "。")
    news = tuple(NewsItem("要闻", f"第{i}条" + "新闻" * 100 + "。", "") for i in range(20))
    html_text = render_notice(_briefing(directives=(directive,), news=news))
    assert visible_length(html_text) <= 4096
    assert "落" * 3000 + "。" in html_text
    assert "第0条" in html_text and "第19条" not in html_text


def test_directive_too_long_for_one_message_is_refused_not_truncated():
    directive = Directive("张三", "省长", None, "", "落" * 5000)
    with pytest.raises(MessageTooLong, match="未作截断"):
        render_notice(_briefing(directives=(directive,)))


@needs_sample
def test_sample_message_carries_directive_verbatim():
    b = parse_briefing(extract_text(SAMPLE.read_bytes()))
    plain = visible_text(render_notice(b))
    assert b.directives[0].text in plain
    assert "省长 易炼红 11月19日批示" in plain
    assert plain.count("务必") >= 5
    assert "电话" not in plain  # colophon stays out


def test_shipped_message_structure():
    b = parse_briefing(extract_text(SHIPPED.read_bytes()))
    plain = visible_text(render_notice(b))
    lines = plain.splitlines()
    assert lines[0] == "📄 “清风惠企”行动简报"
    assert lines[1] == "第7期 · 2026年11月20日 · 东川省“清风惠企”行动领导小组办公室"
    assert "请各单位于12月5日前将本单位落实情况报送省“清风办”" in plain
    assert "共印" not in plain and "报:省委办公厅" not in plain
