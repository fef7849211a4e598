"""Faults (issue 9) against the real ``bot.py run`` process and the emulator over loopback:
a token refused mid-push, SIGTERM mid-push, an outsider's flood, a store locked by another process.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time

import pytest

from briefbot.store import open_store
from rehearsal.harness import Rehearsal, Scenario, UnitSpec, numbered_units
from tests.conftest import SHIPPED, database_url, sqlite_only
from tgemu.world import Limits

pytestmark = pytest.mark.e2e


def units(n: int) -> list[UnitSpec]:
    return numbered_units(n, chat_base=-1001000100000, user_base=30000)


def per_unit(run: Rehearsal, spec: list[UnitSpec]) -> list[int]:
    return [len(run.notices_in(u.chat_id)) for u in spec]


async def healthy(run: Rehearsal) -> bool:
    return (await run.cli("healthcheck", check=False)).returncode == 0


async def test_a_token_refused_mid_push_is_an_outage_the_bot_survives(tmp_path):
    spec = units(40)
    scenario = Scenario(
        units=spec,
        storage_url=database_url(tmp_path / "data"),
        telegram={"overall_rate": 10},
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h"},
    )
    async with Rehearsal(scenario, tmp_path) as run:
        world = run.server.world
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(SHIPPED))

        async def some_sent() -> bool:
            return world.stats["messages_sent"] >= 10

        await run.wait_for(some_sent, 30, "the push to start", interval=0.02)
        await run.emu.refuse_token(6)
        store = open_store(run.storage_url)

        async def unhealthy() -> bool:
            return not await healthy(run)

        await run.wait_for(unhealthy, 5.5, "the health check to fail during the outage", 0.2)
        assert store.outbox.counts().get("sending", 0) <= 8

        async def all_sent() -> bool:
            return store.outbox.counts() == {"sent": 40}

        await run.wait_for(all_sent, 60, "every unit served after the outage", 0.2)
        assert per_unit(run, spec) == [1] * 40
        # polling came back: an /ack is answered
        liaison = spec[0].liaisons[0].user_id
        command = await run.emu.send(spec[0].chat_id, liaison, "/ack")

        async def acked() -> bool:
            message = world.chats[spec[0].chat_id].messages[command["message_id"]]
            return bool(message.get("_reactions"))

        await run.wait_for(acked, 40, "the /ack after the outage")
        await run.wait_for(lambda: healthy(run), 10, "the health check to pass again", 0.3)
        recovered = [
            t for t in run.plain_texts(scenario.office_chat_id) if t.startswith("✅ 已恢复")
        ]
        assert len(recovered) == 1 and "令牌" in recovered[0]
        store.close()
        assert await run.stop_bot() == 0
        assert "REHEARSAL-only-token" not in run.bot_log()


async def test_a_token_refused_for_too_long_ends_the_process_non_zero(tmp_path):
    scenario = Scenario(units=units(2), telegram={"token_refused_exit_after": "3s"})
    async with Rehearsal(scenario, tmp_path) as run:
        process = run.start_bot()
        await run.wait_ready()
        await run.emu.refuse_token(600)
        try:
            exited = await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            pytest.fail("still running 30 s after the token was refused:\n" + run.bot_log()[-3000:])
        assert exited == 3, run.bot_log()[-3000:]
        assert "持续拒绝机器人令牌" in run.bot_log()


async def test_sigterm_mid_push_stops_claiming_and_exits_within_the_requests_in_flight(tmp_path):
    spec = units(60)
    scenario = Scenario(
        units=spec,
        storage_url=database_url(tmp_path / "data"),
        telegram={"overall_rate": 5},  # the whole push would take 12 s
        delivery={"poll_every": "0.2s", "concurrency": 8},
        follow_up={"ack_within": "1h"},
        limits=Limits(latency=0.2),
    )
    async with Rehearsal(scenario, tmp_path) as run:
        world = run.server.world
        await run.cli("publish", str(SHIPPED))
        run.start_bot()

        async def some_sent() -> bool:
            return world.stats["messages_sent"] >= 10

        await run.wait_for(some_sent, 30, "the push to start", interval=0.02)
        started = time.monotonic()
        code = await run.stop_bot(within=30, how=signal.SIGTERM)
        took = time.monotonic() - started
        sent = sum(per_unit(run, spec))  # the office's live board is no outbox row
        print(f"\nSIGTERM after {sent - 8}+ sends: exited in {took:.2f} s with {sent} sent of 60")
        assert code == 0
        # 8 requests in flight at 5/s take 1.6 s (no pin is tried while stopping); the rest of
        # the push would take ~8 s more
        assert took < 4.0
        assert sent < 45
        store = open_store(run.storage_url)
        counts = store.outbox.counts()
        store.close()
        assert counts.get("sending", 0) == 0  # what was in flight was recorded
        assert counts["sent"] == sent and max(per_unit(run, spec)) == 1


async def test_an_outsiders_flood_does_not_delay_the_units_or_the_office(tmp_path):
    spec = units(3)
    scenario = Scenario(units=spec, delivery={"poll_every": "0.2s"}, follow_up={"ack_within": "1h"})
    async with Rehearsal(scenario, tmp_path) as run:
        world, emu = run.server.world, run.emu
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        await run.cli("publish", str(SHIPPED))
        run.start_bot()
        await run.wait_ready()

        async def delivered() -> bool:
            return all(run.notices_in(u.chat_id) for u in spec)

        await run.wait_for(delivered, 20, "delivery")
        outsider_chat, outsider = -1009999000077, 39977
        world.add_chat(outsider_chat, "随便拉的群")
        world.add_user(outsider, "路人甲")
        for _ in range(60):
            await emu.send(outsider_chat, outsider, "/ack")
        started = time.monotonic()
        u1, u2 = spec[0], spec[1]
        command = await emu.send(u1.chat_id, u1.liaisons[0].user_id, "/ack")
        press = await emu.press(
            u2.chat_id, run.notices_in(u2.chat_id)[0]["message_id"], u2.liaisons[0].user_id
        )
        await emu.send(office, admin, "/status")
        answered: dict[str, float] = {}

        async def everyone_answered() -> bool:
            if "ack" not in answered and world.chats[u1.chat_id].messages[
                command["message_id"]
            ].get("_reactions"):
                answered["ack"] = time.monotonic() - started
            if "button" not in answered and world.callbacks[press]["answered"]:
                answered["button"] = time.monotonic() - started
            if "status" not in answered and any(
                t.startswith("📊") for t in run.plain_texts(office)
            ):
                answered["status"] = time.monotonic() - started
            return len(answered) == 3

        await run.wait_for(everyone_answered, 20, "the units and the office", interval=0.05)
        print(f"\noutsider flood of 60: others answered after {max(answered.values()):.2f} s")
        assert max(answered.values()) < 3.0, answered
        assert len(run.bot_texts(outsider_chat)) == 1  # one line, then silence
        assert await run.stop_bot() == 0


@sqlite_only("a SQLite file locked by another process (sqlite3)")
async def test_a_store_locked_by_another_process_does_not_freeze_the_bot(tmp_path):
    spec = units(30)
    scenario = Scenario(
        units=spec,
        storage_url=database_url(tmp_path / "data"),
        telegram={"overall_rate": 10},
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h"},
    )
    async with Rehearsal(scenario, tmp_path) as run:
        world, emu = run.server.world, run.emu
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(SHIPPED))

        async def some_sent() -> bool:
            return world.stats["messages_sent"] >= 5

        await run.wait_for(some_sent, 30, "the push to start", interval=0.02)
        holder = sqlite3.connect(run.db_path, isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the file for 6 s
        try:
            await asyncio.sleep(1.0)  # the dispatcher is now waiting on the lock
            started = time.monotonic()
            await emu.send(office, admin, "/help")

            async def helped() -> bool:
                return any("办公室可用命令" in t for t in run.plain_texts(office))

            await run.wait_for(helped, 10, "/help while the store is locked", interval=0.05)
            waited = time.monotonic() - started
            await asyncio.sleep(max(0.0, 5.0 - waited))
        finally:
            holder.execute("COMMIT")
            holder.close()
        print(f"\nstore locked: /help answered after {waited:.2f} s")
        assert waited < 1.5
        store = open_store(run.storage_url)

        async def all_sent() -> bool:
            return store.outbox.counts() == {"sent": 30}

        await run.wait_for(all_sent, 60, "every unit served after the lock", 0.2)
        store.close()
        assert per_unit(run, spec) == [1] * 30
        assert await run.stop_bot() == 0
