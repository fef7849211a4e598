"""Issue 10, the office's half (points 8–15) through the real Application against the emulator."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from briefbot.ledger import Ack, DeliveryState, NoticeInfo, NoticeKind, UnitLedger
from briefbot.publishing import parse_file, publish_file
from briefbot.ranking import rank_units
from briefbot.reports import build_report
from briefbot.settings import CalendarSettings
from briefbot.workcal import EveryDay, WorkingTime
from schedules.dispatcher import Dispatcher
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    LIAISON,
    OFFICE,
    QINGLING,
    feed,
    message_json,
    replies,
    services_of,
)
from tests.conftest import SHIPPED, TZ, at

FRIDAY = at("2026-12-04 15:00")  # publication on a Friday afternoon, as in the issue
OFFICE_HOURS = CalendarSettings().model_copy(update={"enabled": True})


def office_clock():
    from briefbot.settings import _working_time

    return _working_time(OFFICE_HOURS, "Asia/Shanghai")


async def publish_at(app, when, *, hours: int = 4) -> int:
    """Publish the shipped briefing with the app's clock at ``when`` and deliver it."""
    svc = services_of(app)
    svc.clock = lambda: when
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=hours), when
    )
    await Dispatcher().run(app.bot, svc)
    return taken.published.notice_id


def set_clock(app, when) -> None:
    services_of(app).clock = lambda: when


def office_said(emulator) -> list[dict]:
    return [m for m in emulator.world.transcript(OFFICE) if m["from_bot"]]


# ---- 8. /status is forwardable ------------------------------------------------------------


async def test_status_is_stamped_dated_and_shows_the_due_time(app, emulator):
    notice_id = await publish_at(app, FRIDAY)
    set_clock(app, at("2026-12-07 09:03"))  # Monday
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    set_clock(app, at("2026-12-07 16:10"))
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/status {notice_id}")})
    text = replies(emulator, OFFICE)[-1]
    assert "截至 12月7日 16:10" in text
    # 4 working hours from Friday 15:00: 15:00-18:00 Friday, then 08:30-09:30 Monday
    assert "⏳ 签收时限：12月7日（周一）09:30前" in text
    assert "（赵联络员 12月7日 09:03）" in text


def test_a_long_status_points_to_export_not_to_a_command_line_verb():
    from briefbot.reports import format_status_html

    notice = NoticeInfo(
        5, "测试简报", None, NoticeKind.ROUTINE, at("2026-11-30 09:00"), timedelta(hours=4)
    )
    many = [
        UnitLedger(f"u{i}", f"单位{i:04d}", "设区市", -1, (), DeliveryState.SENT,
                   at("2026-11-30 09:00"), None, None, (), None)
        for i in range(2000)
    ]  # fmt: skip
    text = format_status_html(
        build_report(notice, many, at("2026-11-30 15:00"), WorkingTime(EveryDay(), TZ))
    )
    assert "完整名单请发送 /export 5 获取签收单" in text and "report 命令" not in text


# ---- 9. ranking and lateness in working time ----------------------------------------------


def _line(code, sent, acked):
    return UnitLedger(
        code, f"{code}单位", "设区市", -1, (), DeliveryState.SENT, sent, None,
        Ack(1, "x", "button", acked) if acked else None, (), None,
    )  # fmt: skip


def test_ranking_median_and_lateness_count_working_time():
    clock = office_clock()
    notice = NoticeInfo(1, "简报", None, NoticeKind.ROUTINE, FRIDAY, timedelta(hours=4))
    monday = at("2026-12-07 09:03")
    ledgers = {1: [_line("weekend", FRIDAY, monday), _line("zero", FRIDAY, FRIDAY)]}
    scores = rank_units([notice], ledgers, at("2026-12-08 09:00"), clock)
    # a zero median is the best there is, not "none": it ranks first
    assert [s.unit_code for s in scores] == ["zero", "weekend"]
    # Friday 15:00-18:00 and Monday 08:30-09:03: 3 h 33 min, not 2 days 18 hours
    assert scores[1].median_to_ack == timedelta(hours=3, minutes=33)
    late = build_report(
        notice, [_line("late", FRIDAY, at("2026-12-07 15:00"))], at("2026-12-08 09:00"), clock
    )
    # due Monday 09:30; signed at 15:00: 09:30-12:00 and 14:30-15:00 are 180 working minutes,
    # not 330 with the lunch break
    assert late.rows[0].seconds_late == 180 * 60


async def test_ranking_says_its_median_is_in_working_time(app, emulator):
    await publish_at(app, FRIDAY)
    set_clock(app, at("2026-12-07 09:03"))
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/ranking")})
    text = replies(emulator, OFFICE)[-1]
    assert "签收用时中位数（按工作时间计）" in text
    assert "1. 东江市：1/1 · 100% · 3小时33分钟" in text


# ---- 10. the 签收单 ready to print and to file ---------------------------------------------


async def test_the_xlsx_is_ready_to_print_and_to_file(app, emulator):
    notice_id = await publish_at(app, FRIDAY)
    set_clock(app, at("2026-12-07 09:03"))
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 已阅")})
    set_clock(app, at("2026-12-07 16:10"))
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/export {notice_id}")})
    xlsx = next(m for m in office_said(emulator) if "document" in m)
    data, _, _ = emulator.world.files[xlsx["document"]["file_id"]]
    book = load_workbook(io.BytesIO(data))
    label = "“清风惠企”行动简报 2026年第7期（总第31期）"
    assert book.sheetnames == [label[:31]]
    sheet = book.worksheets[0]
    # page setup: landscape, one page wide, header row repeated
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$6:$6"
    # the title block
    column_a = [sheet.cell(row=r, column=1).value for r in range(1, 6)]
    assert column_a[0] == f"签收单：通知 #{notice_id}《{label}》"
    assert column_a[1] == "发布时间：12月4日 15:00"
    assert column_a[2].startswith("签收时限：12月7日（周一）09:30前")
    assert column_a[3] == "导出时间：12月7日 16:10"
    header = [c.value for c in sheet[6]]
    assert header[:2] == ["单位代码", "单位"] and "逾期分钟（工作时间）" in header
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=7, values_only=True)
    }
    assert set(rows) == {"dongjiang", "qingling", "edu"}
    signed = rows["dongjiang"]
    assert signed["单位"] == "东江市" and signed["签收备注"] == "已阅"
    # real datetime cells, in the office's time
    assert signed["签收时间"] == at("2026-12-07 09:03").replace(tzinfo=None)
    assert signed["送达时间"] == FRIDAY.replace(tzinfo=None)
    row = next(r for r in range(7, 10) if sheet.cell(row=r, column=1).value == "dongjiang")
    assert sheet.cell(row=row, column=6).number_format == "yyyy-mm-dd hh:mm"
    # overdue since 09:30 Monday: 09:30-12:00 and 14:30-16:10 = 250 working minutes
    assert rows["qingling"]["逾期分钟（工作时间）"] == 250
    # borders on every cell of the table, empty ones too: one rule over the whole table
    [rule_range] = [str(r.sqref) for r in sheet.conditional_formatting]
    assert rule_range == "A6:M9"
    [rule] = sheet.conditional_formatting[rule_range]
    assert rule.formula == ["TRUE"] and rule.dxf.border.left.style == "thin"


def test_sheet_names_follow_excels_rules():
    from briefbot.export import sheet_name

    used: set[str] = set()
    assert sheet_name("简报[2026]:第1期/总*31?", 1, used) == "简报_2026__第1期_总_31_"
    long = "某某省深化“放管服”改革优化营商环境工作领导小组办公室简报 第12期"
    first = sheet_name(long, 2, used)
    again = sheet_name(long, 3, used)
    assert len(first) == 31 and len(again) <= 31 and again.endswith("（#3）") and first != again
    assert sheet_name("'history'", 4, used) == "history_4"


# ---- 11. the chart never shows boxes ------------------------------------------------------


def test_the_chart_has_a_cjk_font_and_counts_working_hours(tmp_path):
    import warnings

    from briefbot.charts import BUNDLED_FAMILY, cjk_font, progress_png, timeline

    assert cjk_font() == BUNDLED_FAMILY  # shipped with the Python dependencies
    clock = office_clock()
    notice = NoticeInfo(1, "测试简报", "第1期", NoticeKind.ROUTINE, FRIDAY, timedelta(hours=4))
    ledger = [
        _line("a", FRIDAY, at("2026-12-04 16:00")),
        _line("b", FRIDAY, at("2026-12-07 09:03")),
        _line("c", FRIDAY, None),
    ]
    now = at("2026-12-07 10:00")
    t = timeline(notice, ledger, now, clock)
    # the weekend is not 60 flat hours: Monday 09:03 is 3.55 working hours after Friday 15:00
    assert t.acked == [1.0, 3.55] and t.end == 4.5
    assert t.due == at("2026-12-07 09:30") and t.due_hours == 4.0
    report = build_report(notice, ledger, now, clock)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would be a box
        png = progress_png(notice, ledger, report, now, clock)
    (tmp_path / "chart.png").write_bytes(png)
    assert png.startswith(b"\x89PNG")


def test_without_any_cjk_font_the_chart_is_refused_in_chinese():
    import pytest

    from briefbot.charts import MissingCjkFont, cjk_font

    with pytest.raises(MissingCjkFont, match="noto-cjk-sans-otc"):
        cjk_font(families=("No Such Font",))


# ---- 15. /notices -------------------------------------------------------------------------


async def press(app, emulator, chat_id: int, message_id: int, user: int, data: str):
    from tests.botkit import TOKEN

    query_id = emulator.world.press_button(chat_id, message_id, user, data)
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    return emulator.world.callbacks[query_id]


async def publish_many(app, count: int) -> list[int]:
    svc = services_of(app)
    base = SHIPPED.read_text(encoding="utf-8")
    ids = []
    for i in range(1, count + 1):
        when = at("2026-11-20 09:00") + timedelta(days=i)
        text = base.replace("2026年第 7 期", f"2026年第 {i} 期")
        taken = publish_file(
            svc.store, parse_file(text.encode(), f"{i}.txt"), "测试", timedelta(hours=4), when
        )
        ids.append(taken.published.notice_id)
    await Dispatcher().run(app.bot, svc)
    return ids


async def test_notices_lists_pages_searches_and_exports_in_the_office(app, emulator):
    ids = await publish_many(app, 10)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {ids[-1]}")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/notices")})
    listing = office_said(emulator)[-1]
    text = listing["text"]
    assert "（第 1/2 页，共 10 份，最新在前）" in text
    lines = [line for line in text.splitlines() if line.startswith("#")]
    assert [int(line.split()[0][1:]) for line in lines] == ids[::-1][:8]  # newest first
    assert lines[0] == f"#{ids[-1]} 11月30日《“清风惠企”行动简报 2026年第10期（总第31期）》签收 1/3"
    keyboard = listing["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["callback_data"] == f"nx:{ids[-1]}"
    assert keyboard[-1] == [{"text": "较早 ▶️", "callback_data": "nl:o:1:"}]
    await press(app, emulator, OFFICE, listing["message_id"], ADMIN, "nl:o:1:")
    edited = emulator.world.chats[OFFICE].messages[listing["message_id"]]["text"]
    assert "（第 2/2 页" in edited and f"#{ids[0]} " in edited and f"#{ids[8]} " not in edited
    # a keyword
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/notices 第3期")})
    found = office_said(emulator)[-1]["text"]
    assert "（关键词：第3期）" in found and f"#{ids[2]} " in found and f"#{ids[3]} " not in found
    # last month's 签收单 without the command line: one tap
    await press(app, emulator, OFFICE, listing["message_id"], ADMIN, f"nx:{ids[0]}")
    document = office_said(emulator)[-2]
    assert document["document"]["file_name"].startswith(f"签收单-通知{ids[0]}-")


async def test_notices_in_a_unit_group_lists_its_own_with_its_signature(app, emulator):
    ids = await publish_many(app, 2)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {ids[0]}")})
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/notices")})
    text = replies(emulator, DONGJIANG)[-1]
    assert "东江市收到的通知" in text
    assert f"#{ids[1]} 11月22日《" in text and "⏳ 未签收" in text
    assert f"#{ids[0]} 11月21日《" in text and "✅ 已签收" in text


# ---- 12. corrections show what changed --------------------------------------------------


async def test_a_correction_leads_with_what_changed_and_the_original_says_it_was_replaced(
    app, emulator
):
    from schedules.progress import report_progress

    svc = services_of(app)
    set_clock(app, FRIDAY)
    first = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "a.txt"), "测试", timedelta(hours=4), FRIDAY
    ).published.notice_id
    changed = SHIPPED.read_text(encoding="utf-8").replace("已办结 2 847 件", "已办结 2 851 件")
    taken = publish_file(
        svc.store, parse_file(changed.encode(), "b.txt"), "测试", timedelta(hours=4), FRIDAY
    )
    second = taken.published.notice_id
    assert taken.notice.correction_of == first
    head = taken.notice.parts[0].split("📄")[0]
    assert head.startswith("🔁 <b>【更正】")
    assert "<b>更正内容：</b>\n• 改为：会议指出，行动开展以来，" in head  # full-width commas
    assert "已办结2 851件" in head and "2 847" not in head
    await Dispatcher().run(app.bot, svc)
    assert "更正内容" in replies(emulator, DONGJIANG)[-1]
    # /ack naming both tells the original from its correction
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    said = replies(emulator, DONGJIANG)[-1]
    assert f"#{first}《" in said and f"（原通知，已被更正通知 #{second} 取代）" in said
    assert f"（更正版，更正 #{first}）" in said
    # /status and the board of the original
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/status {first}")})
    assert f"⚠️ 本通知已被更正通知 #{second} 取代" in replies(emulator, OFFICE)[-1]
    await report_progress(app.bot, svc)
    boards = [m["text"] for m in office_said(emulator) if m["text"].startswith("✅ <b>推送完成")]
    assert any(f"已被更正通知 #{second} 取代" in t and f"#{first}《" in t for t in boards)
    assert any(f"🔁 本通知是 #{first} 的更正版。" in t and f"#{second}《" in t for t in boards)


def test_changed_sentences_are_a_diff_of_the_two_parses():
    from briefbot.briefing_diff import changed_sentences, count_changes

    old = ["一是加强领导。二是压实责任。三是按时报送。", "附件略。"]
    new = ["一是加强领导。二是压实主体责任。三是按时报送。"]
    changes = changed_sentences(old, new)
    assert [(c.kind, c.text) for c in changes] == [
        ("改为", "二是压实主体责任。"),
        ("删去", "附件略。"),
    ]
    assert count_changes(old, new) == 2


# ---- 13. 落实反馈 loose ends --------------------------------------------------------------


async def test_a_return_asks_for_a_reason_and_passes_it_to_the_unit(app, emulator):
    notice_id = await publish_at(app, at("2026-12-03 10:00"))
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/feedback 已建立台账")})
    review = office_said(emulator)[-1]
    await press(app, emulator, OFFICE, review["message_id"], ADMIN, "fb:ret:1")
    assert replies(emulator, DONGJIANG)[-1].startswith("↩️ 办公室退回了本单位对《")
    prompt = office_said(emulator)[-1]
    assert prompt["text"].startswith("请回复本消息，写明退回东江市对《")
    stored = emulator.world.chats[OFFICE].messages[prompt["message_id"]]
    assert stored["_markup"]["force_reply"] is True
    reason = "缺少<整改>清单"
    await feed(
        app,
        {
            "message": message_json(
                OFFICE, ADMIN, reason, reply_to={**prompt, "from": {"id": app.bot.id, "is_bot": True, "first_name": "bot"}, "chat": {"id": OFFICE, "type": "supergroup"}, "date": 0}
            )
        },
    )  # fmt: skip
    told = replies(emulator, DONGJIANG)[-1]
    assert told.startswith("↩️ 办公室退回《") and "理由：缺少&lt;整改&gt;清单" in told
    assert f"/feedback {notice_id} 内容" in told
    assert office_said(emulator)[-1]["text"] == "已将退回理由转告东江市。"
    # a second reply to the same prompt is not passed on again
    before = len(replies(emulator, DONGJIANG))
    await feed(
        app,
        {
            "message": message_json(
                OFFICE, ADMIN, "补充一句", reply_to={**prompt, "from": {"id": app.bot.id, "is_bot": True, "first_name": "bot"}, "chat": {"id": OFFICE, "type": "supergroup"}, "date": 0}
            )
        },
    )  # fmt: skip
    assert len(replies(emulator, DONGJIANG)) == before


async def test_a_feedback_deadline_is_chased_and_marked_overdue(app, emulator):
    from schedules.digest import digest_html
    from schedules.feedback_reminders import remind_feedback_once

    svc = services_of(app)
    notice_id = await publish_at(app, at("2026-12-02 10:00"))  # asks for feedback by 12月5日
    assert svc.store.notices.feedback_due(notice_id).day.isoformat() == "2026-12-05"
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/feedback 已建立台账")})
    set_clock(app, at("2026-12-03 10:00"))  # two working days before: nothing yet
    assert remind_feedback_once(svc) == 0
    set_clock(app, at("2026-12-04 10:00"))  # Friday, the last working day before Saturday 5th
    assert remind_feedback_once(svc) == 2  # qingling and edu; dongjiang has reported
    assert remind_feedback_once(svc) == 0  # once per round
    await Dispatcher().run(app.bot, svc)
    reminder = replies(emulator, QINGLING)[-1]
    assert (
        reminder.startswith("📌 <b>落实反馈提醒</b>：《") and f"/feedback {notice_id}" in reminder
    )
    assert not replies(emulator, DONGJIANG)[-1].startswith("📌")
    # open: the digest and /status show the day; passed: 逾期, with the units
    still_open = digest_html(svc, at("2026-12-04 10:00"))
    assert "反馈截止 12月5日" in still_open and "已逾期" not in still_open
    set_clock(app, at("2026-12-07 10:00"))
    digest = digest_html(svc, at("2026-12-07 10:00"))
    assert "反馈截止 12月5日（已逾期）" in digest and "反馈逾期 2：省教育厅、青岭市" in digest
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/status {notice_id}")})
    status = replies(emulator, OFFICE)[-1]
    assert "📌 反馈截止：12月5日（已逾期）" in status
    assert "反馈逾期 2 个：省教育厅、青岭市" in status


# ---- 14. smaller ones ---------------------------------------------------------------------


async def test_undo_refusals_speak_of_undoing_and_help_says_how_long(app, emulator):
    from tests.botkit import OTHER, STRANGER_CHAT

    await publish_at(app, FRIDAY)
    await feed(app, {"message": message_json(DONGJIANG, OTHER, "/undo")})
    assert replies(emulator, DONGJIANG)[-1] == (
        "抱歉，您不是东江市登记的联络员，无法撤销签收。如有误签请联系办公室。"
    )
    await feed(app, {"message": message_json(STRANGER_CHAT, LIAISON, "/undo")})
    assert (
        replies(emulator, STRANGER_CHAT)[-1]
        == "本群尚未登记为任何单位的工作群，没有可以撤销的签收。"
    )
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/help")})
    assert "/undo — 签收后 10分钟 内可撤销（仅限本人）" in replies(emulator, DONGJIANG)[-1]


async def test_one_date_style_in_an_already_signed_answer(app, emulator):
    await publish_at(app, at("2026-12-02 09:05"))
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 1")})
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 1")})
    assert "已于 12月2日 09:05 由 赵联络员 签收" in replies(emulator, DONGJIANG)[-1]
    notice = next(
        m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"] and "reply_markup" in m
    )
    button = emulator.world.chats[DONGJIANG].messages[notice["message_id"]]["reply_markup"]
    assert button["inline_keyboard"][0][0]["text"] == "✔️ 已签收 · 赵联络员 12月2日 09:05"


async def test_units_see_the_classification_and_full_width_punctuation(app, emulator):
    await publish_at(app, FRIDAY)
    notice = replies(emulator, DONGJIANG)[-1]
    assert "🔒 内部资料注意保存" in notice
    assert "一、抓好诉求清零，在限时办结上见成效" in notice  # the bot's excerpt: full-width
    assert "行动开展以来,各地各部门" in notice  # a directive stays word for word


async def test_the_duplicate_upload_notice_keeps_the_issue_number(app, emulator):
    from tests.test_sources_office import upload

    await publish_at(app, FRIDAY)
    await upload(app, emulator, "again.txt", SHIPPED.read_bytes())
    assert replies(emulator, OFFICE)[-1] == (
        "ℹ️ 《“清风惠企”行动简报 2026年第7期（总第31期）》（来源：办公室上传：again.txt）"
        "与已发布的通知 #1 内容相同，不会重复推送。"
    )


async def test_unreachable_in_chinese_and_digest_and_board_share_the_denominator(app, emulator):
    from schedules.digest import digest_html
    from schedules.progress import report_progress

    svc = services_of(app)
    emulator.world.chats[QINGLING].kicked = True
    await publish_at(app, FRIDAY)
    await report_progress(app.bot, svc)
    board = office_said(emulator)[-1]["text"]
    assert "• 青岭市：机器人已被移出该群" in board and "Forbidden" not in board
    assert "📋 签收：0/2" in board
    digest = digest_html(svc, FRIDAY)
    assert "已签收 0/2（另有 1 个单位无法送达）" in digest


def test_the_push_progress_eta_is_dated_like_everything_else():
    from briefbot.push_report import progress_html
    from briefbot.store.progress import PushCounts

    notice = NoticeInfo(3, "简报", None, NoticeKind.ROUTINE, FRIDAY, timedelta(hours=4))
    counts = PushCounts(sent=0, failed=0, unreachable=0, remaining=60, first_sent_at=None)
    text = progress_html(notice, counts, FRIDAY, TZ, pace=1.0)
    assert "，预计 12月4日 15:01 完成" in text
