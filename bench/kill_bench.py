"""SIGKILL the bot at a random point of a push, restart it, count what is missing and doubled.

    .venv/bin/python bench/kill_bench.py                    # 10 runs, 1 000 units, 30 msg/s
    .venv/bin/python bench/kill_bench.py --runs 3 --units 200
    .venv/bin/python bench/kill_bench.py --store postgresql  # the ledger in PostgreSQL

The emulator answers each send 0.1 s after storing the message (network latency), so a kill lands
on requests Telegram has taken but the bot has not recorded: the only source of duplicates. The
stated bound is delivery.concurrency (8): at most that many rows are ever "sending".
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backends import add_store_option, backend_name, bench_store  # noqa: E402
from bench.push_bench import BRIEFING, units  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from rehearsal.harness import Rehearsal, Scenario  # noqa: E402
from tgemu.world import Limits  # noqa: E402

CONCURRENCY = 8


async def one_run(n: int, rate: float, kill_after: float, store: str) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix="briefbot-kill-") as workdir,
        bench_store(store, Path(workdir)) as url,
    ):
        return await _run(n, rate, kill_after, url, Path(workdir))


async def _run(n: int, rate: float, kill_after: float, url: str, workdir: Path) -> dict[str, float]:
    spec = units(n)
    scenario = Scenario(
        units=spec,
        telegram={"overall_rate": rate},
        delivery={"poll_every": "0.2s", "concurrency": CONCURRENCY},
        follow_up={"ack_within": "1d", "check_every": "1m"},
        limits=Limits(overall_per_second=rate, group_per_minute=20, latency=0.1),
        storage_url=url,
    )
    async with Rehearsal(scenario, workdir) as run:
        world = run.server.world
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(BRIEFING))
        await asyncio.sleep(kill_after)
        await run.kill_bot()
        sent_at_kill = world.stats["messages_sent"]
        store = open_store(url)
        inflight = store.outbox.counts().get("sending", 0)
        run.start_bot()

        async def all_sent() -> bool:
            return store.outbox.counts() == {"sent": n}

        await run.wait_for(all_sent, n / rate * 2 + 60, "every delivery", interval=0.2)
        await run.stop_bot()
        store.close()
        per_unit = [
            sum(1 for m in world.chats[u.chat_id].messages.values() if m.get("_bot")) for u in spec
        ]
    return {
        "kill_after": kill_after,
        "sent_at_kill": sent_at_kill,
        "inflight": inflight,
        "missing": sum(1 for c in per_unit if c == 0),
        "dup": sum(c - 1 for c in per_unit if c > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=2026)
    add_store_option(parser)
    args = parser.parse_args()
    print(f"store: {backend_name(args.store)}")
    rng = random.Random(args.seed)
    push_seconds = args.units / args.rate
    print(
        f"{'run':>3} {'kill at s':>9} {'sent before':>11} {'in flight':>9} {'missing':>7} {'dup':>4}"
    )
    worst = 0
    started = time.monotonic()
    for i in range(args.runs):
        kill_after = rng.uniform(0.3, push_seconds * 0.95)
        r = asyncio.run(one_run(args.units, args.rate, kill_after, args.store))
        worst = max(worst, int(r["dup"]))
        print(
            f"{i + 1:>3} {r['kill_after']:>9.1f} {r['sent_at_kill']:>11} {r['inflight']:>9} "
            f"{r['missing']:>7} {r['dup']:>4}",
            flush=True,
        )
        assert r["missing"] == 0 and r["dup"] <= r["inflight"] <= CONCURRENCY
    print(
        f"{args.runs} runs in {time.monotonic() - started:.0f} s: 0 missing; "
        f"most duplicates in one run {worst} (bound {CONCURRENCY})"
    )


if __name__ == "__main__":
    main()
