"""Heartbeat: the running bot touches a file so that a container health check can see it live.

The first line is the time; each further line is a problem the bot knows of (the token refused,
the store refusing writes, records held in memory), so that ``bot.py healthcheck`` fails while an
outage lasts even though the process is alive and beating."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.offloop import offloop
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services


def heartbeat_path(settings: Settings) -> Path | None:
    return Path(settings.health.heartbeat_file) if settings.health.heartbeat_file else None


async def heartbeat_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await offloop(write_heartbeat, services(context))  # the disk may be slow


def write_heartbeat(svc: Services) -> None:
    path = heartbeat_path(svc.settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        now = svc.now()
        lines = [now.isoformat(), *svc.health.problems(now)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    if heartbeat_path(settings) is not None:
        app.job_queue.run_repeating(
            heartbeat_job, interval=settings.health.every, first=0, name="heartbeat"
        )
