"""Replicas on one store (issue 11 point 2): outbox claims that never overlap, the recovery of
only a dead replica's deliveries, each update handled once, and the leader and poller roles held
by one replica at a time and taken over when its PostgreSQL session ends.

Two replicas are two ``open_store`` on one URL (two engines, two replica ids). The tests of the
roles need PostgreSQL's advisory locks; the rest run on both backends."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text
from telegram import Update

from briefbot.publishing import parse_file, publish_file
from briefbot.replicas import Coordinator
from briefbot.settings import ReplicaSettings
from briefbot.store import open_store
from briefbot.store.notices import UnitRecord
from briefbot.store.replicas import RoleSession
from briefbot.store.schema import outbox
from handlers.replication import COORDINATION_KEY, TakeTurnsUpdater
from schedules.dispatcher import Dispatcher
from schedules.leadership import EVERY_REPLICA, leader_only
from tests.botkit import DONGJIANG, LIAISON, OFFICE, TOKEN, message_json, services_of
from tests.conftest import ON_POSTGRES, SHIPPED, at

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs BRIEFBOT_TEST_DATABASE_URL")
NOW = at("2026-11-30 09:00")
LEASE = timedelta(seconds=30)
FAST = ReplicaSettings(lease=timedelta(seconds=3), check_every=timedelta(seconds=0.1))


@pytest.fixture
def two(settings):
    """Two replicas' stores on the test's database."""
    a, b = open_store(settings.storage.url), open_store(settings.storage.url)
    assert a.owner != b.owner
    yield a, b
    a.close()
    b.close()


def _push(store, units: int) -> int:
    store.notices.sync_units(
        [
            UnitRecord(f"u{i:03d}", f"第{i}单位", "设区市", -1002000000000 - i, ())
            for i in range(units)
        ]
    )
    taken = publish_file(
        store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), NOW
    )
    assert taken.published is not None
    return taken.published.queued


def _states(store) -> dict[int, tuple[str, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.id, outbox.c.state, outbox.c.claimed_by)).all()
    return {r.id: (r.state, r.claimed_by) for r in rows}


# ---------------------------------------------------------------------- outbox claims


def test_concurrent_claimers_never_claim_the_same_row(two):
    """Four dispatching threads on two replicas drain a push: every row is claimed once, by the
    replica that sends it."""
    a, b = two
    queued = _push(a, 120)
    claimed: dict[str, list[int]] = {a.owner: [], b.owner: []}
    start = threading.Barrier(4)

    def worker(store) -> None:
        start.wait()
        while items := store.outbox.claim(NOW, 3):
            for item in items:
                claimed[store.owner].append(item.id)
                store.outbox.mark_sent(item.id, 10_000 + item.id, NOW)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    every = claimed[a.owner] + claimed[b.owner]
    assert len(every) == len(set(every)) == queued  # none twice, none left
    assert claimed[a.owner] and claimed[b.owner]  # both took part
    states = _states(a)
    assert {state for state, _ in states.values()} == {"sent"}
    assert all(states[i][1] == a.owner for i in claimed[a.owner])


@postgres_only
def test_a_claim_passes_over_rows_another_claimer_holds_without_waiting(two):
    """SKIP LOCKED: while one replica's claim is not committed, another claims the next rows
    at once (no lock wait), and the first one's rows stay its own."""
    a, b = two
    _push(a, 10)
    with a.engine.connect() as conn:
        held = conn.execute(a.outbox._claim, {"now": NOW, "limit": 4, "owner": a.owner}).all()
        conn.execute(text("SET lock_timeout = '1s'"))
        started = time.monotonic()
        other = b.outbox.claim(NOW, 4)
        assert time.monotonic() - started < 0.5
        assert {r.id for r in held}.isdisjoint({i.id for i in other}) and len(other) == 4
        conn.commit()
    assert len(b.outbox.claim(NOW, 10)) == len(_states(a)) - 8


# ---------------------------------------------------------------------- recovery


def test_only_the_deliveries_of_a_replica_whose_lease_expired_are_resumed(two):
    a, b = two
    _push(a, 6)
    a.replicas.beat(NOW - LEASE - timedelta(seconds=1))  # a: silent for longer than the lease
    b.replicas.beat(NOW)
    mine = {i.id for i in a.outbox.claim(NOW, 2)}
    theirs = {i.id for i in b.outbox.claim(NOW, 2)}
    with a.engine.begin() as conn:  # a row claimed before replicas had ids: nobody's
        conn.execute(
            outbox.update()
            .where(outbox.c.state == "pending")
            .values(state="sending", claimed_by=None)
        )
    assert b.outbox.recover_orphans(NOW, LEASE) == 4  # a's two and the ownerless two
    states = _states(a)
    assert {i for i, (state, _) in states.items() if state == "sending"} == theirs
    assert all(states[i] == ("pending", None) for i in mine)
    assert b.outbox.recover_orphans(NOW, LEASE) == 0
    # a was only stalled: b has since claimed a's row and sent it; a's late outcome must not put
    # it back in the queue (b's stays), and a live replica's rows are never resumed
    row = next(iter(mine))
    [again] = [i for i in b.outbox.claim(NOW, 10) if i.id == row]
    a.outbox.retry_later(row, NOW, "network: late")
    assert _states(a)[row] == ("sending", b.owner)
    a.replicas.beat(NOW)
    assert a.outbox.recover_orphans(NOW, LEASE) == 0
    b.outbox.mark_sent(again.id, 1, NOW)
    assert _states(a)[row] == ("sent", b.owner)


@postgres_only
def test_a_replica_whose_session_ended_is_dead_without_waiting_out_its_lease(two):
    """A SIGKILLed replica's session ends with it, and with it the lock of its id: once it has
    missed its last beats (grace) its deliveries resume, not a lease later; a replica that
    merely beats late but holds its session keeps its rows."""
    a, b = two
    _push(a, 4)
    grace = timedelta(seconds=6)
    a.replicas.beat(NOW)
    b.replicas.grace = grace
    mine = {i.id for i in a.outbox.claim(NOW, 2)}
    later = NOW + timedelta(seconds=10)  # a's last beat: older than the grace, within the lease
    b.replicas.beat(later)
    with RoleSession(a.engine.url, a.owner) as session:
        session.connection()
        assert b.replicas.live(later, LEASE) == sorted([a.owner, b.owner])
        assert b.outbox.recover_orphans(later, LEASE, grace) == 0  # alive, merely slow
        _terminate(session.backend_pid())  # a dies (its backend ends a moment later)
        _until(lambda: b.replicas.live(later, LEASE) == [b.owner])
        assert b.outbox.recover_orphans(later, LEASE, grace) == 2
    assert all(_states(a)[i] == ("pending", None) for i in mine)


def test_a_stopped_replica_ends_its_lease_at_once(two):
    a, b = two
    a.replicas.beat(NOW)
    b.replicas.beat(NOW)
    assert b.replicas.live(NOW, LEASE) == sorted([a.owner, b.owner])
    a.replicas.leave()
    assert b.replicas.live(NOW, LEASE) == [b.owner]
    assert b.replicas.prune(NOW + timedelta(days=3)) == (1, 0)


# ---------------------------------------------------------------------- updates


def test_an_update_is_taken_by_one_replica_and_again_only_from_a_dead_one(two):
    a, b = two
    a.replicas.beat(NOW)
    b.replicas.beat(NOW)
    assert a.replicas.take_update(7, 100, NOW, LEASE)
    assert not b.replicas.take_update(7, 100, NOW, LEASE)  # a is on it
    assert not a.replicas.take_update(7, 100, NOW, LEASE)  # a itself, given it twice
    assert b.replicas.take_update(8, 100, NOW, LEASE)  # another bot's update 100
    a.replicas.update_done(7, 100, NOW)
    later = NOW + LEASE * 2
    b.replicas.beat(later)
    assert not b.replicas.take_update(7, 100, later, LEASE)  # done: never again
    assert a.replicas.take_update(7, 101, NOW, LEASE)  # a takes 101 and dies before the end
    assert b.replicas.take_update(7, 101, later, LEASE)  # b takes it over
    assert not a.replicas.take_update(7, 101, later, LEASE)


async def test_an_update_given_twice_is_handled_once(app, emulator):
    """The same update (one update id; for a press, one callback query id) reaches the bot twice,
    as a webhook delivery retried to another replica or a poller's handover would give it: the
    ack, the feedback and the button's answer happen once. (The coordinator is made shared here
    on SQLite too: the check is the store's, the same on both.)"""
    svc = services_of(app)
    coordinator = app.bot_data[COORDINATION_KEY]
    coordinator.roles.shared = True
    await asyncio.to_thread(svc.store.replicas.beat, svc.now())
    taken = publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    notice_id = taken.published.notice_id
    [notice] = [m for m in emulator.world.transcript(DONGJIANG) if m["from_bot"]]
    emulator.world.press_button(DONGJIANG, notice["message_id"], LIAISON)
    press = {
        "update_id": 500,
        "callback_query": emulator.world.bots[TOKEN].updates[-1]["callback_query"],
    }
    feedback = {
        "update_id": 501,
        "message": message_json(DONGJIANG, LIAISON, "/feedback 已落实"),
    }
    world = emulator.world
    office_before = len([m for m in world.transcript(OFFICE) if m["from_bot"]])
    for raw in (press, press, feedback, feedback):
        update = Update.de_json(raw, app.bot)
        await app.update_processor.process_update(update, app.process_update(update))
    assert svc.store.acks.get(notice_id, "dongjiang").via == "button"
    assert world.stats["call:answerCallbackQuery"] == 1  # no second "已签收" toast
    office_after = [m for m in world.transcript(OFFICE) if m["from_bot"]]
    assert len(office_after) == office_before + 1  # one 落实反馈 for review, not two
    group = [m.get("text", "") for m in world.transcript(DONGJIANG) if m["from_bot"]]
    assert sum(t.startswith("已提交对#") for t in group) == 1


# ---------------------------------------------------------------------- jobs


async def test_scheduled_jobs_run_on_the_leader_only(app):
    guarded = {j.name for j in app.job_queue.jobs() if getattr(j.callback, "leader_only", False)}
    everywhere = {j.name for j in app.job_queue.jobs()} - guarded
    assert {"follow-up", "push-progress", "daily-digest", "feedback-reminders"} <= guarded
    assert everywhere <= EVERY_REPLICA and "outbox-dispatcher" in everywhere
    runs = []

    async def job(context) -> None:
        runs.append(context.job.name)

    wrapped = leader_only(job)
    roles = SimpleNamespace(shared=True, leader=False)
    context = SimpleNamespace(bot_data={COORDINATION_KEY: SimpleNamespace(roles=roles)}, job=None)
    await wrapped(context)
    assert runs == []
    roles.leader = True
    context.job = SimpleNamespace(name="follow-up")
    await wrapped(context)
    assert runs == ["follow-up"]


def test_the_sending_pace_is_shared_between_replicas():
    from handlers.ratelimit import GroupLruRateLimiter

    limiter = GroupLruRateLimiter(overall_max_rate=29.4, group_max_rate=19.6, group_time_period=60)
    limiter.share(1 / 2)
    assert limiter._base_limiter.max_rate == 14.7 and limiter._apb_limiter.max_rate == 500
    limiter.share(1)
    assert limiter._base_limiter.max_rate == 29.4 and limiter._apb_limiter.max_rate == 1000


# ---------------------------------------------------------------------- roles (PostgreSQL)


def _until(check, within: float = 5) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.02)


async def _soon(check, within: float = 5) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


def _terminate(pid: int) -> None:
    from tests.conftest import _admin_connection

    _admin_connection().execute("SELECT pg_terminate_backend(%s)", (pid,))


@postgres_only
def test_a_role_is_one_sessions_and_free_when_that_session_ends(two):
    a, b = two
    with RoleSession(a.engine.url, a.owner) as first, RoleSession(b.engine.url, b.owner) as second:
        assert first.try_take("leader") and first.try_take("leader")
        assert not second.try_take("leader")
        assert second.try_take("poller")  # another role, another lock
        assert second.holders("leader") == [first.backend_pid()]
        _terminate(first.backend_pid())  # the leader's connection is gone (it died)
        _until(lambda: second.try_take("leader"))
        assert "leader" in second.held
    with RoleSession(a.engine.url, "third") as third:  # the closed sessions left nothing behind
        assert third.try_take("leader") and third.try_take("poller")


@postgres_only
async def test_the_leader_is_taken_over_when_its_connection_ends(two):
    a, b = two
    first = Coordinator(a, FAST, lambda: datetime.now(UTC))
    second = Coordinator(b, FAST, lambda: datetime.now(UTC))
    both: list[float] = []  # moments both believed they led
    dead: set[Coordinator] = set()  # a dead process runs nothing, whatever its flags said

    async def watch() -> None:
        while True:
            if first.roles.leader and second.roles.leader and first not in dead:
                both.append(time.monotonic())
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    try:
        await first.start()
        await second.start()
        assert first.roles.leader and not second.roles.leader
        await asyncio.sleep(0.3)  # the follower keeps trying; the leader keeps its role
        assert first.roles.leader and not second.roles.leader and not both
        assert first.roles.live == second.roles.live == 2  # each sends at half the bot's pace
        # the leader dies: its loop stops and its connection ends with it
        dead.add(first)
        first._task.cancel()
        session = first._session
        assert session is not None
        _terminate(await asyncio.to_thread(session.backend_pid))
        await asyncio.wait_for(second.wait_for("leader"), 3)
        await _soon(lambda: second.roles.live == 1)  # dead at once: not a lease later
        # a leader that lives on while its session ended steps down at its next check
        await first.tick()
        assert not first.roles.leader and second.roles.leader
        dead.clear()
        await asyncio.sleep(0.3)
        assert second.roles.leader and not first.roles.leader
        first._task = asyncio.create_task(first._run())  # back as a follower
        await asyncio.sleep(0.3)
        assert not first.roles.leader
        await second.stop()  # a clean stop hands over within a check
        await asyncio.wait_for(first.wait_for("leader"), 3)
        assert a.replicas.live(datetime.now(UTC), LEASE) == [a.owner]
        # the one overlap: a live leader whose session the server ended, until its next check
        session = first._session
        assert session is not None
        _terminate(await asyncio.to_thread(session.backend_pid))
        await asyncio.wait_for(first.wait_for("leader", held=False), 3)
    finally:
        watcher.cancel()
        await first.stop()
        await second.stop()
    assert not both


@postgres_only
async def test_only_the_poller_polls_and_another_takes_over(app, emulator):
    """This replica's updater waits while another session holds the poller role, polls once it
    is free, and stops when its own session ends (and polls again once it has the role back)."""
    coordinator = app.bot_data[COORDINATION_KEY]
    assert coordinator.roles.shared
    updater = app.updater
    assert isinstance(updater, TakeTurnsUpdater)
    store = services_of(app).store
    polls = lambda: emulator.world.stats.get("call:getUpdates", 0)  # noqa: E731
    with RoleSession(store.engine.url, "other") as other:
        assert other.try_take("poller")  # another replica polls
        await updater.start_polling(timeout=1)
        await coordinator.tick()
        await asyncio.sleep(0.3)
        assert polls() == 0 and not coordinator.roles.poller
    # that replica died (its session ended): this one takes over at its next check
    await coordinator.tick()
    assert coordinator.roles.poller
    deadline = time.monotonic() + 5
    while polls() == 0:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert updater.running
    _terminate(await asyncio.to_thread(coordinator._session.backend_pid))
    await coordinator.tick()  # its session is gone: the role with it, and the polling
    assert not coordinator.roles.poller
    for _ in range(100):
        if not updater.running:
            break
        await asyncio.sleep(0.02)
    assert not updater.running
    await coordinator.tick()  # nobody else polls: it takes the role back
    await asyncio.wait_for(coordinator.wait_for("poller"), 3)
    await updater.stop()
    assert not updater.running


# ---------------------------------------------------------------------- end to end (PostgreSQL)


@postgres_only
@pytest.mark.e2e
@pytest.mark.slow
async def test_two_replicas_push_and_one_is_killed_midway(tmp_path):
    """Two real ``bot.py run`` processes on one store: one polls and leads, both send; the
    leader is SIGKILLed mid-push. Nothing is lost, at most its sends in flight are doubled, the
    survivor takes both roles (the office's /status is answered) and no leader-only job ran on
    the two at once. (bench/replica_bench.py does the same with 1 000 and 2 000 units.)"""
    from dataclasses import replace

    from rehearsal.harness import Rehearsal, Scenario, numbered_units
    from rehearsal.replicas import Replica, outside, overlaps, read_terms
    from tests.conftest import database_url
    from tgemu.world import Limits

    units = [replace(u, liaisons=()) for u in numbered_units(40, -1003000000000, 61000000)]
    scenario = Scenario(
        units=units,
        storage_url=database_url(tmp_path / "data"),
        telegram={"overall_rate": 10},
        delivery={"poll_every": "0.2s", "concurrency": 4, "pin_notices": False},
        follow_up={"ack_within": "1d", "check_every": "1s", "digest_at": None},
        limits=Limits(overall_per_second=30, group_per_minute=20, latency=0.3),
    )
    replicas: list[Replica] = []
    async with Rehearsal(scenario, tmp_path) as run:
        world = run.server.world

        def logged(replica: Replica, text: str):
            async def check() -> bool:
                return replica.has(text)

            return check

        try:
            a = Replica.start("a", run.config_path, run.workdir)
            replicas.append(a)
            await run.wait_for(logged(a, "polls Telegram for updates"), 30, "a to poll")
            b = Replica.start("b", run.config_path, run.workdir)
            replicas.append(b)
            await run.wait_for(logged(b, "2 replicas share"), 30, "b to share the pace")
            store = open_store(run.storage_url, run_migrations=False)
            try:
                await asyncio.to_thread(
                    publish_file,
                    store,
                    parse_file(SHIPPED.read_bytes(), "b.txt"),
                    "测试",
                    timedelta(hours=4),
                    datetime.now(UTC),
                )

                async def some_sent() -> bool:
                    return world.stats["messages_sent"] >= 12

                await run.wait_for(some_sent, 30, "the push to start", interval=0.01)
                a.kill()
                owner = a.owner
                states = await asyncio.to_thread(_states, store)
                inflight = sum(1 for row in states.values() if row == ("sending", owner))

                async def all_sent() -> bool:
                    return await asyncio.to_thread(store.outbox.counts) == {"sent": len(units)}

                await run.wait_for(all_sent, 60, "every delivery", interval=0.1)
            finally:
                store.close()
            asked = world.user_message(
                scenario.office_chat_id, scenario.admins[0].user_id, "/status"
            )

            async def answered() -> bool:
                return any(
                    m["from_bot"]
                    and m.get("reply_to_message", {}).get("message_id") == asked["message_id"]
                    for m in world.transcript(scenario.office_chat_id)
                )

            await run.wait_for(answered, 20, "b to answer /status")
            assert await asyncio.to_thread(b.stop) == 0  # off the loop: the emulator answers
        finally:
            for replica in replicas:
                await asyncio.to_thread(replica.stop, 5)
    per_unit = [
        sum(1 for m in world.chats[u.chat_id].messages.values() if m.get("_bot")) for u in units
    ]
    assert min(per_unit) == 1  # none lost
    assert sum(c - 1 for c in per_unit) <= inflight <= 4  # doubled: at most a's sends in flight
    terms = {r.name: read_terms(r) for r in replicas}
    assert terms["a"].roles["leader"] and terms["b"].roles["leader"]  # b took over
    assert overlaps(terms["a"].roles["leader"], terms["b"].roles["leader"]) == 0
    assert overlaps(terms["a"].roles["poller"], terms["b"].roles["poller"]) == 0
    assert terms["a"].runs()["follow-up"] and terms["b"].runs()["follow-up"]
    assert outside(terms["a"]) == outside(terms["b"]) == 0
