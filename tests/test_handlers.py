"""The real PTB Application, fed updates built from raw Bot API JSON; replies go to the emulator."""

from __future__ import annotations

from datetime import timedelta

from briefbot.followup import FollowUpPlan, Reminder
from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    EDU,
    LIAISON,
    OFFICE,
    OTHER,
    QINGLING,
    STRANGER_CHAT,
    TOKEN,
    feed,
    message_json,
    replies,
    services_of,
)
from tests.conftest import SHIPPED


async def _publish_and_deliver(app) -> int:
    svc = services_of(app)
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    result = taken.published
    await Dispatcher().run(app.bot, svc)
    return result.notice_id


async def test_ack_in_a_chat_that_is_no_unit_is_refused(app, emulator):
    await feed(app, {"message": message_json(STRANGER_CHAT, LIAISON, "/ack")})
    assert replies(emulator, STRANGER_CHAT) == [
        "本群尚未登记为任何单位的工作群，无法签收。如有疑问请联系办公室。"
    ]


async def test_status_is_for_office_admins_only(app, emulator):
    await feed(app, {"message": message_json(OFFICE, OTHER, "/status")})
    await feed(app, {"message": message_json(DONGJIANG, ADMIN, "/status")})
    assert replies(emulator, OFFICE) == ["抱歉，此命令仅限办公室管理员在办公室群中使用。"]
    assert replies(emulator, DONGJIANG) == ["抱歉，此命令仅限办公室管理员在办公室群中使用。"]
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/status")})
    assert replies(emulator, OFFICE)[-1] == "还没有发布过任何通知。"
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/status abc")})
    assert "用法" in replies(emulator, OFFICE)[-1]


async def test_button_ack_records_and_marks_the_notice(app, emulator):
    notice_id = await _publish_and_deliver(app)
    [notice] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    assert notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ack:{notice_id}"
    query_id = emulator.world.press_button(DONGJIANG, notice["message_id"], LIAISON)
    raw = emulator.world.bots[TOKEN].updates[-1]
    await feed(app, {"callback_query": raw["callback_query"]})
    ack = services_of(app).store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.user_id == LIAISON and ack.via == "button"
    assert emulator.world.callbacks[query_id]["text"] == "已签收，谢谢！"
    [edited] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    assert edited["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("✔️ 已签收 · 赵联络员")
    # no extra message in the group
    assert len(replies(emulator, DONGJIANG)) == 1


async def test_forged_callbacks_change_nothing(app, emulator):
    notice_id = await _publish_and_deliver(app)
    [notice] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    for data, expected in (
        (f"ack:{notice_id + 5}", "不是发给本单位"),
        ("drop table", "无效的操作"),
        ("ack:1;2", "无效的操作"),
    ):
        query_id = emulator.world.press_button(DONGJIANG, notice["message_id"], LIAISON, data)
        await feed(
            app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]}
        )
        answer = emulator.world.callbacks[query_id]
        assert expected in answer["text"] and answer["show_alert"]
    assert services_of(app).store.acks.get(notice_id, "dongjiang") is None


async def test_reply_ack_reacts_and_second_ack_is_harmless(app, emulator):
    notice_id = await _publish_and_deliver(app)
    [notice] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    reply_to = {k: v for k, v in notice.items() if k not in ("from_bot", "edits", "reactions")}
    command = emulator.world.user_message(DONGJIANG, LIAISON, "/ack", reply_to=notice["message_id"])
    await feed(app, {"message": command})
    ack = services_of(app).store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.via == "reply"
    stored = emulator.world.chats[DONGJIANG].messages[command["message_id"]]
    assert stored["_reactions"] == [{"type": "emoji", "emoji": "👍"}]
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack", reply_to=reply_to)})
    assert "无需重复签收" in replies(emulator, DONGJIANG)[-1]


async def test_non_liaison_is_refused(app, emulator):
    notice_id = await _publish_and_deliver(app)
    await feed(app, {"message": message_json(DONGJIANG, OTHER, "/ack")})
    assert "您不是东江市登记的联络员" in replies(emulator, DONGJIANG)[-1]
    assert services_of(app).store.acks.get(notice_id, "dongjiang") is None


async def test_publish_from_the_office_chat(app, emulator):
    doc = emulator.world.user_document(OFFICE, ADMIN, "b.txt", SHIPPED.read_bytes(), "text/plain")
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/publish", reply_to=doc)})
    assert replies(emulator, OFFICE)[-1].startswith(
        "✅ 已发布通知 #1《“清风惠企”行动简报》，正在推送至 3 个单位"
    )
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/publish", reply_to=doc)})
    assert "已发布过" in replies(emulator, OFFICE)[-1]
    pdf = emulator.world.user_document(OFFICE, ADMIN, "x.pdf", b"%PDF-1.4 ...", "application/pdf")
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/publish", reply_to=pdf)})
    assert replies(emulator, OFFICE)[-1].startswith("无法读取《x.pdf》：PDF 文件已损坏")
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/publish")})
    assert "请先上传简报文件" in replies(emulator, OFFICE)[-1]
    await feed(app, {"message": message_json(OFFICE, OTHER, "/publish", reply_to=doc)})
    assert replies(emulator, OFFICE)[-1] == "抱歉，此命令仅限办公室管理员在办公室群中使用。"
    assert services_of(app).store.outbox.counts() == {"pending": 3}


async def test_dispatcher_handles_each_telegram_failure(app, emulator):
    svc = services_of(app)
    emulator.world.chats[QINGLING].kicked = True
    emulator.world.add_chat(-1002000000999, "升级后的群")
    emulator.world.chats[EDU].migrated_to = -1002000000999
    notice_id = await _publish_and_deliver(app)
    ledger = {u.unit_code: u for u in svc.store.ledger.for_notice(notice_id)}
    assert ledger["dongjiang"].delivery.value == "sent"
    assert (
        ledger["qingling"].delivery.value == "unreachable"
        and "kicked" in ledger["qingling"].last_error
    )
    # the migrated group: unit moved, notice resent at once (next run picks it up)
    await Dispatcher().run(app.bot, svc)
    ledger = {u.unit_code: u for u in svc.store.ledger.for_notice(notice_id)}
    assert ledger["edu"].delivery.value == "sent" and ledger["edu"].chat_id == -1002000000999
    assert len([m for m in emulator.world.transcript(-1002000000999) if m["from_bot"]]) == 1


async def test_dispatcher_resends_rejected_html_as_plain_text(app, emulator):
    svc = services_of(app)
    notice_id = await _publish_and_deliver(app)
    ledger = svc.store.ledger.for_notice(notice_id)
    svc.store.ledger.record_plan(
        notice_id,
        FollowUpPlan((Reminder("dongjiang", 1, False),), ()),
        ledger,
        OFFICE,
        lambda c, s, m: "<b>未闭合的标签 提醒",
        lambda cs: "",
        svc.now(),
    )
    await Dispatcher().run(app.bot, svc)
    assert replies(emulator, DONGJIANG)[-1] == "未闭合的标签 提醒"
    assert svc.store.outbox.counts(notice_id) == {"sent": 4}


async def test_dispatcher_requeues_on_429_and_loses_nothing(app, emulator):
    svc = services_of(app)
    emulator.world.set_limits(overall_per_second=2.0)
    notice_id = await _publish_and_deliver(app)
    counts = svc.store.outbox.counts(notice_id)
    assert counts.get("sent", 0) >= 2 and counts.get("pending", 0) >= 1
    requeued = [u for u in svc.store.ledger.for_notice(notice_id) if u.delivery.value == "pending"]
    assert len(requeued) == counts["pending"] and counts["pending"] + counts["sent"] == 3
    assert all((u.last_error or "").startswith("429 retry after") for u in requeued)
    emulator.world.set_limits(overall_per_second=1000.0)
    # retry_after has not passed: nothing is sent early
    await Dispatcher().run(app.bot, svc)
    assert svc.store.outbox.counts(notice_id).get("pending", 0) >= 1
