"""Webhook mode only: ask Telegram how the webhook is doing (getWebhookInfo) every
``telegram.webhook.check_every``.

- In polling mode a refused token (401) shows at the next getUpdates; a webhook bot with nothing
  to send never asks Telegram anything. This request is seen by ``WatchedRequest`` like any other,
  so the token outage starts and ends (health check, office notice, exit 3) as in polling mode.
- A webhook removed or replaced by someone else (a polling process started with the same token
  deletes it) leaves the bot deaf: it is set again, with a warning.
- Telegram's own delivery errors (the proxy answering 502, a certificate problem) are logged once
  each, with the number of updates waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes

from briefbot.logs import one_line
from briefbot.webhook import WebhookPlan
from handlers.webhook import set_webhook

log = logging.getLogger(__name__)


def same_url(a: str, b: str) -> bool:
    """Equal as addresses: the scheme's and host's case and a default port do not matter (should
    Telegram hand the URL back normalised, the webhook is not set again every time)."""
    if not a or not b:
        return a == b
    x, y = urlsplit(a), urlsplit(b)
    default = {"https": 443, "http": 80}
    return (
        x.scheme.lower() == y.scheme.lower()
        and x.hostname == y.hostname  # lower-cased by urlsplit
        and (x.port or default.get(x.scheme.lower())) == (y.port or default.get(y.scheme.lower()))
        and (x.path or "/") == (y.path or "/")
        and x.query == y.query
    )


class WebhookWatch:
    def __init__(self, plan: WebhookPlan) -> None:
        self.plan = plan
        self.last_error_date: datetime | None = None

    async def run(self, bot: Bot) -> None:
        try:
            info = await bot.get_webhook_info()
        except InvalidToken:
            return  # the token outage is recorded by the request itself
        except TelegramError as exc:
            log.warning("getWebhookInfo failed: %s", one_line(exc))
            return
        if not same_url(info.url, self.plan.url):
            log.warning(
                "the webhook %s; setting it again",
                f"points elsewhere ({info.url})" if info.url else "was removed",
            )
            try:
                await set_webhook(bot, self.plan)
            except TelegramError as exc:
                log.error("could not set the webhook again: %s", one_line(exc))
            return
        if info.last_error_date is not None and info.last_error_date != self.last_error_date:
            self.last_error_date = info.last_error_date
            log.warning(
                "Telegram could not deliver to the webhook at %s: %s (%d updates waiting)",
                info.last_error_date.isoformat(timespec="seconds"),
                info.last_error_message,
                info.pending_update_count,
            )


async def webhook_watch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, WebhookWatch)
    await job.data.run(context.bot)


def register(app: Application[Any, Any, Any, Any, Any, Any], plan: WebhookPlan) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        webhook_watch_job,
        interval=plan.check_every,
        first=plan.check_every,
        name="webhook-watch",
        data=WebhookWatch(plan),
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
