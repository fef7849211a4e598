"""Roles decided by cues, on small documents in house styles other than the sample's."""

from __future__ import annotations

import random
from datetime import date

import pytest

from briefbot.briefing import parse_briefing
from briefbot.briefing.blocks import Role
from briefbot.render import render_notice
from tests.corpus.fidelity import coverage, documents, norm


def roles_of(b) -> dict[str, str]:
    return {p.text: p.role for p in b.parts}


def test_bold_district_heading_and_signature_date_in_chinese_numerals():
    b = parse_briefing(
        "澄江区工作动态\n（第九号）\n【区长批示】\n"
        "区长王某某批示：各街道要立即组织力量排查辖区危房，发现险情立即转移群众。\n"
        "◆ 城南街道完成老旧小区改造签约\n截至3月5日，城南街道老旧小区改造签约率达96%。\n"
        "澄江区人民政府办公室\n二〇二四年三月八日\n"
    )
    assert (b.title, b.issue and b.issue.number, b.date) == ("澄江区工作动态", 9, date(2024, 3, 8))
    assert b.issuer == "澄江区人民政府办公室"
    [d] = b.directives
    assert (d.leader, d.title) == ("王某某", "区长")
    assert d.text == "各街道要立即组织力量排查辖区危房，发现险情立即转移群众。"
    assert [n.lead for n in b.news] == ["城南街道完成老旧小区改造签约"]  # ◆ stripped
    message = render_notice(b)
    assert "• 澄江区人民政府办公室" not in message and "二〇二四年三月八日" not in message


def test_notes_by_a_body_relay_and_editors_note():
    b = parse_briefing(
        "工作通讯\n第15期\n中共某某省委办公厅秘书处编  2024年8月26日\n"
        "编者按：柳湾市的做法值得借鉴，现刊发供参阅。\n"
        "中共某某省委批语：\n"
        "省委认为，柳湾市的做法很好。各级党委要认真学习借鉴。\n"
        "某某省委办公厅按：现将中共柳湾市委的报告印发给你们，请结合实际认真贯彻落实。\n"
    )
    assert b.editor_notes == ("柳湾市的做法值得借鉴，现刊发供参阅。",)
    assert [(d.leader, d.verb) for d in b.directives] == [
        ("中共某某省委", "批语"),
        ("某某省委办公厅", "按"),
    ]
    assert b.directives[0].text == "省委认为，柳湾市的做法很好。各级党委要认真学习借鉴。"
    message = render_notice(b)
    assert "【编者按】" in message and "中共某某省委批语：" in message


def test_unquoted_directives_of_several_leaders_in_one_paragraph():
    b = parse_briefing(
        "某某州政务信息\n第6期\n某某州人民政府办公室\n2024年5月6日\n"
        "近日，州委书记马某某作出批示：各县市要把防汛救灾作为当前头等大事。州长杨某某批示指出，"
        "要压实责任，确保人民群众生命财产安全。副州长、州防指指挥长李某某、州人大常委会主任赵某某"
        "也分别作出批示。\n"
    )
    assert [(d.title, d.leader, d.text) for d in b.directives] == [
        ("州委书记", "马某某", "各县市要把防汛救灾作为当前头等大事。"),
        ("州长", "杨某某", "要压实责任，确保人民群众生命财产安全。"),
    ]


def test_signed_note_without_quotes_and_the_title_below_it():
    b = parse_briefing(
        "请各乡镇认真阅研，对照查找隐患，于6月底前将整改情况报县防指办。\n周某某\n6月21日\n"
        "关于强降雨过程防御情况的报告\n"
        "6月17日以来我县出现强降雨过程，全县平均降雨量127毫米。\n"
        "某某县防汛抗旱指挥部办公室\n2024年6月20日\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("周某某", date(2024, 6, 21))
    assert d.text == "请各乡镇认真阅研，对照查找隐患，于6月底前将整改情况报县防指办。"
    assert b.title == "关于强降雨过程防御情况的报告" and b.date == date(2024, 6, 20)


def test_deadline_across_a_line_break_and_outline_items():
    b = parse_briefing(
        "某某简报\n第2期\n某某办公室\n2025年2月10日\n"
        "会议要求，各县区对排查发现的隐患28处，要于3月\n31日前全部整改到位并报市安委办。\n"
        "（一）压实工作责任。各地要落实属地责任。\n（二）强化督查问效。市安委办要开展暗访。\n"
    )
    assert [d.date for d in b.deadlines] == [date(2025, 3, 31)]
    assert [t.heading for t in b.tasks] == ["压实工作责任", "强化督查问效"]
    assert not any(n.lead.startswith(("（一）", "（二）", "28处")) for n in b.news)


def test_outline_markers_over_paragraphs_are_news_headlines():
    b = parse_briefing(
        "某某县纪检监察简报\n第3期\n某某县纪委办公室\n2024年6月3日\n"
        "（一）东湖乡开展作风问题专项整治\n5月以来，东湖乡查处作风问题11个。\n"
        "（二）县纪委监委召开警示教育大会\n5月28日，县纪委监委召开全县警示教育大会。\n"
    )
    assert b.tasks == ()
    assert [n.lead for n in b.news] == ["东湖乡开展作风问题专项整治", "县纪委监委召开警示教育大会"]


def test_internal_reference_with_a_studying_section_and_two_deadlines_in_one_sentence():
    b = parse_briefing(
        "内 部 参 考\n（第九号）\n中共某某省委办公厅编   二〇二四年四月五日\n学习贯彻批示精神\n"
        "4月2日，区委书记王某某批示：“要举一反三。”区长李某某批示：“各街道要立即整改。”"
        "区人大常委会主任张某某、区政协主席刘某某也作出批示。\n"
        "■ 城东街道完成整改\n城东街道4月3日前完成整改，要于4月\n10日前报区政府。\n"
    )
    assert (b.title, b.issue and b.issue.number, b.date) == ("内部参考", 9, date(2024, 4, 5))
    assert b.issuer == "中共某某省委办公厅"
    assert [(d.leader, d.text) for d in b.directives] == [
        ("王某某", "要举一反三。"),
        ("李某某", "各街道要立即整改。"),
    ]
    assert [d.date for d in b.deadlines] == [date(2024, 4, 3), date(2024, 4, 10)]
    assert [n.lead for n in b.news] == ["城东街道完成整改"]


def test_web_page_furniture_is_boilerplate_by_evidence():
    b = parse_briefing(
        "[返回首页]\n首页 > 工作动态 > 正文\n全县秋粮收购进度过半\n"
        "截至10月20日，全县累计收购秋粮2.1万吨。（来源：县粮食局）\n分享到：微信 微博\n"
        "版权所有：某某县人民政府  ICP备12345678号\n",
        {"date": "2024-10-21 09:00", "site": "某某县人民政府"},
    )
    roles = roles_of(b)
    assert roles["[返回首页]"] == roles["分享到：微信微博"] == Role.BOILERPLATE.value
    assert roles["（来源：县粮食局）"] == Role.BOILERPLATE.value
    assert b.title == "全县秋粮收购进度过半" and b.date == date(2024, 10, 21)
    assert b.issuer == "某某县人民政府"
    assert "版权所有" not in render_notice(b) and "来源" not in render_notice(b)


def test_unstructured_report_gets_a_summary_that_says_something():
    sentences = [
        f"第{i}个乡镇完成了{i * 3}处隐患整改，投入资金{i * 12}万元，受益群众{i * 150}人。"
        for i in range(1, 60)
    ]
    body = "".join(sentences)
    b = parse_briefing(f"关于全县隐患整改情况的报告\n{body}\n")
    summary = "".join(b.summary)
    assert len(summary) >= min(600, len(body) // 4)
    assert all(s in body for s in b.summary)  # extractive: the document's own sentences
    assert summary in render_notice(b).replace("\n", "")


@pytest.mark.parametrize("seed", range(3))
def test_shuffled_corpus_documents_parse_and_lose_nothing(seed):
    """Documents no one has seen: the corpus's lines in random order."""
    rng = random.Random(seed)
    for doc in documents("open"):
        lines = doc.path.read_bytes().decode("utf-8", "ignore").splitlines()
        if doc.path.suffix != ".txt" or len(lines) < 3:
            continue
        rng.shuffle(lines)
        pages = [lines]
        b = parse_briefing(pages)
        missing, _ = coverage(pages, b)
        assert missing == 0, doc.name
        assert norm(render_notice(b))


def test_docx_bold_lead_is_a_headline_but_labels_and_ordinals_stay_inline():
    import io

    from docx import Document

    from briefbot.briefing import parse_document

    doc = Document()
    for line in ("某某市安全生产简报", "第11期", "某某市安全生产委员会办公室", "2024年9月12日"):
        doc.add_paragraph(line)
    for bold, rest in (
        (
            "高新区完成危化品企业评估。",
            "高新区对辖区23家危险化学品企业逐一评估，形成一企一策清单。",
        ),
        ("编者按：", "高新区的做法值得各地学习借鉴，现刊发供参阅。"),
        ("一是抓隐患排查。", "对重点行业开展拉网式排查。二是抓整改落实。确保按期整改到位。"),
    ):
        p = doc.add_paragraph()
        p.add_run(bold).bold = True
        p.add_run(rest)
    data = io.BytesIO()
    doc.save(data)
    b = parse_document(data.getvalue())
    assert b.news[0].lead == "高新区完成危化品企业评估。"  # the bold lead as printed
    assert b.editor_notes == ("高新区的做法值得各地学习借鉴，现刊发供参阅。",)
    assert [t.heading for t in b.tasks] == ["抓隐患排查", "抓整改落实"]
