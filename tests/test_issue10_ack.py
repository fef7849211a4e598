"""Issue 10, points 1-7 (the acknowledging, setup and naming half), through the real Application
against the emulator: a typed 收到, the notice's number and deadline, reminders with the time
overdue and liaisons named, scoped menus, setup in chat, office buttons and pins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from briefbot.acking import is_ack_phrase
from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from schedules.followup import follow_up_once
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    LIAISON,
    OFFICE,
    OTHER,
    TOKEN,
    feed,
    message_json,
    replies,
    services_of,
)
from tests.conftest import SHIPPED, at, running_app
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
    assert button_text(notice).startswith("✔️ 已签收 · 赵联络员 12月4日 14:40")


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
    # the number as shown works for /feedback too
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/feedback #{notice_id} 已落实")})
    assert "dongjiang" in services_of(app).store.feedbacks.states(notice_id)


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


# ------------------------------------------------------------------ 3. confirmation everywhere


async def test_ack_updates_the_reminder_buttons_too_and_undo_restores_them(app, emulator):
    svc = services_of(app)
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    set_now(app, at("2026-12-07 10:00"))
    follow_up_once(svc)
    await Dispatcher().run(app.bot, svc)
    notice, reminder = bot_messages(emulator, DONGJIANG)
    assert button_text(reminder) == "✅ 已收到"
    await feed(app, {"message": emulator.world.user_message(DONGJIANG, LIAISON, "/ack")})
    notice, reminder = bot_messages(emulator, DONGJIANG)
    assert button_text(notice) == button_text(reminder) == "✔️ 已签收 · 赵联络员 12月7日 10:00"
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/undo {notice_id}")})
    notice, reminder = bot_messages(emulator, DONGJIANG)[:2]
    assert button_text(notice) == button_text(reminder) == "✅ 已收到"


async def test_ack_of_several_notices_reacts_and_names_them(app, emulator):
    await publish(app)
    await publish(app, txt(RURAL), "b.txt")
    said = emulator.world.user_message(DONGJIANG, LIAISON, "收到")
    await feed(app, {"message": said})
    text = replies(emulator, DONGJIANG)[-1]
    assert text.startswith("已签收以下 2 份通知：#1《") and "#2《乡村振兴工作简报" in text
    stored = emulator.world.chats[DONGJIANG].messages[said["message_id"]]
    assert stored["_reactions"] == [{"type": "emoji", "emoji": "👍"}]


# ------------------------------------------------------------------ 4. menus per chat


async def test_command_menus_are_scoped_per_chat(app, emulator):
    world = emulator.world
    bot = world.bots[TOKEN]
    world.chats[OFFICE].admins = {ADMIN}
    world.add_chat(LIAISON, "赵联络员", "private")

    def menu(chat_id, user_id):
        return [c["command"] for c in world.menu_for(bot, chat_id, user_id)]

    office = menu(OFFICE, ADMIN)
    for command in ("status", "publish", "late", "remind", "export", "ranking", "chart"):
        assert command in office
    assert "units" in office and "invite" in office and "ack" not in office
    assert menu(OFFICE, OTHER) == ["help"]  # office members who are not its admins
    unit = menu(DONGJIANG, LIAISON)
    assert {"ack", "undo", "feedback", "subscribe", "help"} <= set(unit)
    assert "status" not in unit
    assert menu(LIAISON, LIAISON) == ["start", "help"]
    assert bot.commands == []  # no catch-all menu


# ------------------------------------------------------------------ 5. setup in chat

LEADER = 30001
UNBOUND = "  - {code: xishan, name: 西山县, group: 县区, liaisons: [20009], leader: 30001}\n"
XISHAN_CHAT, XISHAN_LIAISON = -1001000000777, 20009


@pytest.fixture
async def setup_app(emulator, tmp_path):
    async with running_app(emulator, tmp_path, UNBOUND) as application:
        emulator.world.add_chat(XISHAN_CHAT, "西山县<工作群>")
        emulator.world.add_user(XISHAN_LIAISON, "西山联络员")
        emulator.world.add_user(LEADER, "李<县长>")
        yield application


def last_update(emulator):
    update = dict(emulator.world.bots[TOKEN].updates[-1])
    update.pop("update_id")
    return update


async def test_added_to_a_group_the_bot_says_how_to_bind_and_help_agrees(setup_app, emulator):
    app = setup_app
    emulator.world.add_bot_to_chat(XISHAN_CHAT, XISHAN_LIAISON, TOKEN)
    await feed(app, last_update(emulator))
    greeting = replies(emulator, XISHAN_CHAT)[-1]
    assert "简报签收助手" in greeting and "尚未绑定" in greeting
    assert "/subscribe 邀请码" in greeting
    await feed(app, {"message": message_json(XISHAN_CHAT, XISHAN_LIAISON, "/help")})
    assert "本群尚未绑定任何单位" in replies(emulator, XISHAN_CHAT)[-1]
    # in an already bound group the greeting says so
    emulator.world.add_bot_to_chat(DONGJIANG, LIAISON, TOKEN)
    await feed(app, last_update(emulator))
    assert "本群已是东江市的工作群" in replies(emulator, DONGJIANG)[-1]


async def test_invite_gives_a_one_tap_link_that_binds_on_join(setup_app, emulator):
    app = setup_app
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/invite xishan")})
    text = replies(emulator, OFFICE)[-1]
    code = text.split("<code>")[1].split("</code>")[0]
    assert f"https://t.me/briefing_bot?startgroup={code}" in text
    assert "@briefing_bot" in text and f"/subscribe {code}" in text
    # the link: Telegram adds the bot, then sends /start@bot CODE in the group
    emulator.world.add_bot_to_chat(XISHAN_CHAT, XISHAN_LIAISON, TOKEN, start=code)
    for update in emulator.world.bots[TOKEN].updates[-2:]:
        await feed(app, {k: v for k, v in update.items() if k != "update_id"})
    assert replies(emulator, XISHAN_CHAT)[-1] == (
        "✅ 本群已绑定为西山县的工作群，今后的简报将推送到这里。"
    )
    unit = services_of(app).store.notices.unit_by_chat(XISHAN_CHAT)
    assert unit is not None and unit.code == "xishan"


async def test_a_leaders_start_confirms_escalations_will_reach_them(setup_app, emulator):
    app = setup_app
    emulator.world.add_chat(LEADER, "李县长", "private")
    raw = message_json(LEADER, LEADER, "/start")
    raw["chat"] = {"id": LEADER, "type": "private", "first_name": "李<县长>"}
    raw["from"] = {"id": LEADER, "is_bot": False, "first_name": "李<县长>"}
    await feed(app, {"message": raw})
    text = replies(emulator, LEADER)[-1]
    assert "您已登记为西山县的分管领导" in text and "私信" in text
    assert services_of(app).store.people.has_private_chat(LEADER)


# ------------------------------------------------------------------ 7. people named


async def test_last_reminder_mentions_liaisons_by_name_and_the_office_is_told_who(app, emulator):
    svc = services_of(app)
    hostile = "赵<b>联络员</b>&"
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    raw = message_json(DONGJIANG, LIAISON, "/help")
    raw["from"] = {"id": LIAISON, "is_bot": False, "first_name": hostile}
    await feed(app, {"message": raw})  # the liaison's name is remembered as they act
    for moment in ("2026-12-07 10:00", "2026-12-07 14:30"):
        set_now(app, at(moment))
        follow_up_once(svc)
        await Dispatcher().run(app.bot, svc)
    last = bot_messages(emulator, DONGJIANG)[-1]["text"]
    assert "签收提醒（第2次）" in last
    assert '<a href="tg://user?id=20001">赵&lt;b&gt;联络员&lt;/b&gt;&amp;</a>' in last
    assert "联络员1" not in last
    # qingling's liaison was never seen: a numbered mention still notifies them
    qingling = bot_messages(emulator, -1001000000102)[-1]["text"]
    assert '<a href="tg://user?id=20002">联络员1</a>' in qingling
    # the escalation names each late unit's liaisons and says the leader was not told
    set_now(app, at("2026-12-07 16:30"))
    follow_up_once(svc)
    await Dispatcher().run(app.bot, svc)
    escalation = bot_messages(emulator, OFFICE)[-1]["text"]
    assert "逾期未签收上报</b>：《" in escalation and f"（编号 #{notice_id}）" in escalation
    assert "联络员：赵&lt;b&gt;联络员&lt;/b&gt;&amp;；未登记分管领导，未通知领导" in escalation
    assert "省教育厅（省直部门，已提醒2次）\n  联络员：未登记联络员" in escalation
    # /late names them too
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/late")})
    late = replies(emulator, OFFICE)[-1]
    assert "联络员：" in late and "东江市 赵&lt;b&gt;联络员&lt;/b&gt;&amp;" in late
    assert "省教育厅 未登记" in late


def test_escalation_says_whether_the_leader_was_told():
    from datetime import UTC, datetime

    from briefbot.ledger import DeliveryState, NoticeInfo, NoticeKind, UnitLedger
    from briefbot.reminders import LeaderState, escalation_html

    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    notice = NoticeInfo(3, "简报", None, NoticeKind.ROUTINE, now, timedelta(hours=4))

    def unit(code):
        return UnitLedger(
            code, f"单位{code}", "组", -1, (7,), DeliveryState.SENT, now, None, None, (now,), None
        )

    text = escalation_html(
        notice,
        [unit("a"), unit("b"), unit("c")],
        {7: "钱<某>"},
        {"a": LeaderState(True, True), "b": LeaderState(True, False)},
    )
    lines = text.split("\n")
    assert "联络员：钱&lt;某&gt;；已同时私信告知分管领导" in lines[3]
    assert "尚未与机器人对话，可能无法送达" in lines[5]
    assert "未登记分管领导" in lines[7]


# ------------------------------------------------------------------ 6. office buttons and pins


async def press(app, emulator, chat_id, message_id, user_id, data):
    query_id = emulator.world.press_button(chat_id, message_id, user_id, data)
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    return emulator.world.callbacks[query_id]


def labels(message) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_the_board_carries_the_office_buttons_for_admins_only(app, emulator):
    from schedules.progress import report_progress

    svc = services_of(app)
    notice_id = await publish(app)
    await report_progress(app.bot, svc)
    [board] = bot_messages(emulator, OFFICE)
    assert labels(board) == ["🔔 提醒未签收", "📥 导出签收单", "📋 详情", "📌 置顶看板"]
    refused = await press(
        app, emulator, OFFICE, board["message_id"], OTHER, f"ofc:status:{notice_id}"
    )
    assert "仅限办公室管理员" in refused["text"] and refused["show_alert"]
    await press(app, emulator, OFFICE, board["message_id"], ADMIN, f"ofc:status:{notice_id}")
    assert f"#{notice_id}" in replies(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, board["message_id"], ADMIN, f"ofc:export:{notice_id}")
    files = [m["document"]["file_name"] for m in bot_messages(emulator, OFFICE) if "document" in m]
    assert any(f.endswith(".xlsx") for f in files) and any(f.endswith(".csv") for f in files)
    await press(app, emulator, OFFICE, board["message_id"], ADMIN, f"ofc:remind:{notice_id}")
    assert replies(emulator, OFFICE)[-1] == (
        f"已向 3 个未签收单位发送提醒（通知 #{notice_id}）：省教育厅、东江市、青岭市。"
    )
    await Dispatcher().run(app.bot, svc)
    nudge = replies(emulator, DONGJIANG)[-1]
    assert "办公室提醒" in nudge and f"（编号 #{notice_id}）" in nudge
    assert "签收时限" in nudge and "距签收时限还剩" in nudge
    # pinning the board: refused without the right (no error), done with it
    no_right = await press(
        app, emulator, OFFICE, board["message_id"], ADMIN, f"ofc:pin:{notice_id}"
    )
    assert "没有置顶权限" in no_right["text"] and emulator.world.chats[OFFICE].pinned == []
    emulator.world.chats[OFFICE].bot_can_pin = True
    done = await press(app, emulator, OFFICE, board["message_id"], ADMIN, f"ofc:pin:{notice_id}")
    assert done["text"] == "已置顶本看板。"
    assert emulator.world.chats[OFFICE].pinned == [board["message_id"]]


async def test_the_escalation_carries_the_office_buttons(app, emulator):
    svc = services_of(app)
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    for moment in ("2026-12-07 10:00", "2026-12-07 14:30", "2026-12-07 16:30"):
        set_now(app, at(moment))
        follow_up_once(svc)
        await Dispatcher().run(app.bot, svc)
    escalation = bot_messages(emulator, OFFICE)[-1]
    assert "逾期未签收上报" in escalation["text"]
    assert labels(escalation) == ["🔔 提醒未签收", "📥 导出签收单", "📋 详情"]
    assert escalation["reply_markup"]["inline_keyboard"][0][2]["callback_data"] == (
        f"ofc:status:{notice_id}"
    )


async def test_new_notices_are_pinned_where_the_bot_may_pin(app, emulator):
    from tests.botkit import QINGLING

    emulator.world.chats[DONGJIANG].bot_can_pin = True
    await publish(app)
    [pinned] = bot_messages(emulator, DONGJIANG)
    assert pinned["pinned"]
    [unpinned] = bot_messages(emulator, QINGLING)  # delivered all the same, not an error
    assert not unpinned["pinned"] and emulator.world.chats[QINGLING].pinned == []
    ledger = {u.unit_code: u for u in services_of(app).store.ledger.for_notice(1)}
    assert ledger["qingling"].delivery.value == "sent"


async def test_pinning_notices_can_be_switched_off(emulator, tmp_path):
    async with running_app(emulator, tmp_path) as app:
        svc = services_of(app)
        svc.settings = svc.settings.model_copy(
            update={"delivery": svc.settings.delivery.model_copy(update={"pin_notices": False})}
        )
        emulator.world.chats[DONGJIANG].bot_can_pin = True
        await publish(app)
        assert emulator.world.chats[DONGJIANG].pinned == []


async def test_privacy_mode_is_explained_in_the_greeting_and_the_invitation(setup_app, emulator):
    app = setup_app
    emulator.world.bots[TOKEN].privacy = True
    await app.bot.get_me()
    emulator.world.add_bot_to_chat(XISHAN_CHAT, XISHAN_LIAISON, TOKEN)
    await feed(app, last_update(emulator))
    greeting = replies(emulator, XISHAN_CHAT)[-1]
    assert "隐私模式" in greeting and "“回复”通知消息发送“收到”" in greeting
    await feed(app, {"message": message_json(OFFICE, ADMIN, "/invite xishan")})
    assert "隐私模式" in replies(emulator, OFFICE)[-1]


async def test_in_a_unit_without_liaisons_only_a_reply_to_the_notice_counts(app, emulator):
    from tests.botkit import EDU

    notice_id = await publish(app)
    store = services_of(app).store
    await feed(app, {"message": emulator.world.user_message(EDU, OTHER, "收到")})
    assert store.acks.get(notice_id, "edu") is None
    [notice] = bot_messages(emulator, EDU)
    said = emulator.world.user_message(EDU, OTHER, "收到", reply_to=notice["message_id"])
    await feed(app, {"message": said})
    assert store.acks.get(notice_id, "edu").via == "typed"


async def test_names_of_liaisons_never_seen_are_asked_of_telegram(app, emulator):
    from schedules.followup import learn_liaison_names

    svc = services_of(app)
    emulator.world.add_user(20002, "钱<联络员>")
    set_now(app, FRIDAY)
    await publish(app)
    failed: set[tuple[int, int]] = set()
    assert await learn_liaison_names(app.bot, svc, failed) == 2
    assert svc.store.people.names([20001, 20002]) == {20001: "赵联络员", 20002: "钱<联络员>"}
    assert await learn_liaison_names(app.bot, svc, failed) == 0  # nothing asked twice
    assert failed == set()
    for moment in ("2026-12-07 10:00", "2026-12-07 14:30"):  # the last reminder names them
        set_now(app, at(moment))
        follow_up_once(svc)
        await Dispatcher().run(app.bot, svc)
    last = bot_messages(emulator, -1001000000102)[-1]["text"]
    assert '<a href="tg://user?id=20002">钱&lt;联络员&gt;</a>' in last
    # someone who is no member of the group: asked once, then left alone
    from dataclasses import replace

    svc.store.notices.sync_units(
        [
            replace(u, liaisons=(55555,)) if u.code == "edu" else u
            for u in svc.store.notices.active_units()
        ]
    )
    assert await learn_liaison_names(app.bot, svc, failed) == 0
    assert failed == {(-1001000000103, 55555)}
    assert await learn_liaison_names(app.bot, svc, failed) == 0


async def test_the_preview_tells_the_office_the_deadline_units_will_see(app, emulator):
    from tests.test_sources_office import office_texts, upload

    set_now(app, FRIDAY)
    await upload(app, emulator, "简报.txt", SHIPPED.read_bytes())
    note = office_texts(emulator)[0]
    assert "发布后通知末尾另有一行：编号 #（发布时分配） · 请于12月7日（周一）09:10前签收" in note


async def test_an_administrator_bot_reads_the_group_despite_privacy_mode(app, emulator):
    world = emulator.world
    world.bots[TOKEN].privacy = True
    await app.bot.get_me()
    bot_id = world.bots[TOKEN].id
    world.chats[DONGJIANG].admins = {bot_id}
    before = len(world.bots[TOKEN].updates)
    world.user_message(DONGJIANG, LIAISON, "收到")
    assert len(world.bots[TOKEN].updates) == before + 1  # an administrator sees everything
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/help")})
    assert "也算签收" in replies(emulator, DONGJIANG)[-1]
    assert "隐私模式" not in replies(emulator, DONGJIANG)[-1]


async def test_a_reminder_queued_before_the_ack_goes_out_showing_the_signature(app, emulator):
    svc = services_of(app)
    set_now(app, FRIDAY)
    notice_id = await publish(app)
    set_now(app, at("2026-12-07 10:00"))
    follow_up_once(svc)  # queued, not sent yet
    svc.store.acks.record(notice_id, "dongjiang", LIAISON, "赵联络员", "button", svc.now())
    await Dispatcher().run(app.bot, svc)
    reminder = bot_messages(emulator, DONGJIANG)[-1]
    assert "签收提醒" in reminder["text"]
    assert button_text(reminder) == "✔️ 已签收 · 赵联络员 12月7日 10:00"


def test_deadline_wording_on_the_working_calendar():
    from briefbot.deadlines import format_due, format_working, notice_due, time_left
    from briefbot.settings import CalendarSettings, _working_time
    from tests.conftest import TZ

    clock = _working_time(CalendarSettings(), "Asia/Shanghai")
    due = notice_due(FRIDAY, timedelta(hours=4), clock)
    assert format_due(due, TZ) == "12月7日（周一）09:10"
    assert time_left(due, at("2026-12-04 17:00"), clock) == "距签收时限还剩 1小时40分钟（工作时间）"
    assert time_left(due, at("2026-12-07 15:00"), clock) == "已逾期 3小时20分钟（工作时间）"
    assert format_working(timedelta(seconds=20)) == "不到1分钟"
    every_hour = _working_time(CalendarSettings(enabled=False), "Asia/Shanghai")
    assert time_left(at("2026-12-05 12:00"), at("2026-12-05 09:30"), every_hour, False) == (
        "距签收时限还剩 2小时30分钟"
    )
