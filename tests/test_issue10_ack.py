"""Issue 10, points 1-7 (the acknowledging, setup and naming half), through the real Application
against the emulator: a typed 收到, the notice's number and deadline, reminders with the time
overdue and liaisons named, scoped menus, setup in chat, office buttons and pins."""

from __future__ import annotations

from briefbot.acking import is_ack_phrase
from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from schedules.followup import follow_up_once
from tests.botkit import (
    DONGJIANG,
    LIAISON,
    OTHER,
    TOKEN,
    feed,
    message_json,
    replies,
    services_of,
)
from tests.conftest import SHIPPED, at
from tests.fixtures.builders import txt
from tests.fixtures.synthetic import RURAL

FRIDAY = at("2026-12-04 14:40")  # + 4 working hours: Monday 12月7日 09:10


def set_now(app, moment):
    services_of(app).clock = lambda: moment


async def publish(app, data: bytes = b"", name: str = "a.txt") -> int:
    svc = services_of(app)
    taken = publish_file(
        svc.store,
        parse_file(data or SHIPPED.read_bytes(), name),
        "测试",
        svc.settings.follow_up.ack_within,
        svc.now(),
    )
    await Dispatcher().run(app.bot, svc)
    return taken.published.notice_id


def bot_messages(emulator, chat_id):
    return [m for m in emulator.world.transcript(chat_id) if m["from_bot"]]


def button_text(message) -> str:
    return message["reply_markup"]["inline_keyboard"][0][0]["text"]


# ------------------------------------------------------------------ 1. a typed 收到


def test_ack_phrases_are_short_and_whole():
    for text in (
        "收到",
        "已收到",
        "收到，谢谢",
        "收到，谢谢！",
        "好的，收到",
        "收到👍",
        "已收悉。",
    ):
        assert is_ack_phrase(text), text
    for text in ("收到的材料有误，请重发", "谢谢", "收到？", "收到了吗", "", None, "收到" * 10):
        assert not is_ack_phrase(text), text


async def test_typed_shoudao_from_a_liaison_signs_the_pending_notice(app, emulator):
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    said = emulator.world.user_message(DONGJIANG, LIAISON, "收到，谢谢")
    await feed(app, {"message": said})
    ack = services_of(app).store.acks.get(notice_id, "dongjiang")
    assert ack is not None and ack.via == "typed" and ack.user_id == LIAISON
    stored = emulator.world.chats[DONGJIANG].messages[said["message_id"]]
    assert stored["_reactions"] == [{"type": "emoji", "emoji": "👍"}]
    [notice] = bot_messages(emulator, DONGJIANG)
    assert button_text(notice).startswith("✔️ 已签收 · 赵联络员 12-04 14:40")


async def test_longer_messages_and_other_people_are_not_acks(app, emulator):
    notice_id = await publish(app)
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "收到的材料有误，请重新发送")})
    await feed(app, {"message": message_json(DONGJIANG, OTHER, "收到")})
    assert services_of(app).store.acks.get(notice_id, "dongjiang") is None
    assert len(bot_messages(emulator, DONGJIANG)) == 1  # no chatter in the group


async def test_a_reply_to_the_notice_is_the_clearest_case(app, emulator):
    """The reply passes the office's edit-reply handler (group 0) and still counts; a
    non-liaison replying 收到 to the notice is told why it did not count."""
    first = await publish(app)
    second = await publish(app, txt(RURAL), "b.txt")
    notices = bot_messages(emulator, DONGJIANG)
    other = emulator.world.user_message(DONGJIANG, OTHER, "收到", reply_to=notices[1]["message_id"])
    await feed(app, {"message": other})
    assert "不是东江市登记的联络员" in replies(emulator, DONGJIANG)[-1]
    said = emulator.world.user_message(
        DONGJIANG, LIAISON, "已收到", reply_to=notices[1]["message_id"]
    )
    await feed(app, {"message": said})
    store = services_of(app).store
    assert store.acks.get(second, "dongjiang").via == "typed"
    assert store.acks.get(first, "dongjiang") is None  # only the notice replied to


async def test_privacy_mode_delivers_replies_only_and_help_says_so(app, emulator):
    world = emulator.world
    world.bots[TOKEN].privacy = True
    await app.bot.get_me()  # the bot learns can_read_all_group_messages = false
    await publish(app)
    [notice] = bot_messages(emulator, DONGJIANG)
    before = len(world.bots[TOKEN].updates)
    world.user_message(DONGJIANG, LIAISON, "收到")
    assert len(world.bots[TOKEN].updates) == before  # Telegram never shows it to the bot
    world.user_message(DONGJIANG, LIAISON, "收到", reply_to=notice["message_id"])
    world.user_message(DONGJIANG, LIAISON, "/help")
    assert len(world.bots[TOKEN].updates) == before + 2
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/help")})
    text = replies(emulator, DONGJIANG)[-1]
    assert "隐私模式" in text and "回复" in text
    world.bots[TOKEN].privacy = False
    await app.bot.get_me()
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/help")})
    assert "“收到”、“已收到”、“收到，谢谢”等简短回复，也算签收" in replies(emulator, DONGJIANG)[-1]


# ------------------------------------------------------------------ 2. number and deadline


async def test_the_notice_shows_its_number_and_deadline_on_the_working_calendar(app, emulator):
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    [notice] = bot_messages(emulator, DONGJIANG)
    assert f"<b>编号 #{notice_id}</b> · 请于12月7日（周一）09:10前签收" in notice["text"]
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/help")})
    help_text = replies(emulator, DONGJIANG)[-1]
    assert "编号 #N" in help_text and "/ack 编号" in help_text and "/feedback 编号" in help_text
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack #{notice_id}")})
    assert services_of(app).store.acks.get(notice_id, "dongjiang") is not None


async def test_reminders_say_how_long_overdue_in_working_time(app, emulator):
    svc = services_of(app)
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    set_now(app, at("2026-12-07 10:00"))
    assert follow_up_once(svc) >= 1
    await Dispatcher().run(app.bot, svc)
    reminder = bot_messages(emulator, DONGJIANG)[-1]["text"]
    assert f"（编号 #{notice_id}）" in reminder
    assert "签收时限 12月7日（周一）09:10，已逾期 50分钟（工作时间）" in reminder
