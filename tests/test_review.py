"""What the office is told before 发布: recognised counts, and warnings where cues say something
was probably missed — in the domain, and in the preview the office sees."""

from __future__ import annotations

from briefbot.briefing import parse_briefing
from briefbot.briefing.review import review
from briefbot.render import render_parts
from tests.test_sources_office import office_texts, upload

MISSED = """\
青禾县政务简报
第3期
青禾县人民政府办公室
2025年3月4日
【工作动态】
3月2日，县长林振宇对春耕备耕工作高度重视，专门作出批示。各乡镇已抓紧落实春耕物资储备。
各乡镇要于3月20日前完成农资储备情况摸底。
"""

CLEAN = """\
青禾县政务简报
第4期
青禾县人民政府办公室
2025年3月11日
【领导批示】
3月9日，县长林振宇在《关于春耕备耕情况的报告》上批示：“各乡镇要抓紧落实农资储备，确保不误农时。”
【工作动态】
全县春耕备耕有序推进
3月以来，全县储备化肥1.2万吨、种子860吨，可满足春耕需要。
"""


def test_directive_cue_without_a_directive_is_warned():
    b = parse_briefing(MISSED)
    assert b.directives == ()
    checked = review(b, render_parts(b))
    assert checked.summary.startswith("识别：批示 0 条")
    assert any("林振宇" in w and "没有识别为批示" in w for w in checked.warnings)


def test_a_recognised_briefing_has_no_warnings_and_counts_what_it_found():
    b = parse_briefing(CLEAN)
    checked = review(b, render_parts(b))
    assert checked.warnings == ()
    assert checked.summary == "识别：批示 1 条（林振宇） · 要闻 1 条 · 时限 0 项 · 日期 2025-03-11"


def test_missing_date_navigation_title_and_thin_message_are_warned():
    body = "。".join(f"第{i}项工作稳步推进，各单位按照部署认真落实各项任务" for i in range(80))
    b = parse_briefing(f"[返回首页]\n首页 > 工作动态 > 正文\n{body}。\n")
    warnings = review(b, ["📄 简报"]).warnings
    assert any("没有识别出简报日期" in w for w in warnings)
    assert any("可能漏掉了重要内容" in w for w in warnings)
    # navigation is never the title: the headline under it is
    nav = parse_briefing(
        "[返回列表]\n首页 > 工作动态 > 正文\n全县春耕有序推进\n今年以来储备化肥。\n"
    )
    assert nav.title == "全县春耕有序推进"
    assert "没有识别出标题。" in review(parse_briefing("[返回列表]\n"), []).warnings


async def test_preview_states_what_was_recognised_and_warns(app, emulator):
    await upload(app, emulator, "简报.txt", MISSED.encode())
    note = office_texts(emulator)[0]
    assert "识别：批示 0 条" in note and "日期 2025-03-04" in note
    assert "⚠️ 第" in note and "林振宇" in note and "没有识别为批示" in note


def test_a_document_without_a_recognisable_title_is_named_after_its_file_and_warned():
    from briefbot.publishing import parse_file

    body = "今年以来，全县各乡镇认真落实防汛责任，排查隐患二十八处，已整改二十处。"
    parsed = parse_file(f"{body}\n{body}\n".encode(), "防汛工作情况.txt")
    assert parsed.briefing.title == "防汛工作情况" and not parsed.briefing.title_found
    warnings = review(parsed.briefing, render_parts(parsed.briefing)).warnings
    assert "没有识别出标题，暂用文件名“防汛工作情况”，请核对或点击“编辑”。" in warnings
