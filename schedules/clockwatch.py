"""Re-arm the JobQueue's repeating jobs when the wall clock steps.

Not a JobQueue job itself (a job would freeze with the others): a task on the event loop, whose
sleep runs on the monotonic clock, checks ``ClockWatch`` every second. On a jump either way, every
interval job whose next run lies further ahead than one interval is set to run now; the trigger
then counts its interval from there. Cron jobs (the daily digest) keep their wall-clock time, as
they should; one-off jobs are left alone.

After a forward jump APScheduler itself runs each missed job once (coalesced); the follow-up
policy then sends at most one round of reminders per unit, because each step is spaced from the
previous one recorded in the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from briefbot.clockwatch import ClockWatch

log = logging.getLogger(__name__)
CHECK_EVERY = 1.0


def rearm(scheduler: Any, now: datetime) -> list[str]:
    """Interval jobs due later than one interval from ``now`` run now. Returns their names."""
    moved = []
    for job in scheduler.get_jobs():
        trigger = job.trigger
        if not isinstance(trigger, IntervalTrigger) or job.next_run_time is None:
            continue
        if job.next_run_time > now + trigger.interval:
            job.modify(next_run_time=now)
            moved.append(job.name)
    return moved


async def watch(
    app: Any,
    now: Callable[[], datetime],
    clock: ClockWatch | None = None,
    every: float = CHECK_EVERY,
) -> None:
    """Run until cancelled: re-arm the application's jobs whenever the wall clock jumps."""
    clock = clock or ClockWatch()
    while True:
        await asyncio.sleep(every)
        jump = clock.jump()
        if not jump or app.job_queue is None:
            continue
        moved = rearm(app.job_queue.scheduler, now())
        log.warning(
            "wall clock jumped %+.0f s; re-armed %d jobs: %s", jump, len(moved), ", ".join(moved)
        )


def start(app: Any, now: Callable[[], datetime]) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(watch(app, now), name="clock-watch")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
