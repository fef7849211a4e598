"""Every repeating job, registered in one place. Jobs keep no state of their own: the ledger does."""

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
    heartbeat,
    inbox,
    progress,
)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    dispatcher.register(app, settings)
    followup.register(app, settings)
    feedback_reminders.register(app, settings)
    heartbeat.register(app, settings)
    inbox.register(app, settings)
    feeds.register(app, settings)
    progress.register(app, settings)
    digest.register(app, settings)
