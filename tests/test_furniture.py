"""Print and web furniture kept out of unit messages, on small invented documents: each cue is
positive evidence, and what it takes is only what it names."""

from __future__ import annotations

from briefbot.briefing import parse_briefing
from briefbot.briefing.blocks import Role
from briefbot.render import render_notice


def roles(b) -> dict[str, str]:
    return {p.text: p.role for p in b.parts}


def test_a_running_foot_on_the_first_page_is_dropped_like_the_others():
    body = "某某县开展冬季消防安全检查，共检查场所{}处，整改隐患{}处，约谈单位负责人{}人。"
    page1 = ["某某通讯", "第5期", "某某县消防救援大队", "2024年12月2日", body.format(1, 2, 3)]
    page2 = [body.format(4, 5, 6), "抄送：县应急管理局"]
    pages = [[*page1, "某某通讯　2024年第5期", "— 1 —"], [*page2, "某某通讯　2024年第5期", "— 2 —"]]
    b = parse_briefing(pages)
    assert b.title == "某某通讯"
    assert [d.reason for d in b.dropped].count("running head") == 2
    assert "2024年第5期" not in render_notice(b)


def test_a_sites_disclaimer_and_its_numbered_statement():
    b = parse_briefing(
        "某某镇开展防溺水宣传\n7月3日，某某镇组织志愿者到河道沿线开展防溺水宣传。\n"
        "某某信息网版权与免责声明\n1、本网刊载的作品，未经许可不得转载。\n"
        "2、本网转载的稿件不代表本网观点。\n"
    )
    r = roles(b)
    assert r["某某信息网版权与免责声明"] == Role.BOILERPLATE.value
    assert r["2、本网转载的稿件不代表本网观点。"] == Role.BOILERPLATE.value
    assert "本网" not in render_notice(b)


def test_document_sharing_site_notices_and_paging_links():
    b = parse_briefing(
        "关于做好汛期值班工作的通知\n"
        "- 1、下载文档前请核对文档内容，平台不提供额外服务。\n"
        "各单位要严格执行24小时值班制度，重要情况及时报告。\n页：\n[1] [2]\n"
    )
    r = roles(b)
    assert r["- 1、下载文档前请核对文档内容，平台不提供额外服务。"] == Role.BOILERPLATE.value
    assert r["页："] == r["[1] [2]"] == Role.BOILERPLATE.value


def test_a_collections_note_on_its_source_text():
    b = parse_briefing(
        "对某某报告的批语\n（一九五六年三月二日）\n此件很好，印发各地参考。\n毛某某\n三月二日\n"
        "根据抄件刊印。\n"
    )
    assert roles(b)["根据抄件刊印。"] == Role.BOILERPLATE.value
    assert "刊印" not in render_notice(b)


def test_the_body_that_wrote_a_web_article_closes_it_in_brackets():
    b = parse_briefing(
        "市档案馆举办档案开放日活动\n6月9日，市档案馆举办国际档案日开放活动，接待市民600余人次。\n"
        "(市档案馆办公室)endprint\n"
    )
    assert roles(b)["(市档案馆办公室)endprint"] == Role.BOILERPLATE.value
    assert "市档案馆办公室" not in render_notice(b).split("\n\n", 1)[1]


def test_an_issue_printed_as_a_year_and_a_number():
    b = parse_briefing(
        "市领导调研档案工作\n2023-05-06\n某某档案2023年4期\n5月4日，副市长某某某到市档案馆调研。\n"
    )
    assert b.issue is not None and (b.issue.number, b.issue.year) == (4, 2023)


def test_the_full_stop_left_after_a_quoted_directive_is_no_news_item():
    b = parse_briefing(
        "某某简报\n第2期\n某某区政府办公室\n2025年3月3日\n"
        "3月1日，区长某某某在报告上批示：“各街道要抓紧落实”。\n"
    )
    assert [d.text for d in b.directives] == ["各街道要抓紧落实"]
    assert b.news == ()


def test_page_tools_a_fields_value_under_its_label_a_site_statement_and_related_links():
    b = parse_briefing(
        "县城管局开展夜市整治\n发布时间：\n2025-06-02 09:30\n信息来源：\n今日某某\n放大\n缩小\n默认\n"
        "6月1日，县城管局对城区3处夜市开展集中整治，规范占道经营摊点86个。\n"
        "某某网声明：本网站转载的稿件不代表本网观点。\n相关文章：\n·县城管局开展门前三包检查\n"
        "·县城管局召开作风建设会议\n"
    )
    r = roles(b)
    for line in ("2025-06-02 09:30", "今日某某", "缩小", "某某网声明：本网站转载的稿件不代表本网观点。",
                 "·县城管局召开作风建设会议"):  # fmt: skip
        assert r[line] == Role.BOILERPLATE.value, line
    assert b.date is not None and b.date.isoformat() == "2025-06-02"
    message = render_notice(b)
    assert "缩小" not in message and "门前三包" not in message and "今日某某" not in message


def test_a_sites_greeting_bar_and_a_published_line_with_a_font_button():
    b = parse_briefing(
        "今天是：　设为首页 | 加入收藏\n某某区召开秋季防火工作会\n"
        "发表日期:2023-10-09 08:30:00  【字体:\n"
        "10月9日，某某区召开秋季防火工作会议，部署林区巡护工作。\n"
    )
    r = roles(b)
    assert r["今天是：设为首页 | 加入收藏"] == Role.BOILERPLATE.value
    assert "【字体" not in render_notice(b) and "设为首页" not in render_notice(b)
    assert "10月9日，某某区召开秋季防火工作会议，部署林区巡护工作。" in r


def test_a_disclosure_tables_column_row_is_page_furniture():
    b = parse_briefing(
        "关于某某村道路硬化工程验收情况的报告\n栏目: | 部门文件 | 来源: | 某某镇 |\n"
        "县交通运输局：\n某某村道路硬化工程已于9月完工，经验收合格。\n特此报告。\n"
    )
    r = roles(b)
    assert r["栏目: | 部门文件 | 来源: | 某某镇 |"] == Role.BOILERPLATE.value
    assert b.title == "关于某某村道路硬化工程验收情况的报告"
