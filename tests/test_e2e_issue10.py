"""Issue 10 end to end: the real ``bot.py run`` against the emulator. Menus per chat are set at
start, a typed 收到 signs, the notice carries its number and deadline, the bot greets a group it
is added to (my_chat_member must be among the polled update types) and the last reminder names
the liaison."""

from __future__ import annotations

import pytest

from rehearsal.harness import BOT_TOKEN, Person, Rehearsal, Scenario, UnitSpec
from tests.conftest import SHIPPED

pytestmark = pytest.mark.e2e

UNITS = [
    UnitSpec("u1", "第1单位", "设区市", -1001000200001, (Person(31001, "甲联络员"),)),
    UnitSpec("u2", "第2单位", "设区市", -1001000200002, (Person(31002, "乙<联络员>"),)),
]


async def test_menus_typed_ack_footer_greeting_and_names(tmp_path):
    scenario = Scenario(
        units=UNITS,
        follow_up={
            "ack_within": "3s",
            "remind_every": "1s",
            "max_reminders": 2,
            "check_every": "0.5s",
        },
        delivery={"poll_every": "0.3s"},
    )
    async with Rehearsal(scenario, tmp_path) as run:
        emu, world = run.emu, run.server.world
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        world.chats[office].admins = {admin}
        run.start_bot()
        await run.wait_ready()
        bot = world.bots[BOT_TOKEN]

        async def menus_set() -> bool:
            return bool(world.menu_for(bot, office, admin))

        await run.wait_for(menus_set, 10, "the command menus")
        assert "status" in [c["command"] for c in world.menu_for(bot, office, admin)]
        assert "ack" in [c["command"] for c in world.menu_for(bot, UNITS[0].chat_id, 31001)]

        upload = await emu.upload(office, admin, "简报.txt", SHIPPED.read_bytes())
        await emu.send(office, admin, "/publish", reply_to=upload["message_id"])

        async def delivered() -> bool:
            return all(run.notices_in(u.chat_id) for u in UNITS)

        await run.wait_for(delivered, 20, "delivery")
        notice = run.notices_in(UNITS[0].chat_id)[0]
        assert "编号 #1</b> · 请于" in notice["text"] and notice["text"].endswith("前签收")
        said = await emu.send(UNITS[0].chat_id, 31001, "收到，谢谢")

        async def reacted() -> bool:
            stored = world.chats[UNITS[0].chat_id].messages[said["message_id"]]
            return bool(stored.get("_reactions"))

        await run.wait_for(reacted, 10, "the 👍 on a typed 收到")

        # the bot is added to a new group: it says what it is and how to bind
        world.add_chat(-1001000299999, "新的工作群")
        await emu.add_bot_to_chat(-1001000299999, admin, BOT_TOKEN)

        async def greeted() -> str | None:
            return next((t for t in run.plain_texts(-1001000299999) if "尚未绑定" in t), None)

        assert "/subscribe 邀请码" in await run.wait_for(greeted, 10, "the greeting")

        # u2 stays silent: its last reminder names its liaison (learnt from Telegram)
        async def named() -> str | None:
            texts = run.bot_texts(UNITS[1].chat_id)
            return next((t for t in texts if "尽快处理" in t), None)

        mention = await run.wait_for(named, 30, "the last reminder")
        assert '<a href="tg://user?id=31002">乙&lt;联络员&gt;</a>' in mention
        assert await run.stop_bot() == 0
