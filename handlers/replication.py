"""Replicas on one PostgreSQL store, on the Telegram side (``briefbot.replicas`` decides):

- ``TakeTurnsUpdater``: long-polls only while this replica holds the poller role, and starts
  polling when it takes the role over from a dead poller. Webhook mode does not use it: there
  every replica receives.
- ``OncePerUpdate``: each update handled by one replica only, keyed on the bot's and the
  update's id (the update id is the callback query's too: a press is one update). A webhook
  delivery Telegram retries to another replica, or an update a new poller fetches again, is
  skipped where it was taken already.

Solo (SQLite) both behave exactly as PTB's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, Updater

from briefbot.replicas import Coordinator
from briefbot.settings import ReplicaSettings
from briefbot.store import Store
from handlers.ratelimit import GroupLruRateLimiter
from handlers.traffic import PerChatUpdateProcessor

log = logging.getLogger(__name__)
COORDINATION_KEY = "coordination"


def coordinator_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Coordinator | None:
    found = application.bot_data.get(COORDINATION_KEY)
    return found if isinstance(found, Coordinator) else None


class TakeTurnsUpdater(Updater):
    """``start_polling`` polls at once when solo; shared, it polls while this replica holds the
    poller role (waiting for it meanwhile) and stops when the role is lost."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        super().__init__(bot=application.bot, update_queue=application.update_queue)
        self._application = application
        self._turns: asyncio.Task[None] | None = None

    async def start_polling(self, *args: Any, **kwargs: Any) -> asyncio.Queue[object]:
        coordinator = coordinator_of(self._application)
        if coordinator is None or not coordinator.roles.shared:
            return await super().start_polling(*args, **kwargs)
        coordinator.want("poller")
        await coordinator.tick()  # now rather than at the next check: polling starts at once
        self._turns = asyncio.get_running_loop().create_task(
            self._take_turns(coordinator, args, kwargs), name="poller-turns"
        )
        return self.update_queue

    async def _take_turns(
        self, coordinator: Coordinator, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        while True:
            await coordinator.wait_for("poller", held=True)
            log.warning("replica %s polls Telegram for updates", coordinator.owner)
            await super().start_polling(*args, **kwargs)
            await coordinator.wait_for("poller", held=False)
            log.warning("replica %s stops polling: the poller role is lost", coordinator.owner)
            if self.running:
                await super().stop()

    async def _end_turns(self) -> None:
        turns, self._turns = self._turns, None
        if turns is not None:
            turns.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await turns

    async def stop(self) -> None:
        await self._end_turns()
        if self.running:
            await super().stop()

    async def shutdown(self) -> None:
        await self._end_turns()
        if self.running:  # cancelled between taking the role and polling
            await super().stop()
        await super().shutdown()


class OncePerUpdate(PerChatUpdateProcessor):
    """``PerChatUpdateProcessor`` (concurrent across chats, in order within one) that hands an
    update to the handlers only if no other replica has taken it."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        coordinator = coordinator_of(self.application) if self.application is not None else None
        if coordinator is None or not coordinator.roles.shared or not isinstance(update, Update):
            await super().do_process_update(update, coroutine)
            return
        assert self.application is not None
        bot_id = self.application.bot.id
        if not await coordinator.first_taker(bot_id, update.update_id):
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never run: no "never awaited" warning
            log.info("update %s skipped: another replica has taken it", update.update_id)
            return
        await super().do_process_update(update, coroutine)
        await coordinator.handled(bot_id, update.update_id)


async def start(
    application: Application[Any, Any, Any, Any, Any, Any],
    store: Store,
    settings: ReplicaSettings,
    clock: Callable[[], datetime],
) -> Coordinator:
    """The replica's coordinator, started (in post_init: before the jobs and the updater), its
    sending pace following the number of live replicas, and kept in ``bot_data``."""
    coordinator = Coordinator(store, settings, clock)
    limiter = getattr(application.bot, "rate_limiter", None)
    if isinstance(limiter, GroupLruRateLimiter):
        coordinator.on_live(lambda live: limiter.share(1 / live))
    application.bot_data[COORDINATION_KEY] = coordinator
    await coordinator.start()
    return coordinator


async def stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    coordinator = coordinator_of(application)
    if coordinator is not None:
        await coordinator.stop()


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire a built application for replicas: its updater takes turns, and its update processor
    (if ``OncePerUpdate``) finds the coordinator that post_init puts in ``bot_data``."""
    application.updater = TakeTurnsUpdater(application)
    processor = application.update_processor
    if isinstance(processor, OncePerUpdate):
        processor.application = application
