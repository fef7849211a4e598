"""Issue 9, point 8: names, titles and comments are escaped in every HTML message.

A liaison whose name carries ``<a href=…>`` must not get a link into the bot's reply, and ``<b>``
without a closing tag, ``A&B <3`` or a unit called ``单位02<&>`` must not make Telegram refuse
the reply ("can't parse entities"). The emulator parses HTML as Telegram does: a message that
does not parse is refused with 400 and the office is alerted.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import yaml

from schedules.dispatcher import Dispatcher
from tests.botkit import ADMIN, OFFICE, TOKEN, feed, services_of
from tests.conftest import SHIPPED, running_app
from tgemu.htmltext import visible_text

HOSTILE = '<b>A&B <3 </a>"q" <a href="http://evil.example/">点我</a>'
UNIT_NAME = "单位02<&>" + HOSTILE
GROUP = "县区<i>" + HOSTILE
EVIL_CHAT, EVIL_LIAISON, EVIL_OTHER = -1001000000555, 20555, 20556
UNBOUND_CHAT = -1001000000556


def _units_yaml() -> str:
    units = [
        {
            "code": "evil",
            "name": UNIT_NAME,
            "group": GROUP,
            "chat_id": EVIL_CHAT,
            "liaisons": [EVIL_LIAISON],
        },
        {"code": "evil2", "name": UNIT_NAME + "二", "group": GROUP, "liaisons": [EVIL_LIAISON]},
    ]
    return "".join(
        "  - " + yaml.safe_dump(u, allow_unicode=True, default_flow_style=True, width=10_000)
        for u in units
    )


def _hostile_briefing() -> bytes:
    text = SHIPPED.read_text(encoding="utf-8")
    return text.replace("“清风惠企”行动简报", "“清风<b>&惠企”行动简报", 1).encode()


def _bot_texts(emulator) -> list[tuple[int, str]]:
    return [
        (chat_id, m.get("text") or m.get("caption") or "")
        for chat_id in emulator.world.chats
        for m in emulator.world.transcript(chat_id)
        if m["from_bot"]
    ]


async def test_hostile_names_reach_no_message_unescaped(emulator, tmp_path):
    world = emulator.world
    async with running_app(emulator, tmp_path, _units_yaml()) as app:
        world.add_chat(EVIL_CHAT, "群" + HOSTILE)
        world.add_chat(UNBOUND_CHAT, "新群" + HOSTILE)
        world.add_user(EVIL_LIAISON, HOSTILE)
        world.add_user(EVIL_OTHER, "外人" + HOSTILE)
        svc = services_of(app)
        assert svc.settings.units[-2].name == UNIT_NAME

        async def say(chat_id: int, user_id: int, text: str) -> None:
            await feed(app, {"message": world.user_message(chat_id, user_id, text)})

        async def press(chat_id: int, message_id: int, user_id: int) -> dict:
            query_id = world.press_button(chat_id, message_id, user_id)
            await feed(app, {"callback_query": world.bots[TOKEN].updates[-1]["callback_query"]})
            return world.callbacks[query_id]

        # a briefing whose title carries markup, uploaded under a hostile file name
        upload = world.user_document(
            OFFICE, ADMIN, HOSTILE + ".txt", _hostile_briefing(), "text/plain"
        )
        await feed(app, {"message": upload})
        await say(OFFICE, ADMIN, "/publish")  # no reply_to: usage
        await feed(
            app,
            {"message": world.user_message(OFFICE, ADMIN, "/publish", reply_to=upload["message_id"])},
        )
        await feed(
            app,
            {"message": world.user_message(OFFICE, ADMIN, "/publish", reply_to=upload["message_id"])},
        )  # the duplicate
        bad = world.user_document(OFFICE, ADMIN, HOSTILE + ".pdf", b"%PDF-1.4 x", "application/pdf")
        await feed(app, {"message": bad})
        await Dispatcher().run(app.bot, svc)
        [notice] = [m for m in world.transcript(EVIL_CHAT) if m["from_bot"]]

        # the unit's group: refusals name the unit and the person
        await say(EVIL_CHAT, EVIL_OTHER, "/ack")  # not a liaison
        toast = await press(EVIL_CHAT, notice["message_id"], EVIL_OTHER)
        assert UNIT_NAME in toast["text"]  # a toast is plain text: no entities to escape
        await say(EVIL_CHAT, EVIL_LIAISON, "/ack 1 " + HOSTILE)  # with a hostile comment
        await say(EVIL_CHAT, EVIL_LIAISON, "/ack")  # already: names who and the unit
        await say(EVIL_CHAT, EVIL_LIAISON, "/undo 1")
        await say(EVIL_CHAT, EVIL_LIAISON, "/ack 1")
        await say(EVIL_CHAT, EVIL_LIAISON, "/feedback 1 " + HOSTILE)
        await say(EVIL_CHAT, EVIL_OTHER, "/feedback 1 x")
        await say(EVIL_CHAT, EVIL_OTHER, "/unsubscribe")

        # the office's views
        real = svc.clock
        svc.clock = lambda: real() + timedelta(days=3)
        for command in ("/status", "/status 1", "/late", "/ranking", "/units", "/remind 1"):
            await say(OFFICE, ADMIN, command)
        await say(OFFICE, ADMIN, "/invite evil2")
        code = [t for _, t in _bot_texts(emulator) if "<code>" in t][-1]
        code = code.split("<code>")[1].split("</code>")[0]
        await say(UNBOUND_CHAT, EVIL_LIAISON, "/subscribe " + code)
        await say(UNBOUND_CHAT, EVIL_LIAISON, "/subscribe " + code)  # used / taken
        await say(UNBOUND_CHAT, EVIL_LIAISON, "/unsubscribe")

        # the inbox, under a hostile file name
        from schedules.inbox import take_file

        inbox = tmp_path / "inbox"
        inbox.mkdir()
        dropped = inbox / "x<b>&.pdf"
        dropped.write_bytes(b"%PDF-1.4 x")
        past = time.time() - 60
        os.utime(dropped, (past, past))
        await take_file(app.bot, svc, dropped)
        svc.clock = real

        texts = _bot_texts(emulator)
        office = [t for chat_id, t in texts if chat_id == OFFICE]
        assert not any("出错" in t for t in office), office  # no "can't parse entities"
        for _, text in texts:
            visible_text(text)  # every message Telegram accepted parses
        visible = [visible_text(t) for _, t in texts]
        # the hostile strings arrive as text, never as markup
        assert not any('<a href="http://evil' in t for _, t in texts)
        for expected in (
            f"抱歉，您不是{UNIT_NAME}登记的联络员",
            f"由 {HOSTILE} 签收，无需重复签收",
            f"无法读取《{HOSTILE}.pdf》",
            f"落实反馈：{UNIT_NAME} 对#1《",  # the feedback, to the office
            f"（{HOSTILE}）\n{HOSTILE}",
            f"{GROUP}：{UNIT_NAME}",  # /status and /units group the units
            f"已通过邀请码绑定工作群“新群{HOSTILE}”",
            "收件箱文件《x<b>&.pdf》无法处理",
            "已发布通知 #1《“清风<b>&惠企”行动简报",  # a document's own title
        ):
            assert any(expected in t for t in visible), expected


def test_follow_up_and_push_messages_escape_every_name():
    """The messages jobs send (reminders, escalations, the leader's word, the push board, the
    daily status) are built from the same helper."""
    from briefbot.ledger import Ack, DeliveryState, NoticeInfo, NoticeKind, UnitLedger
    from briefbot.push_report import ack_board, final_html, progress_html
    from briefbot.reminders import escalation_html, leader_html, reminder_html
    from briefbot.reports import build_report, format_status_html
    from briefbot.settings import CalendarSettings, _working_time
    from briefbot.store.progress import PushCounts
    from tests.conftest import TZ, at

    now = at("2026-12-01 10:00")
    notice = NoticeInfo(1, "标题" + HOSTILE, "第1期", NoticeKind.ROUTINE, now, timedelta(hours=1))

    def unit(code: str, **changes) -> UnitLedger:
        values = {
            "unit_code": code,
            "unit_name": UNIT_NAME + code,
            "group": GROUP,
            "chat_id": -1,
            "liaisons": (1, 2),
            "delivery": DeliveryState.SENT,
            "sent_at": now - timedelta(hours=3),
            "last_error": None,
            "ack": None,
            "reminders": (now,),
            "escalated_at": None,
        }
        return UnitLedger(**{**values, **changes})

    late = unit("a")
    acked = unit("b", ack=Ack(5, HOSTILE, "button", now, HOSTILE))
    lost = unit("c", delivery=DeliveryState.UNREACHABLE, last_error="403 " + HOSTILE)
    clock = _working_time(CalendarSettings(enabled=False), "Asia/Shanghai")
    report = build_report(notice, [late, acked, lost], now, clock)
    counts = PushCounts(
        sent=2, failed=0, unreachable=1, remaining=0, first_sent_at=now, last_sent_at=now
    )
    messages = [
        reminder_html(notice, late, 2, mention=True),
        leader_html(notice, late),
        escalation_html(notice, [late]),
        progress_html(notice, counts, now, TZ, 30),
        final_html(notice, counts, [late, acked, lost], now) + "\n\n" + ack_board(report),
        format_status_html(report),
    ]
    for message in messages:
        shown = visible_text(message)  # Telegram would accept it
        assert UNIT_NAME in shown or "标题" + HOSTILE in shown, shown
        assert '<a href="http://evil' not in message
    assert f"{GROUP}：{UNIT_NAME}a" in visible_text(messages[-1])
    assert f"{UNIT_NAME}b（{HOSTILE}" in visible_text(messages[-1])
    assert '<a href="tg://user?id=1">联络员1</a>' in messages[0]  # the code's own markup stays
