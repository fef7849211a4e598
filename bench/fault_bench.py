"""The fault scenarios of issue 9, offline, with the figures the issue asks for.

    .venv/bin/python bench/fault_bench.py                 # every scenario (about 3 minutes)
    .venv/bin/python bench/fault_bench.py token spam      # some of them
    .venv/bin/python bench/fault_bench.py --store postgresql   # the ledger in PostgreSQL

token    the token refused for 30 s in the middle of a 120-unit push (real bot.py + emulator)
lock     another process holds the SQLite file for 40 s during a 60-unit push (real bot.py)
full     every store write fails (injected OperationalError) while 15 acks arrive (in-process
         Application, polling the emulator)
spam     an outsider group sends 60 /ack; a liaison's /ack, a button and the office's /status
sigterm  SIGTERM in the middle of a 300-unit push
clock    the wall clock steps back 10 minutes (APScheduler's clock driven), then 3 days ahead
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backends import add_store_option, backend_name, bench_store  # noqa: E402
from bench.push_bench import BRIEFING  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from rehearsal.harness import Rehearsal, Scenario, UnitSpec, numbered_units  # noqa: E402
from tgemu.world import Limits  # noqa: E402


def units(n: int) -> list[UnitSpec]:
    return numbered_units(n, chat_base=-1002000000000, user_base=50000)


def served(run: Rehearsal, spec: list[UnitSpec]) -> tuple[int, int]:
    """(units with the notice, duplicates)."""
    counts = [len(run.notices_in(u.chat_id)) for u in spec]
    return sum(1 for c in counts if c), sum(c - 1 for c in counts if c > 1)


async def until(check: Callable[[], Awaitable[Any]], within: float, step: float = 0.05) -> float:
    """Seconds until ``check()`` is true (raises TimeoutError)."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            raise TimeoutError
        await asyncio.sleep(step)
    return time.monotonic() - started


async def healthy(run: Rehearsal) -> bool:
    return (await run.cli("healthcheck", check=False)).returncode == 0


def ack_answered(run: Rehearsal, chat_id: int, message_id: int) -> bool:
    message = run.server.world.chats[chat_id].messages[message_id]
    replied = any(
        m.get("reply_to_message", {}).get("message_id") == message_id
        for m in run.server.world.transcript(chat_id)
        if m["from_bot"]
    )
    return bool(message.get("_reactions")) or replied


async def token(workdir: Path, url: str) -> str:
    spec = units(120)
    scenario = Scenario(
        units=spec,
        storage_url=url,
        telegram={"overall_rate": 10},
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h"},
    )
    async with Rehearsal(scenario, workdir) as run:
        world = run.server.world
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(BRIEFING))
        await until(lambda: _true(world.stats["messages_sent"] >= 40), 60)
        await run.emu.refuse_token(30)
        refused_at = time.monotonic()
        store = open_store(url)
        most_sending, health_failed = 0, False
        while time.monotonic() - refused_at < 30:
            most_sending = max(most_sending, store.outbox.counts().get("sending", 0))
            health_failed = health_failed or not await healthy(run)
            await asyncio.sleep(0.5)
        liaison = spec[0].liaisons[0]
        command = await run.emu.send(spec[0].chat_id, liaison.user_id, "/ack")
        polling_back = await until(
            lambda: _true(ack_answered(run, spec[0].chat_id, command["message_id"])), 120
        )
        await until(lambda: _true(store.outbox.counts() == {"sent": 120}), 120, 0.2)
        stuck = store.outbox.counts().get("sending", 0)
        store.close()
        await until(lambda: healthy(run), 20, 0.5)
        recovered = sum(
            1 for t in run.plain_texts(scenario.office_chat_id) if t.startswith("✅ 已恢复")
        )
        code = await run.stop_bot()
        got, dup = served(run, spec)
    return (
        f"token refused 30 s mid-push: {got}/120 units served, {dup} doubled, "
        f"at most {most_sending} rows 'sending' during the outage, {stuck} after; "
        f"healthcheck failed during it: {health_failed}; an /ack sent as the token came back "
        f"was answered after {polling_back:.1f} s; office told {recovered}× on recovery; exit {code}"
    )


async def lock(workdir: Path, url: str) -> str:
    spec = units(60)
    scenario = Scenario(
        units=spec,
        storage_url=url,
        telegram={"overall_rate": 10},
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h"},
    )
    async with Rehearsal(scenario, workdir) as run:
        world, emu = run.server.world, run.emu
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(BRIEFING))
        await until(lambda: _true(world.stats["messages_sent"] >= 10), 60)
        holder = sqlite3.connect(run.db_path, isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        await asyncio.sleep(2)
        await emu.send(office, admin, "/help")
        help_after = await until(
            lambda: _true(any("办公室可用命令" in t for t in run.plain_texts(office))), 30
        )
        first = spec[0]  # has its notice: sent before the lock
        command = await emu.send(first.chat_id, first.liaisons[0].user_id, "/ack")
        ack_after = await until(
            lambda: _true(ack_answered(run, first.chat_id, command["message_id"])), 30
        )
        await asyncio.sleep(max(0.0, 40 - (time.monotonic() - locked_at)))
        holder.execute("COMMIT")
        holder.close()
        store = open_store(url)
        await until(lambda: _true(store.outbox.counts() == {"sent": 60}), 120, 0.2)
        notice = store.notices.latest_id()
        assert notice is not None
        try:
            await until(lambda: _true(store.acks.get(notice, first.code)), 30, 0.2)
            acked = True
        except TimeoutError:
            acked = False
        store.close()
        await asyncio.sleep(1.5)
        await run.stop_bot()
        got, dup = served(run, spec)
        log = run.bot_log()
        written = [
            line.split(": ", 1)[-1] for line in log.splitlines() if "store writes again" in line
        ]
        office_texts = run.plain_texts(office)
        alerts = sum(1 for t in office_texts if "数据库暂时无法写入" in t)
        recovered = sum(1 for t in office_texts if t.startswith("✅ 已恢复"))
    return (
        f"store locked 40 s mid-push: {got}/60 units served, {dup} doubled; /help answered "
        f"after {help_after:.2f} s and a liaison's /ack after {ack_after:.2f} s during the lock; "
        f"acks lost: {0 if acked else 1} of 1; after the lock: {'; '.join(written) or 'nothing held'}; "
        f"office: {alerts} outage alert, {recovered} recovery"
    )


async def full(workdir: Path, url: str) -> str:
    from briefbot.publishing import parse_file, publish_file
    from tests.botkit import DONGJIANG, EDU, LIAISON, OFFICE, OTHER, QINGLING
    from tests.conftest import running_app
    from tests.test_faults import WriteFault
    from tgemu.server import EmulatorServer
    from tgemu.world import World

    server = EmulatorServer(World(Limits()))
    await server.start()
    try:
        async with running_app(server, workdir, storage_url=url) as app:
            svc = app.bot_data["services"]
            world = server.world
            await app.start()
            await app.updater.start_polling(timeout=1)
            taken = publish_file(
                svc.store,
                parse_file(BRIEFING.read_bytes(), "b.txt"),
                "测试",
                timedelta(hours=4),
                svc.now(),
            )
            notice_id = taken.published.notice_id
            chats = {DONGJIANG: LIAISON, QINGLING: 20002, EDU: OTHER}

            def delivered() -> bool:
                return all(any(m["from_bot"] for m in world.transcript(c)) for c in chats)

            await until(lambda: _true(delivered()), 30)
            fault = WriteFault(svc.store.engine)
            fault.on = True
            sent: list[tuple[int, str]] = []
            for chat, person in chats.items():
                notice = next(m for m in world.transcript(chat) if m["from_bot"])
                for i in range(5):
                    if i % 2:
                        sent.append((chat, world.press_button(chat, notice["message_id"], person)))
                    else:
                        message = world.user_message(chat, person, "/ack")
                        sent.append((chat, f"m{message['message_id']}"))

            def answered(chat: int, key: str) -> bool:
                if key.startswith("cb"):
                    return bool(world.callbacks[key]["answered"])
                return any(
                    m["from_bot"]
                    and m.get("reply_to_message", {}).get("message_id") == int(key[1:])
                    for m in world.transcript(chat)
                )

            answer_after = await until(lambda: _true(all(answered(c, k) for c, k in sent)), 30)
            await asyncio.sleep(3)
            hb = (workdir / "hb").read_text(encoding="utf-8")
            unhealthy = "数据库无法写入" in hb
            fault.on = False
            await until(lambda: _true(not svc.held.acks and not svc.health.store.active), 30)
            lost = [
                c for c in ("dongjiang", "qingling", "edu") if not svc.store.acks.get(notice_id, c)
            ]
            await asyncio.sleep(1.5)
            office = [m.get("text", "") for m in world.transcript(OFFICE) if m["from_bot"]]
            alerts = sum(1 for t in office if "数据库暂时无法写入" in t)
            errors = sum(1 for t in office if "出错" in t)
            await app.updater.stop()
            await app.stop()
    finally:
        await server.stop()
    return (
        f"disk full (injected OperationalError): 15 acks (buttons and /ack) all answered within "
        f"{answer_after:.2f} s; units whose ack was lost: {len(lost)} of 3; healthcheck failing "
        f"during the outage: {unhealthy}; office alerts: {alerts} outage + {errors} per-error; "
        f"{fault.refused} writes refused"
    )


async def spam(workdir: Path, url: str) -> str:
    spec = units(3)
    scenario = Scenario(
        units=spec,
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h"},
        storage_url=url,
    )
    async with Rehearsal(scenario, workdir) as run:
        world, emu = run.server.world, run.emu
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        await run.cli("publish", str(BRIEFING))
        run.start_bot()
        await run.wait_ready()
        await until(lambda: _true(all(run.notices_in(u.chat_id) for u in spec)), 30)
        world.add_chat(-1009999000077, "随便拉的群")
        world.add_user(39977, "路人甲")
        for _ in range(60):
            await emu.send(-1009999000077, 39977, "/ack")
        started = time.monotonic()
        u1, u2 = spec[0], spec[1]
        command = await emu.send(u1.chat_id, u1.liaisons[0].user_id, "/ack")
        press = await emu.press(
            u2.chat_id, run.notices_in(u2.chat_id)[0]["message_id"], u2.liaisons[0].user_id
        )
        await emu.send(office, admin, "/status")
        await until(
            lambda: _true(
                ack_answered(run, u1.chat_id, command["message_id"])
                and world.callbacks[press]["answered"]
                and any(t.startswith("📊") for t in run.plain_texts(office))
            ),
            300,
        )
        others = time.monotonic() - started
        outsider_lines = len(run.bot_texts(-1009999000077))
        await run.stop_bot()
    return (
        f"outsider spam of 60 /ack: a liaison's /ack, a button and the office's /status all "
        f"answered after {others:.2f} s; the outsider group got {outsider_lines} line(s)"
    )


async def sigterm(workdir: Path, url: str) -> str:
    spec = units(300)
    scenario = Scenario(
        units=spec,
        storage_url=url,
        delivery={"poll_every": "0.2s", "concurrency": 8},
        follow_up={"ack_within": "1h"},
        limits=Limits(latency=0.1),
    )
    async with Rehearsal(scenario, workdir) as run:
        world = run.server.world
        await run.cli("publish", str(BRIEFING))
        run.start_bot()
        await until(lambda: _true(world.stats["messages_sent"] >= 60), 60, 0.01)
        started = time.monotonic()
        code = await run.stop_bot(within=60, how=signal.SIGTERM)
        took = time.monotonic() - started
        store = open_store(url)
        counts = store.outbox.counts()
        store.close()
        got, dup = served(run, spec)
    rest = counts.get("pending", 0)
    return (
        f"SIGTERM mid-push (300 units, 30/s, 8 in flight): exited {code} after {took:.2f} s "
        f"with {got} served, {rest} left pending (the rest of the push: ~{rest / 30:.0f} s), "
        f"{counts.get('sending', 0)} 'sending', {dup} doubled"
    )


async def clock(workdir: Path, url: str) -> str:
    import pytest

    from tests.test_clock import (
        test_a_forward_jump_sends_at_most_one_round_of_reminders as forward,
    )
    from tests.test_clock import test_jobs_freeze_after_a_step_back_until_the_watch_rearms_them

    with pytest.MonkeyPatch.context() as monkeypatch:
        started = time.monotonic()
        await test_jobs_freeze_after_a_step_back_until_the_watch_rearms_them(monkeypatch)
        back = time.monotonic() - started
    from tests.conftest import running_app
    from tgemu.server import EmulatorServer
    from tgemu.world import World

    server = EmulatorServer(World(Limits()))
    await server.start()
    try:
        async with running_app(server, workdir, storage_url=url) as app:
            await forward(app, server)
    finally:
        await server.stop()
    return (
        "clock step: after a 10-minute step back, jobs frozen until the watch re-armed them "
        f"(scenario {back:.1f} s, watch every 1 s in the bot); after a 3-day step forward, "
        "1 reminder per unit (checked)"
    )


def _true(value: object) -> Awaitable[bool]:
    future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    future.set_result(bool(value))
    return future


SCENARIOS = {
    "token": token,
    "lock": lock,
    "full": full,
    "spam": spam,
    "sigterm": sigterm,
    "clock": clock,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", help=", ".join(SCENARIOS))
    add_store_option(parser)
    args = parser.parse_args()
    print(f"store: {backend_name(args.store)}", flush=True)
    unknown = [w for w in args.which if w not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario: {', '.join(unknown)}")
    for name in args.which or SCENARIOS:
        with (
            tempfile.TemporaryDirectory(prefix=f"briefbot-fault-{name}-") as workdir,
            bench_store(args.store, Path(workdir)) as url,
        ):
            started = time.monotonic()
            if name == "lock" and not url.startswith("sqlite"):
                print("[lock] SQLite only: another process holding the database file", flush=True)
                continue
            line = asyncio.run(SCENARIOS[name](Path(workdir), url))
            print(f"[{name}, {time.monotonic() - started:.0f} s] {line}", flush=True)


if __name__ == "__main__":
    main()
