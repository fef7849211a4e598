"""News items and their headlines, on small invented documents: where an item starts and what
its headline is."""

from __future__ import annotations

from dataclasses import replace

from briefbot.briefing import parse_briefing
from briefbot.render import render_notice

HEAD = "某某快报\n第4期\n某某镇党政办公室\n2025年6月3日\n"


def leads(text: str) -> list[str]:
    return [n.lead for n in parse_briefing(HEAD + text).news]


def test_a_headline_set_on_two_lines_is_one():
    assert leads(
        "某某镇东河村一民房发生火灾\n无人员伤亡\n"
        "6月1日凌晨，东河村一民房因电线老化起火，镇消防队10分钟内到场扑灭。\n"
        "镇卫生院开展义诊\n6月2日，镇卫生院在集镇开展义诊，服务群众200余人次。\n"
    ) == ["某某镇东河村一民房发生火灾无人员伤亡", "镇卫生院开展义诊"]


def test_lines_that_are_not_a_headlines_second_line():
    # a document's title over its number, a chapter over a chapter, headlines over headlines
    assert leads(
        "本期要目\n镇召开防汛会议\n镇开展义诊\n"
        "6月2日，镇卫生院在集镇开展义诊，服务群众200余人次。\n"
    ) == ["本期要目", "镇召开防汛会议", "镇开展义诊"]
    found = leads(
        "镇卫生院开展义诊\n6月2日，镇卫生院在集镇开展义诊，服务群众200余人次。\n"
        "关于印发某某镇防汛办法的通知\n某政发〔2025〕3号\n"
        "6月2日，镇政府印发防汛办法，对各村防汛责任作出规定。\n"
    )
    assert "关于印发某某镇防汛办法的通知" in found and not any("〔2025〕" in x for x in found[:2])


def test_a_bracketed_heading_over_a_subtitle_is_an_articles_headline():
    b = parse_briefing(
        HEAD + "【小院子办成大事情】\n——某某镇“院落议事会”工作法\n"
        "某某镇在全镇推行“院落议事会”，今年以来议定解决群众身边事128件。\n"
    )
    assert [n.lead for n in b.news] == ["小院子办成大事情——某某镇“院落议事会”工作法"]
    assert "小院子办成大事情" not in b.sections


def test_numbered_paragraphs_led_by_their_headline_are_items_of_their_own():
    assert leads(
        "工作动态\n"
        "一、镇召开防汛工作部署会。6月1日，镇党委、政府召开防汛工作部署会，安排部署汛期各项工作。\n"
        "二、镇卫生院开展家门口义诊。6月2日，镇卫生院在集镇开展义诊，服务群众200余人次。\n"
    ) == ["镇召开防汛工作部署会。", "镇卫生院开展家门口义诊。"]
    # a short label ("存在问题。") leads a section's paragraph, not an item
    assert leads(
        "一、基本情况。今年以来，全镇共排查各类隐患56处，已完成整改49处，整改率87.5%。\n"
        "二、存在问题。部分村对隐患排查重视不够，个别隐患整改不彻底，还存在反弹现象。\n"
    ) == ["基本情况。"]


def test_a_summarys_headline_stands_on_its_own_line():
    b = parse_briefing(HEAD + "全镇人居环境整治取得阶段成效\n东河村清理垃圾30吨。\n")
    b = replace(
        b, summary=("全镇人居环境整治取得阶段成效", "东河村清理垃圾30吨。", "西河村清理垃圾20吨。")
    )
    assert "全镇人居环境整治取得阶段成效\n东河村清理垃圾30吨。西河村" in render_notice(b)


def test_an_outline_attachments_and_footnotes_are_not_news():
    b = parse_briefing(
        HEAD + "◆本期要闻◆\n镇卫生院开展义诊\n6月2日，镇卫生院在集镇开展义诊，服务群众200余人次。\n"
        "一、存在问题\n部分村对隐患排查重视不够，个别隐患整改不彻底。\n"
        "附件：某某镇防汛应急预案\n第一章总则\n1.1编制目的\n第一条为做好防汛工作，制定本预案。\n"
        "注释\n〔1〕 东河村，即原东河乡所在地。\n"
    )
    assert [n.lead for n in b.news][:1] == ["镇卫生院开展义诊"]
    message = render_notice(b)
    for noise in ("本期要闻", "• 存在问题", "附件", "第一章", "1.1编制目的", "注释", "〔1〕"):
        assert noise not in message, noise
