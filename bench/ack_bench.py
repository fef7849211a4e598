"""An acknowledgement burst: 2 000 units' groups each send /ack within 10 s, through the real bot.

    .venv/bin/python bench/ack_bench.py                        # SQLite
    .venv/bin/python bench/ack_bench.py --store postgresql     # the ledger in PostgreSQL
    .venv/bin/python bench/ack_bench.py --units 500 --within 5

A notice is pushed to every unit first (at a paid-broadcast pace, so the burst is what is
measured). Then each unit's liaison sends /ack, spread evenly over ``--within`` seconds. For
each ack: *receipt* is when the emulator hands the update to the bot (getUpdates), *committed*
is when the ack row is first seen in the store (a reader polls it every few milliseconds). The
latency is committed − receipt. "In order": how many places an ack moved between the order of
receipt and the order of commit (the store threads run side by side, so a few dozen is the
nature of it; a few hundred would mean acks overtaking each other). Target (issue 11): p99 of
the latency under 1 s. The 👍 and the button change
that confirm each ack go out afterwards, within Telegram's limits (30 requests/s): they are not
part of the latency measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.backends import add_store_option, backend_name, bench_store  # noqa: E402
from bench.push_bench import BRIEFING, cpu_seconds, units  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from briefbot.store.schema import acks  # noqa: E402
from rehearsal.harness import Rehearsal, Scenario  # noqa: E402
from tgemu.world import Limits  # noqa: E402

POLL = 0.005  # seconds between two reads of the acks table


class Committed(threading.Thread):
    """Reads the acks table in a loop and stamps each unit's ack when it first appears."""

    def __init__(self, url: str, notice_id: int) -> None:
        super().__init__(daemon=True)
        self.store = open_store(url, run_migrations=False)
        self.notice_id = notice_id
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        query = select(acks.c.unit_code).where(acks.c.notice_id == self.notice_id)
        while not self.stop.is_set():
            with self.store.engine.connect() as conn:
                codes = conn.execute(query).scalars().all()
            now = time.monotonic()
            for code in codes:
                self.seen.setdefault(code, now)
            time.sleep(POLL)
        self.store.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_once(n: int, within: float, store: str) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="briefbot-acks-") as workdir,
        bench_store(store, Path(workdir)) as url,
    ):
        return await _run(n, within, url, Path(workdir))


async def _run(n: int, within: float, url: str, workdir: Path) -> dict[str, Any]:
    spec = units(n)
    scenario = Scenario(
        units=spec,
        telegram={"paid_broadcast": True},  # the push at 1 000/s; the rest at 30/s
        delivery={"poll_every": "0.2s", "concurrency": 16, "pin_notices": False},
        follow_up={"ack_within": "1d", "check_every": "1m"},
        limits=Limits(overall_per_second=30, group_per_minute=20),
        storage_url=url,
    )
    async with Rehearsal(scenario, workdir) as run:
        world = run.server.world
        process = run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(BRIEFING))

        async def pushed() -> bool:
            return world.stats.get("paid_messages", 0) >= n

        await run.wait_for(pushed, n / 100 + 60, "the push to every unit", interval=0.1)
        await asyncio.sleep(1.0)  # the last sends recorded
        received: dict[int, float] = {}
        handed = world.pending_updates

        def stamping(bot: Any, params: Any) -> Any:
            updates = handed(bot, params)
            now = time.monotonic()
            for update in updates:
                received.setdefault(update["update_id"], now)
            return updates

        world.pending_updates = stamping  # type: ignore[method-assign]
        watcher = Committed(url, 1)
        watcher.start()
        unit_of: dict[int, str] = {}
        cpu_before = cpu_seconds(process.pid)
        print(f"burst: {n} /ack over {within:g} s (bot pid {process.pid})", flush=True)
        started = time.monotonic()
        for i, unit in enumerate(spec):
            due = started + within * i / n
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            world.user_message(unit.chat_id, unit.liaisons[0].user_id, "/ack")
            unit_of[world.bots[next(iter(world.bots))].next_update_id - 1] = unit.code
        sent_in = time.monotonic() - started

        async def all_committed() -> bool:
            return len(watcher.seen) >= n

        await run.wait_for(all_committed, 300, "every ack in the store", interval=0.05)
        last = time.monotonic() - started
        watcher.stop.set()
        watcher.join()
        cpu = cpu_seconds(process.pid) - cpu_before
        await run.stop_bot()
    latencies = [watcher.seen[code] - received[uid] for uid, code in unit_of.items()]
    by_receipt = sorted(unit_of, key=lambda uid: received[uid])
    by_commit = sorted(unit_of, key=lambda uid: (watcher.seen[unit_of[uid]], received[uid]))
    place = {uid: i for i, uid in enumerate(by_commit)}
    moved = [abs(place[uid] - i) for i, uid in enumerate(by_receipt)]
    return {
        "n": n,
        "sent_in": sent_in,
        "all_in": last,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "moved_p99": percentile([float(m) for m in moved], 0.99),
        "moved_max": max(moved),
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--within", type=float, default=10.0, help="seconds the burst lasts")
    add_store_option(parser)
    args = parser.parse_args()
    print(f"store: {backend_name(args.store)}; load average {os.getloadavg()[0]:.2f}")
    r = asyncio.run(run_once(args.units, args.within, args.store))
    print(
        f"{r['n']} acks sent in {r['sent_in']:.1f} s, all committed {r['all_in']:.1f} s after "
        f"the first; receipt → committed: p50 {r['p50'] * 1000:.0f} ms, p99 "
        f"{r['p99'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms (target p99 < 1 s); in order: "
        f"moved p99 {r['moved_p99']:.0f} places, max {r['moved_max']}; bot CPU {r['cpu']:.1f} s"
    )


if __name__ == "__main__":
    main()
