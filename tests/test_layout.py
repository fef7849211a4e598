"""Layout repair (lines → paragraphs) on small invented documents: what continues a paragraph,
and what always stands on its own line."""

from __future__ import annotations

from briefbot.briefing import parse_briefing
from briefbot.briefing.blocks import Role
from briefbot.briefing.repair import clean_line, is_addressee, is_doc_title, reflow


def paragraphs(*lines: str) -> list[str]:
    return [p.text for p in reflow(list(lines))[0]]


def test_a_title_left_open_is_no_document_title_and_the_sentence_goes_on():
    assert not is_doc_title("6月2日，区长某某某在《关于河道清淤工作进展情况的报告")
    assert is_doc_title("关于河道清淤工作进展情况的报告")
    b = parse_briefing(
        "河务简报\n第3期\n某某区河长办公室\n2025年6月4日\n领导批示\n"
        "6月2日，区长甘某某在《关于河道清淤工作进展情况的报告\n"
        "》上批示：“清淤要赶在主汛期前完成，各街道要倒排工期。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.text) == ("甘某某", "清淤要赶在主汛期前完成，各街道要倒排工期。")
    assert d.document == "关于河道清淤工作进展情况的报告"


def test_an_organ_over_a_date_is_a_signature_even_after_an_unfinished_line():
    text = paragraphs(
        "\u2029附件：某某镇2025年农村人居环境整治工作方案（第一",
        "某某镇人民政府",
        "2025年3月2日",
    )
    assert text == [
        "附件：某某镇2025年农村人居环境整治工作方案（第一",
        "某某镇人民政府",
        "2025年3月2日",
    ]


def test_addressee_lines_without_a_leading_各_stand_alone():
    assert is_addressee("东城区、西城区人民政府，市政府有关委、办、局，两个园区管委会：")
    assert is_addressee("小林、小周同志：")
    assert not is_addressee("会议要求：")
    assert not is_addressee("县长某某某批示：")
    text = paragraphs(
        "东城区、西城区人民政府，市政府有关委、办、局：",
        "河道清淤工程是今年的民生实事之一，已列入市政府重点工作台账，各单位要密切配合，",
        "确保按期完成。",
    )
    assert text[0] == "东城区、西城区人民政府，市政府有关委、办、局："


def test_typeset_text_a_short_line_after_a_finished_sentence_is_a_headline():
    width = "县委批语：某某镇推行“田长制”的做法很好，各乡镇要认真学习借"
    lines = [
        "\u2029" + width,
        "鉴，结合本地实际抓好耕地保护工作，4月底前报县委办。",
        "某某镇推行“田长制”守护耕地",
        "\u2029某某镇把全镇耕地划分为126个网格，每个网格明确一名田长，",
        "实行日常巡查和问题清单管理，今年以来发现并制止违法占地行为9起。",
        "\u2029一季度全镇新增高标准农田1200亩，撂荒地复耕率达到百分之百，",
        "群众满意度明显提升，相关做法在全县推广。",
    ]
    text = paragraphs(*lines)
    assert text[1] == "某某镇推行“田长制”守护耕地"
    assert text[0].endswith("4月底前报县委办。")


def test_an_item_mark_starts_a_line_of_its_own():
    text = paragraphs(
        "\u2029县卫健局组织医疗队深入6个乡镇开展巡回义诊，服务群众1300余人",
        "次，发放宣传资料3000余份，受到群众欢迎。",
        "◆县医保局推进医保服务站点下沉到村",
        "\u2029今年以来，县医保局在全县68个行政村设立医保服务站点，实现参保",
        "登记、费用报销等8项业务就近办理，群众满意度明显提升。",
        "\u2029下一步，县医保局将继续完善站点建设，推动更多业务下沉到村，",
        "让群众少跑腿、好办事，不断提升医保服务质量和水平。",
    )
    assert "◆县医保局推进医保服务站点下沉到村" in text


def test_a_wrapped_mail_address_is_joined_even_in_a_colophon_line():
    text = paragraphs("联系电话：0123-4567890　邮箱：xxb_office@126.", "com")
    assert text == ["联系电话：0123-4567890　邮箱：xxb_office@126.com"]


def test_a_web_publication_line_does_not_swallow_the_headline_under_it():
    b = parse_briefing(
        "时间: 2023- 05- 06 09: 30 来源: 某某市河长制办公室\n"
        "某某市开展河湖“清四乱”专项行动\n"
        "5月5日，某某市启动河湖“清四乱”专项行动，为期三个月。\n"
    )
    assert (b.title, b.issuer) == ("某某市开展河湖“清四乱”专项行动", "某某市河长制办公室")


def test_a_headline_led_by_a_place_and_a_colon_is_no_sentence():
    b = parse_briefing(
        "基层动态\n第4期\n某某市委组织部\n2025年4月8日\n"
        "东岭乡：“积分超市”激活乡村治理新动能\n\n"
        "东岭乡在全乡12个村推行“积分超市”，村民参与人居环境整治可获积分兑换生活用品。\n\n"
        "西坪镇：党员中心户架起连心桥\n\n"
        "西坪镇选树党员中心户86户，每户联系周边10户群众，收集解决诉求230余件。\n"
    )
    assert [n.lead for n in b.news] == [
        "东岭乡：“积分超市”激活乡村治理新动能",
        "西坪镇：党员中心户架起连心桥",
    ]


def test_plain_text_table_columns_become_cells_but_a_spaced_title_does_not():
    assert clean_line("1　　村道硬化　　县交通局　　9月底") == "1 | 村道硬化 | 县交通局 | 9月底"
    assert clean_line("工  作  动  态") == "工作动态"
    assert (
        clean_line("某某县人民政府办公室　　　　2025年3月6日") == "某某县人民政府办公室2025年3月6日"
    )
    b = parse_briefing(
        "督查通报\n第2期\n某某县政府督查室\n2025年6月3日\n"
        "序号　　事项　　责任单位　　完成时限\n"
        "1　　村道硬化　　县交通局　　9月底\n"
        "2　　污水管网　　县住建局　　10月底\n"
    )
    rows = [p.text for p in b.parts if p.role != Role.MASTHEAD.value]
    assert "1 | 村道硬化 | 县交通局 | 9月底" in rows


def test_a_notice_run_into_one_line_is_split_only_at_its_addressees():
    from briefbot.briefing.repair import lay_out

    told = (
        "根据省政府办公厅关于加强安全生产工作的通知要求，某某县本周组织开展了为期三天的安全生产"
        "大检查，检查组发现问题如下：消防通道堵塞、应急照明损坏，已全部督促整改到位。"
    )
    no_colon = "根据市里关于秋冬季大气污染防治的意见，全县" + "严格落实扬尘管控措施，" * 8
    notice = (
        "某某区人民政府办公室关于开展消防安全检查的通知各街道办事处，区政府各部门：为切实做好"
        "冬春季节消防安全工作，经区政府同意，决定在全区开展消防安全大检查，请认真组织实施。"
    )
    lines, _ = lay_out([[told, no_colon, notice]])
    assert lines[:2] == [told, no_colon]
    assert lines[2:] == [
        "某某区人民政府办公室关于开展消防安全检查的通知",
        "各街道办事处，区政府各部门：",
        notice.split("：", 1)[1],
    ]


def test_a_markdown_table_rule_is_dropped_and_an_office_is_an_addressee():
    from briefbot.briefing.repair import lay_out

    lines, dropped = lay_out([["关于某某事项的报告", "| --- | :---: |", "|---|---|---|", "正文。"]])
    assert lines == ["关于某某事项的报告", "", "", "正文。"]
    assert [d.reason for d in dropped] == ["rule", "rule"]
    assert is_addressee("市防汛抗旱指挥部办公室：") and is_addressee("县安全生产委员会办公室:")
