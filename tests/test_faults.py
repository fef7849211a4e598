"""Faults (issue 9): a refused token, a store refusing writes, floods from outsiders, a clock step.

Through the real Application against the emulator; the store's failures are injected as the
OperationalError SQLite raises ("database or disk is full"), not with a real full disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import event
from telegram.error import InvalidToken, NetworkError

from briefbot import cli
from briefbot.publishing import parse_file, publish_file
from schedules.dispatcher import Dispatcher
from schedules.health import HealthWatch
from schedules.heartbeat import write_heartbeat
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
from tests.conftest import BASE_CONFIG, SHIPPED

BEING_RECORDED = "已收到，正在登记，请稍候。"


class WriteFault:
    """Every statement but a SELECT fails as the database fails on a full disk, while ``on``."""

    def __init__(self, engine) -> None:
        self.on = False
        self.refused = 0
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, conn, cursor, statement, params, context, executemany) -> None:
        if self.on and not statement.lstrip().upper().startswith("SELECT"):
            self.refused += 1
            if conn.dialect.name == "postgresql":  # what psycopg raises on a full disk
                import psycopg

                raise psycopg.errors.DiskFull("could not extend file: No space left on device")
            raise sqlite3.OperationalError("database or disk is full")


def _publish(svc) -> int:
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    return taken.published.notice_id


def _notice(emulator, chat_id):
    return next(m for m in emulator.world.transcript(chat_id) if m["from_bot"])


async def _press(app, emulator, chat_id, user_id) -> str:
    query_id = emulator.world.press_button(
        chat_id, _notice(emulator, chat_id)["message_id"], user_id
    )
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    return emulator.world.callbacks[query_id]["text"]


def _office_texts(emulator) -> list[str]:
    return replies(emulator, OFFICE)


# ---------------------------------------------------------------- 1. a refused token


async def test_any_failure_in_a_send_returns_its_row(app, monkeypatch):
    svc = services_of(app)
    _publish(svc)

    async def boom(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(Dispatcher, "_deliver", boom)
    await Dispatcher().run(app.bot, svc)
    assert svc.store.outbox.counts() == {"pending": 3}  # none stranded in "sending"


async def test_polling_treats_a_refused_token_as_an_outage(app, emulator):
    emulator.world.refuse_tokens(3600)
    with pytest.raises(NetworkError) as raised:
        await app.bot.get_updates(timeout=0)
    assert not isinstance(raised.value, InvalidToken)  # PTB's polling loop would stop for good
    with pytest.raises(InvalidToken):  # a send still says what it is; the dispatcher pauses
        await app.bot.send_message(OFFICE, "x")
    assert services_of(app).health.token.active


async def test_polling_waits_out_a_refused_token_but_stops_at_once_when_asked(app, emulator):
    import time

    await app.updater.start_polling(timeout=1)
    try:
        deadline = time.monotonic() + 10
        while not emulator.world.stats["call:getUpdates"]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        emulator.world.refuse_tokens(3600)  # while polling
        while emulator.world.stats["faults:401"] < 3:  # waits of 1 s, 1.5 s, then 2.25 s
            assert time.monotonic() < deadline, "polling stopped retrying"
            await asyncio.sleep(0.05)
        refused = emulator.world.stats["faults:401"]
        await asyncio.sleep(0.3)
        assert emulator.world.stats["faults:401"] == refused  # backing off, not hammering
    finally:
        started = time.monotonic()
        await app.updater.stop()
        stopped_after = time.monotonic() - started
    assert stopped_after < 0.5  # the wait is abandoned, not slept out


async def test_a_refused_token_pauses_the_push_and_the_office_hears_once_when_it_ends(
    app, emulator, tmp_path
):
    svc = services_of(app)
    _publish(svc)
    emulator.world.refuse_tokens(3600)
    ticks = [0.0]
    dispatcher = Dispatcher(monotonic=lambda: ticks[0])
    await dispatcher.run(app.bot, svc)
    assert svc.store.outbox.counts() == {"pending": 3}
    assert svc.health.token.active
    write_heartbeat(svc)
    config = tmp_path / "c.yaml"
    config.write_text(
        BASE_CONFIG % {"db": tmp_path / "bot.db"}
        + f"health: {{heartbeat_file: '{tmp_path / 'hb'}'}}\n",
        encoding="utf-8",
    )
    assert cli.healthcheck(str(config)) == 1  # alive, beating, and unhealthy
    refused = emulator.world.stats["faults:401"]
    assert await dispatcher.run(app.bot, svc) == 0  # paused: no request spent
    assert emulator.world.stats["faults:401"] == refused
    emulator.world.token_refused_until = 0.0  # the token works again
    assert await dispatcher.run(app.bot, svc) == 0  # nothing has shown it yet: still paused
    await app.bot.get_me()  # as the next getUpdates would: the outage is over
    assert await dispatcher.run(app.bot, svc) == 3  # at once, not when the pause runs out
    assert svc.store.outbox.counts() == {"sent": 3}
    assert not svc.health.token.active
    watch = HealthWatch()
    await watch.run(app, svc)
    await watch.run(app, svc)
    recovered = [t for t in _office_texts(emulator) if t.startswith("✅ 已恢复")]
    assert len(recovered) == 1 and "令牌" in recovered[0]
    write_heartbeat(svc)
    assert cli.healthcheck(str(config)) == 0


# ---------------------------------------------------------------- 2. sent, then the store fails


async def test_a_send_the_store_cannot_record_is_held_and_its_unit_may_acknowledge(
    app, emulator, monkeypatch
):
    svc = services_of(app)
    notice_id = _publish(svc)
    fault = WriteFault(svc.store.engine)
    deliver = Dispatcher._deliver

    async def deliver_then_fail(self, *args, **kwargs):
        message_id = await deliver(self, *args, **kwargs)
        fault.on = True  # Telegram took it; the store refuses from now on
        return message_id

    monkeypatch.setattr(Dispatcher, "_deliver", deliver_then_fail)
    dispatcher = Dispatcher()
    await dispatcher.run(app.bot, svc)
    held = {s.unit_code: s.message_id for s in svc.held.sends.values()}
    sent = {
        code: _notice(emulator, chat)["message_id"]
        for code, chat in (("dongjiang", DONGJIANG), ("qingling", QINGLING), ("edu", EDU))
    }
    assert held == sent
    assert svc.store.outbox.counts() == {"sending": 3}
    assert svc.health.store.active
    assert await dispatcher.run(app.bot, svc) == 0  # claims nothing while records are held

    # the units did receive it: their acks are accepted (and held: the store still refuses)
    command = emulator.world.user_message(DONGJIANG, LIAISON, "/ack")
    await feed(app, {"message": command})
    assert replies(emulator, DONGJIANG)[-1] == BEING_RECORDED
    assert await _press(app, emulator, QINGLING, 20002) == BEING_RECORDED
    assert len(svc.held.acks) == 2

    watch = HealthWatch()
    await watch.run(app, svc)  # still refused: the office hears of the outage
    await watch.run(app, svc)  # and only once
    fault.on = False
    await watch.run(app, svc)
    assert not svc.held.sends and not svc.held.acks and not svc.health.store.active
    assert svc.store.outbox.counts() == {"sent": 3}
    for code, chat in (("dongjiang", DONGJIANG), ("qingling", QINGLING)):
        assert svc.store.outbox.delivered_message(notice_id, code) == (chat, sent[code])
        assert svc.store.acks.get(notice_id, code) is not None
        button = _notice(emulator, chat)["reply_markup"]["inline_keyboard"][0][0]["text"]
        assert button.startswith("✔️ 已签收")
    assert svc.store.acks.get(notice_id, "dongjiang").via == "command"
    confirmed = emulator.world.chats[DONGJIANG].messages[command["message_id"]]["_reactions"]
    assert confirmed == [{"type": "emoji", "emoji": "👍"}]  # the liaison sees it recorded
    assert svc.store.acks.get(notice_id, "qingling").via == "button"
    assert svc.store.acks.get(notice_id, "edu") is None
    # nothing sent twice
    await dispatcher.run(app.bot, svc)
    for chat in (DONGJIANG, QINGLING, EDU):
        assert len([t for t in replies(emulator, chat) if t.startswith("📄")]) == 1
    office = _office_texts(emulator)
    assert len([t for t in office if t.startswith("⚠️ 数据库暂时无法写入")]) == 1
    assert len([t for t in office if t.startswith("✅ 已恢复")]) == 1


# ---------------------------------------------------------------- 3. acks while writes fail


async def test_acks_while_the_disk_is_full_are_kept_and_written_when_it_is_not(
    app, emulator, tmp_path
):
    svc = services_of(app)
    notice_id = _publish(svc)
    await Dispatcher().run(app.bot, svc)
    fault = WriteFault(svc.store.engine)
    fault.on = True
    people = {DONGJIANG: LIAISON, QINGLING: 20002, EDU: OTHER}
    told = []
    for chat, person in people.items():  # 15 acks: buttons and /ack
        for i in range(5):
            if i % 2:
                told.append(await _press(app, emulator, chat, person))
            else:
                await feed(app, {"message": message_json(chat, person, "/ack")})
                told.append(replies(emulator, chat)[-1])
    assert told == [BEING_RECORDED] * 15
    assert len(svc.held.acks) == 15
    # the rules still apply on reads: a non-liaison is refused, not held
    await feed(app, {"message": message_json(DONGJIANG, OTHER, "/ack")})
    assert "不是东江市登记的联络员" in replies(emulator, DONGJIANG)[-1]
    assert len(svc.held.acks) == 15
    for _ in range(3):  # other writes fail too: no alert per failure
        await feed(app, {"message": message_json(OFFICE, ADMIN, "/remind")})
    write_heartbeat(svc)
    heartbeat = (tmp_path / "hb").read_text(encoding="utf-8")
    assert "数据库无法写入" in heartbeat and "15 条记录暂存" in heartbeat
    watch = HealthWatch()
    await watch.run(app, svc)
    await watch.run(app, svc)
    office = _office_texts(emulator)
    assert not [t for t in office if "出错" in t]
    assert len([t for t in office if t.startswith("⚠️ 数据库暂时无法写入")]) == 1
    fault.on = False  # space again
    await watch.run(app, svc)
    assert not svc.held.acks and not svc.health.store.active
    lost = [
        code for code in ("dongjiang", "qingling", "edu") if not svc.store.acks.get(notice_id, code)
    ]
    assert lost == []
    assert len([t for t in _office_texts(emulator) if t.startswith("✅ 已恢复")]) == 1
    write_heartbeat(svc)
    assert (tmp_path / "hb").read_text(encoding="utf-8").count("\n") == 1


async def test_the_held_acks_are_bounded(app, emulator):
    svc = services_of(app)
    _publish(svc)
    await Dispatcher().run(app.bot, svc)
    svc.held.max_acks = 1
    WriteFault(svc.store.engine).on = True
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})
    await feed(app, {"message": message_json(QINGLING, 20002, "/ack")})
    assert replies(emulator, DONGJIANG)[-1] == BEING_RECORDED
    assert replies(emulator, QINGLING)[-1] == "签收暂时无法登记，请稍后再试。"
    assert len(svc.held.acks) == 1


def test_cli_explains_a_full_disk_in_one_line(tmp_path, monkeypatch, capsys):
    from briefbot.store import open_store

    def failing_store(url):
        store = open_store(url)
        WriteFault(store.engine).on = True
        return store

    config = tmp_path / "c.yaml"
    config.write_text(BASE_CONFIG % {"db": tmp_path / "bot.db"}, encoding="utf-8")
    open_store(f"sqlite:///{tmp_path / 'bot.db'}").close()  # the schema exists; the disk fills
    monkeypatch.setattr(cli, "open_store", failing_store)
    assert cli.publish_file(str(SHIPPED), str(config)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("数据库操作失败（database or disk is full）")
    assert "Traceback" not in err


# ---------------------------------------------------------------- 5. noisy chats


async def test_a_chat_that_is_no_unit_gets_one_answer_an_hour(app, emulator):
    for _ in range(10):
        await feed(app, {"message": message_json(STRANGER_CHAT, OTHER, "/ack")})
        await feed(app, {"message": message_json(STRANGER_CHAT, OTHER, "/status")})
    assert len(replies(emulator, STRANGER_CHAT)) == 1
    await feed(app, {"message": message_json(STRANGER_CHAT, OTHER, "/subscribe NOPE")})
    assert "邀请码无效" in replies(emulator, STRANGER_CHAT)[-1]  # binding by invitation passes


async def test_refusals_in_a_unit_group_are_dropped_beyond_its_reply_budget(app, emulator):
    svc = services_of(app)
    notice_id = _publish(svc)
    await Dispatcher().run(app.bot, svc)
    for _ in range(20):
        await feed(app, {"message": message_json(DONGJIANG, OTHER, "/ack")})
    refusals = [t for t in replies(emulator, DONGJIANG) if "不是东江市登记的联络员" in t]
    assert 1 <= len(refusals) <= 3
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, "/ack")})  # still served
    assert svc.store.acks.get(notice_id, "dongjiang") is not None


def test_a_flapping_store_is_one_outage_for_the_office():
    from briefbot.health import Health
    from tests.conftest import at

    health = Health()
    start = at("2026-12-01 10:00")
    assert health.store.fail(start, "database or disk is full")
    assert health.problems(start + timedelta(seconds=5))  # the health check fails
    [alert] = health.take_notices(start)
    assert alert.startswith("⚠️ 数据库暂时无法写入")
    health.store.ok(start + timedelta(minutes=1))
    for minute in (2, 4, 6):  # fails and recovers again: the same trouble
        health.store.fail(start + timedelta(minutes=minute), "database or disk is full")
        assert health.problems(start + timedelta(minutes=minute))
        health.store.ok(start + timedelta(minutes=minute + 1))
    notices = health.take_notices(start + timedelta(minutes=8))
    assert [n[:6] for n in notices] == ["✅ 已恢复："]  # the first outage's end, once
    health.store.fail(start + timedelta(hours=1), "database or disk is full")
    assert health.take_notices(start + timedelta(hours=1))[0].startswith("⚠️")  # a new one


def test_a_reply_to_a_message_the_store_has_not_recorded_yet_still_names_its_notice():
    """The dispatcher notes what Telegram took before it writes "sent": a liaison replying /ack
    at once to the fresh notice signs that notice, not every pending one."""
    from briefbot.holding import Holding

    held = Holding(max_recent=2)
    held.sent(-100, 7, 2)
    assert held.notice_for_message(-100, 7) == 2
    held.sent(-100, 8, 3)
    held.sent(-100, 9, 3)
    assert held.notice_for_message(-100, 7) is None  # bounded: the oldest is forgotten
    assert held.notice_for_message(-100, 9) == 3
