"""Health watch: writes what was held in memory while the store failed, ends outages, tells the
office once per outage, and stops the bot when Telegram has refused the token for too long.

Every ``HEALTH_EVERY`` seconds:
1. held send outcomes, then held acks, are written in order (in a thread) until one is refused;
2. a store outage with nothing held left is probed with a real write; success ends it;
3. office notices owed by ``Health`` (a store outage started, any outage ended) are sent
   directly, not through the outbox (which lives in the store that may be failing);
4. the token refused for ``telegram.token_refused_exit_after``: the bot stops with exit code 3,
   so that a supervisor can act.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.offloop import offloop
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.ack import flush_held_acks
from handlers.context import services
from schedules.heartbeat import write_heartbeat

log = logging.getLogger(__name__)
HEALTH_EVERY = 1.0
EXIT_TOKEN_REFUSED = 3
EXIT_CODE_KEY = "exit_code"


def _write_held_sends(svc: Services) -> int:
    """Blocking: write held send outcomes; raises SQLAlchemyError when the store still refuses."""
    written = 0
    for row_id, send in list(svc.held.sends.items()):
        if send.message_id is not None:
            svc.store.outbox.mark_sent(row_id, send.message_id, send.at)
        else:
            svc.store.outbox.retry_later(row_id, send.at, send.error or "store unavailable")
        del svc.held.sends[row_id]
        written += 1
    return written


async def restore_store(bot: Bot, svc: Services) -> bool:
    """Write what is held; end the store outage when writes work. True when the store is fine."""
    health = svc.health.store
    if not health.active and not svc.held:
        return True
    try:
        sends = await offloop(_write_held_sends, svc)
        acks = await flush_held_acks(bot, svc)
        if not sends and not acks:
            await offloop(svc.store.probe_write)
    except SQLAlchemyError as exc:
        health.fail(svc.now(), str(getattr(exc, "orig", exc)).splitlines()[0])
        return False
    if sends or acks:
        log.warning("store writes again: %d held sends and %d held acks written", sends, acks)
    if health.ok(svc.now()):
        log.warning("store outage over")
    return True


async def tell_office(bot: Bot, svc: Services) -> None:
    texts = svc.health.take_notices(svc.now())
    for i, text in enumerate(texts):
        try:
            await bot.send_message(svc.settings.office.chat_id, text)
        except TelegramError as exc:
            log.warning("could not tell the office about an outage: %s", exc)
            svc.health.put_back(texts[i:])
            return


class HealthWatch:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._state = (False, False)

    async def run(self, app: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
        if self._lock.locked():
            return  # a write still waiting on a locked store
        async with self._lock:
            if not svc.health.token.active:  # an outage that just started: say so first
                await tell_office(app.bot, svc)
            await restore_store(app.bot, svc)
            state = (svc.health.token.active, svc.health.store.active)
            if state != self._state:  # the health check learns of it now, not at the next beat
                self._state = state
                try:
                    await offloop(write_heartbeat, svc)
                except OSError as exc:  # the disk may be the trouble; the beat then goes stale
                    log.warning("could not write the heartbeat: %s", exc)
            if not svc.health.token.active:
                await tell_office(app.bot, svc)
            limit = svc.settings.telegram.token_refused_exit_after
            refused_for = svc.health.token.lasted(svc.now())
            if svc.health.token.active and refused_for >= limit and app.running:
                log.critical(
                    "Telegram has refused the token for %s (limit %s): exiting", refused_for, limit
                )
                app.bot_data[EXIT_CODE_KEY] = EXIT_TOKEN_REFUSED
                app.stop_running()


async def health_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, HealthWatch)
    await job.data.run(context.application, services(context))


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        health_job,
        interval=HEALTH_EVERY,
        first=HEALTH_EVERY,
        name="health-watch",
        data=HealthWatch(),
        job_kwargs={"max_instances": 2, "coalesce": True},
    )
