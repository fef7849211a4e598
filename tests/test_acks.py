"""Acknowledgement commands through the real Application: several pending notices, /ack ID,
comments, undo within the window by the same person only."""

from __future__ import annotations

from datetime import timedelta

from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from tests.botkit import DONGJIANG, LIAISON, feed, message_json, replies, services_of
from tests.conftest import SHIPPED
from tests.fixtures.builders import txt
from tests.fixtures.synthetic import RURAL


async def two_notices(app) -> tuple[int, int]:
    svc = services_of(app)
    ids = []
    for data, name in ((SHIPPED.read_bytes(), "a.txt"), (txt(RURAL), "b.txt")):
        taken = publish_file(
            svc.store, parse_file(data, name), "测试", timedelta(hours=4), svc.now()
        )
        ids.append(taken.published.notice_id)
    await Dispatcher().run(app.bot, svc)
    return ids[0], ids[1]


async def test_bare_ack_takes_every_pending_notice_and_says_which(app, emulator):
    first, second = await two_notices(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    svc = services_of(app)
    assert svc.store.acks.get(first, "dongjiang") and svc.store.acks.get(second, "dongjiang")
    text = replies(emulator, DONGJIANG)[-1]
    assert (
        text.startswith("已签收以下 2 份通知：#1《“清风惠企”行动简报")
        and "#2《乡村振兴工作简报" in text
    )
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    assert "无需重复签收" in replies(emulator, DONGJIANG)[-1]


async def test_ack_by_id_with_a_comment(app, emulator):
    first, second = await two_notices(app)
    await feed(
        app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {second} 已转分管领导阅处")}
    )
    svc = services_of(app)
    ack = svc.store.acks.get(second, "dongjiang")
    assert ack is not None and ack.comment == "已转分管领导阅处"
    assert svc.store.acks.get(first, "dongjiang") is None
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack 99")})
    assert "不是发给本单位" in replies(emulator, DONGJIANG)[-1]


async def test_undo_by_the_same_person_within_the_window(app, emulator):
    first, _ = await two_notices(app)
    svc = services_of(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {first}")})
    notice = next(m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"])
    assert notice["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("✔️ 已签收")
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/undo {first}")})
    assert svc.store.acks.get(first, "dongjiang") is None
    assert replies(emulator, DONGJIANG)[-1].startswith("已撤销对#1《")
    restored = emulator.world.chats[DONGJIANG].messages[notice["message_id"]]["reply_markup"]
    assert restored["inline_keyboard"][0][0]["text"] == "✅ 已收到"
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/undo {first}")})
    assert replies(emulator, DONGJIANG)[-1] == "没有可以撤销的签收。"


async def test_undo_is_refused_after_the_window(app, emulator):
    first, _ = await two_notices(app)
    svc = services_of(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack {first}")})
    real_clock = svc.clock
    svc.clock = lambda: real_clock() + timedelta(minutes=11)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/undo {first}")})
    assert "不能撤销" in replies(emulator, DONGJIANG)[-1]
    assert svc.store.acks.get(first, "dongjiang") is not None


async def test_only_the_acknowledging_person_may_undo(app, emulator):
    first, _ = await two_notices(app)
    svc = services_of(app)
    svc.store.acks.record(first, "dongjiang", 77777, "别人", "command", svc.now())
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/undo {first}")})
    assert replies(emulator, DONGJIANG)[-1] == "只有签收人本人可以撤销签收。"


async def _in_the_moment(app, svc) -> tuple[int, int, int]:
    """A notice Telegram took for dongjiang whose row is still ``sending``:
    (notice, chat, message)."""
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "a.txt"), "测试", timedelta(hours=4), svc.now()
    )
    notice_id = taken.published.notice_id
    claimed = svc.store.outbox.claim(svc.now(), 100)  # every row "sending", none recorded
    row = next(i for i in claimed if i.unit_code == "dongjiang" and i.kind == "notice")
    sent = await app.bot.send_message(row.chat_id, row.text, reply_markup=None)
    svc.held.sent(row.chat_id, sent.message_id, notice_id)  # the dispatcher's note on success
    return notice_id, row.chat_id, sent.message_id


async def test_a_button_pressed_before_the_store_records_the_delivery_counts(app, emulator):
    """Telegram took the notice, its "sent" is still being written: a liaison who presses the
    button in that moment signs it, and is not told the notice is not for the unit."""
    svc = services_of(app)
    notice_id, chat_id, message_id = await _in_the_moment(app, svc)
    press = {
        "id": "cb-fast-1",
        "from": {"id": LIAISON, "is_bot": False, "first_name": "联络员"},
        "chat_instance": "1",
        "data": f"ack:{notice_id}",
        "message": message_json(chat_id, 1, "通知", message_id=message_id),
    }
    await feed(app, {"callback_query": press})
    ack = svc.store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.via == "button"
    # the button shows the signer although the store does not know the message yet
    shown = emulator.world.chats[chat_id].messages[message_id]["reply_markup"]
    assert shown["inline_keyboard"][0][0]["text"].startswith("✔️ 已签收")


async def test_a_bare_ack_before_the_store_records_the_delivery_counts(app, emulator):
    svc = services_of(app)
    notice_id, chat_id, _ = await _in_the_moment(app, svc)
    await feed(app, {"message": message_json(chat_id, LIAISON, "/ack")})
    ack = svc.store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.via == "command"


def test_what_was_taken_just_now_is_bounded_and_read_by_chat():
    from briefbot.holding import Holding

    held = Holding(max_recent=2)
    held.sent(-1, 10, 1)
    held.sent(-1, 11, 1, "reminder")
    held.sent(-2, 20, 2)  # evicts (-1, 10)
    assert held.received("u", -1) == set() and held.received("u", -2) == {2}
    assert held.message_of(2, "u", -2) == (-2, 20) and held.message_of(1, "u", -1) is None
    assert held.notice_for_message(-1, 11) == 1
