"""Title, issue, date and issuer from wherever a document or its web page prints them, on small
invented documents (the conventions are in tests/corpus/README.md)."""

from __future__ import annotations

from datetime import date

from briefbot.briefing import extract, parse_briefing, parse_document
from briefbot.briefing.pagefields import read


def test_a_series_label_with_its_mark_over_the_title_is_no_title():
    b = parse_briefing(
        "某某政法　内部交流\n政法工作快报\n第12期\n某某区委政法委员会\n2025年5月6日\n"
        "◆区综治中心完成升级改造\n5月以来，区综治中心新增视频会商系统。\n"
    )
    assert (b.title, b.issue and b.issue.number) == ("政法工作快报", 12)
    assert b.classification == "内部交流"


def test_bodies_issuing_together_over_the_title_are_the_issuers():
    b = parse_briefing(
        "某某委发〔2025〕9号\n中共某某乡委员会\n某某乡人民政府\n"
        "关于印发《某某乡防汛抢险预案》的通知\n各村党支部、村委会：\n"
        "现将《某某乡防汛抢险预案》印发给你们，请认真执行。\n"
        "中共某某乡委员会\n某某乡人民政府\n2025年5月8日\n"
    )
    assert b.title == "关于印发《某某乡防汛抢险预案》的通知"
    assert b.issuer == "中共某某乡委员会、某某乡人民政府"


def test_one_body_over_the_title_is_the_titles_first_line():
    b = parse_briefing(
        "某某县林业局\n关于做好春季森林防火工作的通知\n各乡镇林业站：\n"
        "现将有关事项通知如下，请认真贯彻落实。\n某某县林业局\n2025年3月1日\n"
    )
    assert b.title == "某某县林业局关于做好春季森林防火工作的通知"
    assert b.issuer == "某某县林业局"


def test_the_issuer_as_the_documents_title_names_it():
    b = parse_briefing(
        "某某市人民政府办公室关于印发某某市防汛应急预案的通知\n某某省某某市人民政府办公室\n"
        "某政办〔2025〕21号\n各区人民政府，市政府各部门：\n"
        "现将《某某市防汛应急预案》印发给你们，请认真贯彻执行。\n二〇二五年五月九日\n"
    )
    assert b.issuer == "某某市人民政府办公室"
    assert b.directives[0].leader == "某某市人民政府办公室"
    # and a title naming nobody, or naming the relayed body, names no issuer
    b = parse_briefing("某某县转发市应急局关于加强汛期值守的通知\n各乡镇：\n请认真落实。\n")
    assert b.issuer is None


def test_an_issuer_over_two_lines_ending_in_编_on_the_issue_line():
    b = parse_briefing(
        "农业科技参考\n某某农业大学\n发展规划处编 第3期（总第21期） 2025年4月2日\n"
        "1.全省春播进度过半\n"
    )
    assert b.title == "农业科技参考"
    assert b.issuer == "某某农业大学发展规划处"
    assert b.issue is not None and (b.issue.number, b.issue.cumulative) == (3, 21)


def test_the_signing_body_rather_than_the_office_that_printed_it():
    b = parse_briefing(
        "某某县教育局\n关于开展校园安全大检查的通知\n各中小学：\n"
        "请各校于4月10日前完成自查。\n某某县教育局\n2025年4月1日\n"
        "某某县教育局办公室2025年4月1日印发\n"
    )
    assert b.issuer == "某某县教育局"


def test_page_fields_in_a_disclosure_table_a_label_over_its_value_and_a_site_before_its_address():
    fields = read(
        [
            "索引号 | 0001/2025-00012",
            "发文机关 | 某某县人民政府办公室",
            "成文日期 | 2025年03月04日",
            "文号 | 工作通报第五期",
            "发布时间：",
            "2025-03-06 10:12",
            "某某县政府 www.example.gov.cn 2025-03-06 来源：某某县融媒体中心",
        ]
    )
    assert (fields.body, fields.written, fields.published) == (
        "某某县人民政府办公室",
        "2025-03-04",
        "2025-03-06",
    )
    assert (fields.number, fields.source, fields.site) == (
        "工作通报第五期",
        "某某县融媒体中心",
        "某某县政府",
    )
    assert read(["资金来源：县财政"]).source is None  # a word, not a field


def test_a_web_pages_table_outside_the_article_dates_and_numbers_it():
    page = (
        "<html><head><meta charset='utf-8'><title>关于春耕备耕工作的通报</title></head><body>"
        "<table><tr><th>发布机构</th><td>某某县农业农村局</td></tr>"
        "<tr><th>成文日期</th><td>2025年03月04日</td></tr>"
        "<tr><th>文号</th><td>农业通报第五期</td></tr></table>"
        "<div class='article'><p>近期，县农业农村局对全县春耕备耕工作开展了督查。</p>"
        "<p>各乡镇要抓紧落实农资储备，确保不误农时。</p></div></body></html>"
    ).encode()
    b = parse_document(page)
    assert (b.issue and b.issue.number, b.date, b.issuer) == (
        5,
        date(2025, 3, 4),
        "某某县农业农村局",
    )


def test_a_news_outlet_as_source_leaves_the_site_as_issuer_a_government_body_is_the_issuer():
    def page(source: str) -> bytes:
        return (
            "<html><head><meta charset='utf-8'><title>县长批示要求抓好秋粮收购_某某县人民政府</title>"
            "</head><body><div class='info'>发布时间：2025-10-09 来源：" + source + "</div>"
            "<div class='content'><p>10月8日，县长某某某在县粮食局的报告上批示：“要确保农民"
            "售粮顺畅。”</p></div></body></html>"
        ).encode()

    assert parse_document(page("某某县融媒体中心")).issuer == "某某县人民政府"
    assert parse_document(page("某某县粮食局")).issuer == "某某县粮食局"


def test_an_h1_keeps_its_bar_unless_a_part_names_the_site():
    def h1(text: str) -> str:
        page = f"<html><body><h1>{text}</h1><div class='content'><p>5月9日，街道开展夜市安全检查。</p></div></body></html>"
        b = parse_briefing(*_pages(page))
        return b.title

    assert h1("某某街道 | 一周工作播报") == "某某街道 | 一周工作播报"
    assert h1("一周工作播报 | 某某区人民政府") == "一周工作播报"


def _pages(page: str) -> tuple[list[list[str]], dict[str, str]]:
    extracted = extract(page.encode())
    return extracted.pages, extracted.meta


def test_who_wrote_it_when_nothing_else_names_a_body():
    supplied = parse_briefing(
        "某某镇强化河长巡河\n某某镇建立河长巡河日志制度，今年以来巡河1200余次。\n供稿：某某镇党政办公室\n"
    )
    assert supplied.issuer == "某某镇党政办公室"
    dateline = parse_briefing(
        "某某晚报5月3日讯(记者 某某)昨天，市长某某某在报告上批示：“要加快项目进度。”\n"
    )
    assert dateline.issuer == "某某晚报"


def test_a_relayed_notice_stored_on_one_line_is_split_and_its_relayer_issues_it():
    line = (
        "某某县人民政府办公室转发县应急管理局关于做好冬季森林防火工作的意见的通知"
        "各乡镇人民政府，县政府各部门：县应急管理局《关于做好冬季森林防火工作的意见》已经县政府"
        "同意，现转发给你们，请结合实际认真贯彻执行。二〇二三年十一月六日"
    )
    b = parse_briefing(line + "\n")
    assert b.title == "某某县人民政府办公室转发县应急管理局关于做好冬季森林防火工作的意见的通知"
    assert b.issuer == "某某县人民政府办公室"
    assert b.date == date(2023, 11, 6)
    [d] = b.directives
    assert d.text.startswith("县应急管理局《关于") and d.text.endswith("认真贯彻执行。")
    assert d.leader == "某某县人民政府办公室"


def test_an_office_with_a_second_name_in_brackets_edits_the_briefing():
    b = parse_briefing(
        "某某港务集团简报\n2023年第9期\n港务集团办公室（党委办公室）编二〇二三年五月四日\n"
        "5月2日，集团召开安全生产月动员会，部署节后复工复产安全检查。\n"
    )
    assert (b.issuer, b.date) == ("港务集团办公室（党委办公室）", date(2023, 5, 4))


def test_the_office_that_edits_a_briefing_issues_it_before_the_section_that_prints_it():
    b = parse_briefing(
        "【农业信息】\n2022年第4期\n某某县农业农村局办公室编\n"
        "3月8日，县农业农村局召开春耕备耕工作推进会，部署农资储备和农机检修工作。\n"
        "送：县委、县政府领导。\n某某县农业农村局办公室综合股2022年3月9日印发\n"
    )
    assert b.issuer == "某某县农业农村局办公室"
    assert b.date == date(2022, 3, 9)
