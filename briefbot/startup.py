"""Calls the bot must get through before it can start (getMe, setWebhook): retried with backoff
while Telegram is unreachable, so a bot started during a network outage waits for it to end
instead of exiting. What is no outage (a refused token, a refused address) propagates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from briefbot.logs import one_line

T = TypeVar("T")
log = logging.getLogger("bot")
RETRY_MAX = 60.0  # seconds between attempts at start, at most


async def keep_trying(
    call: Callable[[], Awaitable[T]],
    what: str,
    *,
    retryable: tuple[type[Exception], ...],
    fatal: tuple[type[Exception], ...] = (),
    asked_wait: Callable[[Exception], float | None] = lambda exc: None,
    first_delay: float = 1.0,
) -> T:
    """``call()`` until it succeeds; ``retryable`` errors (unless ``fatal``) are waited out,
    doubling the delay up to RETRY_MAX, or for what the error asks (``asked_wait``)."""
    delay = first_delay
    while True:
        try:
            return await call()
        except fatal:
            raise
        except retryable as exc:
            asked = asked_wait(exc)
            wait = delay if asked is None else asked
            log.warning("%s (%s); retrying in %.0f s", what, one_line(exc), wait)
        await asyncio.sleep(wait)
        delay = min(max(delay, first_delay) * 2, RETRY_MAX)
