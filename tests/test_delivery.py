"""Delivery bookkeeping: the office's progress message, causes in words, the group limiter."""

from __future__ import annotations

import re

import pytest
from telegram.ext import AIORateLimiter

from briefbot.causes import describe
from briefbot.push_report import expected_finish
from briefbot.store.progress import PushCounts
from handlers.ratelimit import GroupLruRateLimiter
from schedules.dispatcher import Dispatcher
from schedules.progress import report_progress
from tests.botkit import DONGJIANG, OFFICE, QINGLING, services_of
from tests.conftest import SHIPPED, at


def office_messages(emulator):
    return [m for m in emulator.world.transcript(OFFICE) if m["from_bot"]]


async def test_progress_message_is_edited_in_place_then_summarises(app, emulator):
    from datetime import timedelta

    from briefbot.publishing import parse_file, publish_file

    svc = services_of(app)
    emulator.world.chats[QINGLING].kicked = True
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await report_progress(app.bot, svc)
    [progress] = office_messages(emulator)
    assert progress["text"].startswith("📤 <b>正在推送</b>：通知 #1")
    assert "已送达 0，失败 0，无法送达 0，待发送 3（共 3 个单位）" in progress["text"]
    await report_progress(app.bot, svc)  # nothing changed: no edit spent
    assert emulator.world.chats[OFFICE].messages[progress["message_id"]]["_edits"] == []
    await Dispatcher().run(app.bot, svc)
    await report_progress(app.bot, svc)
    [final] = office_messages(emulator)  # the same message, edited
    assert final["message_id"] == progress["message_id"]
    assert final["text"].startswith("✅ <b>推送完成</b>：通知 #1")
    assert "已送达 2，失败 0，无法送达 1" in final["text"]
    assert "青岭市：机器人已被移出该群" in final["text"]
    await report_progress(app.bot, svc)  # finished pushes are left alone
    assert len(emulator.world.chats[OFFICE].messages[progress["message_id"]]["_edits"]) == 1


def test_expected_finish_uses_the_observed_rate():
    now = at("2026-11-30 09:00")
    from datetime import timedelta

    counts = PushCounts(
        sent=300, failed=0, unreachable=0, remaining=600, first_sent_at=now - timedelta(seconds=10)
    )
    assert expected_finish(counts, now, pace=29.4) == now + timedelta(seconds=20)
    fresh = PushCounts(sent=0, failed=0, unreachable=0, remaining=294, first_sent_at=None)
    assert expected_finish(fresh, now, pace=29.4) == now + timedelta(seconds=10)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("403 Forbidden: bot was kicked from the supergroup chat", "机器人已被移出该群"),
        ("400 Bad Request: chat not found", "群组不存在"),
        ("gave up after 9 attempts: network: Bad Gateway", "网络故障"),
        ("400 something new", "发送失败（错误代码 400）"),
    ],
)
def test_causes_in_words(error, words):
    said = describe(error)
    assert said.startswith(words) and not re.search("[A-Za-z]", said)  # no raw English


async def test_group_limiter_drops_only_idle_limiters_oldest_first():
    # the private hook this subclass overrides must still be what PTB calls
    assert "_get_group_limiter" in AIORateLimiter.__dict__
    limiter = GroupLruRateLimiter(group_max_rate=20, group_time_period=60, max_idle_groups=4)
    idle = [limiter._get_group_limiter(chat) for chat in (-2, -3, -4, -5)]
    busy = limiter._get_group_limiter(-1)
    await busy.acquire()  # used just now: it holds a token for the next 3 s
    limiter._get_group_limiter(-6)
    assert list(limiter._lru) == [-4, -5, -1, -6]  # -2 and -3 were idle and oldest
    assert limiter._get_group_limiter(-4) is idle[2]  # kept ones are the same objects
    limiter._get_group_limiter(-7)  # -5 is now the oldest idle one
    assert list(limiter._lru) == [-1, -6, -4, -7]
    limiter._get_group_limiter(-8)  # the oldest is busy: nothing may be dropped
    assert list(limiter._lru) == [-1, -6, -4, -7, -8]
    assert limiter._get_group_limiter(-1) is busy


async def test_escalation_also_tells_the_units_leader_once(app, emulator):
    from datetime import timedelta

    from briefbot.followup import FollowUpPlan
    from briefbot.publishing import parse_file, publish_file

    svc = services_of(app)
    emulator.world.add_user(30001, "东江市 分管领导")
    emulator.world.add_chat(30001, "分管领导", "private")  # the leader has started the bot
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    notice_id = taken.published.notice_id
    ledger = svc.store.ledger.for_notice(notice_id)
    plan = FollowUpPlan((), ("dongjiang",))
    for _ in range(2):  # the same decision twice: one message
        svc.store.ledger.record_plan(
            notice_id,
            plan,
            ledger,
            OFFICE,
            lambda *a: "",
            lambda c: "上报",
            svc.now(),
            {"dongjiang": (30001, "⚠️ 您分管的东江市仍未签收")},
        )
    await Dispatcher().run(app.bot, svc)
    private = [m["text"] for m in emulator.world.transcript(30001) if m["from_bot"]]
    assert private == ["⚠️ 您分管的东江市仍未签收"]


async def test_restarts_neither_drop_nor_repeat_a_reminder_step(app, emulator):
    from datetime import timedelta

    from briefbot.publishing import parse_file, publish_file
    from schedules.followup import follow_up_once
    from tests.test_office_views import calendar_off

    calendar_off(app)
    svc = services_of(app)
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    real = svc.clock
    svc.clock = lambda: real() + timedelta(hours=5)  # every unit is late: step 1 is due
    assert follow_up_once(svc) == 3
    # the process dies before anything is sent; a new one starts
    svc.store.outbox.recover_inflight()
    assert follow_up_once(svc) == 0  # the decision is in the ledger: not taken again
    await Dispatcher().run(app.bot, svc)
    reminders = {
        u: [
            t
            for t in emulator.world.transcript(u)
            if t["from_bot"] and t.get("text", "").startswith("⏰ <b>签收提醒（第1次）")
        ]
        for u in (DONGJIANG, QINGLING)
    }
    assert [len(v) for v in reminders.values()] == [1, 1]  # sent once, not dropped
    # a crash while step 2 is being sent: the row is "sending" at the crash
    svc.clock = lambda: real() + timedelta(hours=7)
    assert follow_up_once(svc) == 3
    claimed = svc.store.outbox.claim(svc.now(), limit=10)
    assert {c.step for c in claimed} == {2}
    assert svc.store.outbox.recover_inflight() == len(claimed)  # restart: back to pending
    assert follow_up_once(svc) == 0
    await Dispatcher().run(app.bot, svc)
    second = [
        t
        for t in emulator.world.transcript(DONGJIANG)
        if t["from_bot"] and t.get("text", "").startswith("⏰ <b>签收提醒（第2次）")
    ]
    assert len(second) == 1  # never sent before the crash, so sent exactly once after it
