"""The HTTP requests to the Bot API, watched for a refused token.

A 401 while the bot runs is an outage, not a verdict: Telegram answers 401 for a while during
incidents, and a token revoked and restored by mistake works again. Every answer is seen here:
a 401 starts the token outage in ``Health``, any other answer ends it.

PTB's polling loop gives up for good on ``InvalidToken`` (the bot would go deaf while looking
alive). So on the getUpdates connection a 401 waits here (1 s, growing by half each time to 30 s)
and is then raised as ``TimedOut``, which PTB retries at once and quietly. The wait happens
inside the request, which PTB abandons as soon as the bot is asked to stop: a SIGTERM during a
long outage still stops the bot at once (PTB's own retry sleep, up to 30 s, would not).
Sends still raise ``InvalidToken``; the dispatcher pauses and returns the row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from briefbot.health import Health

log = logging.getLogger(__name__)
UNAUTHORIZED = 401
MAX_POLL_WAIT = 30.0  # seconds between two getUpdates while the token is refused


class WatchedRequest(HTTPXRequest):
    def __init__(
        self,
        health: Health,
        clock: Callable[[], datetime],
        *,
        polling: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._health = health
        self._clock = clock
        self._polling = polling
        self._refused_in_a_row = 0

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        started = self._clock()
        code, payload = await super().do_request(*args, **kwargs)
        outage = self._health.token
        if code == UNAUTHORIZED:
            if outage.fail(self._clock(), "401 Unauthorized"):
                log.error("Telegram refuses the bot token (401): retrying with backoff")
            if self._polling:
                await self._refused_poll(kwargs.get("request_data"))
            return code, payload
        self._refused_in_a_row = 0
        if outage.active and outage.since is not None and started >= outage.since:
            # only a request sent after the first refusal proves the token works again (one
            # sent before may be answered after it)
            lasted = outage.lasted(self._clock())
            outage.ok(self._clock())
            log.warning("Telegram accepts the token again after %s", lasted)
        return code, payload

    async def _refused_poll(self, request_data: RequestData | None) -> None:
        """A getUpdates refused: wait (abandoned if the bot stops), then let PTB retry."""
        timeout = request_data.parameters.get("timeout", 0) if request_data is not None else 0
        if not isinstance(timeout, int | float) or timeout <= 0:
            # not a long poll (PTB's last getUpdates at shutdown): no wait, PTB's own backoff
            raise NetworkError("token refused (401 Unauthorized)")
        self._refused_in_a_row += 1
        await asyncio.sleep(min(MAX_POLL_WAIT, 1.5 ** (self._refused_in_a_row - 1)))
        raise TimedOut("token refused (401 Unauthorized); polling retries")
