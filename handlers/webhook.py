"""Webhook mode's calls to Telegram: setting the webhook, and setting it at start.

PTB's ``run_webhook`` sets the webhook too, just before its server listens, retrying every error
forever and saying nothing (a host Telegram cannot resolve would leave the bot deaf and silent).
So the bot sets it once itself first: network trouble is waited out with backoff, like
``wait_for_telegram``; an address Telegram refuses ends the start with one line.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, RetryAfter, TelegramError

from briefbot.logs import one_line
from briefbot.webhook import ALLOWED_UPDATES, WebhookPlan, WebhookRefused

log = logging.getLogger(__name__)
RETRY_MAX = 60.0  # seconds between attempts at start, at most


async def set_webhook(bot: Bot, plan: WebhookPlan) -> None:
    await bot.set_webhook(
        url=plan.url,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=plan.max_connections,
        secret_token=plan.secret_token,
        drop_pending_updates=False,  # updates that came while the bot was down are still owed
    )


async def register_webhook(bot: Bot, plan: WebhookPlan, first_delay: float = 1.0) -> None:
    """Set the webhook, retrying with backoff while Telegram is unreachable. A refused token
    propagates (``InvalidToken``); a refused address raises ``WebhookRefused``."""
    delay = first_delay
    while True:
        try:
            await set_webhook(bot, plan)
            return
        except InvalidToken:
            raise
        except BadRequest as exc:
            raise WebhookRefused(
                f"Telegram 拒绝了 Webhook 地址 {plan.url}：{exc.message}。"
                f" Telegram refused the webhook URL: {exc.message}"
            ) from None
        except RetryAfter as exc:
            wait = exc.retry_after
            delay = wait if isinstance(wait, int | float) else wait.total_seconds()
            log.warning("setWebhook: flood control, retrying in %.0f s", delay)
        except TelegramError as exc:
            log.warning("setWebhook failed (%s); retrying in %.0f s", one_line(exc), delay)
        await asyncio.sleep(delay)
        delay = min(max(delay, first_delay) * 2, RETRY_MAX)
