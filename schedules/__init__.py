"""Every repeating job, registered in one place. Jobs keep no state of their own: the ledger does.

With replicas on PostgreSQL every job but the dispatcher, the health watch and the heartbeat runs
on the leader only (schedules/leadership.py).

(schedules/clockwatch.py is the one exception to "a JobQueue job": it watches the wall clock for
the JobQueue itself, so it is a task on the event loop, started and stopped by bot.py.)"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from briefbot.settings import Settings
from schedules import (
    digest,
    dispatcher,
    feedback_reminders,
    feeds,
    followup,
    health,
    heartbeat,
    inbox,
    leadership,
    progress,
)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    dispatcher.register(app, settings)
    followup.register(app, settings)
    feedback_reminders.register(app, settings)
    heartbeat.register(app, settings)
    health.register(app, settings)
    inbox.register(app, settings)
    feeds.register(app, settings)
    progress.register(app, settings)
    digest.register(app, settings)
    leadership.guard(app)
