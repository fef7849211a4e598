"""/late, /remind, /export, the daily digest and the live board, through the real Application."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from briefbot.publishing import parse_file, publish_file
from schedules.digest import queue_digest
from schedules.dispatcher import Dispatcher
from schedules.progress import report_progress
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    LIAISON,
    OFFICE,
    OTHER,
    QINGLING,
    feed,
    message_json,
    replies,
    services_of,
    xlsx_rows,
)
from tests.conftest import SHIPPED, at


async def published(app, *, later_by: timedelta = timedelta()) -> int:
    """Publish and deliver the shipped briefing; the app's clock then runs ``later_by`` ahead."""
    svc = services_of(app)
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    if later_by:
        real = svc.clock
        svc.clock = lambda: real() + later_by
    return taken.published.notice_id


def calendar_off(app) -> None:
    """The fixture's config has the calendar on; these tests need every hour to count."""
    svc = services_of(app)
    svc.settings = svc.settings.model_copy(
        update={"calendar": svc.settings.calendar.model_copy(update={"enabled": False})}
    )


async def test_late_lists_overdue_units(app, emulator):
    calendar_off(app)
    await published(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/late")})
    assert replies(emulator, OFFICE)[-1] == "目前没有逾期未签收的单位。"
    services_of(app).clock = (lambda real: lambda: real() + timedelta(hours=5))(
        services_of(app).clock
    )
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/late")})
    text = replies(emulator, OFFICE)[-1]
    assert "逾期 2 个：省教育厅、青岭市" in text and "东江市" not in text
    await feed(app, {"message": message_json(OFFICE, OTHER, "/late")})
    assert replies(emulator, OFFICE)[-1] == "抱歉，此命令仅限办公室管理员在办公室群中使用。"


async def test_remind_nudges_only_units_that_have_not_acknowledged(app, emulator):
    notice_id = await published(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/remind {notice_id}")})
    assert (
        replies(emulator, OFFICE)[-1]
        == f"已向 2 个未签收单位发送提醒（通知 #{notice_id}）：省教育厅、青岭市。"  # names them
    )
    await Dispatcher().run(app.bot, services_of(app))
    assert replies(emulator, QINGLING)[-1].startswith("⏰ <b>办公室提醒</b>")
    assert not any("办公室提醒" in t for t in replies(emulator, DONGJIANG))


async def test_export_sends_an_xlsx_that_matches_the_record(app, emulator):
    notice_id = await published(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 已阅")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/export")})
    documents = [m for m in emulator.world.transcript(OFFICE) if m["from_bot"] and "document" in m]
    names = [d["document"]["file_name"] for d in documents]
    assert len(names) == 2 and names[0].startswith(f"签收单-通知{notice_id}-")
    assert [n.rsplit(".", 1)[1] for n in names] == ["xlsx", "csv"]
    data, _, _ = emulator.world.files[documents[0]["document"]["file_id"]]
    # the sheet is named after the notice (issue 10), columns are found by their header
    assert load_workbook(io.BytesIO(data)).sheetnames == [
        "“清风惠企”行动简报 2026年第7期（总第31期）"
    ]
    rows = xlsx_rows(data)
    assert (
        rows["东江市"]["状态"] == "按时签收"
        and rows["东江市"]["签收人"] == "赵联络员"
        and rows["东江市"]["签收备注"] == "已阅"
    )
    assert rows["青岭市"]["状态"] == "待签收" and rows["青岭市"]["签收人"] is None
    csv_bytes, _, _ = emulator.world.files[documents[1]["document"]["file_id"]]
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and "东江市" in csv_bytes.decode("utf-8-sig")


async def test_digest_is_queued_once_per_working_day(app, emulator):
    svc = services_of(app)
    await published(app)
    workday = at("2025-12-01 09:00")
    assert queue_digest(svc, workday)
    assert not queue_digest(svc, workday + timedelta(minutes=5))  # a restart the same day
    assert not queue_digest(svc, at("2025-10-02 09:00"))  # National Day: no digest
    await Dispatcher().run(app.bot, svc)
    digest = replies(emulator, OFFICE)[-1]
    assert digest.startswith("🗓 <b>每日签收情况</b>（12月1日）")  # one date style (issue 10)
    assert "已签收 0/3" in digest


async def test_board_follows_acks_in_the_same_message(app, emulator):
    svc = services_of(app)
    await published(app)
    await report_progress(app.bot, svc)
    board = [m for m in emulator.world.transcript(OFFICE) if m["from_bot"]]
    assert len(board) == 1 and "📋 签收：0/3" in board[0]["text"]
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await report_progress(app.bot, svc)
    edited = emulator.world.chats[OFFICE].messages[board[0]["message_id"]]
    assert "📋 签收：1/3（按时 1" in edited["text"]
    edits = len(edited["_edits"])
    await report_progress(app.bot, svc)  # nothing changed: no edit spent
    assert len(emulator.world.chats[OFFICE].messages[board[0]["message_id"]]["_edits"]) == edits


async def test_status_shows_the_briefings_feedback_deadline(app, emulator):
    await published(app)
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/status")})
    assert (
        "📌 反馈截止：12月5日（请各单位于12月5日前将本单位落实情况报送省“清风办”）"
        in replies(emulator, OFFICE)[-1]
    )


async def test_chart_is_sent_as_a_picture(app, emulator):
    from PIL import Image

    notice_id = await published(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(OFFICE, ADMIN, f"/chart {notice_id}")})
    [photo] = [m for m in emulator.world.transcript(OFFICE) if m["from_bot"] and "photo" in m]
    assert (
        photo["caption"]
        == f"通知 #{notice_id}《“清风惠企”行动简报 2026年第7期（总第31期）》签收进度"
    )
    data, _, _ = emulator.world.files[photo["photo"][0]["file_id"]]
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (960, 780)


async def test_board_is_rebuilt_only_when_something_changed(app, emulator):
    svc = services_of(app)
    await published(app)
    seen: dict = {}
    await report_progress(app.bot, svc, seen)  # the first board
    reads = []
    real_read = svc.store.ledger.for_notice
    svc.store.ledger.for_notice = lambda *a, **k: reads.append(a) or real_read(*a, **k)
    await report_progress(app.bot, svc, seen)
    await report_progress(app.bot, svc, seen)
    assert len(reads) <= 1  # at most one rebuild, when the minute turned between the calls
    reads.clear()
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await report_progress(app.bot, svc, seen)
    assert len(reads) == 1
    board = next(m for m in emulator.world.transcript(OFFICE) if m["from_bot"])
    assert "📋 签收：1/3" in emulator.world.chats[OFFICE].messages[board["message_id"]]["text"]


# the fixture's application is initialised, not running: PTB says it will not await the task
@pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")
async def test_export_of_many_notices_is_one_workbook_made_in_the_background(app, emulator):
    """/export 1-3 (or 1,2,3, or 7天): one workbook, a sheet per notice with the same rows as
    /export of that notice alone; made in a child process while the office chat goes on."""
    import asyncio

    from tests.fixtures.builders import txt
    from tests.fixtures.synthetic import ALL

    svc = services_of(app)
    for i in range(3):
        s = ALL[i % len(ALL)]
        text = txt(s).decode().replace(s.masthead[1], f"{s.masthead[1]}（{i}）")
        publish_file(
            svc.store, parse_file(text.encode(), f"{i}.txt"), "测试", timedelta(hours=4), svc.now()
        )
    await Dispatcher().run(app.bot, svc)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 2 已阅")})
    for bad, answer in (
        ("/export 1,9", "找不到编号为 9 的通知。"),
        ("/export 1-x", "用法：/export 编号"),
        ("/export 3-1", "用法：/export 编号"),
    ):
        await feed(app, {"message": message_json(OFFICE, ADMIN, bad)})
        assert replies(emulator, OFFICE)[-1].startswith(answer), bad

    def documents() -> list[dict]:
        return [m for m in emulator.world.transcript(OFFICE) if m["from_bot"] and "document" in m]

    await feed(app, {"message": message_json(OFFICE, ADMIN, "/export 1-3")})
    assert replies(emulator, OFFICE)[-1].startswith("正在导出 3 份通知的签收单")
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/status 2")})  # not held up
    assert replies(emulator, OFFICE)[-1].startswith("📊 <b>签收情况</b>：通知 #2")
    for _ in range(300):
        if documents():
            break
        await asyncio.sleep(0.1)
    [workbook] = documents()
    assert workbook["document"]["file_name"].startswith("签收单-3份通知-")
    data, _, _ = emulator.world.files[workbook["document"]["file_id"]]
    sheets = load_workbook(io.BytesIO(data)).sheetnames
    assert len(sheets) == 3
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/export 2")})
    single, _, _ = emulator.world.files[documents()[1]["document"]["file_id"]]
    assert xlsx_rows(data, sheets[1]) == xlsx_rows(single)
    assert xlsx_rows(data, sheets[1])["东江市"]["签收备注"] == "已阅"
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/export 7天")})
    assert replies(emulator, OFFICE)[-1].startswith("正在导出 3 份通知的签收单")
    for _ in range(300):
        if len(documents()) == 4:
            break
        await asyncio.sleep(0.1)
    assert documents()[-1]["document"]["file_name"].startswith("签收单-3份通知-")


async def test_the_sheets_read_straight_from_the_store_are_the_reports_sheets(app, emulator):
    """``export.sheets_of`` (one query, no ledger objects: the export of many notices) gives
    exactly ``sheet_of(notice_report(…))`` for every kind of unit: on time with a comment, late
    after reminders, overdue, unreachable, not yet delivered, with 落实反馈."""
    from briefbot.export import sheet_of, sheets_of
    from briefbot.reports import notice_report
    from schedules.followup import follow_up_once
    from tests.botkit import EDU

    calendar_off(app)
    svc = services_of(app)
    emulator.world.chats[EDU].kicked = True
    first = await published(app)  # the shipped briefing asks for 落实反馈
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {first} 已转分管领导")})
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/feedback {first} 已落实")})
    real = svc.clock
    svc.clock = lambda: real() + timedelta(hours=5)
    follow_up_once(svc)
    await Dispatcher().run(app.bot, svc)
    await feed(app, {"message": message_json(QINGLING, 20002, f"/ack {first}")})
    from tests.fixtures.builders import txt
    from tests.fixtures.synthetic import ALL

    queued = publish_file(
        svc.store,
        parse_file(txt(ALL[0]), "c.txt"),
        "测试",
        timedelta(hours=4),
        svc.now(),
    ).published.notice_id  # not delivered yet
    now, clock = svc.now() + timedelta(hours=1), svc.settings.working_time()
    ids = [first, queued]
    fast = list(sheets_of(svc.store, ids, now, clock))
    slow = [
        sheet_of(notice_report(svc.store, svc.store.notices.notice(i), now, clock)) for i in ids
    ]
    assert fast == slow
    statuses = {row[3] for sheet in fast for row in sheet.rows}
    assert statuses == {"按时签收", "逾期签收", "无法送达", "待送达"}
    assert any(row[7] for row in fast[0].rows) and any(row[9] for row in fast[0].rows)
