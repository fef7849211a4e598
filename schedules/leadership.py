"""Scheduled jobs run on the leader only (see ``briefbot.replicas``); a few run on every replica.

Every job is registered on every replica; a job not named in ``EVERY_REPLICA`` does nothing on a
replica that is not the leader at the moment it fires. So a follower that takes the leader role
runs the next due round of each job, with no re-registration. A new job is leader-only unless
listed here: running a job once too few is noticed, twice is a duplicate sent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, ContextTypes

from handlers.replication import COORDINATION_KEY

log = logging.getLogger(__name__)

# the outbox dispatcher (claims never overlap), the health watch (writes this replica's held
# outcomes), the heartbeat file (this replica's own), the webhook watch (webhook mode: this
# replica's view of a refused token; setting a lost webhook again is idempotent)
EVERY_REPLICA = frozenset({"outbox-dispatcher", "health-watch", "heartbeat", "webhook-watch"})

JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


def leader_only(callback: JobCallback) -> JobCallback:
    @functools.wraps(callback)
    async def on_the_leader(context: ContextTypes.DEFAULT_TYPE) -> Any:
        coordinator = context.bot_data.get(COORDINATION_KEY)
        roles = getattr(coordinator, "roles", None)
        if roles is not None and not roles.leader:
            return None
        if roles is not None and roles.shared:
            log.debug("leader job %s runs", context.job.name if context.job else "?")
        return await callback(context)

    on_the_leader.leader_only = True  # type: ignore[attr-defined]
    return on_the_leader


def guard(app: Application[Any, Any, Any, Any, Any, Any]) -> list[str]:
    """Make every registered job but ``EVERY_REPLICA`` leader-only. Returns their names."""
    assert app.job_queue is not None
    guarded = []
    for job in app.job_queue.jobs():
        if job.name in EVERY_REPLICA or getattr(job.callback, "leader_only", False):
            continue
        job.callback = leader_only(job.callback)
        guarded.append(str(job.name))
    return guarded
