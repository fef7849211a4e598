"""Deadlines in the forms offices write them, on small invented documents: relative days,
Chinese numerals, recurring days with a start, 截止, and a table's time-limit column."""

from __future__ import annotations

from datetime import date

from briefbot.briefing import parse_briefing, parse_document
from briefbot.briefing.roles.deadline_table import cell_date

HEAD = "某某工作通报\n第3期\n某某县人民政府办公室\n2025年9月3日\n"  # a Wednesday


def due(text: str) -> list[date | None]:
    return [d.date for d in parse_briefing(HEAD + text).deadlines]


def test_this_month_and_this_or_next_weeks_weekday():
    assert due("各乡镇要于本月26日前将排查情况报县应急局。\n") == [date(2025, 9, 26)]
    assert due("整改结果于本周五前书面报县政府。\n") == [date(2025, 9, 5)]
    assert due("请各单位下周一前报送名单。\n") == [date(2025, 9, 8)]


def test_a_month_in_chinese_numerals_and_以前():
    assert due("各乡镇应当在今年十一月底以前，将秋冬种情况向县委作一次报告。\n") == [
        date(2025, 11, 30)
    ]


def test_a_recurring_day_with_a_start_month_is_first_due_that_month():
    b = parse_briefing(HEAD + "自10月起，各乡镇每月5日前将上月巡查情况报县林业局。\n")
    [d] = b.deadlines
    assert (d.date, d.recurring) == (date(2025, 10, 5), True)
    # without a start month a recurring day has no single date
    assert due("各乡镇每月5日前将上月巡查情况报县林业局。\n") == [None]


def test_截止_names_the_last_day_but_截至_does_not():
    assert due("报名截止时间为2025年9月20日，逾期不再受理。\n") == [date(2025, 9, 20)]
    assert due("截至9月2日，全县已完成秋粮收购3.5万吨。\n") == []


def test_a_tables_time_limit_column():
    b = parse_briefing(
        HEAD + "序号　　整改事项　　责任单位　　整改时限\n"
        "1　　河道垃圾清理　　县水利局　　9月底\n"
        "2　　违建拆除　　县城管局　　10月15日\n"
        "3　　台账完善　　县林业局　　立行立改\n"
    )
    assert [(d.date, d.approximate, d.what) for d in b.deadlines] == [
        (date(2025, 9, 30), True, "河道垃圾清理"),
        (date(2025, 10, 15), False, "违建拆除"),
    ]
    assert cell_date("2026年1月上旬", None) == (date(2026, 1, 10), True)
    assert cell_date("另行通知", date(2025, 9, 3)) is None


def test_a_page_without_a_date_of_its_own_anchors_deadlines_on_its_closing_date():
    page = (
        "<html><head><meta charset='utf-8'><title>关于征求意见的函</title></head><body>"
        "<table><tr><td>截止:</td><td>2019-07-12</td></tr></table>"
        "<div class='content'><p>请各单位于7月12日（星期五）前将修改意见反馈至县司法局。</p></div>"
        "</body></html>"
    ).encode()
    assert [d.date for d in parse_document(page).deadlines] == [date(2019, 7, 12)]
