"""Directives in forms the first fixtures did not have, on small invented documents: who gave
them, when, and where their words begin and end."""

from __future__ import annotations

from datetime import date

from briefbot.briefing import parse_briefing
from briefbot.briefing.blocks import Role
from briefbot.render import render_notice

HEAD = "某某信息\n第7期\n某某县人民政府办公室\n2025年8月12日\n"


def test_a_post_that_owns_something_is_no_subject():
    b = parse_briefing(
        HEAD
        + "接到市长的批示后，县委书记苗某某批示：“市长的批示要逐条落实，各乡镇今天就要部署。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.title) == ("苗某某", "县委书记")


def test_a_designation_in_two_groups_separated_by_a_comma():
    b = parse_briefing(
        HEAD + "8月9日，县委常委、统战部部长，县总工会主席乔某某在《关于职工服务站建设情况的报告》"
        "上批示：“服务站要建一个、用好一个。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.title) == ("乔某某", "县委常委、统战部部长，县总工会主席")


def test_a_bare_post_after_the_name_takes_the_designation_given_in_full_elsewhere():
    b = parse_briefing(
        HEAD + "8月10日，县委副书记、县长钱某某到龙口镇检查防汛工作。\n"
        "当晚，钱某某县长在县防指的专报上批示：“各地要盯紧山塘水库，确保安全度汛。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.title, d.date) == ("钱某某", "县委副书记、县长", date(2025, 8, 10))


def test_leaders_named_with_a_colon_in_a_directive_section():
    b = parse_briefing(
        HEAD + "领导批示\n县委书记苗某某：请县水利局牵头排查全部山塘水库，8月20日前报结果。\n"
        "县委副书记、县长钱某某：要压实巡查责任。发现险情立即转移群众。\n"
        "工作动态\n会议指出：汛期安全不容松懈。\n"
    )
    assert [(d.leader, d.title, d.text) for d in b.directives] == [
        ("苗某某", "县委书记", "请县水利局牵头排查全部山塘水库，8月20日前报结果。"),
        ("钱某某", "县委副书记、县长", "要压实巡查责任。发现险情立即转移群众。"),
    ]


def test_the_leaders_name_and_date_under_the_words_are_the_directives_own():
    b = parse_briefing(
        HEAD + "县委书记苗某某在此件上批示：请县农业农村局抓紧总结推广。\n苗某某\n2025年8月8日\n"
        "关于夏粮收购情况的报告\n今年全县收购夏粮3.2万吨。\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("苗某某", date(2025, 8, 8))
    assert d.text == "请县农业农村局抓紧总结推广。"
    roles = {p.text: p.role for p in b.parts}
    assert roles["苗某某"] == roles["2025年8月8日"] == Role.DIRECTIVE.value


def test_a_signed_note_takes_the_post_its_heading_gives_the_signer():
    b = parse_briefing(
        HEAD + "巴图苏木达批示\n牧区防火要抓早抓小，各苏木要组织专人巡查。\n巴图\n2025年8月6日\n"
    )
    [d] = b.directives
    assert (d.leader, d.title, d.date) == ("巴图", "苏木达", date(2025, 8, 6))


def test_the_date_of_a_meeting_that_relayed_a_directive_is_not_the_directives():
    b = parse_briefing(
        HEAD
        + "8月5日，县安委会召开全体会议，传达学习了市长许某某作出的批示：“安全生产要警钟长鸣。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("许某某", None)


def test_a_month_and_day_take_the_year_the_sentence_names():
    b = parse_briefing(
        "3月2日，在2019年全市水利工作会议召开之前，何某某市长在市水利局的报告上作出批示。\n"
        "何某某市长指出，今年要把农村饮水安全作为头等大事。\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("何某某", date(2019, 3, 2))


def test_a_notice_by_two_bodies_from_its_salutation_to_its_signatures():
    b = parse_briefing(
        "中共某某镇委员会\n某某镇人民政府\n关于印发《某某镇秸秆禁烧工作方案》的通知\n"
        "各村党支部、村委会，镇直各单位：\n"
        "秋收在即，秸秆禁烧形势严峻，各村要早谋划、早部署。\n"
        "现将《某某镇秸秆禁烧工作方案》印发给你们，请认真贯彻执行。\n"
        "附件：某某镇秸秆禁烧工作方案\n中共某某镇委员会\n某某镇人民政府\n2025年9月20日\n"
    )
    [d] = b.directives
    assert d.leader == "中共某某镇委员会、某某镇人民政府" and d.date == date(2025, 9, 20)
    assert d.text == (
        "秋收在即，秸秆禁烧形势严峻，各村要早谋划、早部署。\n"
        "现将《某某镇秸秆禁烧工作方案》印发给你们，请认真贯彻执行。"
    )
    assert "各村党支部、村委会" not in render_notice(b)


def test_a_salutation_to_people_is_part_of_a_note_but_a_notices_addressees_are_not():
    b = parse_briefing(
        "对某某来信的批语\n（一九六二年五月四日）\n伯达、乔木同志：\n"
        "此信写得好，印发各同志一阅。\n毛某某\n五月四日\n"
    )
    [d] = b.directives
    assert d.text == "伯达、乔木同志：\n此信写得好，印发各同志一阅。"
    assert b.title == "对某某来信的批语"


def test_words_reported_after_批示内容为_under_a_name_alone():
    b = parse_briefing(
        "三份批示\n这是1958年3月4日，邓某某在省委送审的报告上的批示。\n"
        "批示内容为：此件可发各地参阅。\n请各地注意总结经验。\n"
        "1958年5月2日，省里召开了经验交流会。\n"
    )
    [d] = b.directives
    assert (d.leader, d.title, d.date) == ("邓某某", "", date(1958, 3, 4))
    assert d.text == "此件可发各地参阅。\n请各地注意总结经验。"
    # a time word, a pronoun or a demonstrative before 在 is nobody
    b = parse_briefing("这份报告在县委常委会上批示通过。昨天在会上批示：“照办。”\n")
    assert b.directives == ()


def test_a_short_directive_on_a_line_of_its_own_is_no_section_heading():
    b = parse_briefing(HEAD + "韦某在报告上批示：“同意。”\n")
    assert [(d.leader, d.text) for d in b.directives] == [("韦某", "同意。")]
    # a place word is no name, whatever stands before 对
    assert parse_briefing(HEAD + "区里对该问题作出批示：“要抓紧整改。”\n").directives == ()


def test_a_post_without_a_name_is_not_given_the_issuers_name():
    b = parse_briefing(
        HEAD + "县长批示\n请各乡镇立即开展排查，8月20日前报县应急局。\n（8月11日）\n"
    )
    [d] = b.directives
    assert (d.leader, d.title, d.date) == ("", "县长", date(2025, 8, 11))
    assert "县长 8月11日批示" in render_notice(b)


def test_corner_bracket_quotes_are_stripped_like_curly_quotes():
    b = parse_briefing(
        HEAD + "8月10日，县委书记范某某在县水利局《汛后水毁工程排查报告》上批示：「水毁工程要在"
        "入冬前修复，县财政要保障资金。」\n"
    )
    [d] = b.directives
    assert d.text == "水毁工程要在入冬前修复，县财政要保障资金。"
    assert (d.leader, d.title) == ("范某某", "县委书记")


def test_a_name_with_its_designation_in_brackets_is_not_split_inside_the_organ():
    b = parse_briefing(
        HEAD + "会后，邵某某（县交通运输局党组书记、局长）在整改清单上批示：“桥梁检测8月底前完成。”\n"
    )
    [d] = b.directives
    assert (d.leader, d.title) == ("邵某某", "县交通运输局党组书记、局长")


def test_a_section_of_enterprise_leaders_notes_in_double_corner_brackets():
    b = parse_briefing(
        "某某矿业简报\n第3期\n2025年6月2日\n【领导批语】\n"
        "程某某（公司党委书记、董事长）：『井下通风系统隐患要逐项销号。』\n"
        "芦某（公司总经理）：『请安全部每周通报一次进度。』\n【工作动态】\n"
        "5月30日，公司召开安全生产例会。\n"
    )
    got = [(d.leader, d.title, d.text) for d in b.directives]
    assert got == [
        ("程某某", "公司党委书记、董事长", "井下通风系统隐患要逐项销号。"),
        ("芦某", "公司总经理", "请安全部每周通报一次进度。"),
    ]


def test_a_leader_named_by_post_only_and_a_day_in_brackets_after_the_verb():
    b = parse_briefing(
        HEAD + "【领导批示】\n"
        "州委主要领导在县农业农村局《秋粮收购情况》上批示：“请州农业农村局跟踪指导。”\n"
        "副县长易某某批示（8月11日）：“烘干设备缺口要在月底前补齐。”\n"
    )
    got = [(d.leader, d.title, d.date) for d in b.directives]
    assert got == [("州委主要领导", "", None), ("易某某", "副县长", date(2025, 8, 11))]
    assert b.directives[1].text == "烘干设备缺口要在月底前补齐。"


def test_a_day_alone_under_a_leaders_note_is_the_day_it_was_given():
    b = parse_briefing(
        HEAD + "县委副书记、县长鲁某某阅批：请各乡镇对照通报逐项整改，10日内报送整改情况。\n"
        "8月10日\n关于全县秸秆禁烧工作督查情况的通报\n各乡镇人民政府：\n"
        "8月上旬，县农业农村局对各乡镇秸秆禁烧工作进行了督查。\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("鲁某某", date(2025, 8, 10))
    assert d.text == "请各乡镇对照通报逐项整改，10日内报送整改情况。"


def test_a_day_alone_under_a_bodys_note_is_not_taken_as_the_notes_own():
    b = parse_briefing(
        HEAD + "【批示】\n县委批示：“各乡镇要抓好秸秆禁烧，确保不发生火情。”\n8月10日\n"
    )
    [d] = b.directives
    assert (d.leader, d.date) == ("县委", None)
    assert all(p.cue != "批示日期" for p in b.parts)
