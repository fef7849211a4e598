"""Heartbeat: the running bot touches a file so that a container health check can see it live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

from briefbot.settings import Settings
from handlers.context import services


def heartbeat_path(settings: Settings) -> Path | None:
    return Path(settings.health.heartbeat_file) if settings.health.heartbeat_file else None


async def heartbeat_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    path = heartbeat_path(svc.settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svc.now().isoformat())


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    if heartbeat_path(settings) is not None:
        app.job_queue.run_repeating(
            heartbeat_job, interval=settings.health.every, first=0, name="heartbeat"
        )
