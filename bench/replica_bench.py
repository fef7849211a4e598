"""Two replicas on one PostgreSQL store push a briefing; one is SIGKILLed midway.

    .venv/bin/python bench/replica_bench.py                       # 1 000 and 2 000 units, 30 msg/s
    .venv/bin/python bench/replica_bench.py --units 1000 --lease 10s
    BRIEFBOT_BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/replica_bench.py

Two real ``bot.py run`` processes share a fresh schema of the PostgreSQL database and one
emulated bot. The emulator enforces 30 msg/s for the bot and answers each send 0.1 s after storing
it, so a kill lands on sends Telegram took that the killed replica never recorded (the only source
of duplicates). Once the push is queued (``bot.py publish``), the replica holding the leader role
(the first one started, which also polls) is killed at half the push's expected time
(``--kill follower``: the other one). Counted:

- lost: units without the notice (must be 0);
- dup: notices a unit got more than once (bound: the killed replica's rows in flight, at most
  ``delivery.concurrency``);
- the roles: each replica's terms as leader and poller from its log, their overlap (must be 0 s),
  and the leader-only job runs (follow-up every second here) each replica logged, with those
  outside its own terms as leader (must be 0);
- getUpdates: most requests in flight at once (1: one poller; the killed poller's last long poll
  is left out, Telegram ends it with 409 Conflict);
- after the push, a /status from the office is answered (by the survivor, now the poller).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.push_bench import BRIEFING, units  # noqa: E402
from briefbot.store import open_store  # noqa: E402
from rehearsal.harness import Rehearsal, Scenario  # noqa: E402
from rehearsal.replicas import (  # noqa: E402
    Replica,
    drop_schema,
    fresh_schema,
    outside,
    overlaps,
    read_terms,
)
from tgemu.world import Limits  # noqa: E402

CONCURRENCY = 8
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


class GetUpdatesWatch:
    """Wraps the emulator's getUpdates: when each request started and ended."""

    def __init__(self, server) -> None:
        self.calls: list[tuple[float, float]] = []
        self._inner = server._get_updates

        async def watched(bot, params):
            start = time.monotonic()
            try:
                return await self._inner(bot, params)
            finally:
                self.calls.append((start, time.monotonic()))

        server._get_updates = watched

    def most_at_once(self, killed_at: float) -> int:
        """Most requests in flight together, leaving out the one the kill cut off."""
        calls = [(s, e) for s, e in self.calls if not s < killed_at < e]
        edges = sorted([(s, 1) for s, _ in calls] + [(e, -1) for _, e in calls])
        most = now = 0
        for _, step in edges:
            now += step
            most = max(most, now)
        return most


async def one_run(
    n: int, rate: float, lease: str, check: str, url: str, kill: str = "leader"
) -> dict[str, object]:
    # no liaisons: the follow-up job, run every second here as the leader's visible heartbeat,
    # would otherwise spend the bot's budget asking Telegram their names (getChatMember)
    spec = [replace(u, liaisons=()) for u in units(n)]
    schema, store_url = fresh_schema(url)
    scenario = Scenario(
        units=spec,
        telegram={"overall_rate": rate},
        # no pins: each is a request against the same 30/s budget (they halve a push's pace)
        delivery={"poll_every": "0.2s", "concurrency": CONCURRENCY, "pin_notices": False},
        follow_up={"ack_within": "1d", "check_every": "1s", "digest_at": None},
        limits=Limits(overall_per_second=rate, group_per_minute=20, latency=0.1),
        storage_url=store_url,
        replicas={"lease": lease, "check_every": check},
    )
    replicas: list[Replica] = []
    try:
        with tempfile.TemporaryDirectory(prefix="briefbot-replicas-") as workdir:
            async with Rehearsal(scenario, Path(workdir)) as run:
                try:
                    return await _push_and_kill(run, scenario, replicas, n, rate, store_url, kill)
                except Exception:
                    for replica in replicas:
                        print(f"--- {replica.name}.log\n{replica.log()[-3000:]}", file=sys.stderr)
                    raise
    finally:
        for replica in replicas:
            replica.stop(5)
        drop_schema(url, schema)


async def _push_and_kill(
    run: Rehearsal,
    scenario: Scenario,
    replicas: list[Replica],
    n: int,
    rate: float,
    store_url: str,
    kill: str,
) -> dict[str, object]:
    spec = scenario.units
    world = run.server.world
    polls = GetUpdatesWatch(run.server)
    first = Replica.start("a", run.config_path, run.workdir)
    replicas.append(first)
    await run.wait_for(_true(lambda: first.has("took the leader role") and polls.calls), 60, "a")
    second = Replica.start("b", run.config_path, run.workdir)
    replicas.append(second)
    await run.wait_for(_true(lambda: second.has("sharing the store")), 60, "b")
    await run.wait_for(_true(lambda: second.has("2 replicas share")), 30, "both to share the pace")
    store = open_store(store_url, run_migrations=False)
    await run.cli("publish", str(BRIEFING))
    published = time.monotonic()
    kill_after = n / rate / 2
    await asyncio.sleep(kill_after)
    leads = first if _leads(first) else second
    follows = second if leads is first else first
    victim, survivor = (leads, follows) if kill == "leader" else (follows, leads)
    owner = victim.owner
    victim.kill()
    killed = time.monotonic()
    sent_at_kill = world.stats["messages_sent"]
    by_owner = await asyncio.to_thread(_sending_by, store)
    inflight = by_owner.get(owner, 0)

    async def all_sent() -> bool:
        counts = await asyncio.to_thread(store.outbox.counts)
        return counts == {"sent": n}

    await run.wait_for(all_sent, n / rate * 3 + 120, "every delivery", interval=0.2)
    finished = time.monotonic()
    # the survivor polls now: the office's /status is answered
    before = len(world.transcript(scenario.office_chat_id))
    asked = world.user_message(scenario.office_chat_id, scenario.admins[0].user_id, "/status")

    async def answered() -> bool:
        return any(
            m["from_bot"] and m.get("reply_to_message", {}).get("message_id") == asked["message_id"]
            for m in world.transcript(scenario.office_chat_id)[before:]
        )

    await run.wait_for(answered, 30, "the answer to /status")
    await asyncio.to_thread(survivor.stop)  # off the loop: the emulator answers its last call
    store.close()
    per_unit = [
        sum(1 for m in world.chats[u.chat_id].messages.values() if m.get("_bot")) for u in spec
    ]
    terms = {r.name: read_terms(r) for r in replicas}
    took_over = [
        s
        for s, _ in terms[survivor.name].roles["leader"]
        if victim.killed_at and s >= victim.killed_at
    ]
    resumed = terms[survivor.name].resumed
    return {
        "units": n,
        "kill_at": kill_after,
        "sent_at_kill": sent_at_kill,
        "inflight": inflight,
        "lost": sum(1 for c in per_unit if c == 0),
        "dup": sum(c - 1 for c in per_unit if c > 1),
        "push_s": finished - published,
        "floor_s": n / rate,
        "leader_after_s": (
            (took_over[0] - victim.killed_at).total_seconds()
            if took_over and victim.killed_at
            else float("nan")
        ),
        "resumed": sum(k for _, k in resumed),
        "resumed_after_s": (
            (resumed[0][0] - victim.killed_at).total_seconds()
            if resumed and victim.killed_at
            else float("nan")
        ),
        "leader_overlap_s": overlaps(terms["a"].roles["leader"], terms["b"].roles["leader"]),
        "poller_overlap_s": overlaps(terms["a"].roles["poller"], terms["b"].roles["poller"]),
        "runs": {name: dict(t.runs()) for name, t in terms.items()},
        "outside": sum(outside(t) for t in terms.values()),
        "polls_at_once": polls.most_at_once(killed),
        "killed": victim.name,
    }


def _seconds(value: object) -> str:
    return "-" if value != value else f"{value:.1f}s"  # NaN: no handover (a follower died)


def _true(check):
    async def wrapped() -> bool:
        return bool(check())

    return wrapped


def _leads(replica: Replica) -> bool:
    terms = read_terms(replica).roles["leader"]
    return bool(terms) and terms[-1][1] is None


def _sending_by(store) -> dict[str | None, int]:
    from sqlalchemy import func, select

    from briefbot.store.schema import outbox

    with store.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.claimed_by, func.count())
            .where(outbox.c.state == "sending")
            .group_by(outbox.c.claimed_by)
        ).all()
    return {owner: count for owner, count in rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--lease", default="30s", help="replicas.lease (default: the default)")
    parser.add_argument("--check-every", default="2s", help="replicas.check_every")
    parser.add_argument("--kill", choices=["leader", "follower"], default="leader")
    args = parser.parse_args()
    url = os.environ.get("BRIEFBOT_BENCH_DATABASE_URL", DEFAULT_URL)
    print(
        f"{'units':>5} {'kill at':>7} {'sent':>5} {'in flight':>9} {'lost':>4} {'dup':>3}"
        f" {'push s':>6} {'floor':>5} {'leader after':>12} {'resumed':>7} {'after':>5}"
        f" {'overlap':>7} {'outside':>7} {'polls':>5}  follow-up runs"
    )
    for n in args.units:
        r = asyncio.run(one_run(n, args.rate, args.lease, args.check_every, url, args.kill))
        runs = r["runs"]
        assert isinstance(runs, dict)
        follow = " ".join(f"{k}:{v.get('follow-up', 0)}" for k, v in sorted(runs.items()))
        print(
            f"{r['units']:>5} {r['kill_at']:>6.1f}s {r['sent_at_kill']:>5} {r['inflight']:>9}"
            f" {r['lost']:>4} {r['dup']:>3} {r['push_s']:>6.1f} {r['floor_s']:>5.0f}"
            f" {_seconds(r['leader_after_s']):>12} {r['resumed']:>7} {r['resumed_after_s']:>4.0f}s"
            f" {r['leader_overlap_s'] + r['poller_overlap_s']:>6.1f}s {r['outside']:>7}"
            f" {r['polls_at_once']:>5}  {follow} (killed {r['killed']})",
            flush=True,
        )
        assert r["lost"] == 0, r
        assert r["dup"] <= min(int(r["inflight"]), CONCURRENCY), r  # type: ignore[call-overload]
        assert r["leader_overlap_s"] == 0 and r["poller_overlap_s"] == 0, r
        assert r["outside"] == 0 and r["polls_at_once"] == 1, r


if __name__ == "__main__":
    main()
