"""Wall-clock steps (issue 9, point 7): jobs must not freeze after a step back, and reminders must
not burst after a step forward. Clocks are driven; the scheduler runs for fractions of a second."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from types import SimpleNamespace

import apscheduler.executors.base as aps_executors
import apscheduler.schedulers.base as aps_base
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from briefbot.clockwatch import ClockWatch
from briefbot.publishing import parse_file, publish_file
from schedules.clockwatch import rearm, watch
from schedules.dispatcher import Dispatcher
from schedules.followup import follow_up_once
from tests.botkit import DONGJIANG, EDU, QINGLING, replies, services_of
from tests.conftest import SHIPPED, TZ
from tests.test_office_views import calendar_off


class SteppedWall:
    """The wall clock as APScheduler and ClockWatch see it: the real one plus a step we set."""

    def __init__(self) -> None:
        self.step = 0.0
        wall = self

        class SteppedDatetime(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[override]
                return datetime.now(tz) + timedelta(seconds=wall.step)

        self.datetime = SteppedDatetime

    def time(self) -> float:
        return datetime.now(TZ).timestamp() + self.step

    def now(self) -> datetime:
        return self.datetime.now(TZ)


def test_clock_watch_sees_steps_either_way_and_ignores_drift():
    wall, mono = [1000.0], [5.0]
    watch_ = ClockWatch(wall=lambda: wall[0], monotonic=lambda: mono[0], tolerance=2.0)
    wall[0] += 10
    mono[0] += 10
    assert watch_.jump() == 0.0  # both advanced together
    wall[0] += 1.5  # drift, slewing
    assert watch_.jump() == 0.0
    wall[0] -= 600
    assert watch_.jump() == -600.0
    assert watch_.jump() == 0.0  # reported once
    wall[0] += 3600
    assert watch_.jump() == 3600.0


async def test_rearm_moves_only_interval_jobs_that_a_step_back_put_out_of_reach():
    scheduler = AsyncIOScheduler(timezone=TZ)
    scheduler.start(paused=True)
    try:
        scheduler.add_job(lambda: None, "interval", seconds=1, name="dispatcher")
        scheduler.add_job(lambda: None, "interval", minutes=10, name="slow")
        scheduler.add_job(lambda: None, "cron", hour=9, name="digest")
        scheduler.add_job(
            lambda: None, "date", run_date=datetime.now(TZ) + timedelta(minutes=5), name="once"
        )
        before = {j.name: j.next_run_time for j in scheduler.get_jobs()}
        stepped_now = datetime.now(TZ) - timedelta(minutes=10)  # the wall clock stepped back
        assert rearm(scheduler, stepped_now) == ["dispatcher", "slow"]
        after = {j.name: j.next_run_time for j in scheduler.get_jobs()}
        assert after["dispatcher"] == after["slow"] == stepped_now
        assert after["digest"] == before["digest"] and after["once"] == before["once"]
        assert rearm(scheduler, stepped_now) == []  # nothing is out of reach any more
    finally:
        scheduler.shutdown(wait=False)


async def test_jobs_freeze_after_a_step_back_until_the_watch_rearms_them(monkeypatch):
    wall = SteppedWall()
    monkeypatch.setattr(aps_base, "datetime", wall.datetime)
    monkeypatch.setattr(aps_executors, "datetime", wall.datetime)
    runs: list[float] = []
    scheduler = AsyncIOScheduler(timezone=TZ)
    scheduler.add_job(lambda: runs.append(wall.time()), "interval", seconds=0.05)
    scheduler.start()
    app = SimpleNamespace(job_queue=SimpleNamespace(scheduler=scheduler))
    try:
        await asyncio.sleep(0.3)
        assert runs, "the job runs"
        wall.step = -600.0  # the wall clock steps back ten minutes
        await asyncio.sleep(0.15)
        frozen = len(runs)
        await asyncio.sleep(0.3)
        assert len(runs) == frozen, "APScheduler plans on the wall clock: the job is frozen"
        task = asyncio.create_task(
            watch(app, wall.now, ClockWatch(wall=wall.time, tolerance=2.0), every=0.05)
        )
        # the watch compares against the clocks as they are from now on; step once more
        await asyncio.sleep(0.1)
        wall.step = -1200.0
        await asyncio.sleep(0.4)
        task.cancel()
        assert len(runs) > frozen + 2, "re-armed: the job runs again"
    finally:
        scheduler.shutdown(wait=False)


async def test_jobs_of_the_real_application_run_missed_runs_once(app):
    """After a forward step APScheduler runs a missed job once, not once per missed interval."""
    scheduler = app.job_queue.scheduler
    scheduler.start(paused=True)  # the jobs get their defaults when the scheduler starts
    try:
        jobs = scheduler.get_jobs()
        assert {"outbox-dispatcher", "follow-up", "heartbeat", "health-watch"} <= {
            j.name for j in jobs
        }
        for job in jobs:
            assert job.coalesce, job.name
    finally:
        scheduler.shutdown(wait=False)


async def test_a_forward_jump_sends_at_most_one_round_of_reminders(app, emulator):
    calendar_off(app)
    svc = services_of(app)
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    real = svc.clock
    svc.clock = lambda: real() + timedelta(days=3)  # the clock jumps three days ahead
    for _ in range(5):  # the follow-up job runs several times in a row (missed runs)
        follow_up_once(svc)
        await Dispatcher().run(app.bot, svc)
    svc.clock = lambda: real() + timedelta(days=3, minutes=30)
    follow_up_once(svc)
    await Dispatcher().run(app.bot, svc)
    for chat in (DONGJIANG, QINGLING, EDU):
        reminders = [t for t in replies(emulator, chat) if t.startswith("⏰")]
        assert len(reminders) == 1, chat
