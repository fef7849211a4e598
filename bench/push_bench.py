"""Push one briefing to N emulated unit groups through the real bot process.

    .venv/bin/python bench/push_bench.py                      # N = 100, 1000, 2000 at 30 msg/s
    .venv/bin/python bench/push_bench.py --rate 1000          # Telegram's paid-broadcast scale
    .venv/bin/python bench/push_bench.py --faults             # 5 % 5xx/drops, 2 kicked, 1 migrated
    .venv/bin/python bench/push_bench.py --store postgresql   # the ledger in PostgreSQL

The emulator enforces the overall rate and 20 messages/minute per group; the bot is configured to
the same overall rate. The clock starts when `bot.py publish` has queued the notice (the bot is
already running) and stops when the last unit has it. Floor = N / rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backends import add_store_option, backend_name, bench_store  # noqa: E402
from rehearsal.harness import Person, Rehearsal, Scenario, UnitSpec  # noqa: E402
from tgemu.world import Limits  # noqa: E402

BRIEFING = ROOT / "rehearsal" / "briefings" / "qingfeng-briefing-7.txt"
TICKS = os.sysconf("SC_CLK_TCK")


def units(n: int) -> list[UnitSpec]:
    return [
        UnitSpec(
            f"u{i:05d}",
            f"单位{i}",
            "设区市" if i % 3 else "省直部门",
            -1002000000000 - i,
            (Person(40000000 + i, f"联络员{i}"),),
        )
        for i in range(n)
    ]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_once(
    n: int,
    rate: float,
    faults: bool,
    concurrency: int,
    bot_rate: float | None = None,
    store: str = "sqlite",
) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix="briefbot-bench-") as workdir,
        bench_store(store, Path(workdir)) as url,
    ):
        return await _run(n, rate, faults, concurrency, bot_rate, url, Path(workdir))


async def _run(
    n: int,
    rate: float,
    faults: bool,
    concurrency: int,
    bot_rate: float | None,
    url: str,
    workdir: Path,
) -> dict[str, float]:
    spec = units(n)
    limits = Limits(overall_per_second=rate, group_per_minute=20)
    if faults:
        limits.error_rate, limits.drop_rate = 0.025, 0.025
    scenario = Scenario(
        units=spec,
        telegram={"overall_rate": bot_rate or rate, "max_retries": 2},
        delivery={"poll_every": "0.2s", "concurrency": concurrency, "retry_for": "10m"},
        follow_up={"ack_within": "1d", "check_every": "1m"},
        limits=limits,
        storage_url=url,
    )
    kicked: set[int] = set()
    async with Rehearsal(scenario, workdir) as run:
        world = run.server.world
        moved = {}
        if faults:
            kicked = {spec[7].chat_id, spec[n // 2].chat_id}
            for chat_id in kicked:
                world.chats[chat_id].kicked = True
            old = spec[n // 3].chat_id
            world.add_chat(old - 500000000, world.chats[old].title)
            world.chats[old].migrated_to = old - 500000000
            moved[old] = old - 500000000
        process = run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(BRIEFING))
        cpu_before = cpu_seconds(process.pid)
        started = time.monotonic()
        reachable = [u for u in spec if u.chat_id not in kicked]

        def served(unit: UnitSpec) -> int:
            chat = moved.get(unit.chat_id, unit.chat_id)
            return sum(
                1
                for m in world.chats[chat].messages.values()
                if m.get("_bot") and m.get("text", "").startswith("📄")
            )

        async def done() -> bool:
            return world.stats["messages_sent"] >= len(reachable) and all(
                served(u) for u in reachable
            )

        await run.wait_for(done, n / rate * 3 + 60, "every reachable unit", interval=0.05)
        last = max(
            m["_at"]
            for u in reachable
            for m in world.chats[moved.get(u.chat_id, u.chat_id)].messages.values()
        )
        first = min(
            m["_at"]
            for u in reachable
            for m in world.chats[moved.get(u.chat_id, u.chat_id)].messages.values()
        )
        wall = time.monotonic() - started
        await asyncio.sleep(1.0)  # let late duplicates, if any, arrive
        counts = [served(u) for u in reachable]
        cpu = cpu_seconds(process.pid) - cpu_before
        rss = peak_rss_mib(process.pid)
        from briefbot.store import open_store

        store = open_store(url)
        ledger = store.ledger.for_notice(1)
        unreachable = sorted(u.unit_code for u in ledger if u.delivery.value == "unreachable")
        migrated_ok = all(store.notices.unit_by_chat(new) is not None for new in moved.values())
        store.close()
        await run.stop_bot()
    floor = n / rate
    return {
        "n": n,
        "rate": rate,
        "wall": wall,
        "span": last - first,
        "floor": floor,
        "ratio": wall / floor,
        "lost": sum(1 for c in counts if c == 0),
        "dup": sum(c - 1 for c in counts if c > 1),
        "cpu": cpu,
        "rss": rss,
        "sent_per_s": len(reachable) / wall,
        "r429": world.stats["rate_limited"],
        "faults": world.stats["faults:502"] + world.stats["faults:drop"],
        "unreachable": len(unreachable),
        "kicked": len(kicked),
        "migrated_ok": float(migrated_ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--bot-rate", type=float, help="the bot's configured rate (default: --rate)"
    )
    add_store_option(parser)
    args = parser.parse_args()
    print(f"store: {backend_name(args.store)}; load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'N':>5} {'rate':>6} {'wall s':>8} {'floor s':>8} {'ratio':>6} {'msg/s':>7} {'lost':>5} "
        f"{'dup':>4} {'429s':>5} {'faults':>6} {'unreach':>7} {'CPU s':>6} {'RSS MiB':>8}"
    )
    for n in args.units:
        r = asyncio.run(
            run_once(n, args.rate, args.faults, args.concurrency, args.bot_rate, args.store)
        )
        print(
            f"{r['n']:>5} {r['rate']:>6.0f} {r['wall']:>8.2f} {r['floor']:>8.2f} {r['ratio']:>6.3f} "
            f"{r['sent_per_s']:>7.1f} {r['lost']:>5} {r['dup']:>4} {r['r429']:>5} {r['faults']:>6} "
            f"{r['unreachable']:>3}/{r['kicked']:<3} {r['cpu']:>6.2f} {r['rss']:>8.1f}",
            flush=True,
        )
        if args.faults:
            print(
                f"      migrated group served at its new id and unit updated: {bool(r['migrated_ok'])}"
            )


if __name__ == "__main__":
    main()
