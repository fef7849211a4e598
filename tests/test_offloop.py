"""The event loop never waits on the database (issue 11, point 4).

Every office and unit command, every button and every job runs through the real Application
with a strict ``LoopWatch`` on the store's engine: a statement executed on the event loop's
thread raises there and is counted by call site. The test fails on any, naming where it came
from, so a handler that calls the store directly shows up here, whatever it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext, Job

from briefbot.offloop import LoopWatch, StoreOnLoop, offloop, on_loop_thread
from schedules.digest import digest_job
from schedules.dispatcher import Dispatcher
from schedules.feedback_reminders import feedback_reminder_job
from schedules.feeds import feed_job
from schedules.followup import follow_up_job
from schedules.health import HealthWatch, health_job
from schedules.heartbeat import heartbeat_job
from schedules.inbox import inbox_job
from schedules.progress import progress_job
from tests.botkit import (
    ADMIN,
    DONGJIANG,
    EDU,
    LIAISON,
    OFFICE,
    QINGLING,
    STRANGER_CHAT,
    TOKEN,
    feed,
    message_json,
    replies,
    services_of,
)
from tests.conftest import SHIPPED, running_app
from tests.fixtures.builders import docx
from tests.fixtures.synthetic import BUSINESS, RURAL
from tests.test_sources_jobs import FeedServer, allow_local_feeds
from tgemu.server import EmulatorServer
from tgemu.world import Limits, World

UNBOUND = "  - {code: xishan, name: 西山县, group: 县区, liaisons: [20009], leader: 30001}\n"
XISHAN_CHAT, XISHAN_LIAISON, LEADER, QINGLING_LIAISON = -1001000000777, 20009, 30001, 20002


def test_the_watch_raises_only_on_a_loop_thread(store):
    watch = LoopWatch(store.engine, strict=True)
    try:
        store.notices.latest_id()  # no loop here: fine

        async def on_the_loop() -> None:
            assert on_loop_thread()
            await offloop(store.notices.latest_id)  # a worker thread: fine
            store.notices.latest_id()  # the loop's own thread: caught

        with pytest.raises(StoreOnLoop, match=r"tests/test_offloop\.py:\d+ in on_the_loop"):
            asyncio.run(on_the_loop())
        assert sum(watch.sites.values()) == 1
    finally:
        watch.close()
    asyncio.run(offloop(store.notices.latest_id))


@pytest.fixture
async def emulator() -> AsyncIterator[EmulatorServer]:
    """Telegram's 20 messages a minute per group would make the office chat wait here."""
    server = EmulatorServer(World(Limits(group_per_minute=6000)))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def guarded(emulator, tmp_path) -> AsyncIterator[tuple[object, LoopWatch]]:
    async with running_app(
        emulator, tmp_path, UNBOUND, telegram=", group_rate_per_minute: 6000"
    ) as app:
        world = emulator.world
        world.add_chat(XISHAN_CHAT, "西山县工作群")
        world.add_chat(LEADER, "李县长", "private")
        for uid, name in ((XISHAN_LIAISON, "西山联络员"), (LEADER, "李县长")):
            world.add_user(uid, name)
        watch = LoopWatch(services_of(app).store.engine, strict=True)
        app.bot_data[WATCH] = watch
        try:
            yield app, watch
        finally:
            watch.close()


@contextlib.contextmanager
def paused(watch: LoopWatch) -> Iterator[None]:
    """The test itself reads the store from its coroutine: not a handler, not counted."""
    watch.paused = True
    try:
        yield
    finally:
        watch.paused = False


WATCH = "test_loop_watch"


def no_store_on_the_loop(app) -> None:
    sites = app.bot_data[WATCH].sites
    assert not sites, "store statements on the event loop:\n" + "\n".join(
        f"{site} ×{n}" for site, n in sites.items()
    )


def bot_messages(emulator, chat_id: int) -> list[dict]:
    return [m for m in emulator.world.transcript(chat_id) if m["from_bot"]]


def button(message: dict, starts: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if b["text"].startswith(starts):
                return str(b["callback_data"])
    raise KeyError(starts)


async def say(app, emulator, chat_id: int, user: int, text: str, reply_to: int | None = None):
    message = emulator.world.user_message(chat_id, user, text, reply_to=reply_to)
    await feed(app, {"message": message})
    no_store_on_the_loop(app)
    return message


async def press(app, emulator, chat_id: int, message_id: int, user: int, data: str) -> dict:
    query_id = emulator.world.press_button(chat_id, message_id, user, data)
    await feed(app, {"callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"]})
    no_store_on_the_loop(app)
    return emulator.world.callbacks[query_id]


async def run_job(app, callback, data=None) -> None:
    """A job's callback as the JobQueue calls it (errors propagate here)."""
    await callback(CallbackContext.from_job(Job(callback, data=data), app))
    no_store_on_the_loop(app)


# the fixture's application is initialised, not running: PTB says it will not await the task
@pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")
async def test_no_handler_or_job_runs_a_store_statement_on_the_event_loop(
    guarded, emulator, tmp_path
):
    app, watch = guarded
    svc = services_of(app)
    world = emulator.world
    office_said = lambda: replies(emulator, OFFICE)[-1]  # noqa: E731

    # ---------------------------------------------------------------- the office publishes
    upload = world.user_document(OFFICE, ADMIN, "简报.docx", docx(RURAL), "application/x")
    await feed(app, {"message": upload})
    preview = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, button(preview, "✏️"))
    prompt = bot_messages(emulator, OFFICE)[-1]
    await say(app, emulator, OFFICE, ADMIN, "<b>修改后的通知</b>全文", prompt["message_id"])
    edited = bot_messages(emulator, OFFICE)[-1]
    assert edited["text"] == "<b>修改后的通知</b>全文"
    answer = await press(app, emulator, OFFICE, edited["message_id"], ADMIN, button(edited, "📤"))
    assert answer["text"].startswith("已发布修改后的内容")
    second = world.user_document(OFFICE, ADMIN, "b.docx", docx(BUSINESS), "application/x")
    await feed(app, {"message": second})
    preview = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, button(preview, "✖️"))
    await say(app, emulator, OFFICE, ADMIN, "/publish", second["message_id"])
    assert "已发布通知 #2" in office_said()
    shipped = world.user_document(OFFICE, ADMIN, "c.txt", SHIPPED.read_bytes(), "text/plain")
    await feed(app, {"message": shipped})
    preview = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, preview["message_id"], ADMIN, button(preview, "📎"))
    await Dispatcher().run(app.bot, svc)  # the outbox job, under the watch too
    notices = {
        chat: [m for m in bot_messages(emulator, chat) if "编号 #" in m.get("text", "")]
        for chat in (DONGJIANG, QINGLING)
    }
    assert [len(v) for v in notices.values()] == [2, 2]

    # ---------------------------------------------------------------- the units answer
    await say(app, emulator, DONGJIANG, LIAISON, "/ack 1 已转分管领导")
    await say(app, emulator, DONGJIANG, LIAISON, "/undo 1")
    assert "已撤销" in replies(emulator, DONGJIANG)[-1]
    await say(app, emulator, DONGJIANG, LIAISON, "/ack")
    first, second_ = notices[QINGLING]
    await press(app, emulator, QINGLING, first["message_id"], QINGLING_LIAISON, button(first, "✅"))
    await say(app, emulator, QINGLING, QINGLING_LIAISON, "/ack", second_["message_id"])
    edu = next(m for m in bot_messages(emulator, EDU) if "编号 #1" in m.get("text", ""))
    await say(app, emulator, EDU, 20002, "收到", edu["message_id"])  # a unit without liaisons
    await press(app, emulator, EDU, edu["message_id"], 20002, button(edu, "📎"))  # 原文
    await say(app, emulator, DONGJIANG, LIAISON, "/feedback 2 已建立台账")
    review = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, review["message_id"], ADMIN, button(review, "↩️"))
    reason_prompt = bot_messages(emulator, OFFICE)[-1]
    await say(app, emulator, OFFICE, ADMIN, "请补充数据", reason_prompt["message_id"])
    assert "的理由：请补充数据" in replies(emulator, DONGJIANG)[-1]
    await say(app, emulator, DONGJIANG, LIAISON, "/feedback 2 已补充")
    review = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, review["message_id"], ADMIN, button(review, "✅"))
    await say(app, emulator, DONGJIANG, LIAISON, "/notices")
    listing = bot_messages(emulator, DONGJIANG)[-1]
    assert "东江市收到的" in listing["text"]
    await say(app, emulator, DONGJIANG, LIAISON, "/help")
    await say(app, emulator, STRANGER_CHAT, LIAISON, "/ack")  # the flood gate asks the store

    # ---------------------------------------------------------------- the office's views
    for command in ("/status", "/status 2", "/late", "/remind 3", "/export 1", "/ranking 30"):
        before = len(bot_messages(emulator, OFFICE))
        await say(app, emulator, OFFICE, ADMIN, command)
        assert len(bot_messages(emulator, OFFICE)) > before, command
    await say(app, emulator, OFFICE, ADMIN, "/export 1-3")  # a child process, in the background
    assert office_said().startswith("正在导出 3 份通知")
    for _ in range(300):
        if (
            bot_messages(emulator, OFFICE)[-1].get("document", {}).get("file_name", "")[4:6]
            == "3份"
        ):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("no workbook of three notices")
    await say(app, emulator, OFFICE, ADMIN, "/chart 3")
    assert bot_messages(emulator, OFFICE)[-1].get("photo")
    await say(app, emulator, OFFICE, ADMIN, "/notices")
    listing = bot_messages(emulator, OFFICE)[-1]
    await press(app, emulator, OFFICE, listing["message_id"], ADMIN, button(listing, "📥 #3"))
    assert bot_messages(emulator, OFFICE)[-1]["document"]["file_name"].endswith(".csv")
    await say(app, emulator, OFFICE, ADMIN, "/units")
    await say(app, emulator, OFFICE, ADMIN, "/invite xishan")
    code = office_said().split("<code>")[1].split("</code>")[0]

    # ---------------------------------------------------------------- binding a group
    world.add_bot_to_chat(XISHAN_CHAT, XISHAN_LIAISON, TOKEN)
    added = dict(world.bots[TOKEN].updates[-1])
    added.pop("update_id")
    await feed(app, added)
    await say(app, emulator, XISHAN_CHAT, XISHAN_LIAISON, "/subscribe WRONGCODE")
    await say(app, emulator, XISHAN_CHAT, XISHAN_LIAISON, f"/subscribe {code}")
    assert replies(emulator, XISHAN_CHAT)[-1].startswith("✅ 本群已绑定为西山县")
    await say(app, emulator, XISHAN_CHAT, XISHAN_LIAISON, "/unsubscribe")
    private = message_json(LEADER, LEADER, "/start")
    private["chat"] = {"id": LEADER, "type": "private", "first_name": "李县长"}
    await feed(app, {"message": private})
    assert "分管领导" in replies(emulator, LEADER)[-1]

    # ---------------------------------------------------------------- every job
    later = svc.clock
    svc.clock = lambda: later() + timedelta(days=3)
    await run_job(app, follow_up_job, {})
    await run_job(app, feedback_reminder_job)
    await run_job(app, digest_job)
    await run_job(app, progress_job, {})
    await run_job(app, progress_job, {})  # the finished boards, fingerprinted
    await run_job(app, heartbeat_job)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dropped = inbox / "收件箱简报.docx"
    dropped.write_bytes(docx(BUSINESS))
    os.utime(dropped, (1, 1))  # settled long ago
    allow_local_feeds(svc, inbox=str(inbox))
    await run_job(app, inbox_job)
    assert (inbox / "done").is_dir()
    async with FeedServer() as site:
        from briefbot.settings import FeedSettings

        site.items.append(("f.docx", "订阅简报", docx(RURAL)))
        feed_ = FeedSettings(url=f"{site.base}/rss.xml", backfill=True)
        await run_job(app, feed_job, feed_)
        await run_job(app, feed_job, feed_)  # 304: touched
    await Dispatcher().run(app.bot, svc)
    # a store outage: an ack is held, then the health job writes it
    svc.health.store.fail(svc.now(), "simulated outage")
    with paused(watch):
        assert svc.store.acks.summary(3)[0] == 1  # 东江市's of three
    await say(app, emulator, EDU, 20002, "/ack 3")
    assert len(svc.held.acks) == 1
    await run_job(app, health_job, HealthWatch())
    assert not svc.health.store.active and not svc.held
    with paused(watch):
        assert svc.store.acks.summary(3)[0] == 2

    no_store_on_the_loop(app)


def test_every_office_and_unit_command_is_exercised_here():
    """A command added to the menus or the help without a line in the test above is a gap."""
    from handlers.menus import OFFICE_COMMANDS, UNIT_COMMANDS

    source = Path(__file__).read_text(encoding="utf-8")
    missing = [
        name
        for name, _ in (*OFFICE_COMMANDS, *UNIT_COMMANDS)
        if f'"/{name}' not in source and f"'/{name}" not in source and f'("/{name}' not in source
    ]
    assert not missing, missing
