"""Webhook mode's calls to Telegram: setting the webhook, and setting it at start.

PTB's ``run_webhook`` sets the webhook too, just before its server listens, retrying every error
forever and saying nothing (a host Telegram cannot resolve would leave the bot deaf and silent).
So the bot sets it once itself first: network trouble is waited out with backoff, like
``wait_for_telegram`` (``briefbot.startup``); an address Telegram refuses ends the start with one line.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, RetryAfter, TelegramError

from briefbot.startup import keep_trying
from briefbot.webhook import ALLOWED_UPDATES, WebhookPlan, WebhookRefused


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

    def asked_wait(exc: Exception) -> float | None:
        if not isinstance(exc, RetryAfter):
            return None
        wait = exc.retry_after
        return wait if isinstance(wait, int | float) else wait.total_seconds()

    try:
        await keep_trying(
            lambda: set_webhook(bot, plan),
            "setWebhook failed",
            retryable=(TelegramError,),
            fatal=(InvalidToken, BadRequest),
            asked_wait=asked_wait,
            first_delay=first_delay,
        )
    except BadRequest as exc:
        raise WebhookRefused(
            f"Telegram 拒绝了 Webhook 地址 {plan.url}：{exc.message}。"
            f" Telegram refused the webhook URL: {exc.message}"
        ) from None
