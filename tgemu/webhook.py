"""Webhook delivery, as Telegram does it: while a bot has a webhook, each of its updates is POSTed
there as JSON, oldest first and one at a time (so in order), with the secret token in
``X-Telegram-Bot-Api-Secret-Token``. An answer other than 2xx, a refused connection or no answer
within ``Limits.webhook_timeout`` is a failure: the update stays pending (getWebhookInfo counts
it and shows the error) and is tried again after a growing wait. One delivery task per bot token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import aiohttp

from tgemu.world import Bot, World

log = logging.getLogger("tgemu.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    def __init__(self, world: World) -> None:
        self.world = world
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._kicks: dict[str, asyncio.Event] = {}
        self._session: aiohttp.ClientSession | None = None

    def kick(self, bot: Bot) -> None:
        """After setWebhook: deliver now (a running task forgets its wait), start the task if
        there is none."""
        self._kicks.setdefault(bot.token, asyncio.Event()).set()
        task = self._tasks.get(bot.token)
        if bot.webhook is not None and (task is None or task.done()):
            self._tasks[bot.token] = asyncio.create_task(
                self._deliver(bot), name=f"webhook-{bot.id}"
            )

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver(self, bot: Bot) -> None:
        world = self.world
        kick = self._kicks[bot.token]
        while (hook := bot.webhook) is not None:
            # like any other request, delivery waits while the token is refused
            wait = max(hook.retry_at, world.token_refused_until) - world.clock()
            if wait > 0:
                kick.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(kick.wait(), wait)
                continue
            update = world.next_deliverable(bot)
            if update is None:
                bot.event.clear()
                await bot.event.wait()
                continue
            error = await self._post(hook.url, hook.secret_token, update)
            if error is None:
                world.webhook_delivered(bot, update["update_id"])
            else:
                retry_in = world.webhook_failed(bot, hook, error)
                log.debug("webhook delivery failed (%s); retrying in %.2f s", error, retry_in)

    async def _post(self, url: str, secret: str | None, update: dict[str, object]) -> str | None:
        """POST one update; None when the webhook took it, else Telegram's error text."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        timeout = aiohttp.ClientTimeout(total=self.world.limits.webhook_timeout)
        try:
            async with self._session.post(
                url, data=json.dumps(update), headers=headers, timeout=timeout
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection error: {type(exc).__name__}"
