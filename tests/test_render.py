import re

import pytest

from briefbot.briefing import extract_text, parse_briefing
from briefbot.briefing.model import Briefing, Directive, Issue, NewsItem
from briefbot.render import (
    MessageTooLong,
    RenderOptions,
    render_notice,
    render_parts,
    visible_length,
)
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


def test_directive_too_long_for_one_message_is_split_never_truncated():
    sentences = [f"第{i}句要求各地各部门认真贯彻落实，确保各项任务按期完成。" for i in range(250)]
    text = "".join(sentences)
    directive = Directive("张三", "省长", None, "", text)
    news = (NewsItem("要闻", "要闻导语。", "要闻导语。"),)
    parts = render_parts(_briefing(directives=(directive,), news=news))
    assert len(parts) >= 2
    assert all(visible_length(p) <= 4096 for p in parts)
    plains = [visible_text(p) for p in parts]  # each part is valid Telegram HTML
    assert [p.rsplit("（第", 1)[1] for p in plains] == [
        f"{i}/{len(parts)}条）" for i in range(1, len(parts) + 1)
    ]
    quoted = "".join(re.findall(r"<blockquote>(.*?)</blockquote>", "".join(parts), re.S))
    assert quoted == text  # word for word, nothing lost, nothing repeated
    assert "要闻导语。" in plains[-1] and "已收到" in plains[-1]


def test_a_single_sentence_longer_than_a_message_is_refused():
    directive = Directive("张三", "省长", None, "", "落" * 5000)
    with pytest.raises(MessageTooLong, match="无法在不截断的情况下发送"):
        render_parts(_briefing(directives=(directive,)))


def test_only_deadlines_that_concern_units_are_shown():
    from briefbot.briefing.model import Deadline

    b = _briefing(
        deadlines=(
            Deadline("请各单位于12月5日前报送", None, owner="各单位"),
            Deadline("请省长办公会于12月6日前审定", None, owner="省长办公会"),
        )
    )
    plain = visible_text(render_notice(b))
    assert "12月5日" in plain and "12月6日" not in plain


def test_correction_and_original_pointers():
    plain = visible_text(
        render_notice(_briefing(), RenderOptions(correction=True, has_original=True))
    )
    assert plain.startswith("🔁 【更正】") and "原文" in plain


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
